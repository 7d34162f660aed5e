/*
 * Hostile arguments to every system call number: the sentry must answer each
 * with an errno or a result and never crash. Sandbox-only (natively this
 * would be a good way to break the host). The pointers it passes are never
 * its own memory (NULL, low, kernel, misaligned, or a scratch area it maps
 * and unmaps), so the program itself survives and exits 0.
 *
 * Usage: syscall-fuzz [ITERATIONS [SEED]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SCRATCH_SIZE (64 * 4096)

static uint64_t state;

static uint64_t next(void)
{
        /* xorshift64*: reproducible from the seed printed at the start. */
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 2685821657736338717ULL;
}

static char *scratch;

static uint64_t hostile_value(void)
{
        static const uint64_t fixed[] = {
                0, 1, 2, 3, 8, 16, 64, 4095, 4096, 65536, 0x7fffffff, 0x80000000,
                0xffffffff, (uint64_t)-1, (uint64_t)-4095, (uint64_t)INT64_MAX,
                0x00007ffffffff000ULL, 0x00007fffffffffffULL, 0xffffffff81000000ULL,
                0xffff800000000000ULL,
        };

        switch (next() % 4) {
        case 0:
                return fixed[next() % (sizeof(fixed) / sizeof(fixed[0]))];
        case 1:         /* inside (or just past) the scratch area */
                return (uint64_t)scratch + next() % (SCRATCH_SIZE + 8192);
        case 2:
                return next() % 256;
        default:
                return next();
        }
}

/* Calls that would end or stall the program, or let it hurt its own memory
 * with arguments we cannot steer: left out. */
static int skipped(long nr)
{
        switch (nr) {
        case SYS_exit: case SYS_exit_group: case SYS_rt_sigreturn:
        case SYS_nanosleep: case SYS_clock_nanosleep: case SYS_pause:
        case SYS_rt_sigsuspend: case SYS_read: case SYS_readv: case SYS_pread64:
        case SYS_preadv: case SYS_preadv2: case SYS_munmap: case SYS_mprotect:
        case SYS_mremap: case SYS_madvise: case SYS_brk: case SYS_mmap:
        case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_sigaltstack:
        case SYS_arch_prctl: case SYS_set_tid_address: case SYS_set_robust_list:
        case SYS_rseq: case SYS_prctl: case SYS_setrlimit: case SYS_prlimit64:
        case SYS_close: case SYS_dup2: case SYS_dup3: case SYS_select: case SYS_poll:
        case SYS_wait4: case SYS_waitid: case SYS_futex: case SYS_epoll_wait:
        case SYS_vfork: case SYS_fork: case SYS_clone: case SYS_clone3: case SYS_execve:
        case SYS_execveat: case SYS_kill: case SYS_tkill: case SYS_tgkill:
        case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo: case SYS_sched_yield:
        /* close_range would close stdio, as close; the others may wait for
         * an empty pipe, a full one or another description's lock. */
        case SYS_close_range: case SYS_splice: case SYS_tee: case SYS_sendfile:
        case SYS_flock:
        /* System V and POSIX IPC waits: a semaphore, queue or message the
         * fuzzer made may never come (as on Linux). */
        case SYS_semop: case SYS_semtimedop: case SYS_msgsnd: case SYS_msgrcv:
        case SYS_mq_timedsend: case SYS_mq_timedreceive:
        /* uretprobe and uprobe: the host kernel lets them past seccomp
         * (6.11+) and kills a caller outside a probe trampoline with SIGILL,
         * natively and under systrap alike. */
        case 335: case 336:
                return 1;
        default:
                return 0;
        }
}

/* The memory calls, steered into the scratch area. */
static void mm_call(void)
{
        uint64_t off = (next() % 80) * 4096, len = (next() % 24) * 4096 + (next() % 3 == 0);
        char *addr = scratch + off;

        switch (next() % 5) {
        case 0:
                syscall(SYS_mmap, addr, len, next() % 8, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
                break;
        case 1:
                syscall(SYS_munmap, addr, len);
                break;
        case 2:
                syscall(SYS_mprotect, addr, len, next() % 8);
                break;
        case 3:
                syscall(SYS_madvise, addr, len, next() % 24);
                break;
        default:
                syscall(SYS_mremap, addr, len, (next() % 24) * 4096, next() % 2, 0);
                break;
        }
}

int main(int argc, char **argv)
{
        long n = argc > 1 ? atol(argv[1]) : 20000;
        uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed;

        state = seed | 1;
        printf("syscall-fuzz: %ld calls, seed %#llx\n", n, (unsigned long long)seed);
        fflush(stdout);
        /* 128 pages reserved: mm_call() stays below page 104 of them. */
        scratch = mmap(NULL, 128 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (scratch == MAP_FAILED)
                return 2;
        for (long i = 0; i < n; i++) {
                long nr = (long)(next() % 460);

                if (next() % 8 == 0) {
                        mm_call();
                        continue;
                }
                if (skipped(nr))
                        continue;
                syscall(nr, hostile_value(), hostile_value(), hostile_value(),
                        hostile_value(), hostile_value(), hostile_value());
        }
        printf("syscall-fuzz: survived\n");
        return 0;
}
