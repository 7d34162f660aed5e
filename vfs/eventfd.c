/* eventfd: a 64-bit counter as a file (Linux's fs/eventfd.c semantics). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "file.h"
#include "lib/macro.h"

#define EVENTFD_MAX (UINT64_MAX - 1)

struct eventfd {
        struct file base;
        pthread_mutex_t lock;
        uint64_t count;                 /* protected by lock */
        bool semaphore;                 /* immutable */
        struct waitqueue wq;
};

static struct eventfd *to_efd(struct file *f)
{
        return container_of(f, struct eventfd, base);
}

static void iter_to(const struct iov_iter *it, const void *src, size_t n)
{
        for (int i = 0; i < it->nr && n; i++) {
                size_t c = MIN(n, it->iov[i].iov_len);

                memcpy(it->iov[i].iov_base, src, c);
                src = (const char *)src + c;
                n -= c;
        }
}

static void iter_from(const struct iov_iter *it, void *dst, size_t n)
{
        for (int i = 0; i < it->nr && n; i++) {
                size_t c = MIN(n, it->iov[i].iov_len);

                memcpy(dst, it->iov[i].iov_base, c);
                dst = (char *)dst + c;
                n -= c;
        }
}

static ssize_t efd_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct eventfd *e = to_efd(f);
        uint64_t v;

        (void)pos;
        if (dst->count < sizeof(v))
                return -EINVAL;
        pthread_mutex_lock(&e->lock);
        if (e->count == 0) {
                pthread_mutex_unlock(&e->lock);
                return -EAGAIN;
        }
        v = e->semaphore ? 1 : e->count;
        e->count -= v;
        pthread_mutex_unlock(&e->lock);
        iter_to(dst, &v, sizeof(v));
        waitqueue_notify(&e->wq, EPOLLOUT | EPOLLWRNORM);
        return sizeof(v);
}

static ssize_t efd_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        struct eventfd *e = to_efd(f);
        uint64_t v;

        (void)pos;
        if (src->count < sizeof(v))
                return -EINVAL;
        iter_from(src, &v, sizeof(v));
        if (v == UINT64_MAX)
                return -EINVAL;
        pthread_mutex_lock(&e->lock);
        if (EVENTFD_MAX - e->count < v) {
                pthread_mutex_unlock(&e->lock);
                return -EAGAIN;
        }
        e->count += v;
        pthread_mutex_unlock(&e->lock);
        if (v)
                waitqueue_notify(&e->wq, EPOLLIN | EPOLLRDNORM);
        return sizeof(v);
}

static unsigned efd_poll(struct file *f)
{
        struct eventfd *e = to_efd(f);
        unsigned r = 0;

        pthread_mutex_lock(&e->lock);
        if (e->count)
                r |= EPOLLIN | EPOLLRDNORM;
        /* Only an overflowed counter (which writes cannot make) is an error. */
        if (e->count == UINT64_MAX)
                r |= EPOLLERR;
        if (e->count < EVENTFD_MAX)
                r |= EPOLLOUT | EPOLLWRNORM;
        pthread_mutex_unlock(&e->lock);
        return r;
}

static void efd_release(struct file *f)
{
        struct eventfd *e = to_efd(f);

        waitqueue_destroy(&e->wq);
        pthread_mutex_destroy(&e->lock);
        free(e);
}

static const struct file_ops efd_ops = {
        .read = efd_read,
        .write = efd_write,
        .stat = vfs_anon_stat,
        .poll = efd_poll,
        .release = efd_release,
};

int eventfd_create(uint64_t initval, unsigned flags, struct file **ret)
{
        struct eventfd *e = calloc(1, sizeof(*e));

        if (!e)
                return -ENOMEM;
        pthread_mutex_init(&e->lock, NULL);
        waitqueue_init(&e->wq);
        e->count = initval;
        e->semaphore = flags & EFD_SEMAPHORE;
        file_init(&e->base, &efd_ops, O_RDWR | (flags & EFD_NONBLOCK), true);
        e->base.nowait = true;
        e->base.wq = &e->wq;
        *ret = &e->base;
        return 0;
}
