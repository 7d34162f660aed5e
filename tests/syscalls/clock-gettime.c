/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock_gettime(2), gettimeofday(2), time(2): MONOTONIC never goes back,
 * BOOTTIME is never behind MONOTONIC, a COARSE clock is never ahead of its
 * fine clock, REALTIME agrees with time() and gettimeofday(); values are
 * normalised. Unknown clocks are EINVAL and bad pointers EFAULT. Raw system
 * calls are used next to the libc (vDSO) ones, since the vDSO never traps.
 */
#include <limits.h>
#include <sys/time.h>
#include <time.h>

#include "test.h"

static long long ns(const struct timespec *ts)
{
        return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct timespec raw_gettime(clockid_t clk)
{
        struct timespec ts = { -1, -1 };

        EXPECT_RET(syscall(SYS_clock_gettime, clk, &ts), 0);
        CHECK(ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L,
              "clock %d gave {%lld, %ld}", (int)clk, (long long)ts.tv_sec, ts.tv_nsec);
        return ts;
}

static void check_monotonic(clockid_t clk, int raw)
{
        struct timespec prev = raw_gettime(clk), now;

        for (int i = 0; i < 2000; i++) {
                if (raw)
                        now = raw_gettime(clk);
                else
                        EXPECT_RET(clock_gettime(clk, &now), 0);
                CHECK(ns(&now) >= ns(&prev), "clock %d went back: %lld then %lld",
                      (int)clk, ns(&prev), ns(&now));
                prev = now;
        }
}

static void check_not_ahead(clockid_t coarse, clockid_t fine)
{
        for (int i = 0; i < 100; i++) {
                struct timespec c = raw_gettime(coarse), f = raw_gettime(fine);
                CHECK(ns(&c) <= ns(&f), "clock %d at %lld is ahead of clock %d at %lld",
                      (int)coarse, ns(&c), (int)fine, ns(&f));
        }
}

int main(void)
{
        struct timespec mono, boot, real;
        struct timeval tv;
        struct timezone tz;
        time_t t, t2;

        check_monotonic(CLOCK_MONOTONIC, 1);
        check_monotonic(CLOCK_MONOTONIC, 0);
        check_monotonic(CLOCK_BOOTTIME, 1);
        check_monotonic(CLOCK_MONOTONIC_COARSE, 1);
        check_monotonic(CLOCK_MONOTONIC_RAW, 1);

        mono = raw_gettime(CLOCK_MONOTONIC);
        boot = raw_gettime(CLOCK_BOOTTIME);
        CHECK(ns(&boot) >= ns(&mono), "BOOTTIME %lld behind MONOTONIC %lld", ns(&boot), ns(&mono));
        check_not_ahead(CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC);
        check_not_ahead(CLOCK_REALTIME_COARSE, CLOCK_REALTIME);

        /* REALTIME, time() and gettimeofday() tell the same time. */
        t = syscall(SYS_time, NULL);
        real = raw_gettime(CLOCK_REALTIME);
        EXPECT_RET(syscall(SYS_gettimeofday, &tv, NULL), 0);
        t2 = syscall(SYS_time, &t2);
        CHECK(real.tv_sec >= 1600000000, "REALTIME %lld is before 2020", (long long)real.tv_sec);
        CHECK(t <= real.tv_sec && real.tv_sec <= tv.tv_sec && tv.tv_sec <= t2 && t2 - t <= 1,
              "time %lld, REALTIME %lld, gettimeofday %lld, time %lld", (long long)t,
              (long long)real.tv_sec, (long long)tv.tv_sec, (long long)t2);
        CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "tv_usec %ld", (long)tv.tv_usec);
        CHECK(labs(time(NULL) - t2) <= 1, "libc time() far from the system call's");
        EXPECT_RET(syscall(SYS_gettimeofday, NULL, NULL), 0);
        EXPECT_RET(syscall(SYS_gettimeofday, NULL, &tz), 0);
        EXPECT_RET(syscall(SYS_gettimeofday, &tv, &tz), 0);

        /* Unknown clocks. */
        EXPECT_ERRNO(syscall(SYS_clock_gettime, 16, &mono), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_gettime, 100, &mono), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_gettime, INT_MAX, &mono), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_gettime, 10, &mono), EINVAL);   /* was CLOCK_SGI_CYCLE */
        EXPECT_ERRNO(clock_gettime(100, &mono), EINVAL);

        /* Bad pointers. */
        EXPECT_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_clock_gettime, CLOCK_REALTIME, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_clock_gettime, CLOCK_REALTIME, KERNEL_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_gettimeofday, LOW_ADDR, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_gettimeofday, NULL, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_time, LOW_ADDR), EFAULT);
        return TEST_PASS;
}
