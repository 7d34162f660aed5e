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

        /* The whole range must be mapped, without holes; PROT_WRITE only
         * where the file was opened for writing (shared file mappings). */
        for (v = first, at = first->start; v && v->start < end; v = vma_next(v)) {
                if (v->start != at)
                        goto unlock;
                if ((prot & PROT_WRITE) && (v->flags & VMA_NOMAYWRITE)) {
                        r = -EACCES;
                        goto unlock;
                }
                at = v->end;
        }
        if (at < end)
                goto unlock;

        r = vma_prealloc_fill(&pa, 2);
        if (r < 0)
                goto unlock;
        r = mm_as_protect_backed_locked(mm, start, end, prot);
        if (r < 0)
                goto unlock;

        mm_isolate_range_locked(mm, start, end, &pa);
        for (v = vma_find(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
                /* mprotect_fixup(): private memory made writable is charged. */
                if ((prot & PROT_WRITE) && !(v->prot & PROT_WRITE) &&
                    !(v->flags & (VMA_SHARED | VMA_NORESERVE)))
                        v->flags |= VMA_ACCOUNT;
                v->prot = prot;
        }
        /* Merge with each other and with the neighbours outside the range. */
        for (v = vma_find(&mm->vmas, start); v && v->start < end; v = vma_next(v))
                v = vma_merge(&mm->vmas, v);
unlock:
        mm_unlock_write(mm);
        vma_prealloc_release(&pa);
        return r;
}
