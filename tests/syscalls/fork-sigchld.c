/* A child's exit sends SIGCHLD with its pid and status; ignoring SIGCHLD
 * makes children disappear without a wait. */
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

static volatile int chld;
static volatile pid_t chld_pid;
static volatile int chld_code, chld_status;

static void on_chld(int signo, siginfo_t *info, void *uc)
{
        (void)signo;
        (void)uc;
        chld++;
        chld_pid = info->si_pid;
        chld_code = info->si_code;
        chld_status = info->si_status;
}

int main(void)
{
        struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO };
        sigset_t block, empty;
        pid_t child;
        int status;

        sigemptyset(&sa.sa_mask);
        EXPECT_OK(sigaction(SIGCHLD, &sa, NULL));
        sigemptyset(&block);
        sigaddset(&block, SIGCHLD);
        sigemptyset(&empty);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &block, NULL));

        child = EXPECT_OK(fork());
        if (child == 0)
                _exit(5);
        while (!chld)
                sigsuspend(&empty);
        EXPECT_EQ(chld_pid, child);
        EXPECT_EQ(chld_code, CLD_EXITED);
        EXPECT_EQ(chld_status, 5);
        EXPECT_RET(waitpid(child, &status, 0), child);

        /* SIGCHLD ignored: no zombie is left to wait for. */
        signal(SIGCHLD, SIG_IGN);
        child = EXPECT_OK(fork());
        if (child == 0)
                _exit(0);
        /* wait blocks until the child is gone, then reports ECHILD. */
        EXPECT_ERRNO(waitpid(child, &status, 0), ECHILD);
        return 0;
}
