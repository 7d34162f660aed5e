/*
 * Spawning the factory: the one stub forked from the sentry itself
 * (factory.c forks every other stub from it).
 *
 * It is a fork of the platform's spawner thread (a raw clone: no atfork
 * handlers, safe in a multithreaded sentry) into fresh user, pid, mount,
 * network, IPC and UTS namespaces, whose pid 1 it becomes: when it dies, the
 * kernel kills every stub forked from it. The child inherits the stub region
 * (region.c) and, still running sentry code with every signal blocked and
 * only async-signal-safe calls:
 *   - asks for SIGKILL when its parent thread dies, and checks that it has
 *     not died already; drops glibc's rseq registration;
 *   - makes its root an empty tmpfs (mounted over / in its own mount
 *     namespace, then chroot);
 *   - maps its part of the data file into the region, keeps only the memory
 *     file (STUB_MEMFD) and the data file (STUB_DATAFD), and seals the code
 *     page (mseal: no munmap, mprotect or mmap over it, whoever asks). Its
 *     data span stays unsealed: each stub forked from it maps its own part
 *     there, then seals the whole region;
 *   - points SIGSYS, the fault signals and the interrupt signal at the
 *     trampoline's handler (signal stack per thread, every signal blocked
 *     while it runs) and ignores every other signal (SIGCHLD too, so the
 *     stubs it forks are reaped by the kernel);
 *   - drops every capability (libcap-ng: effective, permitted, inheritable,
 *     bounding) and sets no_new_privs;
 *   - installs the instruction-pointer filter (filter.c) as its very last
 *     system call from sentry code, and jumps into the trampoline, which
 *     unmaps everything else, installs the allow-list and serves requests.
 * The factory never runs guest code.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"
#include "internal.h"

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SYS_mseal
#define SYS_mseal 462
#endif

#define STUB_NAMESPACES (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | \
                         CLONE_NEWIPC | CLONE_NEWUTS)
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* The kernel's struct sigaction for rt_sigaction. */
struct ksigaction {
        uintptr_t handler;
        unsigned long flags;
        uintptr_t restorer;
        uint64_t mask;
};

static bool handled_signal(int sig)
{
        return sig == SIGSYS || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
               sig == SIGILL || sig == SIGTRAP || sig == SYSTRAP_INTERRUPT_SIGNAL;
}

static int signals_setup(uintptr_t region)
{
        for (int sig = 1; sig <= 64; sig++) {
                struct ksigaction act = { .handler = (uintptr_t)SIG_IGN };

                if (sig == SIGKILL || sig == SIGSTOP)
                        continue;
                if (handled_signal(sig)) {
                        act.handler = region + TRAMP_OFFSET(systrap_handler);
                        act.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER;
                        act.restorer = region + TRAMP_OFFSET(systrap_restorer);
                        act.mask = ~0ULL;
                }
                if (syscall(SYS_rt_sigaction, sig, &act, NULL, sizeof(act.mask)) < 0)
                        return -errno;
        }
        return 0;
}

/* An empty, read-only root: a tmpfs mounted, in our own mount namespace,
 * over a directory that exists everywhere, then made the root. (Mounted over
 * "/" itself it would not be reached: "/" never crosses a mount.) */
static int root_empty(void)
{
        static const char *const anchors[] = { "/proc", "/tmp", "/dev" };

        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        for (size_t i = 0; i < ARRAY_SIZE(anchors); i++) {
                if (mount("none", anchors[i], "tmpfs",
                          MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                          "size=4k,nr_inodes=1,mode=0555") < 0)
                        continue;
                if (chdir(anchors[i]) < 0 || chroot(".") < 0 || chdir("/") < 0)
                        return -errno;
                return 0;
        }
        return -errno;
}

static int caps_drop(void)
{
        capng_clear(CAPNG_SELECT_BOTH);
        return capng_apply(CAPNG_SELECT_BOTH) < 0 ? -EPERM : 0;
}

/* The forked child. Async-signal-safe calls only: other sentry threads may
 * have held any lock at the fork. */
static _noreturn_ void stub_child(struct systrap_platform *sp, uint64_t data_off, int parentfd)
{
        uintptr_t region = sp->region;
        struct sock_fprog ip = { .len = (unsigned short)sp->ip_filter_len,
                                 .filter = sp->ip_filter };
        int memfd, datafd;

        struct pollfd parent = { .fd = parentfd, .events = POLLIN };

        /* Our parent is outside our pid namespace, so getppid() says 0: ask
         * the parent thread's pidfd whether it died before PDEATHSIG. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || (parentfd >= 0 && poll(&parent, 1, 0) != 0))
                _exit(1);
        stub_rseq_unregister();
        if (root_empty() < 0)
                _exit(2);
        if (mmap((void *)(region + SYSTRAP_CODE_SPAN), SYSTRAP_DATA_SIZE,
                 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, sp->datafd,
                 (off_t)data_off) == MAP_FAILED)
                _exit(3);
        if (syscall(SYS_mseal, region, SYSTRAP_CODE_SPAN, 0) < 0 && errno != ENOSYS)
                _exit(4);
        /* Both above 4 first, so that neither dup2 can close the other. */
        memfd = fcntl(sp->memfd, F_DUPFD, STUB_DATAFD + 1);
        datafd = fcntl(sp->datafd, F_DUPFD, STUB_DATAFD + 1);
        if (memfd < 0 || datafd < 0 || dup2(memfd, STUB_MEMFD) < 0 ||
            dup2(datafd, STUB_DATAFD) < 0)
                _exit(5);
        if (close_range(0, STUB_MEMFD - 1, 0) < 0 || close_range(STUB_DATAFD + 1, ~0U, 0) < 0)
                _exit(5);
        if (signals_setup(region) < 0)
                _exit(6);
        if (caps_drop() < 0)
                _exit(7);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0)
                _exit(8);
        /* From here on, any system call from outside the code page traps, and
         * the handler needs the region: so this is the last one. */
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &ip) < 0)
                _exit(9);
        __asm__ volatile("jmp *%0" : : "r"(region) : "memory");
        __builtin_unreachable();
}

void systrap_header_write(struct systrap_platform *sp, struct systrap_as *as)
{
        uintptr_t hdr = sp->region + SYSTRAP_CODE_SPAN;
        struct sock_fprog allow = {
                .len = (unsigned short)sp->allow_len,
                .filter = (struct sock_filter *)(hdr + SYSTRAP_HDR_INSNS),
        };
        struct sock_fprog child = {
                .len = (unsigned short)sp->child_filter_len,
                .filter = (struct sock_filter *)(hdr + SYSTRAP_HDR_CHILD_INSNS),
        };

        memcpy(as->data + SYSTRAP_HDR_FPROG, &allow, sizeof(allow));
        memcpy(as->data + SYSTRAP_HDR_INSNS, sp->allow,
               sp->allow_len * sizeof(struct sock_filter));
        memcpy(as->data + SYSTRAP_HDR_CHILD_FPROG, &child, sizeof(child));
        memcpy(as->data + SYSTRAP_HDR_CHILD_INSNS, sp->child_filter,
               sp->child_filter_len * sizeof(struct sock_filter));
}

struct spawn_req {
        struct systrap_platform *sp;
        struct systrap_as *as;
};

/* On the platform's spawner thread: the stub's parent thread, so its
 * PDEATHSIG fires when the sentry goes, not when one sentry thread does.
 * Returns the pid or -errno. */
static long stub_fork(void *arg)
{
        struct spawn_req *req = arg;
        sigset_t all, old;
        int parentfd;
        long pid;

        parentfd = pidfd_open(gettid(), PIDFD_THREAD);
        /* The child must not run a sentry signal handler. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pid = syscall(SYS_clone, SIGCHLD | STUB_NAMESPACES, NULL, NULL, NULL, 0);
        if (pid == 0)
                stub_child(req->sp, data_offset(req->as->part), parentfd);
        if (pid < 0)
                pid = -errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (parentfd >= 0)
                close(parentfd);
        return pid;
}

int systrap_stub_spawn(struct systrap_platform *sp, struct systrap_as *as)
{
        struct spawn_req req = { .sp = sp, .as = as };
        volatile struct systrap_msg *m;
        long pid;
        int r;

        systrap_header_write(sp, as);
        m = as_msg(as, 0);
        systrap_msg_spin(sp, m, false);

        pid = stub_spawner_call(sp->spawner, stub_fork, &req);
        if (pid < 0)
                return (int)pid;

        /* Not waited for yet, so pid is still this child. */
        as->pidfd = pidfd_open((pid_t)pid, 0);
        if (as->pidfd < 0) {
                r = -errno;
                (void)kill((pid_t)pid, SIGKILL);
                (void)waitpid((pid_t)pid, NULL, __WALL);
                return r;
        }
        as->pid = (pid_t)pid;

        /* Ready when the service thread posts DONE. */
        r = handoff_wait(as, m, 0, systrap_tuning.sentry_spin_ns, NULL);
        if (r >= 0 && r != ST_DONE)
                r = -EPROTO;
        if (r < 0) {
                stub_kill(as->pidfd);
                as->pidfd = -1;
                return r == -ESRCH ? -ECHILD : r;
        }
        return 0;
}
