/* Opening files by name: open, openat, creat. */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>

#include "path.h"
#include "sentry/kernel/kerrno.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

/* A FIFO end opened for reading or writing alone waits for its partner,
 * interruptibly (Linux's wait_for_partner(): -ERESTARTSYS). */
static long fifo_wait(struct task *t, struct file *f)
{
        struct task_waiter tw;
        long r;

        if (fifo_open_ready(f) == 0)
                return 0;
        task_waiter_init(&tw, t, EPOLLIN | EPOLLOUT);
        waitqueue_add(f->wq, &tw.w);
        for (;;) {
                task_prepare_block(t);
                r = fifo_open_ready(f);
                if (r == 0)
                        break;
                if (task_block(t, NULL) == -EINTR) {
                        r = -ERESTARTSYS;
                        break;
                }
        }
        waitqueue_remove(f->wq, &tw.w);
        return r;
}

static long do_openat(struct task *t, int dirfd, guest_ptr_t upath, unsigned flags,
                      mode_t mode)
{
        struct at_call c;
        struct file *f = NULL;
        long r;

        r = at_begin(t, dirfd, upath, false, &c);
        if (r == 0)
                r = vfs_open(&c.at, c.name, flags, mode, &f);
        at_end(&c);
        if (r == 0 && (r = fifo_wait(t, f)) < 0)
                file_unref(f);
        if (r < 0)
                return r;
        r = fdtable_install(t->fdt, f, 0, flags & O_CLOEXEC, task_nofile_limit(t));
        file_unref(f);
        return r;
}

long sys_open(struct task *t, const struct syscall_args *a)
{
        return do_openat(t, AT_FDCWD, a->a[0], (unsigned)a->a[1], (mode_t)a->a[2]);
}

long sys_openat(struct task *t, const struct syscall_args *a)
{
        return do_openat(t, (int)a->a[0], a->a[1], (unsigned)a->a[2], (mode_t)a->a[3]);
}

long sys_creat(struct task *t, const struct syscall_args *a)
{
        return do_openat(t, AT_FDCWD, a->a[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a->a[1]);
}
