/*
 * brk(2), after Linux's mm/mmap.c: the break moves within an ordinary private
 * anonymous VMA that starts at start_brk; failure returns the old break.
 * The heap grows only into free space, keeping one free page below the next
 * mapping like Linux. No RLIMIT_DATA check yet.
 */
#include <sys/mman.h>

#include "sentry/mm/internal.h"

void mm_brk_init(struct mm *mm, guest_ptr_t start)
{
        mm_lock_write(mm);
        start = start > GUEST_ADDR_MAX ? GUEST_ADDR_MAX : PAGE_ROUND_UP(start);
        mm->start_brk = mm->brk = start;
        mm_unlock_write(mm);
}

static bool brk_locked(struct mm *mm, guest_ptr_t brk)
{
        guest_ptr_t newbrk, oldbrk;

        if (mm->start_brk == 0 || brk < mm->start_brk || brk > GUEST_ADDR_MAX - PAGE_SIZE)
                return false;

        newbrk = PAGE_ROUND_UP(brk);
        oldbrk = PAGE_ROUND_UP(mm->brk);
        if (newbrk == oldbrk)
                return true;
        if (brk <= mm->brk)
                return mm_unmap_locked(mm, newbrk, oldbrk) == 0;

        /* Grow: the new pages and a guard page above them must be free. */
        if (vma_find_intersection(&mm->vmas, oldbrk, newbrk + PAGE_SIZE))
                return false;
        return mm_map_anon_locked(mm, oldbrk, newbrk - oldbrk, PROT_READ | PROT_WRITE,
                                  VMA_ACCOUNT, NULL, 0) == 0;
}

guest_ptr_t mm_brk(struct mm *mm, guest_ptr_t brk)
{
        guest_ptr_t r;

        mm_lock_write(mm);
        if (brk_locked(mm, brk))
                mm->brk = brk;
        r = mm->brk;
        mm_unlock_write(mm);
        return r;
}
