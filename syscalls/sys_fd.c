/* The fd table: close, dup, dup2, dup3. */
#include <errno.h>
#include <fcntl.h>

#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

long sys_close(struct task *t, const struct syscall_args *a)
{
        return fdtable_close(t->fdt, (int)a->a[0]);
}

long sys_dup(struct task *t, const struct syscall_args *a)
{
        struct file *f = fdtable_get(t->fdt, (int)a->a[0]);
        long r;

        if (!f)
                return -EBADF;
        r = fdtable_install(t->fdt, f, 0, false, task_nofile_limit(t));
        file_unref(f);
        return r;
}

static long do_dup3(struct task *t, int oldfd, int newfd, int flags)
{
        struct file *f;
        long r;

        if (flags & ~O_CLOEXEC)
                return -EINVAL;
        f = fdtable_get(t->fdt, oldfd);
        if (!f)
                return -EBADF;
        r = fdtable_install_at(t->fdt, newfd, f, flags & O_CLOEXEC, task_nofile_limit(t));
        file_unref(f);
        return r;
}

long sys_dup2(struct task *t, const struct syscall_args *a)
{
        int oldfd = (int)a->a[0], newfd = (int)a->a[1];
        struct file *f;

        if (oldfd == newfd) {
                /* dup2 of an fd onto itself only checks that it is open. */
                f = fdtable_get(t->fdt, oldfd);
                if (!f)
                        return -EBADF;
                file_unref(f);
                return newfd;
        }
        return do_dup3(t, oldfd, newfd, 0);
}

long sys_dup3(struct task *t, const struct syscall_args *a)
{
        if ((int)a->a[0] == (int)a->a[1])
                return -EINVAL;
        return do_dup3(t, (int)a->a[0], (int)a->a[1], (int)a->a[2]);
}
