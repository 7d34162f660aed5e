/* Robust lists (Linux's exit_robust_list(), handle_futex_death()) and what
 * an exit or an exec does to a task's futexes. */
#include "futex.h"

#include <linux/futex.h>

#include "sentry/kernel/futex_internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

/* The robust list's head and entries: struct robust_list_head. */
struct krobust_head {
        uint64_t next;                  /* list of struct robust_list, circular to the head */
        int64_t futex_offset;           /* from an entry to its futex word */
        uint64_t pending;               /* an entry being added or removed */
};

#define ROBUST_LIST_LIMIT 2048          /* Linux's ROBUST_LIST_LIMIT */

/* Wake one waiter of a plain lock its owner died holding (Linux's
 * handle_futex_death() wakes with a shared key; here either key). PI locks
 * go to a waiter in futex_robust_release_pi(). */
static void wake_robust(struct task *t, guest_ptr_t uaddr)
{
        struct mm_futex_key key;
        struct futex_bucket *b;
        int r = 0;

        for (int private = 0; private < 2 && r <= 0; private++) {
                if (mm_futex_key(t->mm, uaddr, private, &key) < 0)
                        return;
                b = futex_bucket_of(t->kernel, &key);
                pthread_mutex_lock(&b->lock);
                r = futex_wake_locked(b, &key, 1, FUTEX_BITSET_MATCH_ANY);
                pthread_mutex_unlock(&b->lock);
        }
}

/* A lock its owner died holding (Linux's handle_futex_death()): marked
 * FUTEX_OWNER_DIED, one waiter woken. pending: the entry being added or
 * removed, whose lock may never have been taken (0: a waiter may still
 * need the wake). pi: a PI lock (entry bit 0, as glibc marks them), which
 * goes to a waiter instead. */
static void robust_release(struct task *t, guest_ptr_t uaddr, bool pending, bool pi)
{
        uint32_t word, new;

        if (uaddr & 3)
                return;
        if (pi) {
                futex_robust_release_pi(t, uaddr);
                return;
        }
        if (mm_copy_in(t->mm, &word, uaddr, sizeof(word)) < 0)
                return;
        if (pending && word == 0) {
                wake_robust(t, uaddr);
                return;
        }
        if ((word & FUTEX_TID_MASK) != (uint32_t)t->tid)
                return;
        new = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if (mm_copy_out(t->mm, uaddr, &new, sizeof(new)) < 0)
                return;
        if (word & FUTEX_WAITERS)
                wake_robust(t, uaddr);
}

/* The robust list (Linux's exit_robust_list()): entries are struct
 * robust_list pointers, bit 0 marking a PI lock. */
static void exit_robust_list(struct task *t)
{
        struct krobust_head head;
        uint64_t entry, pending;

        if (!t->robust_list || mm_copy_in(t->mm, &head, t->robust_list, sizeof(head)) < 0)
                return;
        entry = head.next;
        pending = head.pending;
        for (int i = 0; (entry & ~1ULL) != t->robust_list && i < ROBUST_LIST_LIMIT; i++) {
                uint64_t next;
                bool pi = entry & 1;
                int r;

                entry &= ~1ULL;
                r = mm_copy_in(t->mm, &next, entry, sizeof(next));
                if (entry != (pending & ~1ULL))
                        robust_release(t, entry + (uint64_t)head.futex_offset, false, pi);
                if (r < 0)
                        return;
                entry = next;
        }
        if (pending)
                robust_release(t, (pending & ~1ULL) + (uint64_t)head.futex_offset, true,
                               pending & 1);
}

void futex_exit(struct task *t)
{
        /* The robust list first, then the PI locks still held, then the
         * tid (Linux's exit_mm_release(): futex_exit_release(), then
         * mm_release()), so a joiner sees the locks already released. */
        if (t->mm)
                exit_robust_list(t);
        futex_exit_pi_owner(t);
        if (t->mm && t->clear_child_tid) {
                uint32_t zero = 0;

                if (mm_copy_out(t->mm, t->clear_child_tid, &zero, sizeof(zero)) == 0)
                        futex_wake(t, t->clear_child_tid, false, 1, FUTEX_BITSET_MATCH_ANY);
        }
}

void futex_exec(struct task *t)
{
        futex_exit(t);
        atomic_store(&t->futex_dead, false);    /* Linux: back to FUTEX_STATE_OK */
}

