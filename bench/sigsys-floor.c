/*
 * sigsys-floor: the least any seccomp-trap platform can pay per system call.
 *
 * A seccomp filter traps getppid (SECCOMP_RET_TRAP) and an in-process SIGSYS
 * handler answers it itself (rax = 1 in the ucontext): the trap, the signal
 * frame and rt_sigreturn, with no hand-off to anyone. systrap adds a hand-off
 * to the sentry and back on top of this.
 *
 * usage: sigsys-floor [N]   prints "sigsys-floor <usec per call>"
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static void on_sigsys(int sig, siginfo_t *si, void *uc_)
{
        ucontext_t *uc = uc_;

        (void)sig;
        (void)si;
        uc->uc_mcontext.gregs[REG_RAX] = 1;
}

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
        long n = argc > 1 ? atol(argv[1]) : 100000;
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
        struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
        double start;

        if (n <= 0 || sigaction(SIGSYS, &sa, NULL) < 0 ||
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                return 2;
        for (long i = 0; i < n / 10 + 1; i++)   /* warm up */
                if (syscall(SYS_getppid) != 1)
                        return 1;
        start = now_us();
        for (long i = 0; i < n; i++)
                syscall(SYS_getppid);
        printf("sigsys-floor %.3f\n", (now_us() - start) / (double)n);
        return 0;
}
