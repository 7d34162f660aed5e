/* PR_SET_CHILD_SUBREAPER and PR_SET_PDEATHSIG. When a process exits, its
 * children go to the nearest living ancestor that is a child subreaper,
 * and each child that asked for a parent-death signal gets it, from the
 * dying parent (SI_USER, si_pid the parent). The sandbox's init is not the
 * subreaper here: a middle process is. */
#include <linux/prctl.h>
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

/* In the grandchild: wait for the parent-death signal, check where it now
 * hangs. Exit status: the failed step. */
static int grandchild(pid_t parent, pid_t reaper, int ready)
{
        struct timespec ts = { .tv_sec = 10 };
        sigset_t set;
        siginfo_t si;

        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                return 10;
        if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) != 0)
                return 11;
        if (getppid() != parent)
                return 12;
        if (write(ready, "r", 1) != 1)
                return 13;
        if (syscall(SYS_rt_sigtimedwait, &set, &si, &ts, 8) != SIGUSR1)
                return 14;
        if (si.si_code != SI_USER || si.si_pid != parent)
                return 15;
        if (getppid() != reaper)
                return 16;
        return 0;
}

/* The subreaper: its child P makes a grandchild G and exits; G must come
 * to us. Exit status: the failed step. */
static int subreaper(void)
{
        pid_t me = getpid(), p, g;
        int fds[2], status;
        char c;

        if (syscall(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
                return 1;
        if (pipe(fds) < 0)
                return 2;
        p = fork();
        if (p < 0)
                return 3;
        if (p == 0) {
                pid_t pp = getpid();

                g = fork();
                if (g < 0)
                        _exit(1);
                if (g == 0)
                        _exit(grandchild(pp, me, fds[1]));
                /* Leave once the grandchild is ready for our death. */
                if (read(fds[0], &c, 1) != 1)
                        _exit(2);
                _exit(0);
        }
        if (waitpid(p, &status, 0) != p || status != 0)
                return 4;
        /* The orphan is ours now: we can wait for it. */
        g = waitpid(-1, &status, 0);
        if (g <= 0)
                return 5;
        if (!WIFEXITED(status))
                return 6;
        if (WEXITSTATUS(status) != 0)
                return WEXITSTATUS(status);
        if (waitpid(-1, &status, WNOHANG) != -1 || errno != ECHILD)
                return 7;
        return 0;
}

int main(void)
{
        pid_t s;
        int status;

        alarm(20);
        s = EXPECT_OK(fork());
        if (s == 0)
                _exit(subreaper());
        EXPECT_RET(waitpid(s, &status, 0), s);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "failed at step %d",
              WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
        return 0;
}
