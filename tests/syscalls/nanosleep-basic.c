/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nanosleep(2) sleeps at least the requested time on CLOCK_MONOTONIC; a zero
 * request returns at once; tv_nsec outside [0, 1e9) or a negative tv_sec is
 * EINVAL; a bad request pointer is EFAULT; rem may be NULL.
 */
#include <time.h>

#include "test.h"

static long long now_ns(void)
{
        struct timespec ts;

        EXPECT_RET(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts), 0);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void check_sleep(long nsec)
{
        struct timespec req = { 0, nsec }, rem = { 99, 99 };
        long long start = now_ns(), slept;

        EXPECT_RET(syscall(SYS_nanosleep, &req, &rem), 0);
        slept = now_ns() - start;
        CHECK(slept >= nsec, "asked for %ld ns, slept %lld ns", nsec, slept);
        CHECK(slept < nsec + 2000000000LL, "asked for %ld ns, slept %lld ns", nsec, slept);
}

int main(void)
{
        struct timespec req;
        long long start;

        check_sleep(1);
        check_sleep(20 * 1000000);
        check_sleep(999999999 / 10);
        EXPECT_RET(syscall(SYS_nanosleep, &(struct timespec){ 0, 5000000 }, NULL), 0);

        start = now_ns();
        EXPECT_RET(syscall(SYS_nanosleep, &(struct timespec){ 0, 0 }, NULL), 0);
        CHECK(now_ns() - start < 1000000000LL, "a zero sleep took %lld ns", now_ns() - start);

        /* A whole second and some, via glibc. */
        start = now_ns();
        req = (struct timespec){ 1, 1000 };
        EXPECT_RET(nanosleep(&req, NULL), 0);
        CHECK(now_ns() - start >= 1000001000LL, "slept %lld ns of 1.000001 s", now_ns() - start);

        EXPECT_ERRNO(syscall(SYS_nanosleep, &(struct timespec){ 0, 1000000000 }, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_nanosleep, &(struct timespec){ 0, -1 }, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_nanosleep, &(struct timespec){ -1, 0 }, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_nanosleep, &(struct timespec){ -1, 1000000000 }, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_nanosleep, NULL, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_nanosleep, LOW_ADDR, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_nanosleep, KERNEL_ADDR, NULL), EFAULT);
        return TEST_PASS;
}
