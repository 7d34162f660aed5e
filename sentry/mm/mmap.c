/*
 * mmap(2) and munmap(2) for anonymous memory, with Linux's argument checks in
 * Linux's order (mm/mmap.c do_mmap, __get_unmapped_area; mm/vma.c do_vmi_munmap).
 */
#include <errno.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

static long map_locked(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags)
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

        switch (flags & MAP_TYPE) {
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
        if (flags & MAP_GROWSDOWN)
                vma_flags |= VMA_GROWSDOWN;

        /* MAP_FIXED replaces what is there: unmap it first, like Linux. */
        if (vma_find_intersection(&mm->vmas, addr, addr + len)) {
                r = vma_prealloc_fill(&pa, 2);
                if (r == 0)
                        r = pma_prealloc_fill(&ppa, 2);
                if (r == 0)
                        r = mm_as_unmap(mm, addr, len);
                if (r < 0)
                        goto out;
                mm_remove_range_locked(mm, addr, addr + len, &pa, &ppa);
        }

        /* Unknown PROT_* bits are ignored by mmap (unlike mprotect). */
        r = mm_map_anon_locked(mm, addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
                               vma_flags);
out:
        vma_prealloc_release(&pa);
        pma_prealloc_release(&ppa);
        return r < 0 ? r : (long)addr;
}

long mm_mmap(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags)
{
        long r;

        if (!(flags & MAP_ANONYMOUS))
                return -ENODEV;         /* file mappings are the caller's business */
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

        mm_lock_write(mm);
        r = map_locked(mm, addr, len, prot, flags);
        mm_unlock_write(mm);
        return r;
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
