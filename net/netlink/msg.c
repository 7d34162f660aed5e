/* AF_NETLINK messages: sending to the kernel side (answered at once, into
 * the sender's queue), to another socket and to multicast groups;
 * receiving; and the messages mq_notify charges to a socket (Linux's
 * netlink_sendmsg(), netlink_unicast(), netlink_broadcast(),
 * netlink_recvmsg(), netlink_attachskb()). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "internal.h"

static size_t iov_copy(const struct iov_iter *it, void *mem, size_t n, bool to_iov)
{
        unsigned char *p = mem;
        size_t done = 0;

        for (int i = 0; i < it->nr && done < n; i++) {
                size_t chunk = MIN(it->iov[i].iov_len, n - done);

                if (to_iov)
                        memcpy(it->iov[i].iov_base, p + done, chunk);
                else
                        memcpy(p + done, it->iov[i].iov_base, chunk);
                done += chunk;
        }
        return done;
}

static struct nl_skb *skb_new(size_t len)
{
        struct nl_skb *skb = malloc(sizeof(*skb) + (len ? len : 1));

        if (!skb)
                return NULL;
        memset(skb, 0, sizeof(*skb));
        skb->len = len;
        skb->truesize = len + NL_SKB_OVERHEAD;
        return skb;
}

/* Room for one more message of truesize (Linux's netlink_attachskb(): an
 * empty queue always takes one). Charges it when there is. */
static bool charge_locked(struct netlink_sock *nlk, size_t truesize)
{
        size_t rmem = atomic_fetch_add(&nlk->rmem, truesize) + truesize;

        if (nlk->congested || (rmem != truesize && rmem >= (size_t)atomic_load(&nlk->sk.rcvbuf))) {
                atomic_fetch_sub(&nlk->rmem, truesize);
                return false;
        }
        return true;
}

static void queue_locked(struct netlink_sock *nlk, struct nl_skb *skb)
{
        skb->next = NULL;
        if (nlk->tail)
                nlk->tail->next = skb;
        else
                nlk->head = skb;
        nlk->tail = skb;
        nl_wake(nlk, EPOLLIN | EPOLLRDNORM);
}

/* Linux's netlink_overrun(): a message from the kernel did not fit. */
static void overrun_locked(struct netlink_sock *nlk)
{
        if (nlk->congested)
                return;
        nlk->congested = true;
        if (!(nlk->flags & NL_F_NO_ENOBUFS)) {
                nlk->err = ENOBUFS;
                nl_wake(nlk, EPOLLERR);
        }
}

/* Linux's netlink_rcv_wake(): an emptied queue takes messages from the
 * kernel again; unless it is congested, the senders that waited for room
 * try again. */
static void rcv_wake_locked(struct netlink_sock *nlk)
{
        if (!nlk->head)
                nlk->congested = false;
        if (nlk->congested)
                return;
        while (nlk->waiters) {
                struct netlink_sock *w = nlk->waiters;

                nlk->waiters = w->wait_next;
                w->wait_next = NULL;
                w->waiting_on = NULL;
                nl_wake(w, EPOLLOUT | EPOLLWRNORM);
        }
        nl_wake(nlk, EPOLLOUT | EPOLLWRNORM);
}

static void unhook_waiter_locked(struct netlink_sock *nlk)
{
        struct netlink_sock **pp;

        if (!nlk->waiting_on)
                return;
        for (pp = &nlk->waiting_on->waiters; *pp; pp = &(*pp)->wait_next)
                if (*pp == nlk) {
                        *pp = nlk->wait_next;
                        break;
                }
        nlk->waiting_on = NULL;
        nlk->wait_next = NULL;
}

void netlink_purge_locked(struct netlink_sock *nlk)
{
        struct nl_skb *skb;

        while ((skb = nlk->head)) {
                nlk->head = skb->next;
                atomic_fetch_sub(&nlk->rmem, skb->truesize);
                free(skb);
        }
        nlk->tail = NULL;
        unhook_waiter_locked(nlk);
        rcv_wake_locked(nlk);
}

/* A reply from the kernel side: queued to the requester unless its buffer
 * is full (nlmsg_unicast() with MSG_DONTWAIT). */
static void kernel_reply(void *arg, const struct nl_buf *b)
{
        struct netlink_sock *nlk = arg;
        struct nl_skb *skb;

        if (nlk->dead)
                return;
        skb = skb_new(b->len);
        if (!skb || !charge_locked(nlk, skb->truesize)) {
                free(skb);
                overrun_locked(nlk);
                return;
        }
        memcpy(skb->data, b->data, b->len);
        queue_locked(nlk, skb);
}

/* Linux's do_one_broadcast() for each member of group but the sender and
 * the unicast destination. */
static void broadcast_locked(struct netlink_sock *from, const struct nl_skb *skb,
                             uint32_t dst_portid)
{
        uint64_t bit = UINT64_C(1) << (skb->dst_group - 1);

        for (struct netlink_sock *p = from->nn->bound[from->sk.protocol]; p; p = p->bound_next) {
                struct nl_skb *copy;

                if (p == from || p->dead || p->portid == dst_portid || !(p->groups & bit))
                        continue;
                copy = skb_new(skb->len);
                if (!copy || !charge_locked(p, copy->truesize)) {
                        free(copy);
                        overrun_locked(p);
                        continue;
                }
                memcpy(copy, skb, sizeof(*copy) + skb->len);
                copy->next = NULL;
                copy->owner = NULL;
                queue_locked(p, copy);
        }
}

/* Linux's netlink_unicast() to a user socket: -ECONNREFUSED when no
 * socket has the port (or it is connected to another), -EAGAIN to wait
 * for room (hung on its waiters). Consumes skb on success. */
static int unicast_user_locked(struct netlink_sock *from, struct nl_skb *skb, uint32_t portid)
{
        struct netlink_sock *to = netlink_lookup_locked(from->nn, from->sk.protocol, portid);

        if (!to || to->dead || (to->connected && to->dst_portid != from->portid))
                return -ECONNREFUSED;
        if (!charge_locked(to, skb->truesize)) {
                unhook_waiter_locked(from);
                from->waiting_on = to;
                from->wait_next = to->waiters;
                to->waiters = from;
                return -EAGAIN;
        }
        queue_locked(to, skb);
        return 0;
}

ssize_t netlink_sendmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                        const struct sock_ctx *ctx)
{
        struct netlink_sock *nlk = nl_sk(sk);
        struct netlink_net *nn = nlk->nn;
        size_t len = m->iov->count;
        uint32_t dst_portid, dst_group;
        struct nl_request req;
        struct nl_skb *skb;
        bool named = false;
        ssize_t r;

        if (flags & MSG_OOB)
                return -EOPNOTSUPP;
        if (len == 0)
                return -ENODATA;
        if (m->name) {
                struct sockaddr_nl nl;

                if (m->name_len < sizeof(nl))
                        return -EINVAL;
                memcpy(&nl, m->name, sizeof(nl));
                if (nl.nl_family != AF_NETLINK)
                        return -EINVAL;
                dst_portid = nl.nl_pid;
                dst_group = (uint32_t)__builtin_ffs((int)nl.nl_groups);
                if ((dst_group || dst_portid) &&
                    !netlink_allowed(nlk, NL_CFG_F_NONROOT_SEND, ctx))
                        return -EPERM;
                named = true;
        }
        pthread_mutex_lock(&nn->lock);
        if (!named) {
                dst_portid = nlk->dst_portid;
                dst_group = nlk->dst_group;
        }
        r = netlink_autobind_locked(nlk, ctx->cred.pid);
        if (r == 0 && len > (size_t)atomic_load(&sk->sndbuf) - 32)
                r = -EMSGSIZE;
        if (r < 0)
                goto out;
        r = -ENOBUFS;
        skb = skb_new(len);
        if (!skb)
                goto out;
        skb->len = iov_copy(m->iov, skb->data, len, false);
        skb->portid = nlk->portid;
        skb->dst_group = dst_group;
        skb->cred = m->scm.has_cred ? m->scm.cred : ctx->cred;
        if (dst_group && dst_group <= nlk->proto->ngroups)
                broadcast_locked(nlk, skb, dst_portid);
        if (dst_portid) {
                r = unicast_user_locked(nlk, skb, dst_portid);
                if (r < 0)
                        free(skb);
        } else {
                /* The kernel side answers into our queue. */
                req = (struct nl_request){ .portid = nlk->portid, .flags = nlk->flags,
                                           .net_admin = ctx->net_admin,
                                           .reply = kernel_reply, .arg = nlk };
                nlk->proto->input(&req, skb->data, skb->len);
                free(skb);
                r = 0;
        }
        if (r == 0) {
                m->done = len;
                r = (ssize_t)len;
        }
out:
        pthread_mutex_unlock(&nn->lock);
        return r;
}

ssize_t netlink_recvmsg(struct sock *sk, struct sock_msg *m, unsigned flags, size_t target)
{
        struct netlink_sock *nlk = nl_sk(sk);
        struct netlink_net *nn = nlk->nn;
        struct nl_skb *skb;
        size_t size;
        ssize_t r;

        (void)target;
        if (flags & MSG_OOB)
                return -EOPNOTSUPP;
        pthread_mutex_lock(&nn->lock);
        /* A pending error comes first (sock_error()). */
        if (nlk->err) {
                r = -nlk->err;
                nlk->err = 0;
                goto out;
        }
        skb = nlk->head;
        if (!skb) {
                r = -EAGAIN;
                goto out;
        }
        size = MIN(m->iov->count, skb->len);
        if (size < skb->len)
                m->ret_flags |= MSG_TRUNC;
        iov_copy(m->iov, skb->data, size, true);
        m->done = size;
        if (m->name) {
                struct sockaddr_nl nl = {
                        .nl_family = AF_NETLINK,
                        .nl_pid = skb->portid,
                        .nl_groups = skb->dst_group ? 1u << (skb->dst_group - 1) : 0,
                };

                memcpy(m->name, &nl, sizeof(nl));
                m->name_len = sizeof(nl);
        }
        if (atomic_load(&sk->bool_opts) & (1u << SO_PASSCRED)) {
                m->scm.cred = skb->cred;
                m->scm.has_cred = true;
        }
        r = (flags & MSG_TRUNC) ? (ssize_t)skb->len : (ssize_t)size;
        if (!(flags & MSG_PEEK)) {
                nlk->head = skb->next;
                if (!nlk->head)
                        nlk->tail = NULL;
                atomic_fetch_sub(&nlk->rmem, skb->truesize);
                free(skb);
        }
out:
        rcv_wake_locked(nlk);
        pthread_mutex_unlock(&nn->lock);
        return r;
}

/* ---- mq_notify's messages ------------------------------------------------ */

int netlink_attachskb(struct sock *sk, const void *data, size_t len, struct nl_skb **ret)
{
        struct netlink_sock *nlk = nl_sk(sk);
        struct nl_skb *skb = skb_new(len);
        bool ok;

        if (!skb)
                return -ENOMEM;
        memcpy(skb->data, data, len);
        pthread_mutex_lock(&nlk->nn->lock);
        ok = charge_locked(nlk, skb->truesize);
        pthread_mutex_unlock(&nlk->nn->lock);
        if (!ok) {
                free(skb);
                return -EAGAIN;
        }
        skb->owner = nl_sk(sock_ref(sk));
        *ret = skb;
        return 0;
}

unsigned char *netlink_skb_data(struct nl_skb *skb)
{
        return skb->data;
}

void netlink_sendskb(struct nl_skb *skb)
{
        struct netlink_sock *nlk = skb->owner;

        skb->owner = NULL;
        pthread_mutex_lock(&nlk->nn->lock);
        if (nlk->dead) {
                atomic_fetch_sub(&nlk->rmem, skb->truesize);
                free(skb);
        } else {
                queue_locked(nlk, skb);
        }
        pthread_mutex_unlock(&nlk->nn->lock);
        sock_unref(&nlk->sk);
}

void netlink_detachskb(struct nl_skb *skb)
{
        struct netlink_sock *nlk;

        if (!skb)
                return;
        /* No lock: this may run after the net is gone (the sock is not). */
        nlk = skb->owner;
        atomic_fetch_sub(&nlk->rmem, skb->truesize);
        waitqueue_notify(&nlk->sk.wq, EPOLLOUT | EPOLLWRNORM);
        sock_unref(&nlk->sk);
        free(skb);
}
