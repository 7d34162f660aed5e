/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock_nanosleep(2): relative sleeps last at least the request on their
 * clock; TIMER_ABSTIME deadlines in the past return at once; other flag bits
 * are ignored; errors are returned as a positive value by glibc (and -1/errno
 * by the raw call): EINVAL for unknown clocks and bad timespecs, EOPNOTSUPP
 * for clocks that cannot sleep (the coarse ones, the thread CPU clock),
 * EFAULT for a bad pointer.
 */
#include <limits.h>
#include <time.h>

#include "test.h"

static long long now_ns(clockid_t clk)
{
        struct timespec ts;

        EXPECT_RET(syscall(SYS_clock_gettime, clk, &ts), 0);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void check_relative(clockid_t clk, int flags, long nsec)
{
        long long start = now_ns(clk), slept;

        EXPECT_RET(syscall(SYS_clock_nanosleep, clk, flags, &(struct timespec){ 0, nsec }, NULL), 0);
        slept = now_ns(clk) - start;
        CHECK(slept >= nsec && slept < nsec + 2000000000LL,
              "clock %d: asked for %ld ns, slept %lld ns", (int)clk, nsec, slept);
}

static void check_absolute(clockid_t clk)
{
        struct timespec ts;
        long long deadline, mono_start = now_ns(CLOCK_MONOTONIC);

        /* A deadline in the past (and at 0) is already reached. */
        EXPECT_RET(syscall(SYS_clock_gettime, clk, &ts), 0);
        ts.tv_sec -= 1;
        EXPECT_RET(clock_nanosleep(clk, TIMER_ABSTIME, &ts, NULL), 0);
        EXPECT_RET(syscall(SYS_clock_nanosleep, clk, TIMER_ABSTIME, &(struct timespec){ 0, 0 }, NULL), 0);
        CHECK(now_ns(CLOCK_MONOTONIC) - mono_start < 1000000000LL,
              "clock %d: past deadlines took %lld ns", (int)clk, now_ns(CLOCK_MONOTONIC) - mono_start);

        /* A deadline 30 ms ahead is not returned from early. */
        deadline = now_ns(clk) + 30000000;
        ts = (struct timespec){ deadline / 1000000000, deadline % 1000000000 };
        EXPECT_RET(syscall(SYS_clock_nanosleep, clk, TIMER_ABSTIME, &ts, NULL), 0);
        CHECK(now_ns(clk) >= deadline, "clock %d: woke at %lld before the deadline %lld",
              (int)clk, now_ns(clk), deadline);
}

int main(void)
{
        struct timespec ts = { 0, 1000 };

        check_relative(CLOCK_MONOTONIC, 0, 10000000);
        check_relative(CLOCK_REALTIME, 0, 10000000);
        check_relative(CLOCK_BOOTTIME, 0, 10000000);
        /* Only TIMER_ABSTIME is looked at. */
        check_relative(CLOCK_MONOTONIC, 2, 10000000);
        check_relative(CLOCK_MONOTONIC, ~TIMER_ABSTIME, 1000);
        check_absolute(CLOCK_MONOTONIC);
        check_absolute(CLOCK_REALTIME);

        /* glibc returns the error number, not -1, and leaves errno alone. */
        errno = 0;
        EXPECT_RET(clock_nanosleep(100, 0, &ts, NULL), EINVAL);
        EXPECT_EQ(errno, 0);
        EXPECT_RET(clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){ 0, 1000000000 }, NULL), EINVAL);
        EXPECT_EQ(errno, 0);

        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, 100, 0, &ts, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, INT_MAX, TIMER_ABSTIME, &ts, NULL), EINVAL);
        /* The kernel cannot sleep on the thread CPU clock (glibc says EINVAL itself). */
        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &ts, NULL), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_REALTIME_COARSE, 0, &ts, NULL), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0,
                             &(struct timespec){ 0, 1000000000 }, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME,
                             &(struct timespec){ 0, -1 }, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0,
                             &(struct timespec){ -1, 0 }, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, NULL, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, LOW_ADDR, NULL), EFAULT);
        return TEST_PASS;
}
