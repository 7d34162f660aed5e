/* Process creation, run natively, under conternel and under runsc by
 * bench/run.sh. Usage:
 *   forkbench fork N          fork + _exit + wait
 *   forkbench exec N PROG     fork + execve(PROG) + wait (PROG: /bin/true)
 * Prints "<name> <ms per iteration>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int one(const char *prog)
{
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return perror("fork"), 1;
        if (pid == 0) {
                if (prog) {
                        char *argv[] = { (char *)prog, NULL };
                        execv(prog, argv);
                        _exit(127);
                }
                _exit(0);
        }
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
                return fprintf(stderr, "child status %#x\n", status), 1;
        return 0;
}

int main(int argc, char **argv)
{
        long n = argc > 2 ? atol(argv[2]) : 0;
        const char *prog = NULL;
        double t;

        if (n <= 0 || argc < 3)
                return 2;
        if (!strcmp(argv[1], "exec")) {
                if (argc < 4)
                        return 2;
                prog = argv[3];
        } else if (strcmp(argv[1], "fork") != 0) {
                return 2;
        }
        if (one(prog))          /* warm up */
                return 1;
        t = now_ms();
        for (long i = 0; i < n; i++)
                if (one(prog))
                        return 1;
        printf("%s %.3f\n", argv[1], (now_ms() - t) / (double)n);
        return 0;
}
