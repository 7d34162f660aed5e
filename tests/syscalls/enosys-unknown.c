/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System call numbers that name nothing are ENOSYS, including -1 (which
 * ptrace and seccomp use to mean "skip this call") and numbers with the top
 * bit set. Linux reads the number as an int: bits 32-63 of rax are ignored.
 *
 * Not tested: gaps in the table (335 and 336 were unused for years and are
 * now uretprobe and uprobe, which SIGILL outside a probe trampoline) and the
 * x32 bit (0x40000000), whose meaning depends on the host's configuration.
 */
#include "test.h"

/* The syscall instruction with the number in full 64-bit rax. */
static long raw_syscall0(unsigned long nr)
{
        long ret;

        __asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
        return ret;
}

int main(void)
{
        static const long unknown[] = { 1000, 4095, 100000, 0x3fffffff, -1, -2, -1000, 0x7fffffff };
        long pid = syscall(SYS_getpid);

        for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
                errno = 0;
                long r = syscall(unknown[i], 0, 0, 0, 0, 0, 0);
                if (r != -1 || errno != ENOSYS)
                        FAIL("syscall(%ld): expected -1 ENOSYS, got %ld %s",
                             unknown[i], r, test_errname(errno));
                EXPECT_EQ(raw_syscall0(unknown[i]), -ENOSYS);
        }
        EXPECT_EQ(raw_syscall0(0xffffffffUL), -ENOSYS);
        EXPECT_EQ(raw_syscall0(0x80000000UL), -ENOSYS);
        /* Only the low 32 bits of rax select the call. */
        EXPECT_EQ(raw_syscall0((1UL << 32) | SYS_getpid), pid);
        EXPECT_EQ(raw_syscall0(0xffffffff00000000UL | SYS_getpid), pid);
        EXPECT_EQ(raw_syscall0((1UL << 32) | 1000), -ENOSYS);
        return TEST_PASS;
}
