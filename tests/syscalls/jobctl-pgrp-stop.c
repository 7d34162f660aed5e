/* kill(-pgrp, SIGTSTP/SIGCONT) stops and continues every process of a
 * process group. While stopped they take no signal (a SIGUSR1 waits); once
 * continued, each runs its handler. */
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

static int pipefd[2], ready[2];
static volatile char name;

static void on_usr1(int signo)
{
        char c = name;

        (void)signo;
        if (write(pipefd[1], &c, 1) != 1)
                _exit(9);
}

static pid_t spawn(char n, pid_t pgid)
{
        pid_t pid = EXPECT_OK(fork());

        if (pid == 0) {
                name = n;
                if (setpgid(0, pgid) < 0 || write(ready[1], "r", 1) != 1)
                        _exit(8);
                for (;;)
                        pause();
        }
        /* Both sides set the group, so it is in place whoever runs first. */
        EXPECT_OK(setpgid(pid, pgid ? pgid : pid));
        return pid;
}

static void wait_ready(void)
{
        char c;

        EXPECT_RET(read(ready[0], &c, 1), 1);
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_usr1 };
        struct pollfd pfd;
        pid_t a, b;
        char got[2];
        int status;

        alarm(20);
        EXPECT_OK(pipe(pipefd));
        EXPECT_OK(pipe(ready));
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        a = spawn('a', 0);
        b = spawn('b', a);
        wait_ready();
        wait_ready();
        EXPECT_EQ(getpgid(b), a);

        EXPECT_OK(kill(-a, SIGTSTP));
        EXPECT_RET(waitpid(a, &status, WUNTRACED), a);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP, "a: status %#x", status);
        EXPECT_RET(waitpid(b, &status, WUNTRACED), b);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP, "b: status %#x", status);

        /* Stopped: the signal stays pending, no handler runs. */
        EXPECT_OK(kill(-a, SIGUSR1));
        pfd = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
        EXPECT_RET(poll(&pfd, 1, 200), 0);

        EXPECT_OK(kill(-a, SIGCONT));
        EXPECT_RET(waitpid(a, &status, WCONTINUED), a);
        CHECK(WIFCONTINUED(status), "a: status %#x", status);
        EXPECT_RET(waitpid(b, &status, WCONTINUED), b);
        CHECK(WIFCONTINUED(status), "b: status %#x", status);
        EXPECT_RET(read(pipefd[0], &got[0], 1), 1);
        EXPECT_RET(read(pipefd[0], &got[1], 1), 1);
        CHECK((got[0] == 'a' && got[1] == 'b') || (got[0] == 'b' && got[1] == 'a'),
              "handlers ran as %c%c", got[0], got[1]);

        /* SIGSTOP to the group, then SIGKILL to the stopped group. */
        EXPECT_OK(kill(-a, SIGSTOP));
        EXPECT_RET(waitpid(a, &status, WUNTRACED), a);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "a: status %#x", status);
        EXPECT_RET(waitpid(b, &status, WUNTRACED), b);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "b: status %#x", status);
        EXPECT_OK(kill(-a, SIGKILL));
        EXPECT_RET(waitpid(a, &status, 0), a);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "a: status %#x", status);
        EXPECT_RET(waitpid(b, &status, 0), b);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "b: status %#x", status);
        return 0;
}
