/*
 * PI futexes: kernel-assisted lock ownership (FUTEX_LOCK_PI and friends),
 * and the requeues to them. The word holds the owner's tid, FUTEX_WAITERS
 * while someone waits in the kernel and FUTEX_OWNER_DIED once an owner died
 * holding it. The sentry hands the lock
 * to the first waiter at unlock, and at the owner's exit, as Linux does.
 * Linux's pi_state (owner and waiters) is implicit: the waiters are the
 * PI waiters queued on the key, the owner is the tid in the word. There is
 * no priority to inherit: the host schedules the sandbox's threads as it
 * likes. */
#include "futex.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/futex_internal.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

/* Compare-and-exchange the guest word at uaddr; *cur is the value seen. */
static int futex_cmpxchg(struct mm *mm, guest_ptr_t uaddr, uint32_t old, uint32_t new,
                         uint32_t *cur)
{
        struct iovec iov;
        size_t covered = 0;
        int r;

        mm_lock_read(mm);
        r = mm_translate(mm, uaddr, sizeof(uint32_t), PLATFORM_ACCESS_READ | PLATFORM_ACCESS_WRITE,
                         &iov, 1, &covered);
        if (r >= 0 && covered < sizeof(uint32_t))
                r = -EFAULT;
        if (r >= 0) {
                *cur = old;
                __atomic_compare_exchange_n((uint32_t *)iov.iov_base, cur, new, false,
                                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
                r = 0;
        }
        mm_unlock_read(mm);
        return r;
}

/* Whether a PI waiter other than skip waits on key in b (lock held). */
static struct futex_waiter *pi_waiter_locked(struct futex_bucket *b, const struct mm_futex_key *key,
                                             const struct futex_waiter *skip)
{
        for (struct futex_waiter *w = b->head; w; w = w->next)
                if (w != skip && w->pi && futex_key_eq(&w->key, key))
                        return w;
        return NULL;
}

/* Make w, a PI waiter queued in b (lock held), the owner of the lock whose
 * word, at uaddr in mm, was seen as old: the word becomes w's tid |
 * FUTEX_WAITERS | bits (Linux keeps WAITERS while a pi_state is around),
 * w is unqueued and woken. 0 done, 1 the word was not old any more (*seen
 * says what it is), -EFAULT. */
static int pi_hand_over_locked(struct futex_bucket *b, struct futex_waiter *w, struct mm *mm,
                               guest_ptr_t uaddr, uint32_t old, uint32_t bits, uint32_t *seen)
{
        int r;

        r = futex_cmpxchg(mm, uaddr, old, (uint32_t)w->task->tid | FUTEX_WAITERS | bits, seen);
        if (r < 0)
                return r;
        if (*seen != old)
                return 1;
        futex_unlink_waiter(b, w);
        w->woken = true;
        task_wake(w->task);
        return 0;
}

/* The owner lets go of a PI lock whose word it saw as word: to w (queued in
 * b, lock held) with extra bits, as pi_hand_over_locked(); with no waiter,
 * the word becomes free_word. 0 done, 1 the word was not word any more
 * (*seen says what it is), -EFAULT. */
static int pi_let_go_locked(struct futex_bucket *b, struct futex_waiter *w, struct mm *mm,
                            guest_ptr_t uaddr, uint32_t word, uint32_t extra,
                            uint32_t free_word, uint32_t *seen)
{
        int r;

        if (w)
                return pi_hand_over_locked(b, w, mm, uaddr, word, extra, seen);
        r = futex_cmpxchg(mm, uaddr, word, free_word, seen);
        return r == 0 && *seen != word ? 1 : r;
}

/* Whether tid names a task that has not passed futex_exit() yet: one that
 * has is a dead owner, even while its tid still finds it (Linux's
 * attach_to_pi_owner() and handle_exit_race()). Called with the bucket
 * lock held: see futex_exit_pi_owner(). */
static bool pi_owner_alive(struct kernel *k, uint32_t tid)
{
        struct task *o = kernel_find_task(k, (int)tid);
        bool alive = o && !atomic_load(&o->futex_dead);

        task_unref(o);
        return alive;
}

#define PI_TRIES 1000   /* compare-and-exchange rounds against a guest that keeps writing */

/* A PI lock on t's robust list whose word names t: its first LOCK_PI
 * waiter, under a shared or a private key, gets it with FUTEX_OWNER_DIED;
 * with none the word keeps only FUTEX_WAITERS and gets FUTEX_OWNER_DIED,
 * for the next locker to take (Linux's handle_futex_death() marks it and
 * exit_pi_state_list() hands it on). Both buckets stay locked, so a locker
 * comes either before (a waiter here) or after (the lock free). */
void futex_robust_release_pi(struct task *t, guest_ptr_t uaddr)
{
        struct mm_futex_key ks, kp;
        struct futex_bucket *bs, *bp;
        uint32_t word, seen;
        int r;

        if (mm_futex_key(t->mm, uaddr, false, &ks) < 0 || mm_futex_key(t->mm, uaddr, true, &kp) < 0)
                return;
        bs = futex_bucket_of(t->kernel, &ks);
        bp = futex_bucket_of(t->kernel, &kp);
        futex_lock2(bs, bp);
        r = mm_copy_in(t->mm, &word, uaddr, sizeof(word));
        for (int tries = 0; r == 0 && tries < PI_TRIES; tries++) {
                struct futex_waiter *w = pi_waiter_locked(bs, &ks, NULL);
                struct futex_bucket *b = bs;

                if ((word & FUTEX_TID_MASK) != (uint32_t)t->tid)
                        break;
                if (!w) {
                        b = bp;
                        w = pi_waiter_locked(bp, &kp, NULL);
                }
                r = pi_let_go_locked(b, w, t->mm, uaddr, word, FUTEX_OWNER_DIED,
                                     (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED, &seen);
                if (r != 1)
                        break;
                word = seen;
                r = 0;
        }
        futex_unlock2(bs, bp);
}

/* The PI locks an exiting t still owns (their word names it) that have
 * waiters: each goes to its first waiter with FUTEX_OWNER_DIED, as in
 * futex_robust_release_pi(). Linux finds them on the owner's pi_state_list; here
 * the queued PI waiters are looked through, bucket by bucket, and only
 * while some task is in a PI lock call at all. t is marked dead first, so
 * a locker that counts itself in after the count was read finds the mark
 * when it looks at its owner (all sequentially consistent), and one that
 * found no mark queued itself under a bucket lock this look takes after. */
void futex_exit_pi_owner(struct task *t)
{
        struct futex_table *ft = &t->kernel->futexes;

        atomic_store(&t->futex_dead, true);
        if (atomic_load(&ft->pi_lockers) == 0)
                return;
        for (int i = 0; i < FUTEX_BUCKETS; i++) {
                struct futex_bucket *b = &ft->buckets[i];
                struct futex_waiter *w, *next;

                pthread_mutex_lock(&b->lock);
                for (w = b->head; w; w = next) {
                        uint32_t word, seen;
                        int r;

                        next = w->next;
                        if (!w->pi)
                                continue;
                        /* The waiter's own view of the word: its owner
                         * may be another process sharing the memory. */
                        r = mm_copy_in(w->task->mm, &word, w->uaddr, sizeof(word));
                        for (int tries = 0; r == 0 && tries < PI_TRIES; tries++) {
                                if ((word & FUTEX_TID_MASK) != (uint32_t)t->tid)
                                        break;
                                r = pi_hand_over_locked(b, w, w->task->mm, w->uaddr, word,
                                                        FUTEX_OWNER_DIED, &seen);
                                if (r != 1)
                                        break;
                                word = seen;
                                r = 0;
                        }
                }
                pthread_mutex_unlock(&b->lock);
        }
}

/* One attempt to take the lock for task o (the caller t itself, or the
 * waiter a CMP_REQUEUE_PI acquires for), bucket lock held: 0 taken, 1
 * owned by another (FUTEX_WAITERS now set), -ESRCH owned by a dead task
 * (FUTEX_WAITERS set all the same, as Linux's futex_lock_pi_atomic() sets
 * it before it looks for the owner), or -errno. A lock taken gets
 * FUTEX_WAITERS when other PI waiters remain or force_waiters. */
static int pi_try_locked(struct task *t, struct task *o, struct futex_bucket *b, guest_ptr_t uaddr,
                         const struct mm_futex_key *key, const struct futex_waiter *self,
                         bool force_waiters)
{
        uint32_t word, new, seen;
        int r;

        r = mm_copy_in(t->mm, &word, uaddr, sizeof(word));
        for (int tries = 0; r == 0; tries++) {
                uint32_t owner = word & FUTEX_TID_MASK;

                if (tries > PI_TRIES)
                        return -EAGAIN;         /* the guest keeps changing it */
                if (owner == (uint32_t)o->tid)
                        return -EDEADLK;
                if (!owner) {
                        /* Free (maybe with OWNER_DIED, which the new owner
                         * sees): ours, with WAITERS if others still wait. */
                        new = (uint32_t)o->tid | (word & FUTEX_OWNER_DIED) |
                              (force_waiters || pi_waiter_locked(b, key, self) ? FUTEX_WAITERS : 0);
                } else {
                        new = word | FUTEX_WAITERS;
                }
                r = futex_cmpxchg(t->mm, uaddr, word, new, &seen);
                if (r < 0)
                        return r;
                if (seen != word) {
                        word = seen;
                        continue;
                }
                if (!owner)
                        return 0;
                /* A dead owner's word stays as it is: ESRCH (it died
                 * before any waiter came, without a robust entry). */
                return pi_owner_alive(t->kernel, owner) ? 1 : -ESRCH;
        }
        return r;
}

/* Wait, as the PI waiter w (key set, not queued), to own the lock at
 * uaddr: 0 owned, -EDEADLK, -EWOULDBLOCK (try), -ESRCH, -ETIMEDOUT, -EINTR
 * (a signal; the caller says what the guest sees), -EFAULT. w may come
 * queued already (queued: a requeued FUTEX_WAIT_REQUEUE_PI waiter). */
static int pi_lock_wait(struct task *t, struct futex_waiter *w, guest_ptr_t uaddr, bool try,
                        bool queued, const struct timespec *deadline)
{
        struct futex_bucket *b = futex_bucket_of(t->kernel, &w->key);
        int r;

        for (;;) {
                if (!queued) {
                        task_prepare_block(t);
                        pthread_mutex_lock(&b->lock);
                        r = pi_try_locked(t, t, b, uaddr, &w->key, NULL, false);
                        if (r <= 0 || try) {
                                pthread_mutex_unlock(&b->lock);
                                return r == 1 ? -EWOULDBLOCK : r;
                        }
                        w->woken = false;
                        futex_enqueue_locked(b, w);
                        pthread_mutex_unlock(&b->lock);
                }
                queued = false;
                r = task_block(t, deadline);
                b = futex_lock_waiter_bucket(w);
                if (!w->woken && r == 0) {
                        /* Woken for something else (a child's exit wakes
                         * every thread): sleep on, still queued, so that a
                         * handover, the owner's exit's too, finds us. */
                        pthread_mutex_unlock(&b->lock);
                        task_prepare_block(t);
                        b = futex_lock_waiter_bucket(w);
                        if (!w->woken) {
                                pthread_mutex_unlock(&b->lock);
                                queued = true;
                                continue;
                        }
                }
                if (!w->woken)
                        futex_unlink_waiter(b, w);
                pthread_mutex_unlock(&b->lock);
                if (w->woken) {
                        uint32_t word;

                        /* Handed over (an unlock, the owner's exit): ours.
                         * Else the guest wrote the word since: again. */
                        r = mm_copy_in(t->mm, &word, uaddr, sizeof(word));
                        if (r < 0)
                                return r;
                        if ((word & FUTEX_TID_MASK) == (uint32_t)t->tid)
                                return 0;
                        continue;
                }
                if (r == -ETIMEDOUT || r == -EINTR)
                        return r;
        }
}

int futex_lock_pi(struct task *t, guest_ptr_t uaddr, bool private, bool try,
                  const struct timespec *deadline)
{
        struct futex_waiter w = { .bitset = FUTEX_BITSET_MATCH_ANY, .task = t, .pi = true,
                                  .uaddr = uaddr };
        atomic_int *lockers = &t->kernel->futexes.pi_lockers;
        int r;

        r = mm_futex_key(t->mm, uaddr, private, &w.key);
        if (r < 0)
                return r;
        /* Counted in before looking at the owner: see futex_exit_pi_owner(). */
        atomic_fetch_add(lockers, 1);
        r = pi_lock_wait(t, &w, uaddr, try, false, deadline);
        atomic_fetch_sub(lockers, 1);
        return r == -EINTR ? -ERESTARTNOINTR : r;  /* Linux restarts a PI lock */
}

int futex_unlock_pi(struct task *t, guest_ptr_t uaddr, bool private)
{
        struct mm_futex_key key;
        struct futex_bucket *b;
        struct futex_waiter *next;
        uint32_t word, seen;
        int r;

        r = mm_futex_key(t->mm, uaddr, private, &key);
        if (r < 0)
                return r;
        b = futex_bucket_of(t->kernel, &key);
        pthread_mutex_lock(&b->lock);
        r = mm_copy_in(t->mm, &word, uaddr, sizeof(word));
        for (int tries = 0; r == 0; tries++) {
                if (tries > PI_TRIES) {
                        r = -EAGAIN;            /* the guest keeps changing it */
                        break;
                }
                if ((word & FUTEX_TID_MASK) != (uint32_t)t->tid) {
                        r = -EPERM;
                        break;
                }
                /* The first waiter becomes the owner (OWNER_DIED cleared);
                 * with nobody waiting the lock is free. */
                next = pi_waiter_locked(b, &key, NULL);
                r = pi_let_go_locked(b, next, t->mm, uaddr, word, 0, 0, &seen);
                if (r != 1)
                        break;
                word = seen;
                r = 0;
        }
        pthread_mutex_unlock(&b->lock);
        return r;
}

/* ---- Requeue to a PI futex ------------------------------------------------
 * FUTEX_WAIT_REQUEUE_PI waits on a plain futex (a condition variable's)
 * until FUTEX_CMP_REQUEUE_PI either takes the PI futex (a mutex) for it and
 * wakes it, or moves it to wait on the PI futex as a LOCK_PI waiter would:
 * either way the waiter returns owning the PI futex (Linux's
 * kernel/futex/requeue.c). */

static int wait_requeue_pi(struct task *t, guest_ptr_t uaddr, guest_ptr_t uaddr2, bool private,
                           uint32_t val, const struct timespec *deadline)
{
        struct futex_waiter w = { .bitset = FUTEX_BITSET_MATCH_ANY, .task = t, .requeue_pi = true,
                                  .uaddr = uaddr, .requeue_uaddr = uaddr2 };
        struct futex_bucket *b;
        uint32_t word;
        bool requeued;
        int r;

        if (uaddr == uaddr2)
                return -EINVAL;
        /* The PI side's key is computed as LOCK_PI computes it. */
        r = mm_futex_key(t->mm, uaddr2, private, &w.requeue_key);
        if (r == 0)
                r = mm_futex_key(t->mm, uaddr, private, &w.key);
        if (r < 0)
                return r;
        /* Distinct addresses may still be one futex (shared memory). */
        r = futex_queue_if_equal(t, &w, uaddr, val,
                                 futex_key_eq(&w.key, &w.requeue_key) ? -EINVAL : 0);
        if (r < 0)
                return r;

        for (;;) {
                r = task_block(t, deadline);
                b = futex_lock_waiter_bucket(&w);
                requeued = !w.requeue_pi;
                if (w.woken || requeued || r < 0)
                        break;
                /* Spurious: sleep again. */
                pthread_mutex_unlock(&b->lock);
                task_prepare_block(t);
                b = futex_lock_waiter_bucket(&w);
                if (w.woken || !w.requeue_pi) {
                        r = 0;
                        requeued = !w.requeue_pi;
                        break;
                }
                pthread_mutex_unlock(&b->lock);
        }
        if (w.woken) {
                /* The requeue took the lock for us (or, requeued, an
                 * unlock handed it over, or a robust release woke us). */
                pthread_mutex_unlock(&b->lock);
                r = mm_copy_in(t->mm, &word, uaddr2, sizeof(word));
                if (r < 0)
                        return r;
                if ((word & FUTEX_TID_MASK) == (uint32_t)t->tid)
                        return 0;
                w.key = w.requeue_key;
                w.uaddr = uaddr2;
                w.pi = true;
                r = pi_lock_wait(t, &w, uaddr2, false, false, deadline);
                return r == -EINTR ? -EWOULDBLOCK : r;
        }
        if (r < 0) {
                futex_unlink_waiter(b, &w);
                pthread_mutex_unlock(&b->lock);
                if (r == -ETIMEDOUT)
                        return r;
                /* A signal before the requeue restarts the call (the value
                 * check decides again); after it Linux does not restart,
                 * which would see the value changed: EWOULDBLOCK at once. */
                return requeued ? -EWOULDBLOCK : -ERESTARTNOINTR;
        }
        /* Requeued: now a PI waiter on uaddr2, still queued; a handover
         * from here on wakes the block below. */
        task_prepare_block(t);
        pthread_mutex_unlock(&b->lock);
        r = pi_lock_wait(t, &w, uaddr2, false, true, deadline);
        return r == -EINTR ? -EWOULDBLOCK : r;
}

int futex_wait_requeue_pi(struct task *t, guest_ptr_t uaddr, guest_ptr_t uaddr2, bool private,
                          uint32_t val, const struct timespec *deadline)
{
        atomic_int *lockers = &t->kernel->futexes.pi_lockers;
        int r;

        /* Counted in for as long as it may become a PI waiter: see
         * futex_exit_pi_owner(). */
        atomic_fetch_add(lockers, 1);
        r = wait_requeue_pi(t, uaddr, uaddr2, private, val, deadline);
        atomic_fetch_sub(lockers, 1);
        return r;
}

int futex_cmp_requeue_pi(struct task *t, guest_ptr_t uaddr, guest_ptr_t uaddr2, bool private,
                         int nr_wake, int nr_requeue, uint32_t val)
{
        struct mm_futex_key k1, k2;
        struct futex_bucket *b1, *b2;
        struct futex_waiter **pp, *top = NULL;
        int r, count = 0;
        uint32_t cur;

        if (nr_wake < 0 || nr_requeue < 0)
                return -EINVAL;
        /* Only one waiter may be woken, owning the lock (Linux). */
        if (uaddr == uaddr2 || nr_wake != 1)
                return -EINVAL;
        r = mm_futex_key(t->mm, uaddr, private, &k1);
        if (r == 0)
                r = mm_futex_key(t->mm, uaddr2, private, &k2);
        if (r < 0)
                return r;
        if (futex_key_eq(&k1, &k2))
                return -EINVAL;
        b1 = futex_bucket_of(t->kernel, &k1);
        b2 = futex_bucket_of(t->kernel, &k2);
        futex_lock2(b1, b2);
        r = mm_copy_in(t->mm, &cur, uaddr, sizeof(cur));
        if (r == 0 && cur != val)
                r = -EAGAIN;
        if (r < 0)
                goto out;

        /* The first waiter gets the PI futex if it is free; otherwise the
         * word gets FUTEX_WAITERS and the waiter is requeued below. */
        for (top = b1->head; top && !futex_key_eq(&top->key, &k1); top = top->next)
                ;
        if (top) {
                if (!top->requeue_pi || !futex_key_eq(&top->requeue_key, &k2)) {
                        r = -EINVAL;
                        goto out;
                }
                r = pi_try_locked(t, top->task, b2, uaddr2, &k2, NULL, nr_requeue != 0);
                if (r < 0)
                        goto out;
                if (r == 0) {
                        futex_unlink_waiter(b1, top);
                        top->requeue_pi = false;
                        top->woken = true;
                        task_wake(top->task);
                        count = 1;
                }
                r = 0;
        }

        /* Then up to nr_requeue waiters (one more if the first did not get
         * the lock) wait on the PI futex. */
        pp = &b1->head;
        while (*pp && count - nr_wake < nr_requeue) {
                struct futex_waiter *w = *pp;

                if (!futex_key_eq(&w->key, &k1)) {
                        pp = &w->next;
                        continue;
                }
                if (!w->requeue_pi || !futex_key_eq(&w->requeue_key, &k2)) {
                        r = -EINVAL;
                        break;
                }
                *pp = w->next;
                w->requeue_pi = false;
                w->pi = true;
                w->key = k2;
                w->uaddr = w->requeue_uaddr;
                futex_enqueue_locked(b2, w);
                count++;
        }
out:
        futex_unlock2(b1, b2);
        return r < 0 ? r : count;
}
