/* AF_UNIX messages: their memory (charged to the sender's send buffer),
 * the receive queue, and the files they carry (in flight). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "internal.h"

/* Freed messages whose files still have to be dropped, outside the lock
 * (see internal.h). Per thread: each is drained by the thread that freed
 * it, before it returns from the call. */
static __thread struct unix_skb *drain_list;
static __thread bool draining;

size_t unix_iov_copy(const struct iov_iter *it, size_t skip, void *mem, size_t n, bool to_iov)
{
        unsigned char *p = mem;
        size_t done = 0;

        for (int i = 0; i < it->nr && done < n; i++) {
                size_t len = it->iov[i].iov_len, chunk;

                if (skip >= len) {
                        skip -= len;
                        continue;
                }
                chunk = MIN(len - skip, n - done);
                if (to_iov)
                        memcpy((char *)it->iov[i].iov_base + skip, p + done, chunk);
                else
                        memcpy(p + done, (const char *)it->iov[i].iov_base + skip, chunk);
                done += chunk;
                skip = 0;
        }
        return done;
}

int unix_skb_new(struct unix_sock *sender, const struct iov_iter *it, size_t skip, size_t len,
                 struct sock_scm *scm, const struct sock_cred *cred, struct unix_skb **ret)
{
        struct unix_skb *skb = malloc(sizeof(*skb) + len);

        if (!skb)
                return -ENOMEM;
        memset(skb, 0, sizeof(*skb));
        skb->len = unix_iov_copy(it, skip, skb->data, len, false);
        skb->truesize = len + UNIX_SKB_OVERHEAD;
        skb->cred = *cred;
        if (scm && scm->nfds) {
                skb->fds = TAKE_PTR(scm->fds);
                skb->nfds = scm->nfds;
                scm->nfds = 0;
                skb->truesize += (size_t)skb->nfds * sizeof(void *);
                for (int i = 0; i < skb->nfds; i++) {
                        struct unix_sock *u = unix_sock_of_file(skb->fds[i]);

                        if (u)
                                unix_inflight_add(u);
                }
        }
        if (sender->addr) {
                skb->addr.len = sender->addr->len;
                memcpy(&skb->addr.sun, &sender->addr->sun, sender->addr->len);
        }
        skb->sender = unix_sk(sock_ref(&sender->sk));
        sender->wmem += skb->truesize;
        *ret = skb;
        return 0;
}

void unix_queue_add(struct unix_sock *to, struct unix_skb *skb)
{
        struct unix_queue *q = &to->rq;

        skb->next = NULL;
        if (q->tail)
                q->tail->next = skb;
        else
                q->head = skb;
        q->tail = skb;
        q->len++;
        unix_wake(to, EPOLLIN | EPOLLRDNORM);
}

struct unix_skb *unix_queue_pop(struct unix_queue *q)
{
        struct unix_skb *skb = q->head;

        if (!skb)
                return NULL;
        q->head = skb->next;
        if (!q->head)
                q->tail = NULL;
        if (q->oob == skb)
                q->oob = NULL;
        q->len--;
        skb->next = NULL;
        return skb;
}

void unix_skb_free(struct unix_skb *skb)
{
        struct unix_sock *sender = skb->sender;

        sender->wmem -= skb->truesize;
        unix_wake(sender, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
        sock_unref(&sender->sk);
        for (int i = 0; i < skb->nfds; i++) {
                struct unix_sock *u = unix_sock_of_file(skb->fds[i]);

                if (u)
                        unix_inflight_del(u);
        }
        skb->next = drain_list;
        drain_list = skb;
}

void unix_queue_purge(struct unix_queue *q)
{
        struct unix_skb *skb;

        while ((skb = unix_queue_pop(q)))
                unix_skb_free(skb);
}

int unix_skb_take_fds(struct unix_skb *skb, struct sock_scm *scm, bool peek)
{
        if (!skb->nfds)
                return 0;
        if (!peek) {
                for (int i = 0; i < skb->nfds; i++) {
                        struct unix_sock *u = unix_sock_of_file(skb->fds[i]);

                        if (u)
                                unix_inflight_del(u);
                }
                scm->fds = TAKE_PTR(skb->fds);
                scm->nfds = skb->nfds;
                skb->nfds = 0;
                return 0;
        }
        scm->fds = malloc(sizeof(*scm->fds) * (size_t)skb->nfds);
        if (!scm->fds)
                return -ENOMEM;
        for (int i = 0; i < skb->nfds; i++)
                scm->fds[i] = file_ref(skb->fds[i]);
        scm->nfds = skb->nfds;
        return 0;
}

void unix_skb_drain(void)
{
        if (draining)
                return;
        draining = true;
        while (drain_list) {
                struct unix_skb *skb = drain_list;

                drain_list = skb->next;
                for (int i = 0; i < skb->nfds; i++)
                        file_unref(skb->fds[i]);
                free(skb->fds);
                free(skb);
        }
        draining = false;
}
