/* A handler starts with a clean FPU state and cannot disturb the
 * interrupted code's: vector registers and the SSE rounding mode come back
 * through rt_sigreturn. */
#include <fenv.h>
#include <signal.h>
#include <stdint.h>

#include "test.h"

static volatile uint64_t seen_in_handler;
static volatile unsigned mxcsr_in_handler;

static unsigned get_mxcsr(void)
{
        unsigned v;

        __asm__ volatile("stmxcsr %0" : "=m"(v));
        return v;
}

static void handler(int signo)
{
        uint64_t v;

        (void)signo;
        __asm__ volatile("movq %%xmm15, %0" : "=r"(v));
        seen_in_handler = v;
        mxcsr_in_handler = get_mxcsr();
        /* Scribble on the vector registers and the rounding mode. */
        v = 0xdeadbeefcafef00dULL;
        __asm__ volatile("movq %0, %%xmm15\n\tmovq %0, %%xmm0" : : "r"(v) : "xmm0", "xmm15");
        fesetround(FE_TOWARDZERO);
}

int main(void)
{
        uint64_t before = 0x0123456789abcdefULL, after;
        unsigned mxcsr;

        signal(SIGUSR1, handler);
        fesetround(FE_UPWARD);
        mxcsr = get_mxcsr();
        /* xmm15 is set and read around a raw tgkill so no code between
         * touches it. */
        __asm__ volatile("movq %[v], %%xmm15\n\t"
                         "mov $234, %%eax\n\t"          /* tgkill(pid, tid, SIGUSR1) */
                         "syscall\n\t"
                         "movq %%xmm15, %[out]"
                         : [out] "=r"(after)
                         : [v] "r"(before), "D"(getpid()), "S"(gettid()), "d"(SIGUSR1)
                         : "rax", "rcx", "r11", "memory", "xmm15");
        EXPECT_EQ(after, before);
        EXPECT_EQ(get_mxcsr(), mxcsr);
        EXPECT_EQ(fegetround(), FE_UPWARD);
        /* The handler started clean: xmm15 zero, default MXCSR. */
        EXPECT_EQ(seen_in_handler, 0);
        EXPECT_EQ(mxcsr_in_handler & 0xffff, 0x1f80);
        return 0;
}
