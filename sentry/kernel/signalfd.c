/*
 * signalfd: signals read as records instead of delivered to handlers
 * (Linux's fs/signalfd.c). Reading takes pending signals of the mask from
 * the calling task (thread-directed, then its group's), whatever the task
 * blocks; readiness is likewise the caller's. Waiters sleep on the creating
 * group's signalfd wait queue, which every queued signal notifies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "lib/macro.h"
#include "sentry/kernel/current.h"
#include "sentry/kernel/signalfd.h"
#include "sentry/kernel/task.h"
#include "vfs/file.h"

struct signalfd {
        struct file base;
        struct thread_group *tg;        /* a reference: keeps the wait queue */
        _Atomic uint64_t mask;          /* signalfd(fd, mask) may change it */
};

static struct signalfd *to_sfd(struct file *f)
{
        return container_of(f, struct signalfd, base);
}

/* struct signalfd_siginfo from a queued siginfo. */
static void to_ssi(const siginfo_t *si, struct signalfd_siginfo *ssi)
{
        memset(ssi, 0, sizeof(*ssi));
        ssi->ssi_signo = (uint32_t)si->si_signo;
        ssi->ssi_errno = si->si_errno;
        ssi->ssi_code = si->si_code;
        ssi->ssi_pid = (uint32_t)si->si_pid;
        ssi->ssi_uid = si->si_uid;
        ssi->ssi_status = si->si_status;
        ssi->ssi_int = si->si_value.sival_int;
        ssi->ssi_ptr = (uint64_t)(uintptr_t)si->si_value.sival_ptr;
        ssi->ssi_addr = (uint64_t)(uintptr_t)si->si_addr;
        if (si->si_signo == SIGCHLD) {
                ssi->ssi_utime = (uint64_t)si->si_utime;
                ssi->ssi_stime = (uint64_t)si->si_stime;
        }
}

static ssize_t sfd_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct signalfd *s = to_sfd(f);
        struct task *t = task_current();
        struct signalfd_siginfo ssi;
        uint64_t mask = atomic_load(&s->mask);
        size_t done = 0;
        siginfo_t si;

        (void)pos;
        if (!t)
                return -EINVAL;
        if (dst->count < sizeof(ssi))
                return -EINVAL;
        while (dst->count - done >= sizeof(ssi)) {
                int r;

                pthread_mutex_lock(&t->tg->lock);
                r = sigpending_take(&t->pending, mask, &si);
                if (r < 0)
                        r = sigpending_take(&t->tg->pending, mask, &si);
                pthread_mutex_unlock(&t->tg->lock);
                if (r < 0)
                        break;
                to_ssi(&si, &ssi);
                /* Into the iterator at offset done. */
                size_t skip = done, left = sizeof(ssi);
                const char *src = (const char *)&ssi;
                for (int i = 0; i < dst->nr && left; i++) {
                        size_t len = dst->iov[i].iov_len, c;

                        if (skip >= len) {
                                skip -= len;
                                continue;
                        }
                        c = MIN(len - skip, left);
                        memcpy((char *)dst->iov[i].iov_base + skip, src, c);
                        src += c;
                        left -= c;
                        skip = 0;
                }
                done += sizeof(ssi);
        }
        return done ? (ssize_t)done : -EAGAIN;
}

static unsigned sfd_poll(struct file *f)
{
        struct task *t = task_current();
        uint64_t mask = atomic_load(&to_sfd(f)->mask), pending;

        if (!t)
                return 0;
        pthread_mutex_lock(&t->tg->lock);
        pending = (t->pending.set | t->tg->pending.set) & mask;
        pthread_mutex_unlock(&t->tg->lock);
        return pending ? EPOLLIN | EPOLLRDNORM : 0;
}

static void sfd_release(struct file *f)
{
        struct signalfd *s = to_sfd(f);

        thread_group_unref(s->tg);
        free(s);
}

static const struct file_ops signalfd_ops = {
        .read = sfd_read,
        .stat = vfs_anon_stat,
        .poll = sfd_poll,
        .release = sfd_release,
};

int signalfd_create(struct task *t, uint64_t mask, unsigned flags, struct file **ret)
{
        struct signalfd *s = calloc(1, sizeof(*s));

        if (!s)
                return -ENOMEM;
        s->tg = thread_group_ref(t->tg);
        atomic_init(&s->mask, mask & ~KSIG_UNBLOCKABLE);
        file_init(&s->base, &signalfd_ops, O_RDWR | (flags & SFD_NONBLOCK), true);
        s->base.wq = &s->tg->signalfd_wq;
        *ret = &s->base;
        return 0;
}

int signalfd_set_mask(struct file *f, uint64_t mask)
{
        if (f->ops != &signalfd_ops)
                return -EINVAL;
        atomic_store(&to_sfd(f)->mask, mask & ~KSIG_UNBLOCKABLE);
        return 0;
}
