/*
 * A fork bomb in the sandbox meets the sandbox's pids limit (EAGAIN, as a
 * full pids cgroup answers) and the host stays unharmed. Sandbox-only: run
 * as `conternel do --pids-limit=N -- fork-bomb N`. Prints how many forks
 * succeeded; exits 0 if that is N - 1 (init counts) and every child is
 * reaped.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        int limit = argc > 1 ? atoi(argv[1]) : 50, forked = 0, reaped = 0, err = 0;

        for (int i = 0; i < limit * 2; i++) {
                pid_t p = fork();

                if (p == 0) {
                        pause();
                        _exit(0);
                }
                if (p < 0) {
                        err = errno;
                        break;
                }
                forked++;
        }
        kill(0, SIGKILL);               /* the children, not init (it is pid 1) */
        while (wait(NULL) > 0)
                reaped++;
        printf("forked %d, then %s; reaped %d\n", forked, err ? "EAGAIN" : "no error", reaped);
        return forked == limit - 1 && err == EAGAIN && reaped == forked ? 0 : 1;
}
