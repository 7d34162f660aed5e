/* The generic layer of open files: references and access-mode checks. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>

void file_init(struct file *f, const struct file_ops *ops, unsigned flags, bool stream)
{
        f->ops = ops;
        atomic_init(&f->refcount, 1);
        f->flags = flags;
        pthread_mutex_init(&f->pos_lock, NULL);
        f->pos = 0;
        f->stream = stream;
        f->backend_pos = false;
        f->wq = NULL;
}

struct file *file_ref(struct file *f)
{
        atomic_fetch_add_explicit(&f->refcount, 1, memory_order_relaxed);
        return f;
}

struct file *file_unref(struct file *f)
{
        if (f && atomic_fetch_sub_explicit(&f->refcount, 1, memory_order_acq_rel) == 1) {
                pthread_mutex_destroy(&f->pos_lock);
                f->ops->release(f);
        }
        return NULL;
}

static bool file_readable(const struct file *f)
{
        unsigned mode = f->flags & O_ACCMODE;
        return mode == O_RDONLY || mode == O_RDWR;
}

static bool file_writable(const struct file *f)
{
        unsigned mode = f->flags & O_ACCMODE;
        return mode == O_WRONLY || mode == O_RDWR;
}

/* Run op at pos, or at (and advancing) the file position when pos < 0. */
static ssize_t file_rw(struct file *f, const struct iov_iter *it, int64_t pos,
                       ssize_t (*op)(struct file *, const struct iov_iter *, int64_t *))
{
        ssize_t n;

        if (pos >= 0)
                return f->stream ? -ESPIPE : op(f, it, &pos);
        if (f->stream || f->backend_pos)
                return op(f, it, NULL);
        pthread_mutex_lock(&f->pos_lock);
        n = op(f, it, &f->pos);
        pthread_mutex_unlock(&f->pos_lock);
        return n;
}

int vfs_may_read(const struct file *f)
{
        if (!file_readable(f))
                return -EBADF;
        return f->ops->read ? 0 : -EINVAL;
}

int vfs_may_write(const struct file *f)
{
        if (!file_writable(f))
                return -EBADF;
        return f->ops->write ? 0 : -EINVAL;
}

ssize_t vfs_read(struct file *f, const struct iov_iter *dst, int64_t pos)
{
        int r = vfs_may_read(f);

        return r < 0 ? r : file_rw(f, dst, pos, f->ops->read);
}

ssize_t vfs_write(struct file *f, const struct iov_iter *src, int64_t pos)
{
        int r = vfs_may_write(f);

        return r < 0 ? r : file_rw(f, src, pos, f->ops->write);
}

int vfs_stat(struct file *f, struct stat *ret)
{
        if (!f->ops->stat)
                return -EINVAL;
        return f->ops->stat(f, ret);
}

int vfs_ioctl(struct file *f, unsigned cmd, void *arg)
{
        if (!f->ops->ioctl)
                return -ENOTTY;
        return f->ops->ioctl(f, cmd, arg);
}

int64_t vfs_llseek(struct file *f, int64_t offset, int whence)
{
        if (!f->ops->llseek)
                return -ESPIPE;
        return f->ops->llseek(f, offset, whence);
}

unsigned vfs_poll(struct file *f)
{
        if (!f->ops->poll)
                return EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;
        return f->ops->poll(f);
}

void iov_iter_advance(struct iov_iter *it, struct iovec *storage, size_t n)
{
        int i = 0, out = 0;

        if (n > it->count)
                n = it->count;
        it->count -= n;
        while (i < it->nr && n >= it->iov[i].iov_len)
                n -= it->iov[i++].iov_len;
        for (; i < it->nr; i++, out++) {
                storage[out] = it->iov[i];
                if (n) {
                        storage[out].iov_base = (char *)storage[out].iov_base + n;
                        storage[out].iov_len -= n;
                        n = 0;
                }
        }
        it->iov = storage;
        it->nr = out;
}
