/* SA_ONSTACK runs the handler on the alternate stack, which reports
 * SS_ONSTACK while in use; the frame Linux builds there holds a ucontext
 * whose uc_stack and mask describe the interrupted state. */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#include "test.h"

static char altstack[64 * 1024] __attribute__((aligned(16)));
static volatile int ran, on_alt, ss_flags_inside, uc_stack_flags, blocked_inside;
static volatile uintptr_t local_addr;
static volatile uint64_t uc_mask;

static void handler(int signo, siginfo_t *info, void *ucp)
{
        ucontext_t *uc = ucp;
        stack_t now;
        sigset_t cur;
        char here;

        (void)info;
        ran++;
        local_addr = (uintptr_t)&here;
        on_alt = local_addr >= (uintptr_t)altstack && local_addr < (uintptr_t)altstack + sizeof(altstack);
        sigaltstack(NULL, &now);
        ss_flags_inside = now.ss_flags;
        uc_stack_flags = uc->uc_stack.ss_flags;
        memcpy((void *)&uc_mask, &uc->uc_sigmask, sizeof(uint64_t));
        sigprocmask(SIG_BLOCK, NULL, &cur);
        blocked_inside = sigismember(&cur, signo) + 2 * sigismember(&cur, SIGUSR2);
}

int main(void)
{
        stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, after;
        struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_ONSTACK };
        sigset_t hold;

        EXPECT_OK(sigaltstack(&ss, NULL));
        sigemptyset(&sa.sa_mask);
        sigaddset(&sa.sa_mask, SIGUSR2);
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));

        /* Block SIGHUP around the signal: the frame saves that mask. */
        sigemptyset(&hold);
        sigaddset(&hold, SIGHUP);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &hold, NULL));
        EXPECT_OK(raise(SIGUSR1));
        EXPECT_EQ(ran, 1);
        CHECK(on_alt, "handler ran at %#lx, not on the alternate stack", (unsigned long)local_addr);
        EXPECT_EQ(ss_flags_inside, SS_ONSTACK);
        EXPECT_EQ(uc_stack_flags, 0);
        /* Inside: the signal itself and sa_mask's SIGUSR2 are blocked. */
        EXPECT_EQ(blocked_inside, 3);
        /* The saved mask is the one before delivery: SIGHUP only. */
        EXPECT_EQ(uc_mask, 1ULL << (SIGHUP - 1));

        /* Back on the normal stack: the alternate one is idle again, and the
         * mask is restored. */
        EXPECT_OK(sigaltstack(NULL, &after));
        EXPECT_EQ(after.ss_flags, 0);
        EXPECT_OK(sigprocmask(SIG_BLOCK, NULL, &hold));
        EXPECT_EQ(sigismember(&hold, SIGUSR1), 0);
        EXPECT_EQ(sigismember(&hold, SIGHUP), 1);

        /* Without SA_ONSTACK the handler stays on the normal stack. */
        sa.sa_flags = SA_SIGINFO;
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        EXPECT_OK(raise(SIGUSR1));
        EXPECT_EQ(ran, 2);
        EXPECT_EQ(on_alt, 0);
        EXPECT_EQ(ss_flags_inside, 0);
        return 0;
}
