/* SA_RESETHAND, SA_NODEFER and the mask a handler runs with; SIG_IGN. */
#include <signal.h>
#include <stdio.h>

#include "test.h"

static volatile int calls, self_blocked;

static void handler(int signo)
{
        sigset_t cur;

        calls++;
        sigprocmask(SIG_BLOCK, NULL, &cur);
        self_blocked = sigismember(&cur, signo);
}

int main(void)
{
        struct sigaction sa = { .sa_handler = handler }, old;

        sigemptyset(&sa.sa_mask);

        /* Default: the signal is blocked while its handler runs. */
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        EXPECT_OK(raise(SIGUSR1));
        EXPECT_EQ(calls, 1);
        EXPECT_EQ(self_blocked, 1);

        /* SA_NODEFER: it is not. */
        sa.sa_flags = SA_NODEFER;
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        EXPECT_OK(raise(SIGUSR1));
        EXPECT_EQ(calls, 2);
        EXPECT_EQ(self_blocked, 0);

        /* SA_RESETHAND: one shot, then SIG_DFL. */
        sa.sa_flags = SA_RESETHAND;
        EXPECT_OK(sigaction(SIGUSR2, &sa, NULL));
        EXPECT_OK(raise(SIGUSR2));
        EXPECT_EQ(calls, 3);
        EXPECT_OK(sigaction(SIGUSR2, NULL, &old));
        CHECK(old.sa_handler == SIG_DFL, "handler not reset");
        printf("flags after reset: %#x\n", (unsigned)old.sa_flags);

        /* SIG_IGN: nothing happens. */
        signal(SIGUSR1, SIG_IGN);
        EXPECT_OK(raise(SIGUSR1));
        EXPECT_EQ(calls, 3);

        /* A default-ignored signal (SIGCHLD, SIGURG, SIGWINCH) does nothing. */
        signal(SIGURG, SIG_DFL);
        EXPECT_OK(raise(SIGURG));
        signal(SIGWINCH, SIG_DFL);
        EXPECT_OK(raise(SIGWINCH));
        EXPECT_EQ(calls, 3);
        return 0;
}
