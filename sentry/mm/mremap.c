/*
 * mremap(2), after Linux 6.x mm/mremap.c: shrink in
 * place, grow in place when the gap above allows, otherwise (MREMAP_MAYMOVE)
 * move by mapping the same memory-file offsets at the new address: no copy.
 *
 * File mappings keep their file offsets; the part a grow adds is populated
 * from the file.
 * Not supported yet (-EINVAL, which older Linux also gave): old_len == 0 (the
 * "duplicate a shared mapping" special case) and MREMAP_DONTUNMAP on a shared
 * or file mapping; the reference counts would allow the first two now.
 * Like Linux before 6.17, a move covers a single VMA (-EFAULT otherwise).
 */
#include <errno.h>
#include <linux/mman.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static uint64_t add_sat(uint64_t a, uint64_t b)
{
        uint64_t r;

        return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* Move [addr, addr+old_len) of v to [new_addr, new_addr+new_len) (free in
 * the tree, new_len >= old_len): the old pages keep their file offsets and
 * their copy-on-write state (their PMAs move), the extra part is fresh and,
 * when the memory file has room right after them, contiguous with them. The
 * moved mapping is one VMA however its pages are backed. dontunmap leaves the
 * old range mapped to fresh zeroed pages. */
static long move_locked(struct mm *mm, struct vma *v, guest_ptr_t addr, uint64_t old_len,
                        guest_ptr_t new_addr, uint64_t new_len, bool dontunmap)
{
        struct vma_prealloc vpa = {};
        struct pma_prealloc ppa = {};
        guest_ptr_t old_end = addr + old_len;
        uint64_t extra = new_len - old_len, extra_off = 0, fresh_off = 0;
        bool have_extra = false, have_fresh = false;
        int prot = v->prot, vflags = v->flags;
        struct mm_mappable *file = v->file;
        /* Still v's until the write lock goes, even if v is removed. */
        struct mm_vm_file vm_file = v->vm_file;
        uint64_t pgoff = vma_has_pgoff(v) ? v->pgoff + (addr - v->start) : 0;
        struct pma *p, *next;
        long r;

        /* Everything that can run out first, so the rest cannot fail but for
         * the platform. VMAs: 2 for the old range's splits, 1 new. PMAs: 2
         * splits, the extra part, the fresh part. */
        r = vma_prealloc_fill(&vpa, 3);
        if (r == 0)
                r = pma_prealloc_fill(&ppa, 4);
        if (r < 0)
                goto out;
        /* A file mapping's extra part comes from the file (populated below). */
        if (extra && !v->file) {
                p = pma_lookup(&mm->pmas, old_end - 1);
                if (p->cow || memfile_alloc_at(mm->mf, pma_off_of(p, old_end), extra) < 0)
                        r = memfile_alloc(mm->mf, extra, &extra_off);
                else
                        extra_off = pma_off_of(p, old_end);
                if (r < 0)
                        goto out;
                have_extra = true;
        }
        if (dontunmap) {
                r = memfile_alloc(mm->mf, old_len, &fresh_off);
                if (r < 0)
                        goto out;
                have_fresh = true;
        }

        /* The platform: new side, then old side, undoing on failure. */
        for (p = pma_find(&mm->pmas, addr); p && p->start < old_end; p = pma_next(p)) {
                guest_ptr_t a = MAX(p->start, addr), b = MIN(p->end, old_end);

                r = mm_as_map(mm, new_addr + (a - addr), b - a, mm_pma_prot(v, p),
                              pma_off_of(p, a));
                if (r < 0)
                        break;
        }
        if (r == 0 && extra && !v->file)
                r = mm_as_map(mm, new_addr + old_len, extra, prot, extra_off);
        if (r == 0)
                r = dontunmap ? mm_as_map(mm, addr, old_len, prot, fresh_off)
                              : mm_as_unmap(mm, addr, old_len);
        if (r < 0) {
                mm_as_unmap(mm, new_addr, new_len);
                goto out;
        }

        /* The trees. The PMAs move; the new range holds none. */
        mm_isolate_pmas_locked(mm, addr, old_end, &ppa);
        for (p = pma_find(&mm->pmas, addr); p && p->start < old_end; p = next) {
                next = pma_next(p);
                pma_erase(&mm->pmas, p);
                p->start = new_addr + (p->start - addr);
                p->end = new_addr + (p->end - addr);
                pma_insert(&mm->pmas, p);
        }
        if ((p = pma_lookup(&mm->pmas, new_addr)))     /* none: unpopulated file page */
                pma_merge(&mm->pmas, p);
        if (extra && !v->file) {
                mm_insert_pma_locked(mm, pma_prealloc_take(&ppa), new_addr + old_len,
                                     new_addr + new_len, extra_off, false);
                have_extra = false;
        }
        if ((p = pma_lookup(&mm->pmas, new_addr + new_len - 1)))
                pma_merge(&mm->pmas, p);
        if (dontunmap) {
                mm_insert_pma_locked(mm, pma_prealloc_take(&ppa), addr, old_end, fresh_off,
                                     false);
                have_fresh = false;
        } else
                mm_remove_vmas_locked(mm, addr, old_end, &vpa);

        struct vma *n = vma_prealloc_take(&vpa);
        *n = (struct vma){ .start = new_addr, .end = new_addr + new_len,
                           .prot = prot, .flags = vflags, .file = file,
                           .vm_file = vma_vm_file_get(&vm_file), .pgoff = pgoff };
        vma_insert(&mm->vmas, n);
        n = vma_merge(&mm->vmas, n);
        r = (long)new_addr;
        if (file && extra) {
                int e = mm_file_populate_locked(mm, n, new_addr + old_len, new_addr + new_len);

                if (e < 0 && e != -ENXIO)       /* past EOF: SIGBUS there, not an error */
                        r = e;
        }
out:
        if (have_extra)
                memfile_free(mm->mf, extra_off, extra);
        if (have_fresh)
                memfile_free(mm->mf, fresh_off, old_len);
        vma_prealloc_release(&vpa);
        pma_prealloc_release(&ppa);
        return r;
}

/* Grow file VMA v in place by delta bytes: the file's next pages. */
static int grow_file_locked(struct mm *mm, struct vma *v, uint64_t delta)
{
        struct vma *n = vma_new();
        guest_ptr_t start = v->end;
        int r;

        if (!n)
                return -ENOMEM;
        *n = (struct vma){ .start = start, .end = start + delta, .prot = v->prot,
                           .flags = v->flags, .file = v->file,
                           .vm_file = vma_vm_file_get(&v->vm_file),
                           .pgoff = v->pgoff + vma_len(v) };
        vma_insert(&mm->vmas, n);
        n = vma_merge(&mm->vmas, n);
        r = mm_file_populate_locked(mm, n, start, start + delta);
        if (r == -ENXIO)
                r = 0;                  /* past EOF: SIGBUS there */
        if (r < 0)
                mm_unmap_locked(mm, start, start + delta);
        return r;
}

static long mremap_locked(struct mm *mm, guest_ptr_t addr, uint64_t old_len, uint64_t new_len,
                          int flags, guest_ptr_t new_addr)
{
        bool implies_new = flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
        struct vma *v;
        long r;

        v = vma_lookup(&mm->vmas, addr);
        if (!v)
                return -EFAULT;
        if (old_len == 0)
                return -EINVAL;

        if (!implies_new && new_len <= old_len) {
                /* Shrink (or nothing): unmap the tail, whatever it covers. */
                guest_ptr_t end = MIN(add_sat(addr, old_len), MM_TASK_SIZE);

                if (new_len < old_len && addr + new_len < end) {
                        r = mm_unmap_locked(mm, addr + new_len, end);
                        if (r < 0)
                                return r;
                }
                return (long)addr;
        }

        /* We can't remap across VMA boundaries. */
        if (old_len > v->end - addr)
                return -EFAULT;
        /* The old range of a file mapping would have to be repopulated from
         * the file: not built (Linux before 5.13 refused it too). */
        if ((flags & MREMAP_DONTUNMAP) && v->file)
                return -EINVAL;
        if ((flags & MREMAP_DONTUNMAP) && (v->flags & VMA_SHARED))
                return -EINVAL;
        if (mm->vmas.count + 2 >= MM_MAX_MAP_COUNT - 3)
                return -ENOMEM;

        if (implies_new) {
                if (flags & MREMAP_FIXED) {
                        if (new_addr < MM_MIN_ADDR)
                                return -EPERM;  /* security_mmap_addr() */
                        if (new_addr + new_len > GUEST_ADDR_MAX)
                                return -ENOMEM;
                        r = mm_unmap_locked(mm, new_addr, new_addr + new_len);
                        if (r < 0)
                                return r;
                }
                if (old_len > new_len) {
                        r = mm_unmap_locked(mm, addr + new_len, addr + old_len);
                        if (r < 0)
                                return r;
                        old_len = new_len;
                }
                if (!(flags & MREMAP_FIXED)) {
                        r = mm_get_unmapped_area_locked(mm, PAGE_ROUND_DOWN(new_addr), new_len,
                                                        false, &new_addr);
                        if (r < 0)
                                return r;
                }
                /* Unmapping may have split v: look it up again. */
                v = vma_lookup(&mm->vmas, addr);
                return move_locked(mm, v, addr, old_len, new_addr, new_len,
                                   flags & MREMAP_DONTUNMAP);
        }

        /* Grow. In place if the range ends the VMA and the gap above is free. */
        uint64_t delta = new_len - old_len;
        if (old_len == v->end - addr && v->end <= GUEST_ADDR_MAX - delta &&
            !vma_find_intersection(&mm->vmas, v->end, v->end + delta)) {
                r = v->file ? grow_file_locked(mm, v, delta)
                            : mm_map_anon_locked(mm, v->end, delta, v->prot, v->flags,
                                                 &v->vm_file, v->pgoff + vma_len(v));
                return r < 0 ? r : (long)addr;
        }
        if (!(flags & MREMAP_MAYMOVE))
                return -ENOMEM;
        r = mm_get_unmapped_area_locked(mm, 0, new_len, false, &new_addr);
        if (r < 0)
                return r;
        return move_locked(mm, v, addr, old_len, new_addr, new_len, false);
}

long mm_mremap(struct mm *mm, guest_ptr_t addr, uint64_t old_len, uint64_t new_len,
               int flags, guest_ptr_t new_addr)
{
        bool implies_new = flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
        long r;

        /* check_mremap_params() */
        if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
                return -EINVAL;
        if (!PAGE_ALIGNED(addr))
                return -EINVAL;
        old_len = mm_page_align(old_len);       /* 0 if it wraps, like PAGE_ALIGN */
        new_len = mm_page_align(new_len);
        if (new_len == 0 || new_len > MM_TASK_SIZE)
                return -EINVAL;
        if (implies_new) {
                if (new_addr > MM_TASK_SIZE - new_len || !PAGE_ALIGNED(new_addr))
                        return -EINVAL;
                if (!(flags & MREMAP_MAYMOVE))
                        return -EINVAL;
                if ((flags & MREMAP_DONTUNMAP) && old_len != new_len)
                        return -EINVAL;
                /* The new range must not overlap the old one. */
                if (add_sat(addr, old_len) > new_addr && new_addr + new_len > addr)
                        return -EINVAL;
        }

        mm_lock_write(mm);
        r = mremap_locked(mm, addr, old_len, new_len, flags, new_addr);
        mm_unlock_write(mm);
        return r;
}
