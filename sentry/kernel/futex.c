/* The futex table: buckets of waiters keyed by mm_futex_key; wait, wake,
 * requeue and wake_op. Robust lists: futex_robust.c; PI futexes and the
 * requeues to them: futex_pi.c. */
#include "futex.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/futex_internal.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

void futex_table_init(struct futex_table *ft)
{
        for (int i = 0; i < FUTEX_BUCKETS; i++) {
                pthread_mutex_init(&ft->buckets[i].lock, NULL);
                ft->buckets[i].head = NULL;
        }
        atomic_init(&ft->pi_lockers, 0);
}

void futex_table_destroy(struct futex_table *ft)
{
        for (int i = 0; i < FUTEX_BUCKETS; i++)
                pthread_mutex_destroy(&ft->buckets[i].lock);
}

bool futex_key_eq(const struct mm_futex_key *a, const struct mm_futex_key *b)
{
        if (a->shared != b->shared)
                return false;
        if (a->shared)
                return a->off == b->off;
        return a->mm == b->mm && a->addr == b->addr && a->mmshared == b->mmshared;
}

struct futex_bucket *futex_bucket_of(struct kernel *k, const struct mm_futex_key *key)
{
        uint64_t h = key->shared ? key->off : (uint64_t)(uintptr_t)key->mm ^ key->addr;

        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return &k->futexes.buckets[h % FUTEX_BUCKETS];
}

/* Queue w at the tail of b (lock held): waiters are woken in arrival order,
 * as Linux's plist does for equal priorities. */
void futex_enqueue_locked(struct futex_bucket *b, struct futex_waiter *w)
{
        struct futex_waiter **pp = &b->head;

        while (*pp)
                pp = &(*pp)->next;
        w->next = NULL;
        *pp = w;
        __atomic_store_n(&w->bucket, b, __ATOMIC_RELEASE);
}

/* Lock the bucket w is queued in, which a concurrent requeue may change
 * (like Linux's futex_q_lock on q->lock_ptr). */
struct futex_bucket *futex_lock_waiter_bucket(struct futex_waiter *w)
{
        for (;;) {
                struct futex_bucket *b = __atomic_load_n(&w->bucket, __ATOMIC_ACQUIRE);

                pthread_mutex_lock(&b->lock);
                if (__atomic_load_n(&w->bucket, __ATOMIC_RELAXED) == b)
                        return b;
                pthread_mutex_unlock(&b->lock);
        }
}

void futex_unlink_waiter(struct futex_bucket *b, struct futex_waiter *w)
{
        for (struct futex_waiter **pp = &b->head; *pp; pp = &(*pp)->next) {
                if (*pp == w) {
                        *pp = w->next;
                        return;
                }
        }
}

int futex_queue_if_equal(struct task *t, struct futex_waiter *w, guest_ptr_t uaddr,
                         uint32_t val, int refuse)
{
        struct futex_bucket *b = futex_bucket_of(t->kernel, &w->key);
        uint32_t cur;
        int r;

        task_prepare_block(t);
        pthread_mutex_lock(&b->lock);
        /* The compare happens under the bucket lock, which every waker takes:
         * a wake after the guest changed the word cannot be missed. */
        r = mm_copy_in(t->mm, &cur, uaddr, sizeof(cur));
        if (r == 0 && cur != val)
                r = -EAGAIN;
        if (r == 0)
                r = refuse;
        if (r == 0)
                futex_enqueue_locked(b, w);
        pthread_mutex_unlock(&b->lock);
        return r;
}

int futex_wait(struct task *t, guest_ptr_t uaddr, bool private, uint32_t val, uint32_t bitset,
               const struct timespec *deadline)
{
        struct futex_waiter w = { .bitset = bitset, .task = t, .uaddr = uaddr };
        struct futex_bucket *b;
        int r;

        if (!bitset)
                return -EINVAL;
        r = mm_futex_key(t->mm, uaddr, private, &w.key);
        if (r < 0)
                return r;
        r = futex_queue_if_equal(t, &w, uaddr, val, 0);
        if (r < 0)
                return r;

        for (;;) {
                r = task_block(t, deadline);
                b = futex_lock_waiter_bucket(&w);
                if (w.woken) {
                        pthread_mutex_unlock(&b->lock);
                        return 0;
                }
                if (r < 0) {
                        futex_unlink_waiter(b, &w);
                        pthread_mutex_unlock(&b->lock);
                        return r == -EINTR ? -ERESTARTSYS : r;
                }
                pthread_mutex_unlock(&b->lock);
                task_prepare_block(t);
                b = futex_lock_waiter_bucket(&w);
                if (w.woken) {
                        pthread_mutex_unlock(&b->lock);
                        return 0;
                }
                pthread_mutex_unlock(&b->lock);
        }
}

/* Wake up to n waiters of key in b (lock held), at least one whatever n
 * says (Linux counts after waking); returns how many, or -EINVAL on meeting
 * a FUTEX_LOCK_PI or FUTEX_WAIT_REQUEUE_PI waiter first, which only the PI
 * operations may wake or move (Linux's futex_wake(): a waiter with
 * pi_state or rt_waiter). Those met before stay woken. */
int futex_wake_locked(struct futex_bucket *b, const struct mm_futex_key *key, int n,
                       uint32_t bitset)
{
        struct futex_waiter **pp = &b->head;
        int woken = 0;

        while (*pp) {
                struct futex_waiter *w = *pp;

                if (!futex_key_eq(&w->key, key)) {
                        pp = &w->next;
                        continue;
                }
                if (w->requeue_pi || w->pi)
                        return -EINVAL;
                if (!(w->bitset & bitset)) {
                        pp = &w->next;
                        continue;
                }
                *pp = w->next;
                w->woken = true;
                task_wake(w->task);
                if (++woken >= n)
                        break;
        }
        return woken;
}

int futex_wake(struct task *t, guest_ptr_t uaddr, bool private, int n, uint32_t bitset)
{
        struct mm_futex_key key;
        struct futex_bucket *b;
        int r;

        if (!bitset)
                return -EINVAL;
        r = mm_futex_key(t->mm, uaddr, private, &key);
        if (r < 0)
                return r;
        b = futex_bucket_of(t->kernel, &key);
        pthread_mutex_lock(&b->lock);
        r = futex_wake_locked(b, &key, n, bitset);
        pthread_mutex_unlock(&b->lock);
        return r;
}

/* Lock two buckets in address order (they may be the same). */
void futex_lock2(struct futex_bucket *a, struct futex_bucket *b)
{
        if (a == b) {
                pthread_mutex_lock(&a->lock);
        } else if (a < b) {
                pthread_mutex_lock(&a->lock);
                pthread_mutex_lock(&b->lock);
        } else {
                pthread_mutex_lock(&b->lock);
                pthread_mutex_lock(&a->lock);
        }
}

void futex_unlock2(struct futex_bucket *a, struct futex_bucket *b)
{
        pthread_mutex_unlock(&a->lock);
        if (a != b)
                pthread_mutex_unlock(&b->lock);
}

int futex_requeue(struct task *t, guest_ptr_t uaddr, guest_ptr_t uaddr2, bool private, int n,
                  int n2, bool cmp, uint32_t val)
{
        struct mm_futex_key k1, k2;
        struct futex_bucket *b1, *b2;
        struct futex_waiter **pp;
        int r, count = 0;
        uint32_t cur;

        if (n < 0 || n2 < 0)
                return -EINVAL;
        r = mm_futex_key(t->mm, uaddr, private, &k1);
        if (r == 0)
                r = mm_futex_key(t->mm, uaddr2, private, &k2);
        if (r < 0)
                return r;
        b1 = futex_bucket_of(t->kernel, &k1);
        b2 = futex_bucket_of(t->kernel, &k2);
        futex_lock2(b1, b2);
        if (cmp) {
                r = mm_copy_in(t->mm, &cur, uaddr, sizeof(cur));
                if (r == 0 && cur != val)
                        r = -EAGAIN;
                if (r < 0) {
                        futex_unlock2(b1, b2);
                        return r;
                }
        }
        /* In queue order, the first n are woken and the next n2 moved, as
         * Linux's futex_requeue() walks its chain. */
        pp = &b1->head;
        while (*pp && count - n < n2) {
                struct futex_waiter *w = *pp;

                if (!futex_key_eq(&w->key, &k1)) {
                        pp = &w->next;
                        continue;
                }
                /* PI waiters and WAIT_REQUEUE_PI ones go with the PI
                 * operations only (Linux: EINVAL; what was done stays). */
                if (w->pi || w->requeue_pi) {
                        r = -EINVAL;
                        break;
                }
                *pp = w->next;
                if (++count <= n) {
                        w->woken = true;
                        task_wake(w->task);
                } else {
                        w->key = k2;
                        futex_enqueue_locked(b2, w);
                }
        }
        futex_unlock2(b1, b2);
        /* REQUEUE and CMP_REQUEUE both count the woken and the requeued. */
        return r < 0 ? r : count;
}

/* The operation and comparison encoded in FUTEX_WAKE_OP's argument. */
static int wake_op_apply(uint32_t op, uint32_t old, uint32_t *ret_new, bool *ret_cond)
{
        unsigned opcode = (op >> 28) & 7, cmp = (op >> 24) & 15;
        uint32_t oparg = (op >> 12) & 0xfff, cmparg = op & 0xfff;

        if (op & ((uint32_t)FUTEX_OP_OPARG_SHIFT << 28)) {
                if (oparg > 31)
                        return -EINVAL;
                oparg = 1u << oparg;
        }
        /* oparg and cmparg are sign-extended 12-bit values. */
        if (!(op & ((uint32_t)FUTEX_OP_OPARG_SHIFT << 28)) && (oparg & 0x800))
                oparg |= 0xfffff000u;
        if (cmparg & 0x800)
                cmparg |= 0xfffff000u;
        switch (opcode) {
        case FUTEX_OP_SET: *ret_new = oparg; break;
        case FUTEX_OP_ADD: *ret_new = old + oparg; break;
        case FUTEX_OP_OR: *ret_new = old | oparg; break;
        case FUTEX_OP_ANDN: *ret_new = old & ~oparg; break;
        case FUTEX_OP_XOR: *ret_new = old ^ oparg; break;
        default: return -ENOSYS;
        }
        switch (cmp) {
        case FUTEX_OP_CMP_EQ: *ret_cond = (int32_t)old == (int32_t)cmparg; break;
        case FUTEX_OP_CMP_NE: *ret_cond = (int32_t)old != (int32_t)cmparg; break;
        case FUTEX_OP_CMP_LT: *ret_cond = (int32_t)old < (int32_t)cmparg; break;
        case FUTEX_OP_CMP_LE: *ret_cond = (int32_t)old <= (int32_t)cmparg; break;
        case FUTEX_OP_CMP_GT: *ret_cond = (int32_t)old > (int32_t)cmparg; break;
        case FUTEX_OP_CMP_GE: *ret_cond = (int32_t)old >= (int32_t)cmparg; break;
        default: return -ENOSYS;
        }
        return 0;
}

/* Atomically replace the word at uaddr through the memory file, returning
 * the old value (as the CPU would do it for the guest). */
static int futex_atomic_op(struct task *t, guest_ptr_t uaddr, uint32_t op, uint32_t *ret_old,
                           bool *ret_cond)
{
        struct iovec iov;
        size_t covered = 0;
        uint32_t old, new;
        int r;

        mm_lock_read(t->mm);
        r = mm_translate(t->mm, uaddr, sizeof(uint32_t), PLATFORM_ACCESS_READ | PLATFORM_ACCESS_WRITE,
                         &iov, 1, &covered);
        if (r >= 0 && covered < sizeof(uint32_t))
                r = -EFAULT;
        if (r >= 0) {
                uint32_t *word = iov.iov_base;

                old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
                do {
                        r = wake_op_apply(op, old, &new, ret_cond);
                        if (r < 0)
                                break;
                } while (!__atomic_compare_exchange_n(word, &old, new, false, __ATOMIC_SEQ_CST,
                                                      __ATOMIC_SEQ_CST));
                *ret_old = old;
        }
        mm_unlock_read(t->mm);
        return r < 0 ? r : 0;
}

int futex_wake_op(struct task *t, guest_ptr_t uaddr, guest_ptr_t uaddr2, bool private, int n,
                  int n2, uint32_t op)
{
        struct mm_futex_key k1, k2;
        struct futex_bucket *b1, *b2;
        uint32_t old;
        bool cond = false;
        int r, woken;

        r = mm_futex_key(t->mm, uaddr, private, &k1);
        if (r == 0)
                r = mm_futex_key(t->mm, uaddr2, private, &k2);
        if (r < 0)
                return r;
        b1 = futex_bucket_of(t->kernel, &k1);
        b2 = futex_bucket_of(t->kernel, &k2);
        futex_lock2(b1, b2);
        r = futex_atomic_op(t, uaddr2, op, &old, &cond);
        if (r < 0) {
                futex_unlock2(b1, b2);
                return r;
        }
        woken = futex_wake_locked(b1, &k1, n, FUTEX_BITSET_MATCH_ANY);
        if (cond && woken >= 0) {
                r = futex_wake_locked(b2, &k2, n2, FUTEX_BITSET_MATCH_ANY);
                woken = r < 0 ? r : woken + r;
        }
        futex_unlock2(b1, b2);
        return woken;
}

