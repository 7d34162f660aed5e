/* PI futexes: LOCK_PI takes a free lock (the word becomes our tid), is
 * EDEADLK on our own, TRYLOCK_PI is EWOULDBLOCK on another's; a contended
 * LOCK_PI sets FUTEX_WAITERS and sleeps until UNLOCK_PI hands the lock over
 * (the word then holds the waiter's tid); UNLOCK_PI of a lock we do not own
 * is EPERM; a timed LOCK_PI times out (its deadline is absolute
 * CLOCK_REALTIME) and leaves the lock as it was. A failed TRYLOCK_PI sets
 * FUTEX_WAITERS all the same, which UNLOCK_PI clears. glibc's PI mutexes on
 * top. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "test.h"

static uint32_t word;
static atomic_int stage;
static long waiter_tid;

static long futex(uint32_t *uaddr, int op, const struct timespec *ts)
{
        return syscall(SYS_futex, uaddr, op, 0, ts, NULL, 0);
}

static void *waiter(void *arg)
{
        (void)arg;
        waiter_tid = syscall(SYS_gettid);
        atomic_store(&stage, 1);
        if (futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL) != 0)
                return (void *)1;
        /* Ours now: handed over at the owner's unlock. */
        if ((word & FUTEX_TID_MASK) != (uint32_t)waiter_tid)
                return (void *)2;
        if (futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL) != 0)
                return (void *)3;
        return NULL;
}

/* A lock held by another: an absolute CLOCK_REALTIME deadline 20 ms away. */
static void *timed(void *arg)
{
        struct timespec ts;

        (void)arg;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
        }
        errno = 0;
        if (futex(&word, FUTEX_LOCK_PI_PRIVATE, &ts) != -1 || errno != ETIMEDOUT)
                return (void *)1;
        return NULL;
}

static void *stranger(void *arg)
{
        (void)arg;
        errno = 0;
        if (futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL) != -1 || errno != EPERM)
                return (void *)1;
        errno = 0;
        if (futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, NULL) != -1 || errno != EWOULDBLOCK)
                return (void *)2;
        return NULL;
}

int main(void)
{
        pthread_mutexattr_t ma;
        pthread_mutex_t m;
        struct timespec ts;
        pthread_t th;
        void *ret;
        long me = syscall(SYS_gettid);

        EXPECT_OK(futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL));
        EXPECT_EQ(word, (uint32_t)me);
        EXPECT_ERRNO(futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL), EDEADLK);
        EXPECT_ERRNO(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, NULL), EDEADLK);
        EXPECT_EQ(pthread_create(&th, NULL, stranger, NULL), 0);
        EXPECT_EQ(pthread_join(th, &ret), 0);
        CHECK(ret == NULL, "stranger step %ld", (long)ret);
        EXPECT_EQ(word, (uint32_t)me | FUTEX_WAITERS);
        EXPECT_OK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL));
        EXPECT_EQ(word, 0u);
        EXPECT_OK(futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL));
        EXPECT_EQ(word, (uint32_t)me);

        /* A waiter: it sets FUTEX_WAITERS, sleeps, and gets the lock. */
        EXPECT_EQ(pthread_create(&th, NULL, waiter, NULL), 0);
        while (atomic_load(&stage) == 0)
                sched_yield();
        for (int i = 0; i < 2000 && !(__atomic_load_n(&word, __ATOMIC_SEQ_CST) & FUTEX_WAITERS); i++)
                usleep(1000);
        CHECK(word & FUTEX_WAITERS, "no FUTEX_WAITERS: %#x", word);
        EXPECT_OK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL));
        EXPECT_EQ(pthread_join(th, &ret), 0);
        CHECK(ret == NULL, "waiter step %ld", (long)ret);
        EXPECT_EQ(word, 0u);

        /* Timed out against a lock we hold. */
        EXPECT_OK(futex(&word, FUTEX_LOCK_PI_PRIVATE, NULL));
        EXPECT_EQ(pthread_create(&th, NULL, timed, NULL), 0);
        EXPECT_EQ(pthread_join(th, &ret), 0);
        CHECK(ret == NULL, "timed step %ld", (long)ret);
        EXPECT_OK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, NULL));
        EXPECT_EQ(word, 0u);

        /* glibc's priority-inheritance mutexes run on these calls. */
        EXPECT_EQ(pthread_mutexattr_init(&ma), 0);
        EXPECT_EQ(pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT), 0);
        EXPECT_EQ(pthread_mutex_init(&m, &ma), 0);
        EXPECT_EQ(pthread_mutex_lock(&m), 0);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
        }
        EXPECT_EQ(pthread_mutex_unlock(&m), 0);
        EXPECT_EQ(pthread_mutex_timedlock(&m, &ts), 0);
        EXPECT_EQ(pthread_mutex_unlock(&m), 0);
        return TEST_PASS;
}
