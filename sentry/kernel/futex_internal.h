/* What futex.c, futex_robust.c and futex_pi.c share: the waiter, the
 * buckets' helpers, and the PI part of an exit. Lock order: as futex.h
 * says (one bucket, or two through futex_lock2 in address order). */
#ifndef CONTERNEL_SENTRY_FUTEX_INTERNAL_H
#define CONTERNEL_SENTRY_FUTEX_INTERNAL_H

#include "sentry/kernel/futex.h"

struct kernel;
struct task;

struct futex_waiter {
        struct futex_waiter *next;
        struct mm_futex_key key;        /* protected by the bucket lock (a requeue changes it) */
        uint32_t bitset;
        struct task *task;              /* borrowed: the waiter is on its stack */
        /* The bucket it is queued in: a requeue moves it while holding both
         * buckets' locks, so the waiter locks it with lock_waiter_bucket(). */
        struct futex_bucket *bucket;
        bool woken;                     /* protected by the bucket lock */
        bool pi;                        /* FUTEX_LOCK_PI: waits to own the lock */
        /* FUTEX_WAIT_REQUEUE_PI not yet requeued: waits on key for
         * CMP_REQUEUE_PI to move it to the PI futex requeue_key (then it
         * is a pi waiter there). Protected by the bucket lock. */
        bool requeue_pi;
        struct mm_futex_key requeue_key;
        /* The word in task's mm (key's; an exiting PI owner reads a PI
         * waiter's), and requeue_key's: a requeue to it sets uaddr. */
        guest_ptr_t uaddr;              /* protected by the bucket lock */
        guest_ptr_t requeue_uaddr;
};

bool futex_key_eq(const struct mm_futex_key *a, const struct mm_futex_key *b);
struct futex_bucket *futex_bucket_of(struct kernel *k, const struct mm_futex_key *key);
/* Linux's futex_wait_setup(): under w->key's bucket lock, compare the word
 * at uaddr with val (-EAGAIN if it differs), then answer refuse if it is
 * non-zero, else queue w; the task is ready to block from before the
 * compare. */
int futex_queue_if_equal(struct task *t, struct futex_waiter *w, guest_ptr_t uaddr,
                         uint32_t val, int refuse);
/* Queue w at the tail of b (lock held). */
void futex_enqueue_locked(struct futex_bucket *b, struct futex_waiter *w);
/* Lock the bucket w is queued in (a requeue may move it meanwhile). */
struct futex_bucket *futex_lock_waiter_bucket(struct futex_waiter *w);
void futex_unlink_waiter(struct futex_bucket *b, struct futex_waiter *w);
/* Wake up to n (at least one) non-PI waiters of key in b (lock held); how
 * many, or -EINVAL on meeting a PI or WAIT_REQUEUE_PI waiter first. */
int futex_wake_locked(struct futex_bucket *b, const struct mm_futex_key *key, int n,
                      uint32_t bitset);
/* Two buckets locked in address order (they may be the same). */
void futex_lock2(struct futex_bucket *a, struct futex_bucket *b);
void futex_unlock2(struct futex_bucket *a, struct futex_bucket *b);

/* futex_pi.c: a robust PI entry of an exiting task (the lock goes to its
 * first waiter); the PI locks an exiting task still holds. */
void futex_robust_release_pi(struct task *t, guest_ptr_t uaddr);
void futex_exit_pi_owner(struct task *t);

#endif
