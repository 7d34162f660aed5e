/* Process groups and sessions: setpgid by the parent and the child,
 * setsid in a child, and Linux's errors for each. */
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

int main(void)
{
        pid_t child;
        int status;

        EXPECT_EQ(getpgid(0), getpgrp());
        EXPECT_EQ(getsid(0), getsid(getpid()));
        EXPECT_EQ(getpgid(getpid()), getpgrp());

        /* The parent moves its child into a new group of the child's own. */
        child = EXPECT_OK(fork());
        if (child == 0) {
                pause();
                _exit(0);
        }
        EXPECT_OK(setpgid(child, child));
        EXPECT_EQ(getpgid(child), child);
        EXPECT_EQ(getsid(child), getsid(0));
        /* A group that does not exist in the session: EPERM. */
        EXPECT_ERRNO(setpgid(child, child + 1), EPERM);
        EXPECT_ERRNO(setpgid(child, -1), EINVAL);
        EXPECT_OK(kill(child, SIGKILL));
        EXPECT_RET(waitpid(child, &status, 0), child);
        /* Gone: ESRCH. */
        EXPECT_ERRNO(setpgid(child, child), ESRCH);
        EXPECT_ERRNO(getpgid(child), ESRCH);
        EXPECT_ERRNO(getsid(child), ESRCH);

        /* A child makes its own session: leader of session and group. */
        child = EXPECT_OK(fork());
        if (child == 0) {
                pid_t me = getpid();

                if (setsid() != me || getsid(0) != me || getpgrp() != me)
                        _exit(1);
                /* A session leader can't setsid again or change group. */
                if (setsid() != -1 || errno != EPERM)
                        _exit(2);
                if (setpgid(0, 0) != -1 || errno != EPERM)
                        _exit(3);
                _exit(0);
        }
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed at step %d",
              WEXITSTATUS(status));

        /* setpgid(0, 0) in a child: a group of its own; then setsid fails
         * because it leads a group. */
        child = EXPECT_OK(fork());
        if (child == 0) {
                if (setpgid(0, 0) != 0 || getpgrp() != getpid())
                        _exit(1);
                if (setsid() != -1 || errno != EPERM)
                        _exit(2);
                _exit(0);
        }
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed at step %d",
              WEXITSTATUS(status));
        return 0;
}
