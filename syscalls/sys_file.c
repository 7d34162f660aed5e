/* I/O on open files: read/write and their vector and positional forms, lseek,
 * ioctl. Calls on names are in sys_open.c, sys_stat.c, sys_dir.c, sys_link.c and
 * sys_attr.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>         /* SIOCATMARK */
#include <termios.h>

#include "sentry/kernel/kerrno.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/path.h"
#include "syscalls/sys.h"
#include "uio.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "vfs/tty/tty.h"

/* RWF_* (preadv2/pwritev2), as Linux 6.18 defines them. */
#define RWF_HIPRI_K     0x001u
#define RWF_DSYNC_K     0x002u
#define RWF_SYNC_K      0x004u
#define RWF_NOWAIT_K    0x008u
#define RWF_APPEND_K    0x010u
#define RWF_NOAPPEND_K  0x020u
#define RWF_ATOMIC_K    0x040u
#define RWF_DONTCACHE_K 0x080u
#define RWF_NOSIGNAL_K  0x100u
#define RWF_SUPPORTED_K (RWF_HIPRI_K | RWF_DSYNC_K | RWF_SYNC_K | RWF_NOWAIT_K | RWF_APPEND_K | \
                         RWF_NOAPPEND_K | RWF_ATOMIC_K | RWF_DONTCACHE_K | RWF_NOSIGNAL_K)

/* One read or write call, decoded. */
struct rw_req {
        int fd;
        bool write;
        guest_ptr_t buf;        /* the buffer, or the guest's iovec array when vec */
        size_t len;             /* the buffer's length */
        bool vec;
        long iovcnt;
        int64_t pos;            /* < 0: the file position */
        unsigned rwf;           /* RWF_* */
};

/* Linux's kiocb_set_rw_flags(): which RWF_* this file takes. HIPRI, DSYNC
 * and SYNC change nothing for memory-backed files; ATOMIC and DONTCACHE no
 * file here supports. */
static int rwf_check(const struct file *f, unsigned rwf)
{
        if (rwf & ~RWF_SUPPORTED_K)
                return -EOPNOTSUPP;
        if ((rwf & RWF_APPEND_K) && (rwf & RWF_NOAPPEND_K))
                return -EINVAL;
        if ((rwf & RWF_NOWAIT_K) && !f->nowait)
                return -EOPNOTSUPP;
        if (rwf & (RWF_ATOMIC_K | RWF_DONTCACHE_K))
                return -EOPNOTSUPP;
        return 0;
}

/* One attempt at the transfer, `skip` bytes into the guest's buffer. */
static long rw_once(struct task *t, struct file *f, const struct rw_req *rq,
                    const struct iovec *gvec, size_t skip, unsigned iov_flags,
                    struct guest_iov *g)
{
        /* Reading from a file writes guest memory and vice versa. */
        unsigned access = rq->write ? PLATFORM_ACCESS_READ : PLATFORM_ACCESS_WRITE;
        long r;

        mm_lock_read(t->mm);
        if (gvec)
                r = guest_iov_import_vec(t, gvec, rq->iovcnt, access, g);
        else
                r = guest_iov_import_buf(t, rq->buf, rq->len, access, g);
        if (r == 0 && skip) {
                if (skip >= g->it.count)
                        r = -EFAULT;    /* what was accessible is gone */
                else
                        iov_iter_advance(&g->it, g->iov, skip);
        }
        if (r == 0) {
                if (rq->rwf & RWF_APPEND_K)
                        g->it.flags |= IOV_APPEND;
                if (rq->rwf & RWF_NOAPPEND_K)
                        g->it.flags |= IOV_NOAPPEND;
                g->it.flags |= iov_flags;
                r = rq->write ? vfs_write(f, &g->it, rq->pos) : vfs_read(f, &g->it, rq->pos);
        }
        mm_unlock_read(t->mm);
        return r;
}

void syscall_send_sigpipe(struct task *t)
{
        siginfo_t info = { .si_signo = SIGPIPE, .si_code = SI_USER };

        info.si_pid = t->tg->tgid;
        info.si_uid = t->creds.ruid;
        signal_send(t, &info, false);
}

static size_t iovec_total(const struct iovec *v, long n)
{
        size_t total = 0;

        for (long i = 0; i < n; i++)
                total += v[i].iov_len;  /* each passed guest_access_ok(): no overflow */
        return total;
}

/* Move data between the file at rq->fd and guest memory. The checks come in
 * Linux's order: the fd, a position on a file without one (ESPIPE), its
 * access mode, the guest's memory, then the RWF_* flags (only when there is
 * something to move). A file that would block (-EAGAIN) makes a blocking
 * caller wait on its queue; a blocking write goes on until everything is
 * written, as pipes do. */
static long do_rw(struct task *t, const struct rw_req *rq)
{
        struct iovec *gvec = NULL;
        struct guest_iov *g = NULL;
        struct task_waiter tw;
        bool blocking, queued = false, tty_slave;
        unsigned iov_flags = 0;
        struct timespec deadline;
        size_t done = 0;
        struct file *f;
        long r;

        f = fdtable_get(t->fdt, rq->fd);
        if (!f)
                return -EBADF;
        r = -ESPIPE;
        if (rq->pos >= 0 && f->stream && !(f->flags & O_PATH))
                goto out;
        r = rq->write ? vfs_may_write(f) : vfs_may_read(f);
        if (r < 0)
                goto out;
        if (rq->vec) {
                r = -EINVAL;
                if (rq->iovcnt < 0 || rq->iovcnt > UIO_MAXIOV)
                        goto out;
                r = -ENOMEM;
                gvec = calloc((size_t)rq->iovcnt + 1, sizeof(*gvec));
                if (!gvec)
                        goto out;
                r = guest_iovec_copy_in(t, rq->buf, rq->iovcnt, gvec);
                /* Nothing to move: done before the flags are looked at. */
                if (r == 0 && iovec_total(gvec, rq->iovcnt) == 0)
                        goto out;
        } else {
                r = guest_access_ok(rq->buf, rq->len) ? 0 : -EFAULT;
        }
        if (r == 0)
                r = rwf_check(f, rq->rwf);
        tty_slave = r == 0 && tty_rw_is_slave(f);
        if (tty_slave)
                r = tty_rw_check(t, f, rq->write);     /* SIGTTIN, SIGTTOU */
        if (r < 0)
                goto out;
        r = -ENOMEM;
        g = malloc(sizeof(*g));
        if (!g)
                goto out;

        blocking = f->wq && !(f->flags & O_NONBLOCK) && !(rq->rwf & RWF_NOWAIT_K);
        task_waiter_init(&tw, t, rq->write ? EPOLLOUT | EPOLLERR : EPOLLIN | EPOLLHUP);
        for (;;) {
                if (queued)
                        task_prepare_block(t);
                r = rw_once(t, f, rq, gvec, done, iov_flags, g);
                if (r > 0 && rq->write && blocking && (size_t)r < g->it.count) {
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
                r = task_block(t, tty_slave && !rq->write &&
                                  tty_read_deadline(f, &deadline) ? &deadline : NULL);
                if (r == -EINTR) {
                        r = -ERESTARTSYS;
                        break;
                }
                if (r == -ETIMEDOUT)
                        iov_flags |= IOV_TTY_TIMEDOUT;  /* VTIME ran out */
        }
        if (queued)
                waitqueue_remove(f->wq, &tw.w);
        if (r == -EPIPE && rq->write && !(rq->rwf & RWF_NOSIGNAL_K))
                syscall_send_sigpipe(t);
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
        return do_rw(t, &(struct rw_req){ (int)a->a[0], false, a->a[1], a->a[2], .pos = -1 });
}

long sys_write(struct task *t, const struct syscall_args *a)
{
        return do_rw(t, &(struct rw_req){ (int)a->a[0], true, a->a[1], a->a[2], .pos = -1 });
}

long sys_pread64(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < 0)
                return -EINVAL;
        return do_rw(t, &(struct rw_req){ (int)a->a[0], false, a->a[1], a->a[2],
                                          .pos = (int64_t)a->a[3] });
}

long sys_pwrite64(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < 0)
                return -EINVAL;
        return do_rw(t, &(struct rw_req){ (int)a->a[0], true, a->a[1], a->a[2],
                                          .pos = (int64_t)a->a[3] });
}

/* readv, writev and the positional forms: iovcnt reaches Linux's
 * import_iovec() as an unsigned int, so its upper half is ignored and a
 * negative int is past UIO_MAXIOV (-EINVAL). */
static long do_rwv(struct task *t, const struct syscall_args *a, bool write, int64_t pos,
                   unsigned rwf)
{
        struct rw_req rq = { (int)a->a[0], write, a->a[1], 0, true, .pos = pos, .rwf = rwf };

        rq.iovcnt = (unsigned)a->a[2] > UIO_MAXIOV ? -1 : (long)(unsigned)a->a[2];
        return do_rw(t, &rq);
}

long sys_readv(struct task *t, const struct syscall_args *a)
{
        return do_rwv(t, a, false, -1, 0);
}

long sys_writev(struct task *t, const struct syscall_args *a)
{
        return do_rwv(t, a, true, -1, 0);
}

/* preadv/pwritev: on x86_64 the offset is a[3] whole (pos_h is shifted out). */
long sys_preadv(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < 0)
                return -EINVAL;
        return do_rwv(t, a, false, (int64_t)a->a[3], 0);
}

long sys_pwritev(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < 0)
                return -EINVAL;
        return do_rwv(t, a, true, (int64_t)a->a[3], 0);
}

/* preadv2/pwritev2: offset -1 is the file position (stream files too);
 * any other negative offset is -EINVAL, before the fd. */
long sys_preadv2(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < -1)
                return -EINVAL;
        return do_rwv(t, a, false, (int64_t)a->a[3], (unsigned)a->a[5]);
}

long sys_pwritev2(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < -1)
                return -EINVAL;
        return do_rwv(t, a, true, (int64_t)a->a[3], (unsigned)a->a[5]);
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
        case SIOCATMARK:
                return sizeof(int);
        default:
                return 0;
        }
}

#define ENOIOCTLCMD 515       /* internal: not a generic request */

/* The requests any fd answers (Linux's do_vfs_ioctl()): close-on-exec and
 * O_NONBLOCK, which python's socket.setblocking() sets this way. */
static long ioctl_generic(struct task *t, int fd, struct file *f, unsigned cmd, guest_ptr_t arg)
{
        int on;
        long r;

        switch (cmd) {
        case FIOCLEX:
        case FIONCLEX:
                return fdtable_set_cloexec(t->fdt, fd, cmd == FIOCLEX);
        case FIONBIO:
                r = mm_copy_in(t->mm, &on, arg, sizeof(on));
                if (r < 0)
                        return r;
                pthread_mutex_lock(&f->pos_lock);
                if (on)
                        f->flags |= O_NONBLOCK;
                else
                        f->flags &= ~(unsigned)O_NONBLOCK;
                pthread_mutex_unlock(&f->pos_lock);
                return 0;
        default:
                return -ENOIOCTLCMD;
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
        r = ioctl_generic(t, (int)a->a[0], f, cmd, a->a[2]);
        if (r == -ENOIOCTLCMD && file_tty(f, NULL))
                r = sys_tty_ioctl(t, f, cmd, a->a[2]);
        if (r != -ENOIOCTLCMD) {
                file_unref(f);
                return r;
        }
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
