/*
 * The garbage collector for sockets in flight (Linux's unix_gc(), the
 * classic mark-and-sweep form). A unix socket whose file sits in a message
 * (SCM_RIGHTS) is "in flight"; when every reference to its file is such a
 * message, only the queues holding it can keep it alive. Sockets that hold
 * each other that way, with no way in from outside, are a cycle nobody can
 * reach: their queues are purged, which drops the files, which releases the
 * sockets.
 *
 * Runs under un->lock when a unix socket is released while any are in
 * flight. Nothing can take a new reference to a candidate meanwhile: it is
 * in no fd table, and receiving it needs the lock. Temporary references
 * (a call in progress, a file about to be dropped) only make a socket look
 * reachable: the next run gets it.
 */
#include "internal.h"

void unix_inflight_add(struct unix_sock *u)
{
        if (u->inflight++ == 0)
                ulist_add(&u->un->inflight, &u->inflight_link);
        u->un->tot_inflight++;
}

void unix_inflight_del(struct unix_sock *u)
{
        if (--u->inflight == 0)
                ulist_del(&u->inflight_link);
        u->un->tot_inflight--;
}

/* Call fn on every unix socket whose file a message queued at u carries,
 * connections not yet accepted included (Linux's scan_children). */
static void scan_queue(struct unix_queue *q, void (*fn)(struct unix_sock *, void *), void *arg)
{
        for (struct unix_skb *skb = q->head; skb; skb = skb->next) {
                for (int i = 0; i < skb->nfds; i++) {
                        struct unix_sock *v = unix_sock_of_file(skb->fds[i]);

                        if (v && v->gc_candidate)
                                fn(v, arg);
                }
        }
}

static void scan(struct unix_sock *u, void (*fn)(struct unix_sock *, void *), void *arg)
{
        scan_queue(&u->rq, fn, arg);
        for (struct ulist *l = u->acceptq.next; l != &u->acceptq; l = l->next)
                scan_queue(&container_of(l, struct unix_sock, accept_link)->rq, fn, arg);
}

static void dec_refs(struct unix_sock *v, void *arg)
{
        (void)arg;
        v->gc_refs--;
}

static void mark_reachable(struct unix_sock *v, void *arg)
{
        struct unix_sock **stack = arg;

        if (v->gc_reachable)
                return;
        v->gc_reachable = true;
        v->gc_next = *stack;
        *stack = v;
}

void unix_gc_locked(struct unix_net *un)
{
        struct unix_sock *stack = NULL;
        struct ulist *l;

        /* Candidates: every reference to the file is a message in flight. */
        for (l = un->inflight.next; l != &un->inflight; l = l->next) {
                struct unix_sock *u = container_of(l, struct unix_sock, inflight_link);
                long refs = u->sk.file ? atomic_load(&u->sk.file->refcount) : -1;

                u->gc_candidate = refs == (long)u->inflight;
                u->gc_refs = u->inflight;
                u->gc_reachable = false;
        }
        /* Take away the references candidates hold on each other... */
        for (l = un->inflight.next; l != &un->inflight; l = l->next) {
                struct unix_sock *u = container_of(l, struct unix_sock, inflight_link);

                if (u->gc_candidate)
                        scan(u, dec_refs, NULL);
        }
        /* ...what is left comes from outside: those are reachable, and so
         * is everything they hold. */
        for (l = un->inflight.next; l != &un->inflight; l = l->next) {
                struct unix_sock *u = container_of(l, struct unix_sock, inflight_link);

                if (u->gc_candidate && u->gc_refs > 0)
                        mark_reachable(u, &stack);
        }
        while (stack) {
                struct unix_sock *u = stack;

                stack = u->gc_next;
                scan(u, mark_reachable, &stack);
        }
        /* The rest is garbage. Collect it first: emptying queues takes
         * sockets off the in-flight list. */
        for (l = un->inflight.next; l != &un->inflight; l = l->next) {
                struct unix_sock *u = container_of(l, struct unix_sock, inflight_link);

                if (u->gc_candidate && !u->gc_reachable) {
                        u->gc_next = stack;
                        stack = u;
                }
        }
        for (l = un->inflight.next; l != &un->inflight; l = l->next)
                container_of(l, struct unix_sock, inflight_link)->gc_candidate = false;
        /* Empty its queues: the files go when the lock is dropped, and with
         * them the sockets (alive until then: their files are). */
        while (stack) {
                struct unix_sock *u = stack;

                stack = u->gc_next;
                unix_queue_purge(&u->rq);
                for (l = u->acceptq.next; l != &u->acceptq; l = l->next)
                        unix_queue_purge(&container_of(l, struct unix_sock, accept_link)->rq);
        }
}
