/* AF_UNIX: creating, releasing and polling socks, the family's options, and
 * the per-sandbox state (Linux's net/unix/af_unix.c, the parts that are not
 * names, connections or messages). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "internal.h"

void unix_lock(struct unix_net *un)
{
        pthread_mutex_lock(&un->lock);
}

void unix_unlock(struct unix_net *un)
{
        pthread_mutex_unlock(&un->lock);
        unix_skb_drain();
}

void unix_wake(struct unix_sock *u, unsigned events)
{
        waitqueue_notify(&u->sk.wq, events);
}

void unix_wait_on(struct unix_sock *u, struct unix_sock *other)
{
        if (u->waiting_on == other)
                return;
        if (u->waiting_on)
                ulist_del(&u->wait_link);
        u->waiting_on = other;
        ulist_add(&other->waiters, &u->wait_link);
}

void unix_wake_waiters(struct unix_sock *other)
{
        while (!ulist_empty(&other->waiters)) {
                struct unix_sock *w = container_of(other->waiters.next, struct unix_sock, wait_link);

                ulist_del(&w->wait_link);
                w->waiting_on = NULL;
                unix_wake(w, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
        }
}

bool unix_writable(const struct unix_sock *u)
{
        return u->state != UNIX_LISTEN && u->wmem * 4 <= (size_t)atomic_load(&u->sk.sndbuf);
}

struct unix_sock *unix_sock_of_file(const struct file *f)
{
        struct sock *sk = sock_from_file(f);

        return sk && sk->family == AF_UNIX ? unix_sk(sk) : NULL;
}

/* Linux's unix_release_sock(): no more name, no more peer, nothing queued. */
void unix_release_locked(struct unix_sock *u)
{
        struct unix_sock *peer = u->peer;

        if (u->dead)
                return;
        u->dead = true;
        u->shutdown = SHUTDOWN_MASK;
        if (u->addr) {
                ulist_del(&u->bound_link);
                /* The name (and the path's reference) stays for getsockname
                 * on a peer; the path is dropped in destroy. */
        }
        u->peer = NULL;
        if (peer) {
                if (u->sk.type != SOCK_DGRAM) {
                        peer->shutdown = SHUTDOWN_MASK;
                        if (u->rq.head || u->embryo)
                                peer->err = ECONNRESET;
                }
                unix_wake(peer, EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLRDHUP | EPOLLERR |
                                EPOLLRDNORM | EPOLLWRNORM);
                sock_unref(&peer->sk);
        }
        u->state = UNIX_CLOSE;
        if (u->waiting_on) {
                ulist_del(&u->wait_link);
                u->waiting_on = NULL;
        }
        unix_wake_waiters(u);
        unix_queue_purge(&u->rq);
        /* Connections never accepted go with the listener: their clients
         * see a reset. */
        while (!ulist_empty(&u->acceptq)) {
                struct unix_sock *e = container_of(u->acceptq.next, struct unix_sock, accept_link);

                ulist_del(&e->accept_link);
                u->acceptq_len--;
                unix_release_locked(e);
                sock_unref(&e->sk);
        }
        unix_wake(u, EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLRDHUP | EPOLLERR);
}

static void unix_release(struct sock *sk)
{
        struct unix_sock *u = unix_sk(sk);
        struct unix_net *un = u->un;

        unix_lock(un);
        unix_release_locked(u);
        if (un->tot_inflight)
                unix_gc_locked(un);
        unix_unlock(un);
}

static void unix_destroy(struct sock *sk)
{
        struct unix_sock *u = unix_sk(sk);

        /* Released before (the queues are empty): nothing here locks. */
        path_put(&u->path);
        free(u->addr);
        free(u);
}

/* Linux's unix_poll() (streams and seqpacket) and unix_dgram_poll(). */
static unsigned unix_poll(struct sock *sk)
{
        struct unix_sock *u = unix_sk(sk);
        struct unix_net *un = u->un;
        unsigned mask = 0;

        unix_lock(un);
        if (u->err)
                mask |= EPOLLERR;
        if (u->shutdown == SHUTDOWN_MASK)
                mask |= EPOLLHUP;
        if (u->shutdown & RCV_SHUTDOWN)
                mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
        if (u->rq.head || (u->state == UNIX_LISTEN && u->acceptq_len))
                mask |= EPOLLIN | EPOLLRDNORM;
        if (u->rq.oob)
                mask |= EPOLLPRI;
        if (sk->type != SOCK_DGRAM && u->state == UNIX_CLOSE)
                mask |= EPOLLHUP;
        if (unix_writable(u)) {
                struct unix_sock *other = u->peer;
                bool writable = true;

                /* A datagram peer that does not talk back to us has a
                 * bounded queue. */
                if (sk->type == SOCK_DGRAM && other && other->peer != u &&
                    other->rq.len > (size_t)other->backlog) {
                        unix_wait_on(u, other);
                        writable = false;
                }
                if (writable)
                        mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
        }
        unix_unlock(un);
        return mask;
}

static int unix_shutdown(struct sock *sk, int how)
{
        struct unix_sock *u = unix_sk(sk), *other;
        struct unix_net *un = u->un;
        unsigned mode;

        if (how < SHUT_RD || how > SHUT_RDWR)
                return -EINVAL;
        mode = (unsigned)how + 1;       /* SHUT_RD → RCV_SHUTDOWN ... */
        unix_lock(un);
        u->shutdown |= mode;
        unix_wake(u, EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLRDHUP | EPOLLRDNORM | EPOLLWRNORM);
        other = u->peer;
        if (other && sk->type != SOCK_DGRAM) {
                unsigned peer_mode = 0;

                if (mode & RCV_SHUTDOWN)
                        peer_mode |= SEND_SHUTDOWN;
                if (mode & SEND_SHUTDOWN)
                        peer_mode |= RCV_SHUTDOWN;
                other->shutdown |= peer_mode;
                unix_wake(other, EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLRDHUP | EPOLLRDNORM |
                                 EPOLLWRNORM);
        }
        unix_unlock(un);
        return 0;
}

static int unix_getsockopt(struct sock *sk, int level, int name, void *val, size_t *len)
{
        struct unix_sock *u = unix_sk(sk);
        struct unix_net *un = u->un;
        int v;

        (void)level;
        switch (name) {
        case SO_PEERCRED: {
                struct ucred uc;
                struct sock_cred c;

                unix_lock(un);
                if (u->has_peercred)
                        c = u->peercred;
                else
                        unix_cred_none(&c);
                unix_unlock(un);
                uc = (struct ucred){ .pid = c.pid, .uid = c.uid, .gid = c.gid };
                memcpy(val, &uc, sizeof(uc));
                *len = sizeof(uc);
                return 0;
        }
        case SO_ERROR:
                unix_lock(un);
                v = u->err;
                u->err = 0;
                unix_unlock(un);
                break;
        case SO_ACCEPTCONN:
                unix_lock(un);
                v = u->state == UNIX_LISTEN;
                unix_unlock(un);
                break;
        default:
                return -ENOPROTOOPT;
        }
        memcpy(val, &v, sizeof(v));
        *len = sizeof(v);
        return 0;
}

/* SIOCINQ (FIONREAD), SIOCOUTQ and SIOCATMARK (Linux's unix_ioctl). */
static int unix_ioctl(struct sock *sk, unsigned cmd, void *arg)
{
        struct unix_sock *u = unix_sk(sk);
        struct unix_net *un = u->un;
        int r = 0;
        size_t n = 0;

        unix_lock(un);
        switch (cmd) {
        case SIOCINQ:
                if (u->state == UNIX_LISTEN) {
                        r = -EINVAL;
                        break;
                }
                if (sk->type == SOCK_STREAM) {
                        for (struct unix_skb *s = u->rq.head; s; s = s->next)
                                n += s->len - s->consumed;
                } else if (u->rq.head) {
                        n = u->rq.head->len;
                }
                break;
        case SIOCOUTQ:
                n = u->wmem;
                break;
        case SIOCATMARK: {
                /* The next byte is the urgent one, or the place where one
                 * read out of band was. */
                struct unix_skb *h = u->rq.head, *o = u->rq.oob;

                n = h && (h == o || (h->consumed == h->len && (!o || h->next == o)));
                break;
        }
        default:
                r = -ENOTTY;
        }
        unix_unlock(un);
        if (r == 0)
                *(int *)arg = (int)MIN(n, (size_t)INT32_MAX);
        return r;
}

static const struct sock_ops unix_stream_ops = {
        .bind = unix_bind,
        .connect = unix_stream_connect,
        .listen = unix_listen,
        .accept = unix_accept,
        .getname = unix_getname,
        .sendmsg = unix_stream_sendmsg,
        .recvmsg = unix_stream_recvmsg,
        .shutdown = unix_shutdown,
        .getsockopt = unix_getsockopt,
        .poll = unix_poll,
        .ioctl = unix_ioctl,
        .release = unix_release,
        .destroy = unix_destroy,
};

static const struct sock_ops unix_seqpacket_ops = {
        .bind = unix_bind,
        .connect = unix_stream_connect,
        .listen = unix_listen,
        .accept = unix_accept,
        .getname = unix_getname,
        .sendmsg = unix_seqpacket_sendmsg,
        .recvmsg = unix_seqpacket_recvmsg,
        .shutdown = unix_shutdown,
        .getsockopt = unix_getsockopt,
        .poll = unix_poll,
        .ioctl = unix_ioctl,
        .release = unix_release,
        .destroy = unix_destroy,
};

static const struct sock_ops unix_dgram_ops = {
        .bind = unix_bind,
        .connect = unix_dgram_connect,
        .listen = unix_no_listen,
        .accept = unix_no_accept,
        .getname = unix_getname,
        .sendmsg = unix_dgram_sendmsg,
        .recvmsg = unix_dgram_recvmsg,
        .shutdown = unix_shutdown,
        .getsockopt = unix_getsockopt,
        .poll = unix_poll,
        .ioctl = unix_ioctl,
        .release = unix_release,
        .destroy = unix_destroy,
};

int unix_sock_new(struct net *net, int type, const struct sock_cred *cred,
                  struct unix_sock **ret)
{
        const struct sock_ops *ops;
        struct unix_sock *u;

        switch (type) {
        case SOCK_STREAM:
                ops = &unix_stream_ops;
                break;
        case SOCK_DGRAM:
                ops = &unix_dgram_ops;
                break;
        case SOCK_SEQPACKET:
                ops = &unix_seqpacket_ops;
                break;
        default:
                return -ESOCKTNOSUPPORT;
        }
        u = calloc(1, sizeof(*u));
        if (!u)
                return -ENOMEM;
        sock_init(&u->sk, ops, net, AF_UNIX, type, 0, cred);
        u->un = net->af_unix;
        u->state = UNIX_CLOSE;
        u->backlog = UNIX_MAX_DGRAM_QLEN;
        ulist_init(&u->bound_link);
        ulist_init(&u->acceptq);
        ulist_init(&u->accept_link);
        ulist_init(&u->wait_link);
        ulist_init(&u->waiters);
        ulist_init(&u->inflight_link);
        *ret = u;
        return 0;
}

/* Linux's unix_create(): protocol 0 or PF_UNIX; SOCK_RAW is SOCK_DGRAM. */
static int unix_create(struct net *net, int type, int protocol, const struct sock_cred *cred,
                       struct sock **ret)
{
        struct unix_sock *u;
        int r;

        if (protocol && protocol != PF_UNIX)
                return -EPROTONOSUPPORT;
        if (type == SOCK_RAW)
                type = SOCK_DGRAM;
        r = unix_sock_new(net, type, cred, &u);
        if (r == 0)
                *ret = &u->sk;
        return r;
}

static int unix_create_pair(struct net *net, int type, int protocol,
                            const struct sock_cred *cred, struct sock **ret_a,
                            struct sock **ret_b)
{
        struct sock *a = NULL, *b = NULL;
        struct unix_sock *ua, *ub;
        int r;

        r = unix_create(net, type, protocol, cred, &a);
        if (r < 0)
                return r;
        r = unix_create(net, type, protocol, cred, &b);
        if (r < 0) {
                sock_unref(a);
                return r;
        }
        ua = unix_sk(a);
        ub = unix_sk(b);
        /* Linux's unix_socketpair(): peers of each other, both with the
         * creator's credentials. */
        ua->peer = unix_sk(sock_ref(b));
        ub->peer = unix_sk(sock_ref(a));
        ua->peercred = ub->peercred = *cred;
        ua->has_peercred = ub->has_peercred = true;
        if (type != SOCK_DGRAM)
                ua->state = ub->state = UNIX_ESTABLISHED;
        *ret_a = a;
        *ret_b = b;
        return 0;
}

static int unix_net_init(struct net *net)
{
        struct unix_net *un = calloc(1, sizeof(*un));

        if (!un)
                return -ENOMEM;
        pthread_mutex_init(&un->lock, NULL);
        ulist_init(&un->bound);
        ulist_init(&un->inflight);
        net->af_unix = un;
        return 0;
}

static void unix_net_exit(struct net *net)
{
        pthread_mutex_destroy(&net->af_unix->lock);
        free(net->af_unix);
        net->af_unix = NULL;
}

const struct net_family unix_family = {
        .family = AF_UNIX,
        .create = unix_create,
        .create_pair = unix_create_pair,
        .net_init = unix_net_init,
        .net_exit = unix_net_exit,
};
