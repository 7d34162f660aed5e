/* The fd table: close, close_range, dup, dup2, dup3, fcntl's fd commands. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "sys_lock.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

long sys_close(struct task *t, const struct syscall_args *a)
{
        return fdtable_close(t->fdt, (int)a->a[0]);
}

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* CLOSE_RANGE_UNSHARE: the task gets a private copy of a shared table.
 * /proc reads t->fdt under block_lock, so it changes under it. */
static int unshare_fdtable(struct task *t)
{
        struct fdtable *copy, *old;
        int r = fdtable_dup(t->fdt, &copy);

        if (r < 0)
                return r;
        pthread_mutex_lock(&t->block_lock);
        old = t->fdt;
        t->fdt = copy;
        pthread_mutex_unlock(&t->block_lock);
        fdtable_unref(old);
        return 0;
}

long sys_close_range(struct task *t, const struct syscall_args *a)
{
        unsigned first = (unsigned)a->a[0], last = (unsigned)a->a[1];
        unsigned flags = (unsigned)a->a[2];
        int r;

        if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
                return -EINVAL;
        if (first > last)
                return -EINVAL;
        if ((flags & CLOSE_RANGE_UNSHARE) && fdtable_shared(t->fdt)) {
                r = unshare_fdtable(t);
                if (r < 0)
                        return r;
        }
        fdtable_close_range(t->fdt, first, last, flags & CLOSE_RANGE_CLOEXEC);
        return 0;
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

/* Flags F_SETFL may change (Linux's SETFL_MASK). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

static long fcntl_file(struct task *t, int fd, struct file *f, int cmd, uint64_t arg)
{
        bool cloexec;
        long r;

        /* An O_PATH file answers only the fd-level commands (check_fcntl_cmd()). */
        if ((f->flags & O_PATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC &&
            cmd != F_GETFD && cmd != F_SETFD && cmd != F_GETFL)
                return -EBADF;
        if (fcntl_is_lock_cmd(cmd))
                return fcntl_lock(t, f, cmd, arg);
        switch (cmd) {
        case F_DUPFD:
        case F_DUPFD_CLOEXEC:
                /* Linux takes the lowest fd as an unsigned int. */
                if ((unsigned)arg >= (unsigned)task_nofile_limit(t))
                        return -EINVAL;
                return fdtable_install(t->fdt, f, (int)(unsigned)arg, cmd == F_DUPFD_CLOEXEC,
                                       task_nofile_limit(t));
        case F_GETFD:
                r = fdtable_get_cloexec(t->fdt, fd, &cloexec);
                return r < 0 ? r : (cloexec ? FD_CLOEXEC : 0);
        case F_SETFD:
                return fdtable_set_cloexec(t->fdt, fd, arg & FD_CLOEXEC);
        case F_GETFL:
                pthread_mutex_lock(&f->pos_lock);
                r = f->flags;
                pthread_mutex_unlock(&f->pos_lock);
                return r;
        case F_SETFL:
                pthread_mutex_lock(&f->pos_lock);
                f->flags = (f->flags & ~(unsigned)SETFL_MASK) | ((unsigned)arg & SETFL_MASK);
                pthread_mutex_unlock(&f->pos_lock);
                return 0;
        case F_ADD_SEALS:
                return memfd_add_seals(f, (unsigned)arg);       /* an unsigned int */
        case F_GET_SEALS:
                return memfd_get_seals(f);
        case F_GETPIPE_SZ:
                return pipe_get_size(f);
        case F_SETPIPE_SZ:
                return pipe_set_size(f, (unsigned long)(unsigned int)arg);
        default:
                /* Leases, owners and notifications are not built. */
                return -EINVAL;
        }
}

long sys_fcntl(struct task *t, const struct syscall_args *a)
{
        int fd = (int)a->a[0];
        struct file *f = fdtable_get(t->fdt, fd);
        long r;

        if (!f)
                return -EBADF;
        r = fcntl_file(t, fd, f, (int)a->a[1], a->a[2]);
        file_unref(f);
        return r;
}
