/* Helpers shared by the stub-process platforms: see stub.h. */
#include "stub.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void stub_rseq_unregister(void)
{
        struct rseq *area;

        if (__rseq_size == 0)
                return;
        area = (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
        /* glibc registers 32 bytes even where __rseq_size says less. */
        if (syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) < 0 &&
            __rseq_size != 32)
                (void)syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
}

void stub_kill(int pidfd)
{
        siginfo_t si;

        (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        for (;;) {
                memset(&si, 0, sizeof(si));
                if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;          /* ECHILD: reaped already */
                }
                if (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED ||
                    si.si_code == CLD_DUMPED)
                        break;
        }
        close(pidfd);
}

int stub_pin(pid_t tid, int cpu)
{
        cpu_set_t set;

        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        return sched_setaffinity(tid, sizeof(set), &set);
}

int stub_cpus_get(cpu_set_t *ret)
{
        return sched_getaffinity(0, sizeof(*ret), ret) < 0 ? -errno : 0;
}

int stub_allowed_cpu(const cpu_set_t *cpus, unsigned n, int *ret_count)
{
        int count, cpu;

        count = CPU_COUNT(cpus);
        if (ret_count)
                *ret_count = count;
        if (count <= 0)
                return -1;
        n %= (unsigned)count;
        for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
                if (CPU_ISSET(cpu, cpus) && n-- == 0)
                        return cpu;
        return -1;
}
