/* AF_UNIX datagrams and sequenced packets: one message per call, the
 * receiver's queue bounded for senders it does not talk back to (Linux's
 * unix_dgram_sendmsg(), unix_dgram_recvmsg() and the seqpacket wrappers). */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* The receiver is gone: Linux's "what should a datagram socket do if other
 * was dead". un->lock held; drops our reference to other. */
static int other_dead(struct unix_sock *u, struct unix_sock *other)
{
        if (u->sk.type == SOCK_SEQPACKET)
                return -EPIPE;
        if (u->peer == other) {
                u->peer = NULL;
                u->state = UNIX_CLOSE;
                if (u->rq.head) {
                        unix_queue_purge(&u->rq);
                        unix_wake_waiters(u);
                }
                sock_unref(&other->sk);         /* the peer reference */
                return -ECONNREFUSED;
        }
        return 0;
}

static ssize_t dgram_send(struct sock *sk, struct sock_msg *m, unsigned flags,
                          const struct sock_ctx *ctx)
{
        struct unix_sock *u = unix_sk(sk), *other = NULL;
        struct unix_net *un = u->un;
        struct unix_address a;
        size_t len = m->iov->count;
        struct unix_skb *skb;
        ssize_t r;

        if (flags & MSG_OOB)
                return -EOPNOTSUPP;
        if (m->name) {
                r = unix_addr_parse(m->name, m->name_len, &a);
                if (r < 0)
                        return r;
        }
        unix_lock(un);
        if (!m->name) {
                if (!u->peer) {
                        unix_unlock(un);
                        return -ENOTCONN;
                }
                other = unix_sk(sock_ref(&u->peer->sk));
        }
        r = unix_passcred(u) ? unix_autobind_locked(u) : 0;
        if (r == 0 && len > (size_t)atomic_load(&sk->sndbuf) - 32)
                r = -EMSGSIZE;
        if (r == 0 && (u->shutdown & SEND_SHUTDOWN))
                r = -EPIPE;
        if (r == 0 && u->wmem >= (size_t)atomic_load(&sk->sndbuf))
                r = -EAGAIN;            /* woken when what we sent is read */
        for (;;) {
                if (r < 0)
                        goto out;
                if (!other) {
                        unix_unlock(un);
                        r = unix_find_other(un, &a, sk->type, ctx, &other);
                        unix_lock(un);
                        if (r < 0)
                                goto out;
                }
                if (!other->dead)
                        break;
                r = other_dead(u, other);
                sock_unref(&other->sk);
                other = NULL;
                if (r == 0 && !m->name)
                        r = -ECONNREFUSED;
        }
        /* Linux's unix_may_send(). */
        if (other->peer && other->peer != u) {
                r = -EPERM;
                goto out;
        }
        if (other->shutdown & RCV_SHUTDOWN) {
                r = -EPIPE;
                goto out;
        }
        if (other != u && other->peer != u && other->rq.len > (size_t)other->backlog) {
                unix_wait_on(u, other);
                r = -EAGAIN;
                goto out;
        }
        r = unix_skb_new(u, m->iov, 0, len, &m->scm,
                         m->scm.has_cred ? &m->scm.cred : &ctx->cred, &skb);
        if (r < 0)
                goto out;
        unix_queue_add(other, skb);
        m->done = len;
        r = (ssize_t)len;
out:
        if (other)
                sock_unref(&other->sk);
        unix_unlock(un);
        return r;
}

ssize_t unix_dgram_sendmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                           const struct sock_ctx *ctx)
{
        return dgram_send(sk, m, flags, ctx);
}

ssize_t unix_seqpacket_sendmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                               const struct sock_ctx *ctx)
{
        struct unix_sock *u = unix_sk(sk);
        bool established;

        unix_lock(u->un);
        established = u->state == UNIX_ESTABLISHED;
        unix_unlock(u->un);
        if (!established)
                return -ENOTCONN;
        m->name = NULL;                 /* the address is ignored */
        return dgram_send(sk, m, flags, ctx);
}

ssize_t unix_dgram_recvmsg(struct sock *sk, struct sock_msg *m, unsigned flags, size_t target)
{
        struct unix_sock *u = unix_sk(sk);
        struct unix_net *un = u->un;
        struct unix_skb *skb;
        size_t size;
        ssize_t r;

        (void)target;
        if (flags & MSG_OOB)
                return -EOPNOTSUPP;
        unix_lock(un);
        skb = u->rq.head;
        if (!skb) {
                if (u->err) {
                        r = -u->err;
                        u->err = 0;
                } else {
                        r = (u->shutdown & RCV_SHUTDOWN) ? 0 : -EAGAIN;
                }
                goto out;
        }
        if (m->name) {
                /* An unbound sender has no name: length 0 (unix_copy_addr()). */
                memcpy(m->name, &skb->addr.sun, skb->addr.len);
                m->name_len = skb->addr.len;
        }
        size = MIN(m->iov->count, skb->len);
        if (size < skb->len)
                m->ret_flags |= MSG_TRUNC;
        unix_iov_copy(m->iov, 0, skb->data, size, true);
        m->done = size;
        if (unix_passcred(u)) {
                m->scm.cred = skb->cred;
                m->scm.has_cred = true;
        }
        r = (flags & MSG_TRUNC) ? (ssize_t)skb->len : (ssize_t)size;
        if (flags & MSG_PEEK) {
                if (unix_skb_take_fds(skb, &m->scm, true) < 0)
                        r = -ENOMEM;
        } else {
                unix_skb_take_fds(skb, &m->scm, false);
                unix_skb_free(unix_queue_pop(&u->rq));
                unix_wake_waiters(u);
        }
out:
        unix_unlock(un);
        return r;
}

ssize_t unix_seqpacket_recvmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                               size_t target)
{
        struct unix_sock *u = unix_sk(sk);
        bool established;

        unix_lock(u->un);
        established = u->state == UNIX_ESTABLISHED;
        unix_unlock(u->un);
        if (!established)
                return -ENOTCONN;
        return unix_dgram_recvmsg(sk, m, flags, target);
}
