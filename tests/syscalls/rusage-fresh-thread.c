/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A new thread starts its own CPU accounting: made after another thread
 * computed for 100 ms and exited, it sees almost nothing on
 * CLOCK_THREAD_CPUTIME_ID and in getrusage(RUSAGE_THREAD), while the
 * process's clock keeps the total. (A sandbox that gives the new thread the
 * exited one's host thread must not hand that one's time on.)
 */
#include <pthread.h>
#include <sys/resource.h>

#include "test.h"

#define MS 1000000LL

static volatile unsigned long sink;

static long long clock_ns(clockid_t id)
{
        struct timespec ts;

        if (syscall(SYS_clock_gettime, id, &ts) != 0)
                return -1;
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *burn(void *arg)
{
        long long start = clock_ns(CLOCK_THREAD_CPUTIME_ID), wall = clock_ns(CLOCK_MONOTONIC);

        (void)arg;
        while (clock_ns(CLOCK_THREAD_CPUTIME_ID) - start < 100 * MS) {
                for (int i = 0; i < 100000; i++)
                        sink += (unsigned long)i * 7;
                if (clock_ns(CLOCK_MONOTONIC) - wall > 10000 * MS)
                        return (void *)1;
        }
        return NULL;
}

struct seen {
        long long clock_ns;
        long long rusage_ns;
};

static void *look(void *arg)
{
        struct seen *s = arg;
        struct rusage ru;

        s->clock_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        if (syscall(SYS_getrusage, RUSAGE_THREAD, &ru) != 0)
                return (void *)1;
        s->rusage_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
                       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
        return NULL;
}

int main(void)
{
        for (int round = 0; round < 3; round++) {
                struct seen s = { -1, -1 };
                pthread_t t;
                void *ret;

                EXPECT_EQ(pthread_create(&t, NULL, burn, NULL), 0);
                EXPECT_EQ(pthread_join(t, &ret), 0);
                CHECK(ret == NULL, "round %d: the computing thread gave up", round);
                EXPECT_EQ(pthread_create(&t, NULL, look, &s), 0);
                EXPECT_EQ(pthread_join(t, &ret), 0);
                CHECK(ret == NULL, "round %d: getrusage failed", round);
                CHECK(s.clock_ns >= 0 && s.clock_ns < 50 * MS,
                      "round %d: the new thread's CPU clock says %lld ns", round, s.clock_ns);
                CHECK(s.rusage_ns < 50 * MS, "round %d: its RUSAGE_THREAD says %lld ns", round,
                      s.rusage_ns);
        }
        CHECK(clock_ns(CLOCK_PROCESS_CPUTIME_ID) >= 300 * MS, "the process clock says %lld ns",
              clock_ns(CLOCK_PROCESS_CPUTIME_ID));
        return TEST_PASS;
}
