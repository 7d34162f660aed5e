/* fsync, fdatasync, sync, syncfs, sync_file_range. Nothing the guest writes
 * is cached on its way to storage here, so these only check their
 * arguments the way Linux does. */
#include <errno.h>

#include "path.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/file.h"

static long do_fsync(struct task *t, int fd, bool datasync)
{
        struct file *f = task_fget(t, fd);
        long r;

        if (!f)
                return -EBADF;
        r = vfs_fsync(f, datasync);
        file_unref(f);
        return r;
}

long sys_fsync(struct task *t, const struct syscall_args *a)
{
        return do_fsync(t, (int)a->a[0], false);
}

long sys_fdatasync(struct task *t, const struct syscall_args *a)
{
        return do_fsync(t, (int)a->a[0], true);
}

long sys_sync(struct task *t, const struct syscall_args *a)
{
        (void)t, (void)a;
        return 0;
}

long sys_syncfs(struct task *t, const struct syscall_args *a)
{
        struct file *f = task_fget(t, (int)a->a[0]);

        if (!f)
                return -EBADF;
        file_unref(f);
        return 0;
}

long sys_sync_file_range(struct task *t, const struct syscall_args *a)
{
        struct file *f = task_fget(t, (int)a->a[0]);
        long r;

        if (!f)
                return -EBADF;
        r = vfs_sync_file_range(f, (int64_t)a->a[1], (int64_t)a->a[2], (unsigned)a->a[3]);
        file_unref(f);
        return r;
}
