/*
 * mprotect(2), after Linux's do_mprotect_pkey() (mm/mprotect.c). One
 * difference: Linux changes VMAs one by one and stops at a hole with -ENOMEM,
 * keeping the changes made before it; we check the whole range first and
 * change all or nothing.
 */
#include <errno.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif

/* as_protect over [start, end) with prot, without PROT_WRITE on cow pages:
 * one call per run of equal protection (one in all unless fork left cow
 * pages there). */
static int protect_platform(struct mm *mm, guest_ptr_t start, guest_ptr_t end, int prot)
{
        guest_ptr_t run = start;
        int run_prot = -1;
        struct pma *p;
        int r;

        for (p = pma_find(&mm->pmas, start); p && p->start < end; p = pma_next(p)) {
                int pp = p->cow ? prot & ~PROT_WRITE : prot;
                guest_ptr_t a = MAX(p->start, start);

                if (pp != run_prot && run_prot != -1) {
                        r = mm_as_protect(mm, run, a - run, run_prot);
                        if (r < 0)
                                return r;
                        run = a;
                }
                run_prot = pp;
        }
        return mm_as_protect(mm, run, end - run, run_prot == -1 ? prot : run_prot);
}

int mm_mprotect(struct mm *mm, guest_ptr_t start, uint64_t len, int prot)
{
        struct vma_prealloc pa = {};
        int grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
        guest_ptr_t end, at;
        struct vma *v, *first;
        int r;

        prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
        if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
                return -EINVAL;
        if (!PAGE_ALIGNED(start))
                return -EINVAL;
        if (len == 0)
                return 0;
        len = mm_page_align(len);
        end = start + len;
        if (len == 0 || end <= start)
                return -ENOMEM;
        /* arch_validate_prot(): PROT_SEM is accepted and means nothing here. */
        if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
                return -EINVAL;
        prot &= PROT_READ | PROT_WRITE | PROT_EXEC;

        mm_lock_write(mm);
        r = -ENOMEM;
        first = vma_find_intersection(&mm->vmas, start, end);
        if (!first)
                goto unlock;
        if (grows & PROT_GROWSDOWN) {
                /* Extend down to the start of the growsdown VMA. */
                start = first->start;
                if (!(first->flags & VMA_GROWSDOWN)) {
                        r = -EINVAL;
                        goto unlock;
                }
        } else {
                if (first->start > start)
                        goto unlock;
                /* No VMA grows up on x86, so Linux always refuses PROT_GROWSUP. */
                if (grows & PROT_GROWSUP) {
                        r = -EINVAL;
                        goto unlock;
                }
        }

        /* The whole range must be mapped, without holes. */
        for (v = first, at = first->start; v && v->start < end; v = vma_next(v)) {
                if (v->start != at)
                        goto unlock;
                at = v->end;
        }
        if (at < end)
                goto unlock;

        r = vma_prealloc_fill(&pa, 2);
        if (r < 0)
                goto unlock;
        r = protect_platform(mm, start, end, prot);
        if (r < 0)
                goto unlock;

        mm_isolate_range_locked(mm, start, end, &pa);
        for (v = vma_find(&mm->vmas, start); v && v->start < end; v = vma_next(v))
                v->prot = prot;
        /* Merge with each other and with the neighbours outside the range. */
        for (v = vma_find(&mm->vmas, start); v && v->start < end; v = vma_next(v))
                v = vma_merge(&mm->vmas, v);
unlock:
        mm_unlock_write(mm);
        vma_prealloc_release(&pa);
        return r;
}
