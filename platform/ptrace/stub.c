/*
 * Creating stub processes.
 *
 * The trampoline code (trampoline_amd64.S) is copied once into an RX page of
 * the sentry, above GUEST_ADDR_MAX. A stub is a fork of the platform thread
 * (service.c; a raw clone(SIGCHLD): no atfork handlers, no locks, safe in a
 * multithreaded sentry) that inherits that page, so the child never maps
 * anything itself. The child, still running sentry code with every signal
 * blocked:
 *   - asks for SIGKILL when its parent thread (the platform thread, which
 *     lives as long as the platform) dies and checks that the parent process
 *     did not die already;
 *   - drops its rseq registration (the area is about to be unmapped, and the
 *     kernel would SIGSEGV it on the next preemption);
 *   - PTRACE_TRACEME: it is traced from here on, before any guest code or
 *     mapping exists;
 *   - keeps only the memory file, as STUB_MEMFD;
 *   - jumps to the trampoline, which unmaps everything else and stops with
 *     SIGSTOP, every signal still blocked.
 * The parent waits for that stop and sets PTRACE_O_EXITKILL.
 *
 * Forking the whole sentry per address space costs a page-table copy of the
 * sentry (cheap for its shared mappings of the memory file); cloning later
 * stubs from a first, tiny stub would be cheaper and is left for later.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/guest.h"
#include "lib/macro.h"
#include "platform/stub/stub.h"
#include "internal.h"

/* Set once under pthread_once, read-only afterwards. */
static uintptr_t trampoline_page;
static int trampoline_err;
static pthread_once_t trampoline_once = PTHREAD_ONCE_INIT;

static void trampoline_setup(void)
{
        size_t size = (size_t)(stub_trampoline_end - stub_trampoline_start);

        if (size > PAGE_SIZE) {
                trampoline_err = -E2BIG;
                return;
        }

        /* Any free page of the platform's 16 MiB will do; the sentry's own
         * stack or vdso may sit in it by chance of ASLR. */
        for (uintptr_t a = GUEST_ADDR_MAX; a < STUB_USER_ADDR_END; a += 1024 * PAGE_SIZE) {
                void *p = mmap((void *)a, PAGE_SIZE, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
                if (p == MAP_FAILED)
                        continue;
                if (p != (void *)a) {           /* a kernel without NOREPLACE */
                        munmap(p, PAGE_SIZE);
                        continue;
                }
                memcpy(p, stub_trampoline_start, size);
                if (mprotect(p, PAGE_SIZE, PROT_READ | PROT_EXEC) < 0) {
                        trampoline_err = -errno;
                        munmap(p, PAGE_SIZE);
                        return;
                }
                trampoline_page = a;
                return;
        }
        trampoline_err = -ENOMEM;
}

int stub_trampoline_get(uintptr_t *ret)
{
        pthread_once(&trampoline_once, trampoline_setup);
        if (trampoline_err < 0)
                return trampoline_err;
        *ret = trampoline_page;
        return 0;
}

/* The forked child. Async-signal-safe calls only: other sentry threads may
 * have held any lock at the fork. */
static _noreturn_ void stub_child(int memfd, pid_t parent, uintptr_t trampoline)
{
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(1);
        stub_rseq_unregister();
        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
                _exit(1);
        if (memfd != STUB_MEMFD && dup2(memfd, STUB_MEMFD) < 0)
                _exit(1);
        if (close_range(0, STUB_MEMFD - 1, 0) < 0 ||
            close_range(STUB_MEMFD + 1, ~0U, 0) < 0)
                _exit(1);

        /* Never returns: the stack we are on is gone a few instructions in. */
        __asm__ volatile("jmp *%0" : : "r"(trampoline), "D"(trampoline) : "memory");
        __builtin_unreachable();
}

/* Waits for the trampoline's SIGSTOP, swallowing any signal that was pending
 * while the child still had everything blocked. */
static int stub_wait_ready(pid_t pid)
{
        for (;;) {
                int status, r;

                r = ptrace_wait_stop(pid, &status);
                if (r < 0)
                        return -ECHILD;         /* died while setting up */
                if (WSTOPSIG(status) == SIGSTOP)
                        return 0;
                if (ptrace(PTRACE_CONT, pid, NULL, NULL) < 0)
                        return -errno;
        }
}

int stub_spawn(int memfd, uintptr_t trampoline, pid_t *ret_pid, int *ret_pidfd,
               struct user_regs_struct *ret_regs)
{
        sigset_t all, old;
        pid_t parent = getpid();
        long pid;
        int pidfd, r;

        /* The child must not run a sentry signal handler before it is traced
         * and has left sentry code; the trampoline unblocks everything. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pid = syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
        if (pid == 0)
                stub_child(memfd, parent, trampoline);
        r = pid < 0 ? -errno : 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0)
                return r;

        /* Not waited for yet, so pid is still this child. */
        pidfd = pidfd_open((pid_t)pid, 0);
        if (pidfd < 0) {
                r = -errno;
                (void)kill((pid_t)pid, SIGKILL);
                (void)waitpid((pid_t)pid, NULL, __WALL);
                return r;
        }

        r = stub_wait_ready((pid_t)pid);
        if (r < 0)
                goto fail;
        if (ptrace(PTRACE_SETOPTIONS, (pid_t)pid, NULL,
                   (void *)(PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)) < 0 ||
            ptrace(PTRACE_GETREGS, (pid_t)pid, NULL, ret_regs) < 0) {
                r = -errno;
                goto fail;
        }
        *ret_pid = (pid_t)pid;
        *ret_pidfd = pidfd;
        return 0;

fail:
        stub_kill(pidfd);
        return r;
}
