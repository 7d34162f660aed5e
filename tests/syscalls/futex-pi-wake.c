/* A futex word with a waiter blocked in FUTEX_LOCK_PI belongs to the PI
 * operations: FUTEX_WAKE, FUTEX_WAKE_BITSET, FUTEX_WAKE_OP and
 * FUTEX_(CMP_)REQUEUE from it answer EINVAL and leave the waiter where it
 * was (Linux's futex_wake/futex_requeue: a waiter with pi_state). A REQUEUE
 * onto it from a plain futex is fine. The waiter still gets the lock at
 * UNLOCK_PI. A plain wake of 0 waiters still looks at the first one. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "test.h"

static uint32_t word, other;
static atomic_int stage;
static long waiter_tid;

static long futex(uint32_t *uaddr, int op, uint32_t val, unsigned long val2, uint32_t *uaddr2,
                  uint32_t val3)
{
        return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static void *pi_waiter(void *arg)
{
        (void)arg;
        waiter_tid = syscall(SYS_gettid);
        atomic_store(&stage, 1);
        if (futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0) != 0)
                return (void *)1;
        if ((word & FUTEX_TID_MASK) != (uint32_t)waiter_tid)
                return (void *)2;
        if (futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0) != 0)
                return (void *)3;
        return NULL;
}

int main(void)
{
        uint32_t me = (uint32_t)syscall(SYS_gettid), held;
        pthread_t th;
        void *ret;

        EXPECT_OK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0));
        EXPECT_EQ(pthread_create(&th, NULL, pi_waiter, NULL), 0);
        while (atomic_load(&stage) == 0)
                sched_yield();
        for (int i = 0; i < 2000 && !(__atomic_load_n(&word, __ATOMIC_SEQ_CST) & FUTEX_WAITERS); i++)
                usleep(1000);
        held = __atomic_load_n(&word, __ATOMIC_SEQ_CST);
        EXPECT_EQ(held, me | FUTEX_WAITERS);

        EXPECT_ERRNO(futex(&word, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), EINVAL);
        EXPECT_ERRNO(futex(&word, FUTEX_WAKE_PRIVATE, INT32_MAX, 0, NULL, 0), EINVAL);
        EXPECT_ERRNO(futex(&word, FUTEX_WAKE_PRIVATE, 0, 0, NULL, 0), EINVAL);
        /* A shared op's key is not the private one: nobody there. */
        EXPECT_RET(futex(&word, FUTEX_WAKE, 1, 0, NULL, 0), 0);
        EXPECT_ERRNO(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 1), EINVAL);
        EXPECT_ERRNO(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, FUTEX_BITSET_MATCH_ANY),
                     EINVAL);
        /* A zero bitset is EINVAL before any waiter is looked at. */
        EXPECT_ERRNO(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 0), EINVAL);
        EXPECT_ERRNO(futex(&word, FUTEX_REQUEUE_PRIVATE, 0, 1, &other, 0), EINVAL);
        EXPECT_ERRNO(futex(&word, FUTEX_REQUEUE_PRIVATE, 1, 0, &other, 0), EINVAL);
        EXPECT_ERRNO(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &other, held), EINVAL);
        /* ... but the compare comes first. */
        EXPECT_ERRNO(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &other, held + 1), EAGAIN);
        /* Nobody waits on other: requeueing nobody onto the PI word is fine. */
        EXPECT_RET(futex(&other, FUTEX_REQUEUE_PRIVATE, 1, 1, &word, 0), 0);
        EXPECT_RET(futex(&other, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &word, 0), 0);
        /* WAKE_OP: the op on uaddr2 happens, then the wake of uaddr fails. */
        other = 5;
        EXPECT_ERRNO(futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, 1, &other,
                           FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)), EINVAL);
        EXPECT_EQ(other, 6u);
        /* With the PI word as uaddr2 and a true comparison, its wake fails. */
        EXPECT_ERRNO(futex(&other, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word,
                           FUTEX_OP(FUTEX_OP_OR, 0, FUTEX_OP_CMP_NE, 0)), EINVAL);
        /* A false comparison never looks at uaddr2's waiters. */
        EXPECT_RET(futex(&other, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word,
                         FUTEX_OP(FUTEX_OP_OR, 0, FUTEX_OP_CMP_EQ, 0)), 0);
        EXPECT_EQ(__atomic_load_n(&word, __ATOMIC_SEQ_CST), held);

        /* Still waiting, and handed the lock at unlock. */
        EXPECT_OK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0));
        EXPECT_EQ(pthread_join(th, &ret), 0);
        CHECK(ret == NULL, "pi waiter step %ld", (long)ret);
        EXPECT_EQ(word, 0u);
        /* Nobody waits any more: a plain wake finds nobody. */
        EXPECT_RET(futex(&word, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), 0);
        return TEST_PASS;
}
