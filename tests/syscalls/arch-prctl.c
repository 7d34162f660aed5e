/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arch_prctl(2) FS/GS bases: ARCH_GET_FS returns glibc's thread pointer (the
 * TCB, whose first word points to itself, with __thread variables just below
 * it); ARCH_SET_GS/SET_FS change what %gs:/%fs: addressing reads; addresses at
 * or above TASK_SIZE_MAX are EPERM; bad codes EINVAL; bad pointers EFAULT.
 */
#include <asm/prctl.h>
#include <stdint.h>

#include "test.h"

#define TASK_SIZE_MAX 0x00007ffffffff000UL      /* (1 << 47) - 4096 */

static __thread int tls_var = 42;

struct block {
        void *self;
        long magic;
};

static struct block gs_block = { &gs_block, 0x6773 };
static struct block fs_block = { &fs_block, 0x6673 };

static unsigned long get_base(int code)
{
        unsigned long base = 0xdeadbeef;

        EXPECT_RET(syscall(SYS_arch_prctl, code, &base), 0);
        return base;
}

static long read_gs8(void)
{
        long v;

        __asm__ volatile("movq %%gs:8, %0" : "=r"(v));
        return v;
}

static unsigned long read_fs0(void)
{
        unsigned long v;

        __asm__ volatile("movq %%fs:0, %0" : "=r"(v));
        return v;
}

/*
 * Point %fs at fs_block, read %fs:8, and put the old base back, all in one asm
 * statement: nothing in between may use TLS (errno, stack protector).
 */
static long read_fs8_via(struct block *b, unsigned long old, long *ret_rc1, long *ret_rc2)
{
        long v, rc1, rc2;

        __asm__ volatile("movl %[nr], %%eax\n\t"
                         "movl %[set], %%edi\n\t"
                         "movq %[b], %%rsi\n\t"
                         "syscall\n\t"
                         "movq %%rax, %[rc1]\n\t"
                         "movq %%fs:8, %[v]\n\t"
                         "movl %[nr], %%eax\n\t"
                         "movl %[set], %%edi\n\t"
                         "movq %[old], %%rsi\n\t"
                         "syscall\n\t"
                         "movq %%rax, %[rc2]\n\t"
                         : [v] "=&r"(v), [rc1] "=&r"(rc1), [rc2] "=&r"(rc2)
                         : [nr] "i"(SYS_arch_prctl), [set] "i"(ARCH_SET_FS),
                           [b] "r"(b), [old] "r"(old)
                         : "rax", "rdi", "rsi", "rcx", "r11", "memory");
        *ret_rc1 = rc1;
        *ret_rc2 = rc2;
        return v;
}

int main(void)
{
        unsigned long fs = get_base(ARCH_GET_FS), tls = (uintptr_t)&tls_var;
        long rc1, rc2;

        /* x86_64 TLS variant II: the TCB is at the thread pointer, TLS below. */
        CHECK(fs != 0 && fs < TASK_SIZE_MAX, "ARCH_GET_FS = %#lx", fs);
        EXPECT_EQ(read_fs0(), fs);
        CHECK(tls < fs && fs - tls < 4096, "&tls_var %#lx vs fs base %#lx", tls, fs);
        EXPECT_EQ(tls_var, 42);
        EXPECT_EQ(get_base(ARCH_GET_FS), fs);

        /* GS starts at 0 after exec, then reads back what is set. */
        EXPECT_EQ(get_base(ARCH_GET_GS), 0);
        EXPECT_RET(syscall(SYS_arch_prctl, ARCH_SET_GS, &gs_block), 0);
        EXPECT_EQ(get_base(ARCH_GET_GS), (uintptr_t)&gs_block);
        EXPECT_EQ(read_gs8(), 0x6773);
        EXPECT_RET(syscall(SYS_arch_prctl, ARCH_SET_GS, TASK_SIZE_MAX - 1), 0);
        EXPECT_EQ(get_base(ARCH_GET_GS), TASK_SIZE_MAX - 1);

        /* At or above TASK_SIZE_MAX: EPERM, base unchanged. */
        EXPECT_ERRNO(syscall(SYS_arch_prctl, ARCH_SET_GS, TASK_SIZE_MAX), EPERM);
        EXPECT_ERRNO(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x0000800000000000UL), EPERM);
        EXPECT_ERRNO(syscall(SYS_arch_prctl, ARCH_SET_GS, KERNEL_ADDR), EPERM);
        EXPECT_ERRNO(syscall(SYS_arch_prctl, ARCH_SET_FS, KERNEL_ADDR), EPERM);
        EXPECT_EQ(get_base(ARCH_GET_GS), TASK_SIZE_MAX - 1);
        EXPECT_EQ(get_base(ARCH_GET_FS), fs);
        EXPECT_RET(syscall(SYS_arch_prctl, ARCH_SET_GS, 0), 0);
        EXPECT_EQ(get_base(ARCH_GET_GS), 0);

        /* FS really moves, and comes back. */
        EXPECT_EQ(read_fs8_via(&fs_block, fs, &rc1, &rc2), 0x6673);
        EXPECT_EQ(rc1, 0);
        EXPECT_EQ(rc2, 0);
        EXPECT_EQ(get_base(ARCH_GET_FS), fs);
        EXPECT_EQ(read_fs0(), fs);
        EXPECT_RET(syscall(SYS_arch_prctl, ARCH_SET_FS, fs), 0);
        EXPECT_EQ(tls_var, 42);

        /* Bad output pointers and codes. */
        EXPECT_ERRNO(syscall(SYS_arch_prctl, ARCH_GET_FS, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_arch_prctl, ARCH_GET_GS, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_arch_prctl, ARCH_GET_FS, KERNEL_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_arch_prctl, 0, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_arch_prctl, 0x9999, &fs), EINVAL);
        EXPECT_ERRNO(syscall(SYS_arch_prctl, -1, &fs), EINVAL);
        return TEST_PASS;
}
