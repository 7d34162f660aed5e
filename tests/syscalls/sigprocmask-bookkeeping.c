/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_sigprocmask(2) as bookkeeping: SIG_BLOCK/SIG_UNBLOCK/SIG_SETMASK and the
 * old mask round-trip; SIGKILL and SIGSTOP are silently left out; a bad `how`
 * is EINVAL only when a new set is given; a sigsetsize other than 8 is
 * EINVAL; bad pointers are EFAULT (the mask still changes when only the old
 * set cannot be written).
 */
#include <signal.h>
#include <stdint.h>

#include "test.h"

#define BIT(sig) (1ULL << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))

static long mask(int how, const uint64_t *set, uint64_t *old)
{
        return syscall(SYS_rt_sigprocmask, how, set, old, 8);
}

static uint64_t get(void)
{
        uint64_t m = 0xa5a5a5a5a5a5a5a5ULL;

        EXPECT_RET(mask(SIG_BLOCK, NULL, &m), 0);
        return m;
}

static void expect_mask(uint64_t want, int line)
{
        uint64_t m = get();

        if (m != want)
                test_fail_at(__FILE_NAME__, line, "mask %#llx, expected %#llx",
                             (unsigned long long)m, (unsigned long long)want);
}
#define EXPECT_MASK(want) expect_mask((want), __LINE__)

int main(void)
{
        uint64_t orig = get(), empty = 0, all = ~0ULL, old;
        uint64_t usr = BIT(SIGUSR1) | BIT(SIGUSR2), rt = BIT(32) | BIT(33) | BIT(64);
        uint64_t usr1 = BIT(SIGUSR1), kill_stop = UNBLOCKABLE | BIT(SIGINT);
        sigset_t set;

        CHECK(!(orig & UNBLOCKABLE), "SIGKILL or SIGSTOP blocked at start: %#llx",
              (unsigned long long)orig);

        EXPECT_RET(mask(SIG_SETMASK, &empty, NULL), 0);
        EXPECT_MASK(0);
        EXPECT_RET(mask(SIG_BLOCK, &usr, &old), 0);
        EXPECT_EQ(old, 0);
        EXPECT_MASK(usr);
        EXPECT_RET(mask(SIG_BLOCK, &rt, NULL), 0);
        EXPECT_MASK(usr | rt);
        EXPECT_RET(mask(SIG_UNBLOCK, &usr1, &old), 0);
        EXPECT_EQ(old, usr | rt);
        EXPECT_MASK(BIT(SIGUSR2) | rt);
        EXPECT_RET(mask(SIG_SETMASK, &usr1, &old), 0);
        EXPECT_EQ(old, BIT(SIGUSR2) | rt);
        EXPECT_MASK(usr1);

        /* SIGKILL and SIGSTOP never get in, whichever way. */
        EXPECT_RET(mask(SIG_BLOCK, &kill_stop, NULL), 0);
        EXPECT_MASK(usr1 | BIT(SIGINT));
        EXPECT_RET(mask(SIG_SETMASK, &all, NULL), 0);
        EXPECT_MASK(~UNBLOCKABLE);
        EXPECT_RET(mask(SIG_UNBLOCK, &all, NULL), 0);
        EXPECT_MASK(0);

        /* glibc agrees. */
        EXPECT_RET(mask(SIG_SETMASK, &usr1, NULL), 0);
        EXPECT_RET(sigprocmask(SIG_BLOCK, NULL, &set), 0);
        CHECK(sigismember(&set, SIGUSR1) && !sigismember(&set, SIGUSR2),
              "glibc's sigprocmask reads another mask");

        /* A bad `how` matters only with a new set. */
        EXPECT_ERRNO(mask(3, &usr, NULL), EINVAL);
        EXPECT_ERRNO(mask(-1, &usr, &old), EINVAL);
        EXPECT_RET(mask(3, NULL, &old), 0);
        EXPECT_EQ(old, usr1);
        EXPECT_MASK(usr1);

        EXPECT_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &usr, NULL, 4), EINVAL);
        EXPECT_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &old, 16), EINVAL);
        EXPECT_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &old, 0), EINVAL);

        EXPECT_ERRNO(mask(SIG_BLOCK, LOW_ADDR, NULL), EFAULT);
        EXPECT_ERRNO(mask(SIG_BLOCK, NULL, KERNEL_ADDR), EFAULT);
        EXPECT_MASK(usr1);
        EXPECT_ERRNO(mask(SIG_BLOCK, &usr, LOW_ADDR), EFAULT);
        EXPECT_MASK(usr);

        EXPECT_RET(mask(SIG_SETMASK, &orig, NULL), 0);
        EXPECT_MASK(orig);
        return TEST_PASS;
}
