/*
 * msync(2), after Linux's mm/msync.c. File data lives in memory (tmpfs pages
 * in the memory file, mapped as they are): there is nothing to write back,
 * so what remains are Linux's checks and errnos.
 */
#include <errno.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

int mm_msync(struct mm *mm, guest_ptr_t start, uint64_t len, int flags)
{
        guest_ptr_t end;
        struct vma *v;
        int r = -ENOMEM;

        if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
                return -EINVAL;
        if (!PAGE_ALIGNED(start))
                return -EINVAL;
        if ((flags & MS_ASYNC) && (flags & MS_SYNC))
                return -EINVAL;
        len = mm_page_align(len);
        end = start + len;
        if (end < start)
                return -ENOMEM;
        if (end == start)
                return 0;

        /* Every byte must be mapped: a hole anywhere is -ENOMEM (MS_SYNC
         * would still write back the mapped parts first). */
        mm_lock_read(mm);
        for (v = vma_find(&mm->vmas, start); v; v = vma_next(v)) {
                if (start < v->start)
                        break;
                start = v->end;
                if (start >= end) {
                        r = 0;
                        break;
                }
        }
        mm_unlock_read(mm);
        return r;
}
