/* fork: the child has its own pid and the parent as its parent, gets a copy
 * of memory, and its exit status or killing signal reaches wait4/waitid. */
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

static int shared_before = 7;

int main(void)
{
        pid_t me = getpid(), child;
        int status;
        siginfo_t info;

        child = EXPECT_OK(fork());
        if (child == 0) {
                if (getppid() != me || getpid() == me)
                        _exit(10);
                shared_before = 99;     /* the parent must not see this */
                _exit(42);
        }
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status), "status %#x", status);
        EXPECT_EQ(WEXITSTATUS(status), 42);
        EXPECT_EQ(shared_before, 7);
        /* Reaped: it is gone. */
        EXPECT_ERRNO(waitpid(child, &status, WNOHANG), ECHILD);
        EXPECT_ERRNO(wait(&status), ECHILD);

        /* Killed by a signal. */
        child = EXPECT_OK(fork());
        if (child == 0) {
                for (;;)
                        pause();
        }
        EXPECT_OK(kill(child, SIGTERM));
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status %#x", status);

        /* waitid with WNOWAIT leaves it waitable; then reap it. */
        child = EXPECT_OK(fork());
        if (child == 0)
                _exit(3);
        EXPECT_OK(waitid(P_PID, child, &info, WEXITED | WNOWAIT));
        EXPECT_EQ(info.si_pid, child);
        EXPECT_EQ(info.si_code, CLD_EXITED);
        EXPECT_EQ(info.si_status, 3);
        EXPECT_OK(waitid(P_PID, child, &info, WEXITED));
        EXPECT_EQ(info.si_status, 3);
        EXPECT_ERRNO(waitid(P_PID, child, &info, WEXITED), ECHILD);

        /* WNOHANG on a running child: 0. */
        child = EXPECT_OK(fork());
        if (child == 0) {
                pause();
                _exit(0);
        }
        EXPECT_RET(waitpid(child, &status, WNOHANG), 0);
        EXPECT_OK(kill(child, SIGKILL));
        EXPECT_RET(waitpid(-1, &status, 0), child);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);

        /* Argument checks. */
        EXPECT_ERRNO(waitpid(-1, &status, 0x1000000), EINVAL);
        EXPECT_ERRNO(waitid(P_ALL, 0, &info, 0), EINVAL);
        EXPECT_ERRNO(waitid(P_PID, 0, &info, WEXITED), EINVAL);
        EXPECT_ERRNO(waitid(42, 0, &info, WEXITED), EINVAL);
        return 0;
}
