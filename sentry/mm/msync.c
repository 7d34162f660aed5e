/*
 * msync(2), after Linux's mm/msync.c. File data lives in memory (tmpfs pages
 * in the memory file, mapped as they are; goferfs's page cache): MS_SYNC
 * asks each shared file mapping's file to write its pages back (the
 * mappable's ->sync, where there is one); MS_ASYNC is a no-op, as on Linux.
 */
#include <errno.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

int mm_msync(struct mm *mm, guest_ptr_t start, uint64_t len, int flags)
{
        guest_ptr_t end;
        struct vma *v;
        int r = -ENOMEM, sync_err = 0;

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
                if ((flags & MS_SYNC) && v->file && (v->flags & VMA_SHARED) &&
                    v->file->ops->sync) {
                        int e = v->file->ops->sync(v->file);

                        if (e < 0 && sync_err == 0)
                                sync_err = e;
                }
                start = v->end;
                if (start >= end) {
                        r = 0;
                        break;
                }
        }
        mm_unlock_read(mm);
        return r == 0 ? sync_err : r;
}
