/*
 * mremap(2) for anonymous memory, after Linux 6.x mm/mremap.c: shrink in
 * place, grow in place when the gap above allows, otherwise (MREMAP_MAYMOVE)
 * move by mapping the same memory-file offsets at the new address: no copy.
 *
 * Not supported (-EINVAL, which older Linux also gave): old_len == 0 (the
 * "duplicate a shared mapping" special case) and MREMAP_DONTUNMAP on a shared
 * mapping; both need memory-file ranges shared between VMAs.
 * Like Linux before 6.17, a move covers a single VMA (-EFAULT otherwise).
 */
#include <errno.h>
#include <linux/mman.h>
#include <string.h>
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
 * the tree, new_len >= old_len): the old pages keep their file offsets, the
 * extra part is fresh and, when the memory file has room right after them,
 * contiguous with them, so the moved mapping stays one VMA as on Linux. When
 * it has not, the pages are copied into one fresh range instead: a split
 * mapping would make a later mremap of the whole range fail with EFAULT.
 * dontunmap leaves the old range mapped to fresh zeroed pages. */
static long move_locked(struct mm *mm, struct vma *v, guest_ptr_t addr, uint64_t old_len,
                        guest_ptr_t new_addr, uint64_t new_len, bool dontunmap)
{
        const struct platform_ops *ops = mm_ops(mm);
        struct vma_prealloc pa = {};
        uint64_t src_off = vma_off_of(v, addr), extra = new_len - old_len;
        uint64_t extra_off = 0, fresh_off = 0, copy_off = 0;
        bool have_extra = false, have_fresh = false, have_copy = false;
        int prot = v->prot, vflags = v->flags;
        long r;

        /* Everything that can run out first, so the rest cannot fail but for
         * the platform. 2 for the old range's splits, 2 for the new VMAs. */
        r = vma_prealloc_fill(&pa, 4);
        if (r < 0)
                goto out;
        if (extra) {
                if (memfile_alloc_at(mm->mf, src_off + old_len, extra) == 0) {
                        extra_off = src_off + old_len;
                        have_extra = true;
                } else {
                        r = memfile_alloc(mm->mf, new_len, &copy_off);
                        if (r < 0)
                                goto out;
                        have_copy = true;
                        memcpy(memfile_addr(mm->mf, copy_off), memfile_addr(mm->mf, src_off),
                               old_len);
                        extra = 0;
                }
        }
        if (dontunmap) {
                r = memfile_alloc(mm->mf, old_len, &fresh_off);
                if (r < 0)
                        goto out;
                have_fresh = true;
        }

        /* The platform: new side, then old side, undoing on failure. */
        if (have_copy)
                r = ops->as_map(mm->as, new_addr, new_len, prot, copy_off);
        else
                r = ops->as_map(mm->as, new_addr, old_len, prot, src_off);
        if (r < 0)
                goto out;
        if (extra) {
                r = ops->as_map(mm->as, new_addr + old_len, extra, prot, extra_off);
                if (r < 0) {
                        ops->as_unmap(mm->as, new_addr, old_len);
                        goto out;
                }
        }
        if (dontunmap)
                r = ops->as_map(mm->as, addr, old_len, prot, fresh_off);
        else
                r = ops->as_unmap(mm->as, addr, old_len);
        if (r < 0) {
                ops->as_unmap(mm->as, new_addr, new_len);
                goto out;
        }

        /* The tree. */
        if (dontunmap) {
                mm_isolate_range_locked(mm, addr, addr + old_len, &pa);
                v = vma_lookup(&mm->vmas, addr);
                v->off = fresh_off;
                have_fresh = false;
                vma_merge(&mm->vmas, v);
        } else
                mm_remove_range_locked(mm, addr, addr + old_len, have_copy, &pa);

        struct vma *n = vma_prealloc_take(&pa);
        *n = (struct vma){ .start = new_addr, .end = new_addr + (have_copy ? new_len : old_len),
                           .prot = prot, .flags = vflags, .off = have_copy ? copy_off : src_off };
        have_copy = false;
        vma_insert(&mm->vmas, n);
        if (extra) {
                struct vma *x = vma_prealloc_take(&pa);
                *x = (struct vma){ .start = new_addr + old_len, .end = new_addr + new_len,
                                   .prot = prot, .flags = vflags, .off = extra_off };
                vma_insert(&mm->vmas, x);
                have_extra = false;
        }
        vma_merge(&mm->vmas, vma_lookup(&mm->vmas, new_addr));
        r = (long)new_addr;
out:
        if (have_extra)
                memfile_free(mm->mf, extra_off, extra);
        if (have_fresh)
                memfile_free(mm->mf, fresh_off, old_len);
        if (have_copy)
                memfile_free(mm->mf, copy_off, new_len);
        vma_prealloc_release(&pa);
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
                r = mm_map_anon_locked(mm, v->end, delta, v->prot, v->flags);
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

        pthread_rwlock_wrlock(&mm->lock);
        r = mremap_locked(mm, addr, old_len, new_len, flags, new_addr);
        pthread_rwlock_unlock(&mm->lock);
        return r;
}
