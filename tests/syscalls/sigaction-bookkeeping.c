/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_sigaction(2) as bookkeeping (no signal is delivered): an action reads
 * back exactly as set, minus SIGKILL/SIGSTOP in its mask and unknown flag
 * bits; the previous action comes back when a new one is set. SIGKILL and
 * SIGSTOP can be read but not changed; signal 0 and numbers above 64 are
 * EINVAL, as is a sigsetsize other than 8; bad pointers are EFAULT (the new
 * action is installed even when the old one cannot be written out).
 */
#include <signal.h>
#include <stdint.h>

#include "test.h"

/* The kernel's struct sigaction on x86_64. */
struct ksigaction {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
};

#define BIT(sig) (1ULL << ((sig) - 1))
#define SA_UNSUPPORTED_BIT 0x00000400UL
#define SA_RESTORER 0x04000000UL

static void handler(int sig) { (void)sig; }
static void restorer(void) { }

static long ksigaction(int sig, const struct ksigaction *act, struct ksigaction *old)
{
        return syscall(SYS_rt_sigaction, sig, act, old, 8);
}

static struct ksigaction get(int sig)
{
        struct ksigaction old;

        memset(&old, 0xa5, sizeof(old));
        EXPECT_RET(ksigaction(sig, NULL, &old), 0);
        return old;
}

static void check_same(int sig, const struct ksigaction *got, const struct ksigaction *want)
{
        CHECK(got->handler == want->handler && got->flags == want->flags &&
              got->restorer == want->restorer && got->mask == want->mask,
              "signal %d: expected {%p, %#lx, %p, %#llx}, got {%p, %#lx, %p, %#llx}", sig,
              want->handler, want->flags, want->restorer, (unsigned long long)want->mask,
              got->handler, got->flags, got->restorer, (unsigned long long)got->mask);
}

int main(void)
{
        struct ksigaction act = {
                .handler = (void *)handler,
                .flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK | SA_RESTORER,
                .restorer = (void *)restorer,
                .mask = BIT(SIGUSR2) | BIT(SIGKILL) | BIT(SIGSTOP) | BIT(64),
        };
        struct ksigaction want = act, got, old, ign = { .handler = SIG_IGN };
        struct sigaction sa;

        /* Round trip; SIGKILL and SIGSTOP are dropped from the mask. */
        want.mask = BIT(SIGUSR2) | BIT(64);
        EXPECT_RET(ksigaction(SIGUSR1, &act, NULL), 0);
        got = get(SIGUSR1);
        check_same(SIGUSR1, &got, &want);
        EXPECT_RET(sigaction(SIGUSR1, NULL, &sa), 0);
        CHECK(sa.sa_handler == handler && (sa.sa_flags & SA_SIGINFO) &&
              sigismember(&sa.sa_mask, SIGUSR2) && !sigismember(&sa.sa_mask, SIGKILL),
              "glibc's sigaction() reads something else back");

        /* Setting returns the previous action. */
        memset(&old, 0xa5, sizeof(old));
        EXPECT_RET(ksigaction(SIGUSR1, &ign, &old), 0);
        check_same(SIGUSR1, &old, &want);
        got = get(SIGUSR1);
        check_same(SIGUSR1, &got, &ign);

        /* Other flags, and unknown flag bits cleared. */
        act = (struct ksigaction){ .handler = (void *)handler,
                                   .flags = SA_RESETHAND | SA_NODEFER | SA_UNSUPPORTED_BIT,
                                   .mask = 0 };
        want = act;
        want.flags &= ~SA_UNSUPPORTED_BIT;
        EXPECT_RET(ksigaction(SIGRTMIN + 1, &act, NULL), 0);
        got = get(SIGRTMIN + 1);
        check_same(SIGRTMIN + 1, &got, &want);

        /* Every signal from 1 to 64 can be read; 32 and 64 can be set. */
        for (int sig = 1; sig <= 64; sig++)
                get(sig);
        EXPECT_RET(ksigaction(32, &ign, NULL), 0);
        EXPECT_RET(ksigaction(64, &ign, NULL), 0);
        got = get(64);
        check_same(64, &got, &ign);

        /* SIGKILL and SIGSTOP: readable (SIG_DFL), never settable. */
        got = get(SIGKILL);
        CHECK(got.handler == SIG_DFL, "SIGKILL's handler is %p", got.handler);
        get(SIGSTOP);
        EXPECT_ERRNO(ksigaction(SIGKILL, &ign, NULL), EINVAL);
        EXPECT_ERRNO(ksigaction(SIGSTOP, &ign, NULL), EINVAL);
        EXPECT_ERRNO(ksigaction(SIGKILL, &(struct ksigaction){ .handler = SIG_DFL }, NULL), EINVAL);

        /* Bad signal numbers and set sizes. */
        EXPECT_ERRNO(ksigaction(0, NULL, &old), EINVAL);
        EXPECT_ERRNO(ksigaction(0, &ign, NULL), EINVAL);
        EXPECT_ERRNO(ksigaction(65, NULL, &old), EINVAL);
        EXPECT_ERRNO(ksigaction(-1, &ign, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, &ign, NULL, 4), EINVAL);
        EXPECT_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, &ign, NULL, 16), EINVAL);
        EXPECT_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 0), EINVAL);

        /* Bad pointers. */
        EXPECT_ERRNO(ksigaction(SIGUSR2, LOW_ADDR, NULL), EFAULT);
        EXPECT_ERRNO(ksigaction(SIGUSR2, NULL, KERNEL_ADDR), EFAULT);
        EXPECT_RET(ksigaction(SIGUSR2, &(struct ksigaction){ .handler = SIG_DFL }, NULL), 0);
        EXPECT_ERRNO(ksigaction(SIGUSR2, &ign, LOW_ADDR), EFAULT);
        got = get(SIGUSR2);
        check_same(SIGUSR2, &got, &ign);

        /* Back to the defaults. */
        EXPECT_RET(ksigaction(SIGUSR1, &(struct ksigaction){ .handler = SIG_DFL }, NULL), 0);
        got = get(SIGUSR1);
        CHECK(got.handler == SIG_DFL && got.flags == 0 && got.mask == 0,
              "SIGUSR1 after SIG_DFL: {%p, %#lx, %#llx}", got.handler, got.flags,
              (unsigned long long)got.mask);
        return TEST_PASS;
}
