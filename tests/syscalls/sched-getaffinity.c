/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sched_getaffinity(2) returns the number of bytes it wrote: positive, a
 * multiple of 8, no more than asked, with at least one CPU set and nothing
 * written past it. A length that is not a multiple of 8 or too small for the
 * kernel's CPU count is EINVAL, an unknown pid ESRCH, a bad buffer EFAULT.
 */
#include <limits.h>
#include <sched.h>

#include "test.h"

#define LEN 128

static int count_bits(const unsigned char *m, size_t len)
{
        int n = 0;

        for (size_t i = 0; i < len; i++)
                n += __builtin_popcount(m[i]);
        return n;
}

int main(void)
{
        unsigned char mask[LEN], mask2[LEN];
        cpu_set_t set;
        long n;

        memset(mask, 0xa5, sizeof(mask));
        n = EXPECT_OK(syscall(SYS_sched_getaffinity, 0, LEN, mask));
        CHECK(n > 0 && n % 8 == 0 && n <= LEN, "returned %ld for a %d-byte buffer", n, LEN);
        CHECK(count_bits(mask, n) >= 1, "no CPU in the affinity mask");
        for (long i = n; i < LEN; i++)
                CHECK(mask[i] == 0xa5, "byte %ld, past the %ld returned, was written", i, n);

        memset(mask2, 0x5a, sizeof(mask2));
        EXPECT_RET(syscall(SYS_sched_getaffinity, syscall(SYS_getpid), n, mask2), n);
        CHECK(memcmp(mask, mask2, n) == 0, "mask of pid 0 and of getpid() differ");
        /* glibc returns 0 and clears the rest of the set. */
        EXPECT_RET(sched_getaffinity(0, sizeof(set), &set), 0);
        EXPECT_EQ(CPU_COUNT(&set), count_bits(mask, n));

        EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, 0, mask), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, 1, mask), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, n + 4, mask), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, n - 1, mask), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_getaffinity, INT_MAX, LEN, mask), ESRCH);
        EXPECT_ERRNO(syscall(SYS_sched_getaffinity, -1, LEN, mask), ESRCH);
        EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, LEN, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, LEN, KERNEL_ADDR), EFAULT);
        return TEST_PASS;
}
