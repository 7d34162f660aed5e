/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock_getres(2): high-resolution clocks report 1 ns, coarse ones one tick
 * (between 1 and 10 ms for HZ 100..1000); a NULL result is allowed; unknown
 * clocks are EINVAL and a bad pointer EFAULT.
 */
#include <limits.h>
#include <time.h>

#include "test.h"

static struct timespec getres(clockid_t clk)
{
        struct timespec ts = { -1, -1 };

        EXPECT_RET(syscall(SYS_clock_getres, clk, &ts), 0);
        return ts;
}

int main(void)
{
        static const clockid_t fine[] = {
                CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME,
        };
        static const clockid_t coarse[] = { CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE };
        struct timespec ts;

        for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
                ts = getres(fine[i]);
                CHECK(ts.tv_sec == 0 && ts.tv_nsec == 1, "clock %d: resolution {%lld, %ld}, not 1 ns",
                      (int)fine[i], (long long)ts.tv_sec, ts.tv_nsec);
        }
        for (size_t i = 0; i < sizeof(coarse) / sizeof(coarse[0]); i++) {
                ts = getres(coarse[i]);
                CHECK(ts.tv_sec == 0 && ts.tv_nsec >= 1000000 && ts.tv_nsec <= 10000000,
                      "clock %d: resolution {%lld, %ld}, not one tick", (int)coarse[i],
                      (long long)ts.tv_sec, ts.tv_nsec);
        }
        EXPECT_RET(clock_getres(CLOCK_MONOTONIC, &ts), 0);
        EXPECT_EQ(ts.tv_nsec, 1);

        EXPECT_RET(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL), 0);
        EXPECT_ERRNO(syscall(SYS_clock_getres, 16, &ts), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_getres, INT_MAX, &ts), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_getres, 100, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_clock_getres, CLOCK_MONOTONIC, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_clock_getres, CLOCK_REALTIME, KERNEL_ADDR), EFAULT);
        return TEST_PASS;
}
