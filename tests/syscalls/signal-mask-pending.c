/* Blocked signals wait: rt_sigpending shows them; unblocking delivers them.
 * Standard signals merge, real-time ones queue, and several unblocked at
 * once are delivered in Linux's order (frames nest: the last taken runs
 * first). */
#include <signal.h>
#include <string.h>

#include "test.h"

static volatile int order[16];
static volatile int norder;

static void handler(int signo)
{
        if (norder < 16)
                order[norder++] = signo;
}

static void block(int how, int a, int b)
{
        sigset_t set;

        sigemptyset(&set);
        if (a)
                sigaddset(&set, a);
        if (b)
                sigaddset(&set, b);
        EXPECT_OK(sigprocmask(how, &set, NULL));
}

int main(void)
{
        struct sigaction sa = { .sa_handler = handler };
        sigset_t pending;
        int rt = SIGRTMIN + 2;

        sigemptyset(&sa.sa_mask);
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        EXPECT_OK(sigaction(SIGUSR2, &sa, NULL));
        EXPECT_OK(sigaction(rt, &sa, NULL));

        /* Blocked: pending, not delivered; a second one merges. */
        block(SIG_BLOCK, SIGUSR1, 0);
        EXPECT_OK(raise(SIGUSR1));
        EXPECT_OK(raise(SIGUSR1));
        EXPECT_EQ(norder, 0);
        EXPECT_OK(sigpending(&pending));
        EXPECT_EQ(sigismember(&pending, SIGUSR1), 1);
        EXPECT_EQ(sigismember(&pending, SIGUSR2), 0);
        block(SIG_UNBLOCK, SIGUSR1, 0);
        EXPECT_EQ(norder, 1);
        EXPECT_EQ(order[0], SIGUSR1);
        EXPECT_OK(sigpending(&pending));
        EXPECT_EQ(sigismember(&pending, SIGUSR1), 0);

        /* Real-time signals queue: three sent, three delivered. */
        norder = 0;
        block(SIG_BLOCK, rt, 0);
        for (int i = 0; i < 3; i++)
                EXPECT_OK(raise(rt));
        EXPECT_EQ(norder, 0);
        block(SIG_UNBLOCK, rt, 0);
        EXPECT_EQ(norder, 3);

        /* Two at once: the order handlers run in. */
        norder = 0;
        block(SIG_BLOCK, SIGUSR1, SIGUSR2);
        EXPECT_OK(raise(SIGUSR2));
        EXPECT_OK(raise(SIGUSR1));
        block(SIG_UNBLOCK, SIGUSR1, SIGUSR2);
        EXPECT_EQ(norder, 2);
        printf("order: %d %d\n", order[0] == SIGUSR1 ? 1 : 2, order[1] == SIGUSR1 ? 1 : 2);

        /* Ignoring a pending signal discards it. */
        norder = 0;
        block(SIG_BLOCK, SIGUSR1, 0);
        EXPECT_OK(raise(SIGUSR1));
        signal(SIGUSR1, SIG_IGN);
        EXPECT_OK(sigpending(&pending));
        EXPECT_EQ(sigismember(&pending, SIGUSR1), 0);
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        block(SIG_UNBLOCK, SIGUSR1, 0);
        EXPECT_EQ(norder, 0);
        /* An ignored signal sent while unblocked never becomes pending. */
        signal(SIGUSR2, SIG_IGN);
        EXPECT_OK(raise(SIGUSR2));
        EXPECT_EQ(norder, 0);

        /* sigsetsize larger than the kernel's is refused. */
        EXPECT_ERRNO(syscall(SYS_rt_sigpending, &pending, 16), EINVAL);
        return 0;
}
