/*
 * Stub threads for ctxs: made by the platform thread, traced by the host
 * thread that asked for them (as gVisor's ptrace platform does).
 *
 * A tracee can only be traced by one thread, and a clone(CLONE_PTRACE) child
 * is traced by its parent's tracer, so a host thread that has no stub thread
 * of its own yet cannot clone one. Instead the platform thread injects a
 * clone() without CLONE_PTRACE into the stub's main thread: the child starts
 * untraced in stub_park (pause() forever, every signal blocked, inherited
 * from the main thread), where it can reach nothing but that loop. The
 * asking thread then seizes it (PTRACE_SEIZE, PTRACE_INTERRUPT): from its
 * first stop on, only that thread can set its registers, so it never runs a
 * guest instruction untraced.
 *
 * Options: PTRACE_O_EXITKILL, so that a host thread that exits with a ctx
 * still alive takes the whole stub down rather than letting a guest thread
 * stopped in guest code run on untraced. ctx_release, from the ctx's own
 * thread, makes the stub thread exit first, so the rule costs nothing to a
 * sentry that releases its ctxs.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/macro.h"
#include "internal.h"

#define CTX_THREAD_OPTIONS (PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)

struct clone_call {
        struct ptrace_as *as;
        pid_t tid;
};

/* On the platform thread. */
static int clone_parked(void *arg)
{
        struct clone_call *c = arg;
        long res;
        int r;

        r = stub_inject_clone(c->as, c->as->pid,
                              CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                              CLONE_THREAD | CLONE_SYSVSEM, &res);
        if (r < 0)
                return r;
        if (res < 0)
                return (int)res;
        c->tid = (pid_t)res;
        return 0;
}

int stub_thread_clone(struct ptrace_as *as, pid_t *ret_tid)
{
        struct ptrace_platform *pp = container_of(as->base.platform,
                                                  struct ptrace_platform, base);
        struct clone_call c = { .as = as };
        int r;

        r = service_run(&pp->service, clone_parked, &c);
        if (r < 0)
                return r;
        *ret_tid = c.tid;
        return 0;
}

/* Seizes a parked thread, waits for its first stop, and unblocks its signals
 * (every signal must stop a guest thread for its tracer). */
int stub_thread_attach(struct ptrace_as *as, pid_t tid)
{
        long res;
        int r;

        if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)CTX_THREAD_OPTIONS) < 0)
                return -errno;
        if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0)
                return -errno;
        for (;;) {
                int status;

                r = ptrace_wait_stop(tid, &status);
                if (r < 0)
                        return r;
                if (status >> 16 == PTRACE_EVENT_STOP)
                        break;
                /* A signal stop first (SIGSTOP from outside): swallowed; the
                 * interrupt is still pending. */
                if (ptrace(PTRACE_CONT, tid, NULL, NULL) < 0)
                        return -errno;
        }
        r = stub_inject_syscall(as, tid, SYS_rt_sigprocmask, SIG_SETMASK,
                                as->trampoline + STUB_EMPTY_SIGSET_OFFSET, 0, 8, 0, 0, &res);
        if (r < 0)
                return r;
        return res < 0 ? (int)res : 0;
}

/* Makes a stub thread traced by the calling thread exit, and reaps it. */
void stub_thread_exit(struct ptrace_as *as, pid_t tid)
{
        struct user_regs_struct regs = as->init_regs;
        int status;

        regs.rip = as->trampoline + STUB_EXIT_OFFSET;
        regs.orig_rax = (uint64_t)-1;
        if (ptrace(PTRACE_SETREGS, tid, NULL, &regs) == 0)
                while (ptrace(PTRACE_CONT, tid, NULL, NULL) == 0 &&
                       ptrace_wait_stop(tid, &status) == 0)
                        ;
        stub_thread_reap(tid);
}

/* Waits for a dead or dying stub thread that we trace (any of our threads),
 * and reaps it. Returns at once if it is not ours (ECHILD). */
void stub_thread_reap(pid_t tid)
{
        int status;

        for (;;) {
                pid_t r = waitpid(tid, &status, __WALL);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status))
                        return;
        }
}
