/* FUTEX_WAIT_REQUEUE_PI / FUTEX_CMP_REQUEUE_PI: a waiter on a plain futex
 * (a condition) is requeued to a PI futex (a mutex) and returns owning it.
 * CMP_REQUEUE_PI takes a free mutex for the first waiter and wakes it, or
 * sets FUTEX_WAITERS on a held one and moves the waiter there, where
 * UNLOCK_PI hands it over. EINVAL for uaddr == uaddr2 and nr_wake != 1,
 * EAGAIN on a value mismatch; a plain WAKE or CMP_REQUEUE meeting such a
 * waiter is EINVAL. Timeouts are absolute (CLOCK_MONOTONIC, or REALTIME
 * with the flag); a signal before the requeue restarts the wait, after it
 * the wait ends with EAGAIN. Then glibc's condition variables with a
 * PTHREAD_PRIO_INHERIT mutex. */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "test.h"

#define WAIT_RQ (FUTEX_WAIT_REQUEUE_PI | FUTEX_PRIVATE_FLAG)
#define CMP_RQ (FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG)

static uint32_t cond, mutex;
static atomic_int signals;

static long futex6(uint32_t *uaddr, int op, uint32_t val, const void *ts_or_n, uint32_t *uaddr2,
                   uint32_t val3)
{
        return syscall(SYS_futex, uaddr, op, val, ts_or_n, uaddr2, val3);
}

static long cmp_requeue_pi(int nr_requeue)
{
        return futex6(&cond, CMP_RQ, 1, (void *)(long)nr_requeue, &mutex,
                      __atomic_load_n(&cond, __ATOMIC_SEQ_CST));
}

static long tid(void)
{
        return syscall(SYS_gettid);
}

static struct timespec after_ms(clockid_t clk, long ms)
{
        struct timespec ts;

        clock_gettime(clk, &ts);
        ts.tv_nsec += ms * 1000000;
        ts.tv_sec += ts.tv_nsec / 1000000000;
        ts.tv_nsec %= 1000000000;
        return ts;
}

/* Waits on cond for the mutex; returns NULL owning it (then unlocks), or
 * the errno seen (as a pointer) when the wait failed. */
struct waiter_arg {
        long timeout_ms;                /* 0: none */
        long tid;
};

static void *waiter(void *p)
{
        struct waiter_arg *a = p;
        struct timespec ts;
        long r;

        a->tid = tid();
        if (a->timeout_ms)
                ts = after_ms(CLOCK_MONOTONIC, a->timeout_ms);
        r = futex6(&cond, WAIT_RQ, 0, a->timeout_ms ? &ts : NULL, &mutex, 0);
        if (r != 0)
                return (void *)(long)errno;
        if ((__atomic_load_n(&mutex, __ATOMIC_SEQ_CST) & FUTEX_TID_MASK) != (uint32_t)a->tid)
                return (void *)-1L;
        if (futex6(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0) != 0)
                return (void *)-2L;
        return NULL;
}

/* Until one requeue-PI waiter sits on cond: a plain wake then says EINVAL. */
static void wait_queued(void)
{
        for (int i = 0; i < 10000; i++) {
                errno = 0;
                if (futex6(&cond, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == -1 && errno == EINVAL)
                        return;
                usleep(1000);
        }
        FAIL("no waiter queued on cond");
}

static void on_usr1(int sig)
{
        (void)sig;
        atomic_fetch_add(&signals, 1);
}

static void join_expect(pthread_t th, long want, const char *what)
{
        void *ret;

        EXPECT_EQ(pthread_join(th, &ret), 0);
        CHECK((long)ret == want, "%s: waiter ended with %ld (%s), want %ld", what, (long)ret,
              (long)ret > 0 ? test_errname((int)(long)ret) : "-", want);
}

static void errnos(void)
{
        uint32_t other = 0;
        struct timespec ts;

        cond = 1;
        EXPECT_ERRNO(futex6(&cond, CMP_RQ, 1, (void *)0L, &cond, 1), EINVAL);
        EXPECT_ERRNO(futex6(&cond, CMP_RQ, 2, (void *)0L, &mutex, 1), EINVAL);
        EXPECT_ERRNO(futex6(&cond, CMP_RQ, 0, (void *)0L, &mutex, 1), EINVAL);
        EXPECT_ERRNO(futex6(&cond, CMP_RQ, 1, (void *)-1L, &mutex, 1), EINVAL);
        /* nr_wake is checked before the value. */
        EXPECT_ERRNO(futex6(&cond, CMP_RQ, 2, (void *)0L, &mutex, 7), EINVAL);
        EXPECT_ERRNO(futex6(&cond, CMP_RQ, 1, (void *)0L, &mutex, 7), EAGAIN);
        /* Nobody waits: nothing happens to the mutex. */
        EXPECT_EQ(futex6(&cond, CMP_RQ, 1, (void *)1L, &mutex, 1), 0);
        EXPECT_EQ(mutex, 0u);

        EXPECT_ERRNO(futex6(&cond, WAIT_RQ, 1, NULL, &cond, 0), EINVAL);
        EXPECT_ERRNO(futex6(&cond, WAIT_RQ, 2, NULL, &mutex, 0), EAGAIN);
        EXPECT_ERRNO(futex6(&cond, WAIT_RQ, 1, NULL, (uint32_t *)((char *)&other + 1), 0), EINVAL);
        EXPECT_ERRNO(futex6(&cond, WAIT_RQ, 1, NULL, (uint32_t *)0xffffffffff600000UL, 0), EFAULT);
        ts = after_ms(CLOCK_MONOTONIC, 20);
        EXPECT_ERRNO(futex6(&cond, WAIT_RQ, 1, &ts, &mutex, 0), ETIMEDOUT);
        ts = after_ms(CLOCK_REALTIME, 20);
        EXPECT_ERRNO(futex6(&cond, WAIT_RQ | FUTEX_CLOCK_REALTIME, 1, &ts, &mutex, 0), ETIMEDOUT);
        ts.tv_nsec = 1000000000;
        EXPECT_ERRNO(futex6(&cond, WAIT_RQ, 1, &ts, &mutex, 0), EINVAL);
        EXPECT_EQ(mutex, 0u);
        cond = 0;
}

/* A free mutex: the requeue takes it for the waiter and wakes it. */
static void free_mutex(void)
{
        struct waiter_arg a = { 0 };
        pthread_t th;

        cond = 0;
        EXPECT_EQ(pthread_create(&th, NULL, waiter, &a), 0);
        wait_queued();
        cond = 1;
        EXPECT_RET(cmp_requeue_pi(0), 1);
        join_expect(th, 0, "free mutex");
        EXPECT_EQ(mutex, 0u);
}

/* A held mutex: FUTEX_WAITERS set, the waiter moved; UNLOCK_PI hands over.
 * A plain wake or requeue meeting the waiter first is EINVAL. */
static void held_mutex(void)
{
        struct waiter_arg a = { 0 };
        uint32_t other = 0;
        pthread_t th;
        long me = tid();

        cond = 0;
        EXPECT_OK(futex6(&mutex, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0));
        EXPECT_EQ(pthread_create(&th, NULL, waiter, &a), 0);
        wait_queued();
        EXPECT_ERRNO(futex6(&cond, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1L, &other, 0), EINVAL);
        /* The waiter expects the mutex, not another PI futex. */
        EXPECT_ERRNO(futex6(&cond, CMP_RQ, 1, (void *)1L, &other, 0), EINVAL);
        EXPECT_EQ(other, 0u);
        cond = 1;
        EXPECT_EQ(cmp_requeue_pi(0), 1);
        EXPECT_EQ(mutex, (uint32_t)me | FUTEX_WAITERS);
        EXPECT_OK(futex6(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
        join_expect(th, 0, "held mutex");
        EXPECT_EQ(mutex, 0u);
}

/* Two waiters, one requeue of all: both end up owning it in turn. */
static void two_waiters(void)
{
        struct waiter_arg a[2] = { { 0 }, { 0 } };
        pthread_t th[2];
        long moved = 0;

        cond = 0;
        EXPECT_OK(futex6(&mutex, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0));
        for (int i = 0; i < 2; i++)
                EXPECT_EQ(pthread_create(&th[i], NULL, waiter, &a[i]), 0);
        for (int i = 0; i < 10000 && moved < 2; i++) {
                long r = cmp_requeue_pi(INT_MAX);

                EXPECT_TRUE(r >= 0);
                moved += r;
                if (moved < 2)
                        usleep(1000);
        }
        EXPECT_EQ(moved, 2L);
        EXPECT_EQ(cmp_requeue_pi(INT_MAX), 0);
        EXPECT_OK(futex6(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
        join_expect(th[0], 0, "first of two");
        join_expect(th[1], 0, "second of two");
        EXPECT_EQ(mutex, 0u);
}

/* Requeued to a mutex nobody releases: the wait's deadline still holds. */
static void timeout_after_requeue(void)
{
        struct waiter_arg a = { .timeout_ms = 300 };
        pthread_t th;

        cond = 0;
        EXPECT_OK(futex6(&mutex, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0));
        EXPECT_EQ(pthread_create(&th, NULL, waiter, &a), 0);
        wait_queued();
        cond = 1;
        /* (On a very slow machine the waiter may time out before this.) */
        EXPECT_TRUE(cmp_requeue_pi(0) >= 0);
        join_expect(th, ETIMEDOUT, "timeout");
        EXPECT_EQ(mutex & FUTEX_TID_MASK, (uint32_t)tid());
        EXPECT_OK(futex6(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
        EXPECT_EQ(mutex, 0u);
}

/* A signal before the requeue: the handler runs and the wait goes on. After
 * the requeue: the wait ends with EAGAIN, without the mutex. */
static void signals_around_requeue(void)
{
        struct waiter_arg a = { 0 };
        pthread_t th;

        cond = 0;
        atomic_store(&signals, 0);
        EXPECT_EQ(pthread_create(&th, NULL, waiter, &a), 0);
        wait_queued();
        EXPECT_OK(syscall(SYS_tgkill, getpid(), a.tid, SIGUSR1));
        for (int i = 0; i < 10000 && atomic_load(&signals) == 0; i++)
                usleep(1000);
        EXPECT_EQ(atomic_load(&signals), 1);
        wait_queued();
        cond = 1;
        EXPECT_EQ(cmp_requeue_pi(0), 1);
        join_expect(th, 0, "signal before requeue");
        EXPECT_EQ(mutex, 0u);

        cond = 0;
        EXPECT_OK(futex6(&mutex, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0));
        EXPECT_EQ(pthread_create(&th, NULL, waiter, &a), 0);
        wait_queued();
        cond = 1;
        EXPECT_EQ(cmp_requeue_pi(0), 1);
        EXPECT_OK(syscall(SYS_tgkill, getpid(), a.tid, SIGUSR1));
        join_expect(th, EAGAIN, "signal after requeue");
        EXPECT_EQ(mutex, (uint32_t)tid() | FUTEX_WAITERS);
        EXPECT_OK(futex6(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
        EXPECT_EQ(mutex, 0u);
}

/* glibc: condition variables over a priority-inheritance mutex. */
static pthread_mutex_t pm;
static pthread_cond_t pc = PTHREAD_COND_INITIALIZER;
static int turn, rounds = 500;

static void *pingpong(void *arg)
{
        long me = (long)arg;

        for (int i = 0; i < rounds; i++) {
                if (pthread_mutex_lock(&pm) != 0)
                        return (void *)1;
                while (turn != me)
                        pthread_cond_wait(&pc, &pm);
                turn = !me;
                pthread_cond_broadcast(&pc);
                if (pthread_mutex_unlock(&pm) != 0)
                        return (void *)2;
        }
        return NULL;
}

static void *try_pm(void *arg)
{
        (void)arg;
        return (void *)(long)pthread_mutex_trylock(&pm);
}

static void glibc_condvar(void)
{
        pthread_mutexattr_t ma;
        struct timespec ts;
        pthread_t th;
        void *ret;

        EXPECT_EQ(pthread_mutexattr_init(&ma), 0);
        EXPECT_EQ(pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT), 0);
        EXPECT_EQ(pthread_mutex_init(&pm, &ma), 0);
        EXPECT_EQ(pthread_create(&th, NULL, pingpong, (void *)1L), 0);
        CHECK(pingpong((void *)0L) == NULL, "ping-pong failed");
        EXPECT_EQ(pthread_join(th, &ret), 0);
        EXPECT_TRUE(ret == NULL);

        /* A timed wait times out holding the mutex again. */
        EXPECT_EQ(pthread_mutex_lock(&pm), 0);
        ts = after_ms(CLOCK_REALTIME, 20);
        EXPECT_EQ(pthread_cond_timedwait(&pc, &pm, &ts), ETIMEDOUT);
        EXPECT_EQ(pthread_create(&th, NULL, try_pm, NULL), 0);
        EXPECT_EQ(pthread_join(th, &ret), 0);
        EXPECT_EQ((long)ret, (long)EBUSY);
        EXPECT_EQ(pthread_mutex_unlock(&pm), 0);
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_usr1 };

        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        errnos();
        free_mutex();
        held_mutex();
        two_waiters();
        timeout_after_requeue();
        signals_around_requeue();
        glibc_condvar();
        return TEST_PASS;
}
