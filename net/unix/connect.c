/* AF_UNIX connections: listen, connect and accept for streams and
 * seqpacket, connect for datagrams (Linux's unix_listen(),
 * unix_stream_connect(), unix_accept(), unix_dgram_connect()).
 *
 * A stream connect is synchronous, as Linux's: it makes the server's end
 * (an "embryo") at once and queues it on the listener, or finds the backlog
 * full (-EAGAIN: the caller waits, hung on the listener's waiters). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "internal.h"

static int autobind_if_passcred(struct unix_sock *u)
{
        int r = 0;

        if (!unix_passcred(u))
                return 0;
        unix_lock(u->un);
        r = unix_autobind_locked(u);
        unix_unlock(u->un);
        return r;
}

int unix_stream_connect(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx)
{
        struct unix_sock *u = unix_sk(sk), *other, *newu;
        struct unix_net *un = u->un;
        struct unix_address a, *name = NULL;
        int r;

        r = unix_addr_parse(addr, len, &a);
        if (r == 0)
                r = autobind_if_passcred(u);
        if (r < 0)
                return r;
        for (;;) {
                r = unix_find_other(un, &a, sk->type, ctx, &other);
                if (r < 0)
                        return r;
                unix_lock(un);
                if (!other->dead)
                        break;
                /* Released since we found it: look again. */
                unix_unlock(un);
                sock_unref(&other->sk);
        }
        r = -ECONNREFUSED;
        if (other->state != UNIX_LISTEN || (other->shutdown & RCV_SHUTDOWN))
                goto out;
        if (other->acceptq_len > (size_t)other->backlog) {
                unix_wait_on(u, other);
                r = -EAGAIN;
                goto out;
        }
        if (u->state == UNIX_ESTABLISHED) {
                r = -EISCONN;
                goto out;
        }
        if (u->state != UNIX_CLOSE || u->dead) {
                r = -EINVAL;
                goto out;
        }
        r = -ENOMEM;
        name = malloc(sizeof(*name));
        if (!name)
                goto out;
        r = unix_sock_new(sk->net, sk->type, &ctx->cred, &newu);
        if (r < 0)
                goto out;
        /* The server's end: the listener's name, the client's credentials. */
        *name = *other->addr;
        newu->addr = TAKE_PTR(name);
        newu->state = UNIX_ESTABLISHED;
        newu->embryo = true;
        newu->peer = unix_sk(sock_ref(sk));
        newu->peercred = ctx->ecred;
        newu->has_peercred = true;
        atomic_store(&newu->sk.sndbuf, atomic_load(&other->sk.sndbuf));
        atomic_store(&newu->sk.rcvbuf, atomic_load(&other->sk.rcvbuf));
        atomic_store(&newu->sk.bool_opts, atomic_load(&other->sk.bool_opts));
        /* The client: the listener's credentials from listen(2). */
        u->peercred = other->peercred;
        u->has_peercred = other->has_peercred;
        u->peer = unix_sk(sock_ref(&newu->sk));
        u->state = UNIX_ESTABLISHED;
        ulist_add(&other->acceptq, &newu->accept_link);        /* takes newu's reference */
        other->acceptq_len++;
        unix_wake(other, EPOLLIN | EPOLLRDNORM);
        unix_wake(u, EPOLLOUT | EPOLLWRNORM);
        r = 0;
out:
        unix_unlock(un);
        free(name);
        sock_unref(&other->sk);
        return r;
}

int unix_listen(struct sock *sk, int backlog, const struct sock_ctx *ctx)
{
        struct unix_sock *u = unix_sk(sk);
        struct unix_net *un = u->un;
        int r = 0;

        unix_lock(un);
        if (!u->addr || (u->state != UNIX_CLOSE && u->state != UNIX_LISTEN) || u->dead) {
                r = -EINVAL;
                goto out;
        }
        if ((unsigned)backlog > SOCK_SOMAXCONN)
                backlog = SOCK_SOMAXCONN;
        if (backlog > u->backlog)
                unix_wake_waiters(u);
        u->backlog = backlog;
        u->state = UNIX_LISTEN;
        u->peercred = ctx->ecred;
        u->has_peercred = true;
out:
        unix_unlock(un);
        return r;
}

int unix_accept(struct sock *sk, struct sock **ret)
{
        struct unix_sock *u = unix_sk(sk), *e;
        struct unix_net *un = u->un;
        int r = 0;

        unix_lock(un);
        if (u->state != UNIX_LISTEN) {
                r = -EINVAL;
        } else if (ulist_empty(&u->acceptq)) {
                r = -EAGAIN;
        } else {
                e = container_of(u->acceptq.next, struct unix_sock, accept_link);
                ulist_del(&e->accept_link);
                u->acceptq_len--;
                e->embryo = false;
                unix_wake_waiters(u);
                *ret = &e->sk;          /* the queue's reference */
        }
        unix_unlock(un);
        return r;
}

int unix_no_listen(struct sock *sk, int backlog, const struct sock_ctx *ctx)
{
        (void)sk, (void)backlog, (void)ctx;
        return -EOPNOTSUPP;
}

int unix_no_accept(struct sock *sk, struct sock **ret)
{
        (void)sk, (void)ret;
        return -EOPNOTSUPP;
}

/* Linux's unix_dgram_disconnected(): what came from the old peer is
 * dropped, and a peer that talked back learns of it. un->lock held. */
static void dgram_disconnected(struct unix_sock *u, struct unix_sock *old)
{
        if (!u->rq.head)
                return;
        unix_queue_purge(&u->rq);
        unix_wake_waiters(u);
        if (!old->dead && old->peer == u) {
                old->err = ECONNRESET;
                unix_wake(old, EPOLLERR);
        }
}

int unix_dgram_connect(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx)
{
        struct unix_sock *u = unix_sk(sk), *other = NULL, *old;
        struct unix_net *un = u->un;
        struct unix_address a;
        int r;

        if (len < sizeof(sa_family_t))
                return -EINVAL;
        if (((const struct sockaddr *)addr)->sa_family != AF_UNSPEC) {
                r = unix_addr_parse(addr, len, &a);
                if (r == 0)
                        r = autobind_if_passcred(u);
                if (r < 0)
                        return r;
                for (;;) {
                        r = unix_find_other(un, &a, sk->type, ctx, &other);
                        if (r < 0)
                                return r;
                        unix_lock(un);
                        if (!other->dead)
                                break;
                        unix_unlock(un);
                        sock_unref(&other->sk);
                }
                /* Linux's unix_may_send(). */
                if (other->peer && other->peer != u) {
                        unix_unlock(un);
                        sock_unref(&other->sk);
                        return -EPERM;
                }
        } else {
                unix_lock(un);
        }
        old = u->peer;
        u->peer = other;                /* takes the reference */
        u->state = other ? UNIX_ESTABLISHED : UNIX_CLOSE;
        if (old && old != other)
                dgram_disconnected(u, old);
        if (u->waiting_on && u->waiting_on != other) {
                ulist_del(&u->wait_link);
                u->waiting_on = NULL;
        }
        if (old)
                sock_unref(&old->sk);
        unix_unlock(un);
        return 0;
}
