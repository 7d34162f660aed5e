/*
 * Futexes: waiters sleep on a key (sentry/mm's mm_futex_key: the address in
 * one address space, or the memory-file offset of shared memory) and are
 * woken by key. One table per sandbox, hashed into buckets.
 *
 * Lock order: a bucket's lock → mm->lock (reading the futex word).
 */
#ifndef CONTERNEL_SENTRY_FUTEX_H
#define CONTERNEL_SENTRY_FUTEX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lib/guest.h"
#include "sentry/mm/mm.h"

struct task;

#define FUTEX_BUCKETS 256

struct futex_waiter;

struct futex_bucket {
        pthread_mutex_t lock;
        struct futex_waiter *head;      /* protected by lock */
};

struct futex_table {
        struct futex_bucket buckets[FUTEX_BUCKETS];
        /* Tasks in a PI lock call (LOCK_PI, TRYLOCK_PI, WAIT_REQUEUE_PI):
         * an exiting task looks for PI futexes it owns only while some
         * are (see futex_exit()). */
        atomic_int pi_lockers;
};

void futex_table_init(struct futex_table *ft);
void futex_table_destroy(struct futex_table *ft);

/* FUTEX_WAIT(_BITSET): sleep while *uaddr == val, until woken by a matching
 * bitset, the deadline (absolute CLOCK_MONOTONIC, NULL for none) or a
 * signal. 0 woken, -EAGAIN value differs, -ETIMEDOUT, -ERESTARTSYS,
 * -EFAULT/-EINVAL from the key or the word. */
int futex_wait(struct task *t, guest_ptr_t uaddr, bool private, uint32_t val, uint32_t bitset,
               const struct timespec *deadline);
/* FUTEX_WAKE(_BITSET): wake up to n waiters (at least one, as Linux);
 * returns how many, -EINVAL on meeting a LOCK_PI or WAIT_REQUEUE_PI
 * waiter. Keys of private ops never match those of shared ones. */
int futex_wake(struct task *t, guest_ptr_t uaddr, bool private, int n, uint32_t bitset);
/* FUTEX_REQUEUE / FUTEX_CMP_REQUEUE (cmp: check *uaddr == val first,
 * -EAGAIN otherwise): wake up to n, move up to n2 more to uaddr2; returns
 * how many were woken or moved; -EINVAL on meeting a PI or WAIT_REQUEUE_PI
 * waiter. */
int futex_requeue(struct task *t, guest_ptr_t uaddr, guest_ptr_t uaddr2, bool private, int n,
                  int n2, bool cmp, uint32_t val);
/* FUTEX_WAKE_OP: apply op to *uaddr2 atomically, wake n on uaddr, and n2 on
 * uaddr2 if the op's comparison of the old value holds (-EINVAL on meeting
 * a PI waiter, as futex_wake). */
int futex_wake_op(struct task *t, guest_ptr_t uaddr, guest_ptr_t uaddr2, bool private, int n,
                  int n2, uint32_t op);

/* FUTEX_LOCK_PI(2) and FUTEX_TRYLOCK_PI (try): take the lock whose word
 * holds its owner's tid, waiting (deadline: absolute CLOCK_MONOTONIC, NULL
 * for none) until an unlock, or the owner's exit, hands it over. A lock
 * held by another gets FUTEX_WAITERS, even for try (Linux). 0 owned,
 * -EDEADLK already ours, -EWOULDBLOCK (try) owned by another, -ESRCH the
 * owner is no task or one past its futex_exit() (the word keeps the tid,
 * with FUTEX_WAITERS set, as Linux's handle_exit_race()), -ETIMEDOUT,
 * -ERESTARTNOINTR (a signal: restarted), -EFAULT. */
int futex_lock_pi(struct task *t, guest_ptr_t uaddr, bool private, bool try,
                  const struct timespec *deadline);
/* FUTEX_UNLOCK_PI: -EPERM unless the caller owns it; the first waiter
 * becomes the owner (the word: its tid | FUTEX_WAITERS, as Linux's
 * wake_futex_pi(), whether or not others wait). */
int futex_unlock_pi(struct task *t, guest_ptr_t uaddr, bool private);

/* FUTEX_WAIT_REQUEUE_PI: wait on uaddr (while *uaddr == val) until
 * FUTEX_CMP_REQUEUE_PI makes the caller the owner of the PI futex uaddr2,
 * directly or after waiting on it. 0 owned, -EINVAL uaddr == uaddr2 (or the
 * same futex), -EAGAIN value differs, -ETIMEDOUT (deadline: absolute
 * CLOCK_MONOTONIC), -ERESTARTNOINTR a signal before the requeue,
 * -EWOULDBLOCK a signal after it, -EFAULT. */
int futex_wait_requeue_pi(struct task *t, guest_ptr_t uaddr, guest_ptr_t uaddr2, bool private,
                          uint32_t val, const struct timespec *deadline);
/* FUTEX_CMP_REQUEUE_PI: if *uaddr == val (else -EAGAIN), take the PI futex
 * uaddr2 for uaddr's first WAIT_REQUEUE_PI waiter and wake it, and requeue
 * up to nr_requeue more (one more if the lock was not free) to wait on
 * uaddr2. Returns how many were woken or requeued; -EINVAL for nr_wake != 1,
 * uaddr == uaddr2, or a waiter that is not a WAIT_REQUEUE_PI one for uaddr2;
 * -EDEADLK/-ESRCH from the PI futex's owner. */
int futex_cmp_requeue_pi(struct task *t, guest_ptr_t uaddr, guest_ptr_t uaddr2, bool private,
                         int nr_wake, int nr_requeue, uint32_t val);

/* A thread's exit, as Linux's exit_mm_release(): the robust list walked
 * (each held lock marked FUTEX_OWNER_DIED and one waiter woken; a PI lock
 * goes to its first LOCK_PI waiter, the word then its tid | FUTEX_WAITERS |
 * FUTEX_OWNER_DIED); then every PI futex whose word still names the task
 * and that has LOCK_PI waiters goes the same way to its first waiter
 * (Linux's exit_pi_state_list() and the waiter's fixup_pi_state_owner()),
 * and from there on LOCK_PI sees the task as gone (-ESRCH); last
 * CLONE_CHILD_CLEARTID's word to 0 and a wake. Called once, by the task's
 * own thread, while t->mm is still there (or already NULL: nothing to
 * walk). */
void futex_exit(struct task *t);
/* An execve, as Linux's exec_mm_release(): futex_exit()'s work for the old
 * program, but the task lives on and owns PI locks again afterwards. */
void futex_exec(struct task *t);

#endif
