/* fsync(2) and sync_file_range(2) on open files. File data here lives in
 * memory (tmpfs) or on the host (passthrough files, which sync there). */
#include <errno.h>
#include <fcntl.h>

#include "file.h"

int vfs_fsync(struct file *f, bool datasync)
{
        if (!f->ops->fsync)
                return -EINVAL;
        return f->ops->fsync(f, datasync);
}

int noop_fsync(struct file *f, bool datasync)
{
        (void)f, (void)datasync;
        return 0;
}

#define SYNC_FILE_RANGE_FLAGS (SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | \
                               SYNC_FILE_RANGE_WAIT_AFTER)

int vfs_sync_file_range(struct file *f, int64_t offset, int64_t nbytes, unsigned flags)
{
        struct stat st;
        int64_t end;
        int r;

        if (flags & ~(unsigned)SYNC_FILE_RANGE_FLAGS)
                return -EINVAL;
        /* Linux computes the end with wrapping arithmetic, then checks. */
        end = (int64_t)((uint64_t)offset + (uint64_t)nbytes);
        if (offset < 0 || end < 0 || end < offset)
                return -EINVAL;
        r = vfs_stat(f, &st);
        if (r < 0)
                return r;
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISDIR(st.st_mode) &&
            !S_ISLNK(st.st_mode))
                return -ESPIPE;
        return 0;
}
