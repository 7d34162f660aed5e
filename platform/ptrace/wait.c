/* Waiting for a traced stub thread. */
#include <errno.h>
#include <sys/wait.h>

#include "internal.h"

/* Waits until tid is in a ptrace stop. Returns 0 with the wait status, or
 * -ESRCH if it exited or was killed (it is then reaped). */
int ptrace_wait_stop(pid_t tid, int *ret_status)
{
        for (;;) {
                int status;
                pid_t r = waitpid(tid, &status, __WALL);

                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -ESRCH;          /* ECHILD: already reaped */
                }
                if (WIFSTOPPED(status)) {
                        *ret_status = status;
                        return 0;
                }
                if (WIFEXITED(status) || WIFSIGNALED(status))
                        return -ESRCH;
        }
}
