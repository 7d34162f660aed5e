/* I/O on open files: read/write and their vector and positional forms, lseek,
 * ioctl. Calls on names are in sys_open.c, sys_stat.c, sys_dir.c, sys_link.c and
 * sys_attr.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "sentry/kernel/kerrno.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/path.h"
#include "syscalls/sys.h"
#include "uio.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

/* One attempt at the transfer, `skip` bytes into the guest's buffer. */
static long rw_once(struct task *t, struct file *f, bool write, guest_ptr_t buf, size_t len,
                    const struct iovec *gvec, long iovcnt, int64_t pos, size_t skip,
                    struct guest_iov *g)
{
        /* Reading from a file writes guest memory and vice versa. */
        unsigned access = write ? PLATFORM_ACCESS_READ : PLATFORM_ACCESS_WRITE;
        long r;

        mm_lock_read(t->mm);
        if (gvec)
                r = guest_iov_import_vec(t, gvec, iovcnt, access, g);
        else
                r = guest_iov_import_buf(t, buf, len, access, g);
        if (r == 0 && skip) {
                if (skip >= g->it.count)
                        r = -EFAULT;    /* what was accessible is gone */
                else
                        iov_iter_advance(&g->it, g->iov, skip);
        }
        if (r == 0)
                r = write ? vfs_write(f, &g->it, pos) : vfs_read(f, &g->it, pos);
        mm_unlock_read(t->mm);
        return r;
}

/* A write that found no reader: SIGPIPE to the writer, as Linux's pipe_write(). */
static void send_sigpipe(struct task *t)
{
        siginfo_t info = { .si_signo = SIGPIPE, .si_code = SI_USER };

        info.si_pid = t->tg->tgid;
        info.si_uid = t->creds.ruid;
        signal_send(t, &info, false);
}

/* Move data between the file at fd and guest memory: the buffer (buf, len),
 * or when vec is set, the guest's iovec array (buf, iovcnt). The checks come
 * in Linux's order: the fd, its access mode, then the guest's memory. A file
 * that would block (-EAGAIN) makes a blocking caller wait on its queue; a
 * blocking write goes on until everything is written, as pipes do. */
static long do_rw(struct task *t, int fd, bool write, guest_ptr_t buf, size_t len,
                  bool vec, long iovcnt, int64_t pos)
{
        struct iovec *gvec = NULL;
        struct guest_iov *g = NULL;
        struct task_waiter tw;
        bool blocking, queued = false;
        size_t done = 0;
        struct file *f;
        long r;

        f = fdtable_get(t->fdt, fd);
        if (!f)
                return -EBADF;
        r = write ? vfs_may_write(f) : vfs_may_read(f);
        if (r < 0)
                goto out;
        if (vec) {
                r = -EINVAL;
                if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
                        goto out;
                r = -ENOMEM;
                gvec = calloc((size_t)iovcnt + 1, sizeof(*gvec));
                if (!gvec)
                        goto out;
                r = guest_iovec_copy_in(t, buf, iovcnt, gvec);
        } else {
                r = guest_access_ok(buf, len) ? 0 : -EFAULT;
        }
        if (r < 0)
                goto out;
        r = -ENOMEM;
        g = malloc(sizeof(*g));
        if (!g)
                goto out;

        blocking = f->wq && !(f->flags & O_NONBLOCK);
        task_waiter_init(&tw, t, write ? EPOLLOUT | EPOLLERR : EPOLLIN | EPOLLHUP);
        for (;;) {
                if (queued)
                        task_prepare_block(t);
                r = rw_once(t, f, write, buf, len, gvec, iovcnt, pos, done, g);
                if (r > 0 && write && blocking && (size_t)r < g->it.count) {
                        done += (size_t)r;      /* part of it: go on */
                        continue;
                }
                if (r != -EAGAIN || !blocking)
                        break;
                if (!queued) {
                        /* Queue, then try once more: nothing is missed between. */
                        waitqueue_add(f->wq, &tw.w);
                        queued = true;
                        continue;
                }
                if (task_block(t, NULL) == -EINTR) {
                        r = -ERESTARTSYS;
                        break;
                }
        }
        if (queued)
                waitqueue_remove(f->wq, &tw.w);
        if (r == -EPIPE && write)
                send_sigpipe(t);
        if (done)
                r = (long)done + (r > 0 ? r : 0);
out:
        free(g);
        free(gvec);
        file_unref(f);
        return r;
}

long sys_read(struct task *t, const struct syscall_args *a)
{
        return do_rw(t, (int)a->a[0], false, a->a[1], a->a[2], false, 0, -1);
}

long sys_write(struct task *t, const struct syscall_args *a)
{
        return do_rw(t, (int)a->a[0], true, a->a[1], a->a[2], false, 0, -1);
}

long sys_pread64(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < 0)
                return -EINVAL;
        return do_rw(t, (int)a->a[0], false, a->a[1], a->a[2], false, 0, (int64_t)a->a[3]);
}

long sys_pwrite64(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < 0)
                return -EINVAL;
        return do_rw(t, (int)a->a[0], true, a->a[1], a->a[2], false, 0, (int64_t)a->a[3]);
}

long sys_readv(struct task *t, const struct syscall_args *a)
{
        return do_rw(t, (int)a->a[0], false, a->a[1], 0, true, (long)a->a[2], -1);
}

long sys_writev(struct task *t, const struct syscall_args *a)
{
        return do_rw(t, (int)a->a[0], true, a->a[1], 0, true, (long)a->a[2], -1);
}

long sys_lseek(struct task *t, const struct syscall_args *a)
{
        struct file *f = fdtable_get(t->fdt, (int)a->a[0]);
        long r;

        if (!f)
                return -EBADF;
        r = vfs_llseek(f, (int64_t)a->a[1], (int)a->a[2]);
        file_unref(f);
        return r;
}

/* fadvise64: advice only, which a memory-backed file or a donated host fd
 * has no use for; Linux's checks and errnos. */
long sys_fadvise64(struct task *t, const struct syscall_args *a)
{
        struct file *f = task_fget(t, (int)a->a[0]);
        int advice = (int)a->a[3];
        struct stat st;
        long r = 0;

        if (!f)
                return -EBADF;
        if (vfs_stat(f, &st) == 0 && S_ISFIFO(st.st_mode))
                r = -ESPIPE;
        else if ((int64_t)a->a[2] < 0 || advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE)
                r = -EINVAL;
        file_unref(f);
        return r;
}

/* The argument size of the ioctls any file here answers. */
static size_t ioctl_arg_size(unsigned cmd)
{
        switch (cmd) {
        case TCGETS:
                return sizeof(struct termios);
        case TIOCGWINSZ:
                return sizeof(struct winsize);
        case FIONREAD:
                return sizeof(int);
        default:
                return 0;
        }
}

long sys_ioctl(struct task *t, const struct syscall_args *a)
{
        unsigned cmd = (unsigned)a->a[1];
        size_t size = ioctl_arg_size(cmd);
        struct file *f = fdtable_get(t->fdt, (int)a->a[0]);
        unsigned char arg[64];
        long r;

        if (!f)
                return -EBADF;
        if (size == 0) {
                file_unref(f);
                return -ENOTTY;
        }
        r = vfs_ioctl(f, cmd, arg);
        file_unref(f);
        if (r < 0)
                return r;
        return mm_copy_out(t->mm, a->a[2], arg, size);
}
