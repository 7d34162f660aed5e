/*
 * Remote system calls: run one host system call in a stopped stub thread.
 *
 * The thread's registers are pointed at "syscall; int3" in the trampoline
 * with the call's number and arguments, resumed with PTRACE_CONT, and the
 * result is collected from rax at the int3's SIGTRAP stop. The thread's
 * previous registers are not restored: a ctx's registers belong to the
 * sentry, which hands them to every switch_to.
 */
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "internal.h"

static int inject(struct ptrace_as *as, pid_t tid, uintptr_t insn, uintptr_t done, long nr,
                  uint64_t a0, uint64_t a1, uint64_t a2,
                  uint64_t a3, uint64_t a4, uint64_t a5, long *ret)
{
        struct user_regs_struct regs = as->init_regs;

        regs.rip = insn;
        regs.rax = (uint64_t)nr;
        regs.orig_rax = (uint64_t)-1;   /* no host syscall restart on our way out */
        regs.rdi = a0;
        regs.rsi = a1;
        regs.rdx = a2;
        regs.r10 = a3;
        regs.r8 = a4;
        regs.r9 = a5;
        if (ptrace(PTRACE_SETREGS, tid, NULL, &regs) < 0)
                return -errno;

        for (;;) {
                int status, r;

                if (ptrace(PTRACE_CONT, tid, NULL, NULL) < 0)
                        return -errno;
                r = ptrace_wait_stop(tid, &status);
                if (r < 0)
                        return r;
                if (WSTOPSIG(status) != SIGTRAP)
                        continue;       /* a stray signal: swallowed */
                if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) < 0)
                        return -errno;
                /* int3 leaves rip after itself. */
                if (regs.rip == done) {
                        *ret = (long)regs.rax;
                        return 0;
                }
        }
}

int stub_inject_syscall(struct ptrace_as *as, pid_t tid, long nr,
                        uint64_t a0, uint64_t a1, uint64_t a2,
                        uint64_t a3, uint64_t a4, uint64_t a5, long *ret)
{
        return inject(as, tid, as->trampoline + STUB_SYSCALL_OFFSET,
                      as->trampoline + STUB_SYSCALL_DONE_OFFSET, nr, a0, a1, a2, a3, a4, a5, ret);
}

/* No child stack: the child never leaves stub_park, which uses none. */
int stub_inject_clone(struct ptrace_as *as, pid_t tid, uint64_t flags, long *ret)
{
        return inject(as, tid, as->trampoline + STUB_CLONE_OFFSET,
                      as->trampoline + STUB_CLONE_DONE_OFFSET, SYS_clone, flags, 0, 0, 0, 0, 0, ret);
}
