/*
 * Host passthrough files: the launcher's stdin, stdout and stderr, handed to
 * the guest as fds 0-2. Reads and writes go straight to the host fd; only the
 * terminal queries a program needs at start-up pass through as ioctls.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "lib/macro.h"
#include "vfs/fdnotify.h"

struct hostfile {
        struct file base;
        int fd;                         /* owned host fd */
        bool pollable;                  /* the host can poll it: base.wq is set */
        struct waitqueue wq;
};

static struct hostfile *to_hostfile(struct file *f)
{
        return container_of(f, struct hostfile, base);
}

/* For a pollable host fd: would a read (write) block now? Then the guest
 * waits in the sentry (-EAGAIN), where signals reach it, not in the host. */
static bool hostfile_would_block(struct hostfile *hf, unsigned events)
{
        return hf->pollable &&
               !(fdnotify_poll(hf->fd, events) & (events | EPOLLHUP | EPOLLERR));
}

static ssize_t hostfile_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        ssize_t n;

        if (!pos && hostfile_would_block(to_hostfile(f), EPOLLIN))
                return -EAGAIN;

        if (pos)
                n = preadv(to_hostfile(f)->fd, dst->iov, dst->nr, *pos);
        else
                n = readv(to_hostfile(f)->fd, dst->iov, dst->nr);
        if (n < 0)
                return -errno;
        if (pos)
                *pos += n;
        return n;
}

static ssize_t hostfile_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        ssize_t n;

        if (!pos && hostfile_would_block(to_hostfile(f), EPOLLOUT))
                return -EAGAIN;

        if (pos)
                n = pwritev(to_hostfile(f)->fd, src->iov, src->nr, *pos);
        else
                n = writev(to_hostfile(f)->fd, src->iov, src->nr);
        if (n < 0)
                return -errno;
        if (pos)
                *pos += n;
        return n;
}

static int hostfile_stat(struct file *f, struct stat *ret)
{
        return fstat(to_hostfile(f)->fd, ret) < 0 ? -errno : 0;
}

static int hostfile_ioctl(struct file *f, unsigned cmd, void *arg)
{
        switch (cmd) {
        case TCGETS:
        case TIOCGWINSZ:
        case FIONREAD:
                return ioctl(to_hostfile(f)->fd, cmd, arg) < 0 ? -errno : 0;
        default:
                return -ENOTTY;
        }
}

/* The position lives in the host's open file description, which the guest's
 * fds 1 and 2 may share (`>out 2>&1`), exactly as they would natively. */
static int64_t hostfile_llseek(struct file *f, int64_t offset, int whence)
{
        off_t r;

        if (f->stream)
                return -ESPIPE;
        r = lseek(to_hostfile(f)->fd, offset, whence);
        return r < 0 ? -errno : r;
}

static unsigned hostfile_poll(struct file *f)
{
        struct hostfile *hf = to_hostfile(f);

        if (!hf->pollable)
                return EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;
        return fdnotify_poll(hf->fd, EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP);
}

static int hostfile_fsync(struct file *f, bool datasync)
{
        int fd = to_hostfile(f)->fd;

        return (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? -errno : 0;
}

static void hostfile_release(struct file *f)
{
        struct hostfile *hf = to_hostfile(f);

        if (hf->pollable) {
                fdnotify_remove(hf->fd);
                waitqueue_destroy(&hf->wq);
        }
        close(hf->fd);
        free(hf);
}

static const struct file_ops hostfile_ops = {
        .read = hostfile_read,
        .write = hostfile_write,
        .stat = hostfile_stat,
        .ioctl = hostfile_ioctl,
        .llseek = hostfile_llseek,
        .poll = hostfile_poll,
        .fsync = hostfile_fsync,
        .release = hostfile_release,
};

int hostfile_open(int host_fd, struct file **ret)
{
        struct hostfile *hf;
        struct stat st;
        int flags;

        flags = fcntl(host_fd, F_GETFL);
        if (flags < 0 || fstat(host_fd, &st) < 0) {
                int err = -errno;
                close(host_fd);
                return err;
        }
        hf = calloc(1, sizeof(*hf));
        if (!hf) {
                close(host_fd);
                return -ENOMEM;
        }
        hf->fd = host_fd;
        /* Pipes, sockets and terminals have no position; regular files and
         * block devices do (pread on a redirected stdout works as on Linux). */
        file_init(&hf->base, &hostfile_ops, (unsigned)flags & ~(unsigned)O_CLOEXEC,
                  !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)));
        hf->base.backend_pos = true;
        /* Pipes, sockets and terminals: readiness through the notifier.
         * Regular files and the like are always ready, as on Linux. */
        waitqueue_init(&hf->wq);
        if (fdnotify_add(host_fd, &hf->wq) == 0) {
                hf->pollable = true;
                hf->base.wq = &hf->wq;
        } else {
                waitqueue_destroy(&hf->wq);
        }
        *ret = &hf->base;
        return 0;
}
