/*
 * mmap(2) and munmap(2), anonymous and of files, with Linux's argument checks
 * in Linux's order (mm/mmap.c do_mmap, __get_unmapped_area; mm/vma.c
 * do_vmi_munmap).
 */
#include <errno.h>
#include <linux/mman.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif

/* Linux's LEGACY_MAP_MASK: what MAP_SHARED_VALIDATE accepts for a file
 * without mmap_supported_flags. */
#define LEGACY_MAP_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | \
                         MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | \
                         MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | \
                         MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

/* do_mmap()'s file part: the VMA flags for a mapping of fa, or -errno. */
static int file_vma_flags(const struct mm_file_args *fa, uint64_t len, int prot, int flags)
{
        int vma_flags = 0;

        /* file_mmap_ok(): offsets past what a file can hold (MAX_LFS_FILESIZE). */
        if (fa->off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - fa->off)
                return -EOVERFLOW;
        switch (flags & MAP_TYPE) {
        case MAP_SHARED:
                flags &= LEGACY_MAP_MASK;
                /* fallthrough */
        case MAP_SHARED_VALIDATE:
                if (flags & ~LEGACY_MAP_MASK)
                        return -EOPNOTSUPP;
                if ((prot & PROT_WRITE) && !fa->writable)
                        return -EACCES;
                vma_flags |= VMA_SHARED;
                if (!fa->writable)
                        vma_flags |= VMA_NOMAYWRITE;
                /* fallthrough */
        case MAP_PRIVATE:
                if (!fa->readable)
                        return -EACCES;
                if (!fa->m)
                        return -ENODEV;
                if (flags & MAP_GROWSDOWN)
                        return -EINVAL;
                /* Write seals (shmem_mmap()'s seal_check_write()). */
                if ((vma_flags & VMA_SHARED) && fa->write_sealed) {
                        if (prot & PROT_WRITE)
                                return -EPERM;
                        vma_flags |= VMA_NOMAYWRITE;
                }
                return vma_flags;
        default:
                return -EINVAL;
        }
}

/* Map file VMA [addr, addr+len) (free in the tree) and populate it. */
static int map_file_locked(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot,
                           int vma_flags, const struct mm_file_args *fa)
{
        struct vma *v = vma_new();
        int r;

        if (!v)
                return -ENOMEM;
        r = mm_file_register_locked(mm, fa->m);
        if (r < 0) {
                vma_free(v);
                return r;
        }
        *v = (struct vma){ .start = addr, .end = addr + len, .prot = prot,
                           .flags = vma_flags, .file = fa->m,
                           .vm_file = vma_vm_file_get(&fa->vm_file), .pgoff = fa->off };
        vma_insert(&mm->vmas, v);
        vma_merge(&mm->vmas, v);
        r = mm_file_populate_locked(mm, vma_lookup(&mm->vmas, addr), addr, addr + len);
        if (r == -ENXIO)
                r = 0;          /* past EOF: SIGBUS on access, not an mmap error */
        if (r < 0)
                mm_unmap_locked(mm, addr, addr + len);
        return r;
}

/* fa: a file mapping; else anonymous memory, named as a copy of
 * copy->vm_file at copy->off if copy is given. */
static long map_locked(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags,
                       const struct mm_file_args *fa, const struct mm_file_args *copy)
{
        struct vma_prealloc pa = {};
        struct pma_prealloc ppa = {};
        int vma_flags = 0;
        int r;

        if (mm->vmas.count > MM_MAX_MAP_COUNT)
                return -ENOMEM;

        /* __get_unmapped_area() */
        if (len > GUEST_ADDR_MAX)
                return -ENOMEM;
        if (flags & MAP_FIXED) {
                if (addr > GUEST_ADDR_MAX - len)
                        return -ENOMEM;
                if (!PAGE_ALIGNED(addr))
                        return -EINVAL;
                /* security_mmap_addr(): an unprivileged task's view. */
                if (addr < MM_MIN_ADDR)
                        return -EPERM;
        } else {
                r = mm_get_unmapped_area_locked(mm, addr, len, flags & MAP_32BIT, &addr);
                if (r < 0)
                        return r;
        }

        if ((flags & MAP_FIXED_NOREPLACE) && vma_find_intersection(&mm->vmas, addr, addr + len))
                return -EEXIST;

        if (fa) {
                r = file_vma_flags(fa, len, prot, flags);
                if (r < 0)
                        return r;
                vma_flags = r;
                if (flags & MAP_GROWSDOWN)
                        vma_flags |= VMA_GROWSDOWN;
        } else switch (flags & MAP_TYPE) {
        case MAP_SHARED:
        case MAP_SHARED_VALIDATE:       /* only file mappings validate further */
                if (flags & MAP_GROWSDOWN)
                        return -EINVAL;
                vma_flags |= VMA_SHARED;
                break;
        case MAP_PRIVATE:
                break;
        default:                        /* includes MAP_DROPPABLE: not supported yet */
                return -EINVAL;
        }
        /* MAP_GROWSDOWN is kept as a flag; the mapping does not grow by itself
         * (no fault handling yet) and has no guard gap. */
        if (!fa && (flags & MAP_GROWSDOWN))
                vma_flags |= VMA_GROWSDOWN;
        /* accountable_mapping() */
        if (flags & MAP_NORESERVE)
                vma_flags |= VMA_NORESERVE;
        else if (!(vma_flags & VMA_SHARED) && (prot & PROT_WRITE))
                vma_flags |= VMA_ACCOUNT;

        /* MAP_FIXED replaces what is there: unmap it first, like Linux. */
        if (vma_find_intersection(&mm->vmas, addr, addr + len)) {
                r = vma_prealloc_fill(&pa, 2);
                if (r == 0)
                        r = pma_prealloc_fill(&ppa, 2);
                if (r == 0)
                        r = mm_as_unmap(mm, addr, len);
                if (r < 0)
                        goto out;
                bool files = mm_range_has_file_locked(mm, addr, addr + len);

                mm_remove_range_locked(mm, addr, addr + len, &pa, &ppa);
                /* Before registering again: the file may be this one. */
                if (files)
                        mm_files_prune_locked(mm);
        }

        /* Unknown PROT_* bits are ignored by mmap (unlike mprotect). */
        prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
        if (fa)
                r = map_file_locked(mm, addr, len, prot, vma_flags, fa);
        else
                r = mm_map_anon_locked(mm, addr, len, prot, vma_flags,
                                       copy ? &copy->vm_file : NULL, copy ? copy->off : 0);
out:
        vma_prealloc_release(&pa);
        pma_prealloc_release(&ppa);
        return r < 0 ? r : (long)addr;
}

static long do_mmap(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags,
                    const struct mm_file_args *fa, const struct mm_file_args *copy)
{
        long r;

        if (len == 0)
                return -EINVAL;
        if (flags & MAP_FIXED_NOREPLACE)
                flags |= MAP_FIXED;
        if (!(flags & MAP_FIXED)) {
                /* round_hint_to_min() */
                addr = PAGE_ROUND_DOWN(addr);
                if (addr && addr < MM_MIN_ADDR)
                        addr = MM_MIN_ADDR;
        }
        len = mm_page_align(len);
        if (len == 0)
                return -ENOMEM;
        /* pgoff + (len >> PAGE_SHIFT) wrapping */
        if (fa && fa->off / PAGE_SIZE + len / PAGE_SIZE < fa->off / PAGE_SIZE)
                return -EOVERFLOW;

        mm_lock_write(mm);
        r = map_locked(mm, addr, len, prot, flags, fa, copy);
        mm_unlock_write(mm);
        return r;
}

long mm_mmap(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags)
{
        if (!(flags & MAP_ANONYMOUS))
                return -ENODEV;         /* files go through mm_mmap_file */
        return do_mmap(mm, addr, len, prot, flags, NULL, NULL);
}

long mm_mmap_copy_of(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags,
                     const struct mm_vm_file *vf, uint64_t off)
{
        struct mm_file_args copy = { .vm_file = *vf, .off = off };

        if (!(flags & MAP_ANONYMOUS) || (flags & MAP_TYPE) != MAP_PRIVATE || !PAGE_ALIGNED(off))
                return -EINVAL;
        return do_mmap(mm, addr, len, prot, flags, NULL, &copy);
}

long mm_mmap_file(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags,
                  const struct mm_file_args *fa)
{
        return do_mmap(mm, addr, len, prot, flags & ~MAP_ANONYMOUS, fa, NULL);
}

int mm_munmap(struct mm *mm, guest_ptr_t addr, uint64_t len)
{
        guest_ptr_t end;
        int r;

        if (!PAGE_ALIGNED(addr) || addr > MM_TASK_SIZE || len > MM_TASK_SIZE - addr)
                return -EINVAL;
        len = PAGE_ROUND_UP(len);       /* cannot wrap: len <= MM_TASK_SIZE */
        if (len == 0)
                return -EINVAL;
        end = addr + len;

        mm_lock_write(mm);
        r = mm_unmap_locked(mm, addr, end);
        mm_unlock_write(mm);
        return r;
}
