/* SPDX-License-Identifier: Apache-2.0 */
/*
 * getrandom(2) fills the whole buffer (small and large), two draws differ,
 * GRND_NONBLOCK, GRND_RANDOM and GRND_INSECURE are accepted (not INSECURE with
 * RANDOM), unknown flags are EINVAL before the buffer is looked at, a bad
 * buffer is EFAULT and a zero length returns 0.
 */
#include <sys/random.h>

#include "test.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

static unsigned char big[256 * 1024];

static void draw(void *buf, size_t len, unsigned int flags)
{
        EXPECT_RET(syscall(SYS_getrandom, buf, len, flags), len);
}

int main(void)
{
        unsigned char a[64], b[64], zero[64] = { 0 };
        size_t nonzero = 0;

        memset(a, 0, sizeof(a));
        memset(b, 0, sizeof(b));
        draw(a, sizeof(a), 0);
        draw(b, sizeof(b), 0);
        CHECK(memcmp(a, zero, sizeof(a)) != 0, "64 random bytes are all zero");
        CHECK(memcmp(a, b, sizeof(a)) != 0, "two draws of 64 bytes are equal");

        draw(a, sizeof(a), GRND_NONBLOCK);
        draw(a, sizeof(a), GRND_RANDOM);
        draw(a, sizeof(a), GRND_RANDOM | GRND_NONBLOCK);
        draw(a, sizeof(a), GRND_INSECURE);
        draw(a, 1, 0);
        EXPECT_RET(getrandom(b, sizeof(b), 0), sizeof(b));

        /* Large requests are filled entirely, to the end. */
        draw(big, sizeof(big), 0);
        for (size_t i = sizeof(big) - 4096; i < sizeof(big); i++)
                nonzero += big[i] != 0;
        CHECK(nonzero > 4000, "only %zu of the last 4096 bytes are nonzero", nonzero);

        EXPECT_RET(syscall(SYS_getrandom, a, 0, 0), 0);
        EXPECT_RET(syscall(SYS_getrandom, NULL, 0, 0), 0);

        EXPECT_ERRNO(syscall(SYS_getrandom, a, sizeof(a), 0x8), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getrandom, a, sizeof(a), 0x80000000), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getrandom, a, sizeof(a), GRND_INSECURE | GRND_RANDOM), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getrandom, LOW_ADDR, 16, 0x8), EINVAL);

        EXPECT_ERRNO(syscall(SYS_getrandom, NULL, 16, 0), EFAULT);
        EXPECT_ERRNO(syscall(SYS_getrandom, LOW_ADDR, 16, GRND_NONBLOCK), EFAULT);
        EXPECT_ERRNO(syscall(SYS_getrandom, KERNEL_ADDR, 16, 0), EFAULT);
        return TEST_PASS;
}
