/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU time: a thread that computes sees CLOCK_THREAD_CPUTIME_ID,
 * CLOCK_PROCESS_CPUTIME_ID, getrusage (RUSAGE_SELF, RUSAGE_THREAD) and
 * times() advance with it, never beyond the wall-clock time (one thread).
 * A child's CPU time and peak RSS come back from wait4 and then count in
 * RUSAGE_CHILDREN and tms_cutime; before the wait they do not. Bad
 * arguments: EINVAL, EFAULT.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>

#include "test.h"

#define MS 1000000LL

static long long clock_ns(clockid_t id)
{
        struct timespec ts;

        if (syscall(SYS_clock_gettime, id, &ts) != 0)
                FAIL("clock_gettime(%d): %s", (int)id, test_errname(errno));
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_ns(struct timeval tv)
{
        return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

static volatile unsigned long sink;

/* Compute until this thread has used want_ns of CPU (10 s at most). */
static void burn(long long want_ns)
{
        long long start = clock_ns(CLOCK_THREAD_CPUTIME_ID), wall = clock_ns(CLOCK_MONOTONIC);

        while (clock_ns(CLOCK_THREAD_CPUTIME_ID) - start < want_ns) {
                for (int i = 0; i < 1000000; i++)
                        sink += (unsigned long)i * 7;
                if (clock_ns(CLOCK_MONOTONIC) - wall > 10000 * MS)
                        FAIL("the thread CPU clock moved %lld ns in 10 s of computing",
                             clock_ns(CLOCK_THREAD_CPUTIME_ID) - start);
        }
}

static void self(void)
{
        struct rusage ru0, ru1, rt;
        long long w0 = clock_ns(CLOCK_MONOTONIC), p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        long long th, pr, w1;
        struct tms tm0, tm1;

        EXPECT_OK(syscall(SYS_getrusage, RUSAGE_SELF, &ru0));
        EXPECT_OK(syscall(SYS_times, &tm0));
        burn(100 * MS);
        th = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        pr = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        w1 = clock_ns(CLOCK_MONOTONIC);
        EXPECT_OK(syscall(SYS_getrusage, RUSAGE_SELF, &ru1));
        EXPECT_OK(syscall(SYS_getrusage, RUSAGE_THREAD, &rt));
        EXPECT_OK(syscall(SYS_times, &tm1));

        CHECK(pr >= th, "process clock %lld below the thread's %lld", pr, th);
        CHECK(pr - p0 >= 100 * MS, "process clock moved %lld ns", pr - p0);
        CHECK(pr - p0 <= w1 - w0 + 20 * MS, "process clock moved %lld ns in %lld ns", pr - p0,
              w1 - w0);
        long long self_ns = tv_ns(ru1.ru_utime) + tv_ns(ru1.ru_stime) -
                            tv_ns(ru0.ru_utime) - tv_ns(ru0.ru_stime);
        CHECK(self_ns >= 90 * MS, "RUSAGE_SELF moved %lld ns", self_ns);
        CHECK(tv_ns(ru1.ru_utime) >= 50 * MS, "RUSAGE_SELF utime %lld ns",
              tv_ns(ru1.ru_utime));
        CHECK(tv_ns(rt.ru_utime) + tv_ns(rt.ru_stime) >= 90 * MS, "RUSAGE_THREAD %lld ns",
              tv_ns(rt.ru_utime) + tv_ns(rt.ru_stime));
        CHECK(ru1.ru_maxrss > 0, "ru_maxrss %ld", ru1.ru_maxrss);
        long ticks = (tm1.tms_utime + tm1.tms_stime) - (tm0.tms_utime + tm0.tms_stime);
        CHECK(ticks >= 8, "times() moved %ld ticks", ticks);
}

static void children(void)
{
        struct rusage before, ru, after;
        struct tms tm;
        int status;
        pid_t pid;

        EXPECT_OK(syscall(SYS_getrusage, RUSAGE_CHILDREN, &before));
        EXPECT_EQ(tv_ns(before.ru_utime) + tv_ns(before.ru_stime), 0);
        pid = fork();
        if (pid == 0) {
                /* 32 MiB touched, then CPU. */
                size_t len = 32 << 20;
                char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                if (p == MAP_FAILED)
                        _exit(2);
                for (size_t i = 0; i < len; i += 4096)
                        p[i] = 1;
                burn(100 * MS);
                _exit(0);
        }
        CHECK(pid > 0, "fork: %s", test_errname(errno));
        /* Not counted before the wait. */
        EXPECT_OK(syscall(SYS_getrusage, RUSAGE_CHILDREN, &before));
        EXPECT_EQ(tv_ns(before.ru_utime) + tv_ns(before.ru_stime), 0);
        EXPECT_RET(syscall(SYS_wait4, pid, &status, 0, &ru), pid);
        EXPECT_EQ(status, 0);
        CHECK(tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime) >= 90 * MS, "wait4 rusage %lld ns",
              tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime));
        /* Linux's RSS counters are per CPU and may lag by a batch of pages
         * (6.2+): a child that touched 32 MiB can report a little less. */
        CHECK(ru.ru_maxrss >= 30 * 1024, "wait4 ru_maxrss %ld kB", ru.ru_maxrss);
        EXPECT_OK(syscall(SYS_getrusage, RUSAGE_CHILDREN, &after));
        CHECK(tv_ns(after.ru_utime) + tv_ns(after.ru_stime) >=
              tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime) - 10 * MS,
              "RUSAGE_CHILDREN %lld ns after the wait",
              tv_ns(after.ru_utime) + tv_ns(after.ru_stime));
        CHECK(after.ru_maxrss >= 30 * 1024, "RUSAGE_CHILDREN ru_maxrss %ld kB", after.ru_maxrss);
        EXPECT_OK(syscall(SYS_times, &tm));
        CHECK(tm.tms_cutime + tm.tms_cstime >= 8, "tms_cutime + tms_cstime = %ld",
              (long)(tm.tms_cutime + tm.tms_cstime));
}

int main(void)
{
        struct rusage ru;
        long t0, t1;

        EXPECT_ERRNO(syscall(SYS_getrusage, 2, &ru), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getrusage, -2, &ru), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getrusage, RUSAGE_SELF, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_times, LOW_ADDR), EFAULT);
        /* times(NULL) just reads the clock, in ticks. */
        t0 = syscall(SYS_times, NULL);
        struct timespec d = { 0, 50 * MS };
        EXPECT_OK(syscall(SYS_nanosleep, &d, NULL));
        t1 = syscall(SYS_times, NULL);
        CHECK(t1 - t0 >= 4 && t1 - t0 < 500, "times() moved %ld ticks in 50 ms", t1 - t0);
        self();
        children();
        return TEST_PASS;
}
