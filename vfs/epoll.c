/*
 * epoll: an open file that watches others. Each registration (epitem) hangs
 * a waiter on its target's wait queue; when the target may have changed,
 * the waiter puts the item on the ready list and wakes whoever waits on the
 * epoll file. epoll_wait asks every ready item's file for its readiness now:
 * level-triggered items stay on the list while ready, edge-triggered ones
 * leave it until the next change, one-shot ones are disarmed.
 *
 * Registrations belong to the open file description: closing one fd of a
 * dup'd file keeps them, the file's last close drops them
 * (eventpoll_release()).
 *
 * Lock order: ep->mtx → (target wq lock → ep->rdlock, in callbacks) and
 * f->ep_lock alone; ep->mtx and f->ep_lock are never held together except
 * ep->mtx → f->ep_lock in ADD and DEL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "file.h"
#include "lib/macro.h"

#define EP_MAX_NESTS 4                  /* Linux's EP_MAX_NESTS */
/* Events a registration may ask for; the rest are flags. */
#define EP_FLAGS (EPOLLET | EPOLLONESHOT | EPOLLWAKEUP | EPOLLEXCLUSIVE)

struct epoll {
        struct file base;
        pthread_mutex_t mtx;            /* the registrations */
        struct epitem *items;           /* protected by mtx */
        pthread_mutex_t rdlock;         /* the ready list; taken in wake callbacks */
        struct epitem *ready;           /* protected by rdlock */
        struct waitqueue wq;            /* epoll_wait callers and nesting epolls */
};

struct epitem {
        atomic_int refcount;            /* the epoll's list and the file's list */
        struct epoll *ep;               /* immutable */
        struct file *file;              /* weak: the file's release unhooks us */
        int fd;                         /* immutable */
        uint32_t events;                /* protected by ep->mtx (read by the callback: racy but benign) */
        uint64_t data;                  /* protected by ep->mtx */
        struct epitem *next;            /* ep->items, under ep->mtx */
        struct epitem *file_next;       /* file->ep_links, under file->ep_lock */
        struct epitem *ready_next;      /* ep->ready, under ep->rdlock */
        bool on_ready;                  /* protected by ep->rdlock */
        bool linked;                    /* on ep->items (mtx) */
        struct waiter w;
};

static const struct file_ops epoll_ops;

static struct epoll *to_ep(struct file *f)
{
        return container_of(f, struct epoll, base);
}

bool file_is_epoll(const struct file *f)
{
        return f->ops == &epoll_ops;
}

static void epi_unref(struct epitem *epi)
{
        if (atomic_fetch_sub(&epi->refcount, 1) == 1)
                free(epi);
}

/* Put epi on the ready list (rdlock held). */
static void ready_add_locked(struct epoll *ep, struct epitem *epi)
{
        if (epi->on_ready)
                return;
        epi->on_ready = true;
        epi->ready_next = ep->ready;
        ep->ready = epi;
}

static void ready_remove_locked(struct epoll *ep, struct epitem *epi)
{
        for (struct epitem **pp = &ep->ready; *pp; pp = &(*pp)->ready_next) {
                if (*pp == epi) {
                        *pp = epi->ready_next;
                        break;
                }
        }
        epi->on_ready = false;
}

/* The target's wait queue said something changed (its wq lock is held). */
static void epi_wake(struct waiter *w, unsigned events)
{
        struct epitem *epi = container_of(w, struct epitem, w);
        struct epoll *ep = epi->ep;

        (void)events;
        if (!(epi->events & ~(uint32_t)EP_FLAGS))
                return;                 /* one-shot, disarmed */
        pthread_mutex_lock(&ep->rdlock);
        ready_add_locked(ep, epi);
        pthread_mutex_unlock(&ep->rdlock);
        waitqueue_notify(&ep->wq, EPOLLIN | EPOLLRDNORM);
}

static struct epitem *ep_find(struct epoll *ep, struct file *f, int fd)
{
        for (struct epitem *epi = ep->items; epi; epi = epi->next)
                if (epi->file == f && epi->fd == fd)
                        return epi;
        return NULL;
}

/* Whether adding target to ep would make a loop or nest too deep. */
static bool ep_loops(struct epoll *ep, struct file *target, int depth)
{
        struct epoll *tep;
        bool r = false;

        if (!file_is_epoll(target))
                return false;
        if (depth >= EP_MAX_NESTS)
                return true;
        tep = to_ep(target);
        if (tep == ep)
                return true;
        pthread_mutex_lock(&tep->mtx);
        for (struct epitem *epi = tep->items; epi && !r; epi = epi->next)
                r = ep_loops(ep, epi->file, depth + 1);
        pthread_mutex_unlock(&tep->mtx);
        return r;
}

/* Unhook epi from everything; ep->mtx held, epi on ep->items. */
static void ep_remove_locked(struct epoll *ep, struct epitem *epi, bool from_file)
{
        struct file *f = epi->file;

        for (struct epitem **pp = &ep->items; *pp; pp = &(*pp)->next) {
                if (*pp == epi) {
                        *pp = epi->next;
                        break;
                }
        }
        epi->linked = false;
        if (f->wq)
                waitqueue_remove(f->wq, &epi->w);
        pthread_mutex_lock(&ep->rdlock);
        if (epi->on_ready)
                ready_remove_locked(ep, epi);
        pthread_mutex_unlock(&ep->rdlock);
        if (from_file) {
                bool found = false;

                pthread_mutex_lock(&f->ep_lock);
                for (struct epitem **pp = &f->ep_links; *pp; pp = &(*pp)->file_next) {
                        if (*pp == epi) {
                                *pp = epi->file_next;
                                found = true;
                                break;
                        }
                }
                pthread_mutex_unlock(&f->ep_lock);
                if (found)
                        epi_unref(epi);         /* the file's reference */
        }
        epi_unref(epi);                         /* the epoll's reference */
}

int epoll_ctl_file(struct file *epf, int op, int fd, struct file *target, uint32_t events,
                   uint64_t data)
{
        struct epoll *ep = to_ep(epf);
        struct epitem *epi;
        int r = 0;

        /* Files that cannot tell readiness (regular files, directories):
         * checked first, as Linux's ep_ctl does. */
        if (!target->ops->poll)
                return -EPERM;
        if (!file_is_epoll(epf) || epf == target)
                return -EINVAL;
        if ((events & EPOLLEXCLUSIVE) &&
            (op == EPOLL_CTL_MOD || file_is_epoll(target) ||
             (events & ~(uint32_t)(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET |
                                   EPOLLEXCLUSIVE | EPOLLRDNORM | EPOLLWRNORM | EPOLLRDBAND |
                                   EPOLLWRBAND | EPOLLPRI | EPOLLRDHUP))))
                return -EINVAL;
        /* EPOLLERR and EPOLLHUP are always reported. */
        events |= EPOLLERR | EPOLLHUP;

        pthread_mutex_lock(&ep->mtx);
        epi = ep_find(ep, target, fd);
        switch (op) {
        case EPOLL_CTL_ADD:
                if (epi) {
                        r = -EEXIST;
                        break;
                }
                if (ep_loops(ep, target, 0)) {
                        r = -ELOOP;
                        break;
                }
                epi = calloc(1, sizeof(*epi));
                if (!epi) {
                        r = -ENOMEM;
                        break;
                }
                atomic_init(&epi->refcount, 2);
                epi->ep = ep;
                epi->file = target;
                epi->fd = fd;
                epi->events = events;
                epi->data = data;
                epi->w = (struct waiter){ .mask = ~0u, .wake = epi_wake };
                epi->next = ep->items;
                ep->items = epi;
                epi->linked = true;
                pthread_mutex_lock(&target->ep_lock);
                epi->file_next = target->ep_links;
                target->ep_links = epi;
                pthread_mutex_unlock(&target->ep_lock);
                if (target->wq)
                        waitqueue_add(target->wq, &epi->w);
                /* Ready already? */
                pthread_mutex_lock(&ep->rdlock);
                ready_add_locked(ep, epi);
                pthread_mutex_unlock(&ep->rdlock);
                break;
        case EPOLL_CTL_MOD:
                if (!epi) {
                        r = -ENOENT;
                        break;
                }
                if (epi->events & EPOLLEXCLUSIVE) {
                        r = -EINVAL;
                        break;
                }
                epi->events = events;
                epi->data = data;
                pthread_mutex_lock(&ep->rdlock);
                ready_add_locked(ep, epi);
                pthread_mutex_unlock(&ep->rdlock);
                break;
        case EPOLL_CTL_DEL:
                if (!epi) {
                        r = -ENOENT;
                        break;
                }
                ep_remove_locked(ep, epi, true);
                break;
        default:
                r = -EINVAL;
        }
        pthread_mutex_unlock(&ep->mtx);
        if (r == 0 && op != EPOLL_CTL_DEL)
                waitqueue_notify(&ep->wq, EPOLLIN | EPOLLRDNORM);
        return r;
}

int epoll_collect(struct file *epf, struct epoll_event *evs, int max)
{
        struct epoll *ep = to_ep(epf);
        struct epitem *list, *epi, *next;
        int n = 0;

        pthread_mutex_lock(&ep->mtx);
        pthread_mutex_lock(&ep->rdlock);
        list = ep->ready;
        ep->ready = NULL;
        for (epi = list; epi; epi = epi->ready_next)
                epi->on_ready = false;
        pthread_mutex_unlock(&ep->rdlock);

        /* Ask each file; requeue what must stay (level-triggered, or not
         * reached because evs is full). */
        for (epi = list; epi; epi = next) {
                uint32_t mask = 0;

                next = epi->ready_next;
                if (n < max && (epi->events & ~(uint32_t)EP_FLAGS))
                        mask = vfs_poll(epi->file) & epi->events & ~(uint32_t)EP_FLAGS;
                if (mask) {
                        evs[n].events = mask;
                        evs[n].data.u64 = epi->data;
                        n++;
                        if (epi->events & EPOLLONESHOT)
                                epi->events &= (uint32_t)EP_FLAGS;
                }
                if ((mask && !(epi->events & (EPOLLET | EPOLLONESHOT))) || (n >= max && !mask &&
                                                                             (epi->events & ~(uint32_t)EP_FLAGS))) {
                        pthread_mutex_lock(&ep->rdlock);
                        ready_add_locked(ep, epi);
                        pthread_mutex_unlock(&ep->rdlock);
                }
        }
        pthread_mutex_unlock(&ep->mtx);
        return n ? n : -EAGAIN;
}

/* An epoll file is readable when some registration is ready. */
static unsigned epoll_poll(struct file *f)
{
        struct epoll *ep = to_ep(f);
        unsigned r = 0;

        pthread_mutex_lock(&ep->mtx);
        pthread_mutex_lock(&ep->rdlock);
        for (struct epitem *epi = ep->ready; epi && !r; epi = epi->ready_next) {
                pthread_mutex_unlock(&ep->rdlock);
                if (vfs_poll(epi->file) & epi->events & ~(uint32_t)EP_FLAGS)
                        r = EPOLLIN | EPOLLRDNORM;
                pthread_mutex_lock(&ep->rdlock);
        }
        pthread_mutex_unlock(&ep->rdlock);
        pthread_mutex_unlock(&ep->mtx);
        return r;
}

void eventpoll_release(struct file *f)
{
        for (;;) {
                struct epitem *epi;
                struct epoll *ep;

                pthread_mutex_lock(&f->ep_lock);
                epi = f->ep_links;
                if (epi)
                        f->ep_links = epi->file_next;
                pthread_mutex_unlock(&f->ep_lock);
                if (!epi)
                        return;
                /* Keep the epoll alive while we take its lock. */
                ep = epi->ep;
                file_ref(&ep->base);
                pthread_mutex_lock(&ep->mtx);
                if (epi->linked)
                        ep_remove_locked(ep, epi, false);
                pthread_mutex_unlock(&ep->mtx);
                epi_unref(epi);                 /* the file's reference */
                file_unref(&ep->base);
        }
}

static void epoll_release(struct file *f)
{
        struct epoll *ep = to_ep(f);

        pthread_mutex_lock(&ep->mtx);
        while (ep->items)
                ep_remove_locked(ep, ep->items, true);
        pthread_mutex_unlock(&ep->mtx);
        waitqueue_destroy(&ep->wq);
        pthread_mutex_destroy(&ep->rdlock);
        pthread_mutex_destroy(&ep->mtx);
        free(ep);
}

static const struct file_ops epoll_ops = {
        .stat = vfs_anon_stat,
        .poll = epoll_poll,
        .release = epoll_release,
};

int epoll_create_file(unsigned flags, struct file **ret)
{
        struct epoll *ep = calloc(1, sizeof(*ep));

        if (!ep)
                return -ENOMEM;
        pthread_mutex_init(&ep->mtx, NULL);
        pthread_mutex_init(&ep->rdlock, NULL);
        waitqueue_init(&ep->wq);
        file_init(&ep->base, &epoll_ops, O_RDWR | (flags & O_NONBLOCK), true);
        ep->base.wq = &ep->wq;
        *ret = &ep->base;
        return 0;
}
