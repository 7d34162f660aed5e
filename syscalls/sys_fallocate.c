/* fallocate(2): the checks are vfs_fallocate()'s, the work the file's. */
#include <errno.h>

#include "path.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/file.h"

long sys_fallocate(struct task *t, const struct syscall_args *a)
{
        struct file *f = task_fget(t, (int)a->a[0]);
        long r;

        if (!f)
                return -EBADF;
        r = vfs_fallocate(f, (int)a->a[1], (int64_t)a->a[2], (int64_t)a->a[3]);
        file_unref(f);
        return r;
}
