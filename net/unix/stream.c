/* AF_UNIX streams: sending cuts the data into messages charged to the
 * sender's send buffer; receiving reads across them, stopping where files
 * came along or (with SO_PASSCRED) where the writer changes (Linux's
 * unix_stream_sendmsg() and unix_stream_read_generic()).
 *
 * MSG_OOB (Linux >= 5.15, CONFIG_AF_UNIX_OOB): the last byte of such a send
 * is a message of its own, the receiver's urgent byte (rq.oob; a newer one
 * makes it normal data). A read stops before it, skips it at the mark
 * unless SO_OOBINLINE, and recv(MSG_OOB) takes it, leaving an empty message
 * that keeps the data on either side apart (Linux's manage_oob()). */
#include <errno.h>
#include <string.h>

#include "internal.h"

static const struct sock_cred *msg_cred(const struct sock_msg *m, const struct sock_ctx *ctx)
{
        return m->scm.has_cred ? &m->scm.cred : &ctx->cred;
}

ssize_t unix_stream_sendmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                            const struct sock_ctx *ctx)
{
        struct unix_sock *u = unix_sk(sk), *other;
        struct unix_net *un = u->un;
        size_t total = m->iov->count, limit = total;
        bool oob = flags & MSG_OOB;
        ssize_t r = 0;

        if (oob) {
                if (total == 0)
                        return -EOPNOTSUPP;
                limit = total - 1;      /* the last byte goes on its own */
        }
        unix_lock(un);
        if (m->name) {
                r = u->state == UNIX_ESTABLISHED ? -EISCONN : -EOPNOTSUPP;
                goto out;
        }
        other = u->peer;
        if (!other) {
                r = -ENOTCONN;
                goto out;
        }
        if (u->shutdown & SEND_SHUTDOWN) {
                r = -EPIPE;
                goto out;
        }
        while (m->done < total) {
                int sndbuf = atomic_load(&sk->sndbuf);
                struct unix_skb *skb;
                size_t size;

                if (other->dead || (other->shutdown & RCV_SHUTDOWN)) {
                        r = -EPIPE;
                        goto out;
                }
                if (u->wmem >= (size_t)sndbuf) {
                        r = -EAGAIN;
                        goto out;
                }
                size = m->done < limit ? limit - m->done : 1;
                size = MIN(size, (size_t)(sndbuf / 2 - 64));
                size = MIN(size, (size_t)UNIX_STREAM_CHUNK);
                r = unix_skb_new(u, m->iov, m->done, size, &m->scm, msg_cred(m, ctx), &skb);
                if (r < 0)
                        goto out;
                unix_queue_add(other, skb);
                m->done += size;
                if (m->done > limit) {
                        other->rq.oob = skb;
                        unix_wake(other, EPOLLPRI | EPOLLRDBAND);
                }
        }
out:
        unix_unlock(un);
        if (r == -EAGAIN)
                return r;
        return m->done ? (ssize_t)m->done : r;
}

static bool cred_equal(const struct sock_cred *a, const struct sock_cred *b)
{
        return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

/* Copy a message's bytes from off on into the caller's buffer. */
static size_t copy_out(struct sock_msg *m, struct unix_skb *skb, size_t off)
{
        size_t n = MIN(skb->len - off, m->iov->count - m->done);

        n = unix_iov_copy(m->iov, m->done, skb->data + off, n, true);
        m->done += n;
        return n;
}

static void copy_name(struct sock_msg *m, const struct unix_skb *skb)
{
        if (!m->name || m->name_len)
                return;
        /* An unbound sender has no name: length 0, as Linux's
         * unix_copy_addr() leaves it. */
        memcpy(m->name, &skb->addr.sun, skb->addr.len);
        m->name_len = skb->addr.len;
}

static bool oob_inline(struct unix_sock *u)
{
        return atomic_load(&u->sk.bool_opts) & (1u << SO_OOBINLINE);
}

/* recv(MSG_OOB): the urgent byte, without waiting (Linux's
 * unix_stream_recv_urg()). */
static ssize_t recv_urg(struct unix_sock *u, struct sock_msg *m, bool peek)
{
        struct unix_skb *skb = u->rq.oob;
        size_t n;

        if (!skb || oob_inline(u))
                return -EINVAL;
        n = unix_iov_copy(m->iov, m->done, skb->data, MIN((size_t)1, m->iov->count - m->done),
                          true);
        if (!peek) {
                u->rq.oob = NULL;
                skb->consumed = skb->len;
        }
        m->done += n;
        m->ret_flags |= MSG_OOB;
        return (ssize_t)m->done;
}

/* Where a read goes on from skb (Linux's manage_oob()): past the empty
 * message an urgent byte read out of band left, and past (or, with
 * SO_OOBINLINE, into) the urgent byte itself, which passing consumes unless
 * peeking; NULL where it must stop (data read already, the mark reached).
 * Without peek, skb is the head and what is passed is freed. */
static struct unix_skb *manage_oob(struct unix_sock *u, struct unix_skb *skb, bool peek,
                                   bool copied)
{
        bool inl = oob_inline(u);

        if (skb->consumed == skb->len) {
                if (copied && !u->rq.oob)
                        return NULL;
                if (peek) {
                        skb = skb->next;
                } else {
                        unix_skb_free(unix_queue_pop(&u->rq));
                        skb = u->rq.head;
                }
                if (!skb)
                        return NULL;
        }
        if (skb != u->rq.oob)
                return skb;
        if (copied)
                return NULL;
        if (!peek) {
                u->rq.oob = NULL;
                if (!inl) {
                        unix_skb_free(unix_queue_pop(&u->rq));
                        skb = u->rq.head;
                }
        } else if (!inl) {
                skb = skb->next;
        }
        return skb;
}

ssize_t unix_stream_recvmsg(struct sock *sk, struct sock_msg *m, unsigned flags, size_t target)
{
        struct unix_sock *u = unix_sk(sk);
        struct unix_net *un = u->un;
        bool peek = flags & MSG_PEEK, passcred;
        size_t total = m->iov->count;
        struct unix_skb *skb;
        ssize_t r = 0;

        unix_lock(un);
        if (u->state != UNIX_ESTABLISHED) {
                r = -EINVAL;
                goto out;
        }
        if (flags & MSG_OOB) {
                r = recv_urg(u, m, peek);
                goto out;
        }
        passcred = unix_passcred(u);
        target = MIN(target, total);
        if (peek)
                target = MIN(target, (size_t)1);
        skb = u->rq.head;
        for (;;) {
                size_t off;

                if (skb && (skb->consumed == skb->len || skb == u->rq.oob)) {
                        skb = manage_oob(u, skb, peek, m->done > 0);
                        if (!skb && m->done)
                                break;
                }
                if (!skb) {
                        if (m->done >= target)
                                break;
                        if (u->err) {
                                r = -u->err;
                                u->err = 0;
                        } else if (!(u->shutdown & RCV_SHUTDOWN)) {
                                r = -EAGAIN;
                        }
                        break;
                }
                if (passcred) {
                        /* Never glue messages from different writers. */
                        if (m->scm.has_cred && !cred_equal(&m->scm.cred, &skb->cred))
                                break;
                        m->scm.cred = skb->cred;
                        m->scm.has_cred = true;
                }
                copy_name(m, skb);
                off = skb->consumed;
                if (peek) {
                        copy_out(m, skb, off);
                        if (skb->nfds) {
                                if (!m->scm.nfds)
                                        r = unix_skb_take_fds(skb, &m->scm, true);
                                break;
                        }
                        if (m->done >= total)
                                break;
                        skb = skb->next;
                        continue;
                }
                skb->consumed += copy_out(m, skb, off);
                if (skb->nfds && !m->scm.nfds)
                        unix_skb_take_fds(skb, &m->scm, false);
                if (skb->consumed < skb->len)
                        break;
                unix_skb_free(unix_queue_pop(&u->rq));
                if (m->scm.nfds || m->done >= total)
                        break;
                skb = u->rq.head;
        }
out:
        unix_unlock(un);
        if (r == -EAGAIN)
                return r;
        return m->done ? (ssize_t)m->done : r;
}
