/* Plain futex wake rules as Linux has them: FUTEX_WAKE of 0 (or fewer)
 * waiters still wakes one (futex_wake counts after waking); FUTEX_REQUEUE
 * returns the woken plus the requeued, as FUTEX_CMP_REQUEUE does; a private
 * op's key never matches a shared op's, even on private memory (Linux's
 * FUT_OFF_MMSHARED), so FUTEX_WAKE does not wake a FUTEX_WAIT_PRIVATE; an
 * address above the user range is EFAULT even for a private op. */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "test.h"

static uint32_t a_word, b_word, c_word;
static atomic_int started, done;

static long futex(uint32_t *uaddr, int op, uint32_t val, unsigned long val2, uint32_t *uaddr2,
                  uint32_t val3)
{
        return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static void *wait_a(void *arg)
{
        (void)arg;
        atomic_fetch_add(&started, 1);
        return (void *)futex(&a_word, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
}

/* A private wait with a 300 ms timeout: only a private wake may end it. */
static void *wait_c(void *arg)
{
        struct timespec ts = { 0, 300 * 1000000 };
        long r;

        (void)arg;
        atomic_fetch_add(&started, 1);
        r = futex(&c_word, FUTEX_WAIT_PRIVATE, 0, (unsigned long)&ts, NULL, 0);
        atomic_store(&done, 1);
        return (void *)(r == -1 && errno == ETIMEDOUT ? 0L : 1L);
}

/* Call op until it has reported want waiters in all (2 s at most). */
static long until(uint32_t *uaddr, int op, uint32_t val, unsigned long val2, uint32_t *uaddr2,
                  long want)
{
        long total = 0;

        for (int i = 0; i < 2000 && total < want; i++) {
                long r = futex(uaddr, op, val, val2, uaddr2, 0);

                if (r < 0)
                        return r;
                total += r;
                if (total < want)
                        usleep(1000);
        }
        return total;
}

int main(void)
{
        pthread_t th[2];
        void *ret;

        /* A wake of 0 wakes the one waiter. */
        EXPECT_EQ(pthread_create(&th[0], NULL, wait_a, NULL), 0);
        EXPECT_EQ(until(&a_word, FUTEX_WAKE_PRIVATE, 0, 0, NULL, 1), 1L);
        EXPECT_EQ(pthread_join(th[0], &ret), 0);
        EXPECT_EQ((long)ret, 0L);
        /* Nobody left: 0 and -1 wake nobody. */
        EXPECT_RET(futex(&a_word, FUTEX_WAKE_PRIVATE, 0, 0, NULL, 0), 0);
        EXPECT_RET(futex(&a_word, FUTEX_WAKE_PRIVATE, (uint32_t)-1, 0, NULL, 0), 0);

        /* REQUEUE of two waiters, none woken: it says 2. */
        atomic_store(&started, 0);
        for (int i = 0; i < 2; i++)
                EXPECT_EQ(pthread_create(&th[i], NULL, wait_a, NULL), 0);
        EXPECT_EQ(until(&a_word, FUTEX_REQUEUE_PRIVATE, 0, INT_MAX, &b_word, 2), 2L);
        EXPECT_RET(futex(&a_word, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0), 0);
        EXPECT_RET(futex(&b_word, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0), 2);
        for (int i = 0; i < 2; i++) {
                EXPECT_EQ(pthread_join(th[i], &ret), 0);
                EXPECT_EQ((long)ret, 0L);
        }
        /* Above the user range: EFAULT, private or shared, before any wait. */
        EXPECT_ERRNO(futex(KERNEL_ADDR, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), EFAULT);
        EXPECT_ERRNO(futex(KERNEL_ADDR, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0), EFAULT);
        EXPECT_ERRNO(futex(KERNEL_ADDR, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
        /* Negative counts are EINVAL. */
        EXPECT_ERRNO(futex(&a_word, FUTEX_REQUEUE_PRIVATE, (uint32_t)-1, 0, &b_word, 0), EINVAL);
        EXPECT_ERRNO(futex(&a_word, FUTEX_REQUEUE_PRIVATE, 0, (unsigned long)-1, &b_word, 0), EINVAL);

        /* A shared wake never meets a private waiter. */
        atomic_store(&started, 0);
        EXPECT_EQ(pthread_create(&th[0], NULL, wait_c, NULL), 0);
        while (!atomic_load(&done)) {
                EXPECT_RET(futex(&c_word, FUTEX_WAKE, INT_MAX, 0, NULL, 0), 0);
                usleep(1000);
        }
        EXPECT_EQ(pthread_join(th[0], &ret), 0);
        CHECK(ret == NULL, "the private waiter did not time out");
        return TEST_PASS;
}
