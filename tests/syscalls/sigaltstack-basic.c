/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigaltstack(2) as bookkeeping: disabled after exec; set/get round trip with
 * the old value returned; SS_ONSTACK as an input means "enable"; SS_AUTODISARM
 * is remembered; SS_DISABLE forgets the stack. A size below MINSIGSTKSZ is
 * ENOMEM, unknown flags EINVAL (checked first), bad pointers EFAULT.
 */
#include <signal.h>

#include "test.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

/* The kernel's MINSIGSTKSZ; glibc's macro may be sysconf(_SC_MINSIGSTKSZ) instead. */
#define KERNEL_MINSIGSTKSZ 2048

static char stack_a[65536], stack_b[32768];

static stack_t get(void)
{
        stack_t ss;

        memset(&ss, 0xa5, sizeof(ss));
        EXPECT_RET(syscall(SYS_sigaltstack, NULL, &ss), 0);
        return ss;
}

static void expect(void *sp, size_t size, int flags, const stack_t *got, int line)
{
        if (got->ss_sp != sp || got->ss_size != size || got->ss_flags != flags)
                test_fail_at(__FILE_NAME__, line, "expected {%p, %zu, %#x}, got {%p, %zu, %#x}",
                             sp, size, flags, got->ss_sp, got->ss_size, got->ss_flags);
}
#define EXPECT_STACK(sp, size, flags, got) expect((sp), (size), (flags), (got), __LINE__)

static long set(void *sp, size_t size, int flags, stack_t *old)
{
        stack_t ss = { .ss_sp = sp, .ss_size = size, .ss_flags = flags };

        return syscall(SYS_sigaltstack, &ss, old);
}

int main(void)
{
        stack_t ss, old, orig = get();

#ifndef __SANITIZE_ADDRESS__   /* ASan's runtime installs an alternate stack */
        EXPECT_STACK(NULL, 0, SS_DISABLE, &orig);
#endif

        EXPECT_RET(set(stack_a, sizeof(stack_a), 0, &old), 0);
        EXPECT_STACK(orig.ss_sp, orig.ss_size, orig.ss_flags, &old);
        ss = get();
        EXPECT_STACK(stack_a, sizeof(stack_a), 0, &ss);
        EXPECT_RET(sigaltstack(NULL, &ss), 0);
        EXPECT_STACK(stack_a, sizeof(stack_a), 0, &ss);

        /* SS_ONSTACK in ss_flags is accepted like 0; reading says 0 (not on it). */
        EXPECT_RET(set(stack_b, sizeof(stack_b), SS_ONSTACK, &old), 0);
        EXPECT_STACK(stack_a, sizeof(stack_a), 0, &old);
        ss = get();
        EXPECT_STACK(stack_b, sizeof(stack_b), 0, &ss);

        EXPECT_RET(set(stack_a, sizeof(stack_a), SS_AUTODISARM, NULL), 0);
        ss = get();
        EXPECT_STACK(stack_a, sizeof(stack_a), (int)SS_AUTODISARM, &ss);

        /* Disabling ignores the address and size given and forgets the stack. */
        EXPECT_RET(set(stack_b, 1, SS_DISABLE, &old), 0);
        EXPECT_STACK(stack_a, sizeof(stack_a), (int)SS_AUTODISARM, &old);
        ss = get();
        EXPECT_STACK(NULL, 0, SS_DISABLE, &ss);

        /* Too small: ENOMEM, nothing changes. */
        EXPECT_ERRNO(set(stack_a, KERNEL_MINSIGSTKSZ - 1, 0, NULL), ENOMEM);
        EXPECT_ERRNO(set(stack_a, 1024, SS_ONSTACK, NULL), ENOMEM);
        EXPECT_ERRNO(set(stack_a, 0, 0, NULL), ENOMEM);
        ss = get();
        EXPECT_STACK(NULL, 0, SS_DISABLE, &ss);

        /* Unknown flags: EINVAL, before the size is looked at. */
        EXPECT_ERRNO(set(stack_a, sizeof(stack_a), 0x1234, NULL), EINVAL);
        EXPECT_ERRNO(set(stack_a, sizeof(stack_a), SS_ONSTACK | SS_DISABLE, NULL), EINVAL);
        EXPECT_ERRNO(set(stack_a, 16, 4, NULL), EINVAL);
        EXPECT_ERRNO(set(stack_a, sizeof(stack_a), (int)SS_AUTODISARM | 4, NULL), EINVAL);

        /* Bad pointers. */
        EXPECT_ERRNO(syscall(SYS_sigaltstack, LOW_ADDR, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_sigaltstack, NULL, KERNEL_ADDR), EFAULT);
        EXPECT_RET(syscall(SYS_sigaltstack, NULL, NULL), 0);
        ss = get();
        EXPECT_STACK(NULL, 0, SS_DISABLE, &ss);
        EXPECT_RET(syscall(SYS_sigaltstack, &orig, NULL), 0);
        return TEST_PASS;
}
