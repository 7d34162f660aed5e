/*
 * sysemu-floor: the least a PTRACE_SYSEMU platform can pay per system call.
 *
 * A child runs a tight getppid loop under PTRACE_SYSEMU; the parent answers
 * each call with nothing but GETREGS + SETREGS + SYSEMU (and the waitpid that
 * brings it the stop). Prints one line, "sysemu-floor <usec per call>", or
 * "sysemu-floor-<mode> <usec>" for a placement mode:
 *   free    no affinity: the scheduler places both (default)
 *   pinned  parent and child pinned to the parent's current CPU
 *   follow  parent free; the child's affinity follows the parent's CPU
 *           (what the ptrace platform can do without pinning the sentry)
 *   split   parent and child pinned to different CPUs (the worst case)
 *
 * usage: sysemu-floor ITERATIONS [free|pinned|follow|split]
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_FREE, MODE_PINNED, MODE_FOLLOW, MODE_SPLIT };
static const char *const mode_names[] = { "free", "pinned", "follow", "split" };

static __attribute__((noreturn)) void child_loop(void)
{
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
            ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
                _exit(1);
        raise(SIGSTOP);
        for (;;)
                syscall(SYS_getppid);
}

static int pin(pid_t tid, int cpu)
{
        cpu_set_t set;

        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        return sched_setaffinity(tid, sizeof(set), &set);
}

static int wait_stop(pid_t pid)
{
        int status;

        if (waitpid(pid, &status, __WALL) < 0 || !WIFSTOPPED(status)) {
                fprintf(stderr, "sysemu-floor: child did not stop\n");
                return -1;
        }
        return WSTOPSIG(status);
}

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One call answered; the child is left running. */
static int answer(pid_t pid, enum mode mode, int *child_cpu)
{
        struct user_regs_struct regs;

        if (wait_stop(pid) != (SIGTRAP | 0x80))
                return -1;
        if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
                return -1;
        regs.rax = (unsigned long long)getpid();
        if (ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0)
                return -1;
        if (mode == MODE_FOLLOW) {
                int cpu = sched_getcpu();
                if (cpu >= 0 && cpu != *child_cpu && pin(pid, cpu) == 0)
                        *child_cpu = cpu;
        }
        return ptrace(PTRACE_SYSEMU, pid, NULL, NULL) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
        enum mode mode = MODE_FREE;
        long iterations;
        int child_cpu = -1;
        double start, elapsed;
        pid_t pid;

        if (argc < 2 || argc > 3 || (iterations = strtol(argv[1], NULL, 10)) <= 0) {
                fprintf(stderr, "usage: %s ITERATIONS [free|pinned|follow|split]\n", argv[0]);
                return 2;
        }
        if (argc == 3) {
                unsigned m;
                for (m = 0; m < 4 && strcmp(argv[2], mode_names[m]) != 0; m++)
                        ;
                if (m == 4) {
                        fprintf(stderr, "sysemu-floor: unknown mode %s\n", argv[2]);
                        return 2;
                }
                mode = (enum mode)m;
        }

        if (mode == MODE_PINNED || mode == MODE_SPLIT) {
                int cpu = sched_getcpu();
                if (cpu < 0 || pin(0, cpu) < 0) {
                        perror("sysemu-floor: pinning");
                        return 1;
                }
                child_cpu = mode == MODE_PINNED ? cpu : (cpu + 1) % sysconf(_SC_NPROCESSORS_ONLN);
        }

        pid = fork();
        if (pid < 0) {
                perror("sysemu-floor: fork");
                return 1;
        }
        if (pid == 0)
                child_loop();

        if (wait_stop(pid) != SIGSTOP ||
            ptrace(PTRACE_SETOPTIONS, pid, NULL,
                   (void *)(PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)) < 0)
                goto fail;
        if (child_cpu >= 0 && pin(pid, child_cpu) < 0)
                goto fail;
        if (ptrace(PTRACE_SYSEMU, pid, NULL, NULL) < 0)
                goto fail;

        for (long i = 0; i < 1000; i++)         /* warm up */
                if (answer(pid, mode, &child_cpu) < 0)
                        goto fail;
        start = now_us();
        for (long i = 0; i < iterations; i++)
                if (answer(pid, mode, &child_cpu) < 0)
                        goto fail;
        elapsed = now_us() - start;

        kill(pid, SIGKILL);
        waitpid(pid, NULL, __WALL);
        if (mode == MODE_FREE)
                printf("sysemu-floor %.2f\n", elapsed / iterations);
        else
                printf("sysemu-floor-%s %.2f\n", mode_names[mode], elapsed / iterations);
        return 0;

fail:
        fprintf(stderr, "sysemu-floor: ptrace failed: %s\n", strerror(errno));
        kill(pid, SIGKILL);
        return 1;
}
