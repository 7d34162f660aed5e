/*
 * Contexts: stub threads running guest code under PTRACE_SYSEMU.
 *
 * Each ctx is a stub thread of its own (never the main thread), made by the
 * platform thread and traced by the host thread that created the ctx
 * (thread.c): that thread, and only it, switches to it and releases it. So
 * every host thread may create ctxs in any address space.
 */
#include <assert.h>
#include <elf.h>
#include <errno.h>
#include <linux/audit.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"
#include "internal.h"

#define SYSCALL_STOP (SIGTRAP | 0x80)   /* PTRACE_O_TRACESYSGOOD */
#define FXSAVE_SIZE 512

static inline struct ptrace_ctx *to_ctx(struct platform_ctx *c)
{
        return container_of(c, struct ptrace_ctx, base);
}

static inline struct ptrace_as *ctx_as(struct ptrace_ctx *ctx)
{
        return container_of(ctx->base.as, struct ptrace_as, base);
}

int ptrace_ctx_create(struct platform_as *a, struct platform_ctx **ret)
{
        struct ptrace_as *as = container_of(a, struct ptrace_as, base);
        struct ptrace_ctx *ctx;
        pid_t tid;
        int r;

        if (atomic_load(&as->dead))
                return -ESRCH;
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
                return -ENOMEM;

        r = stub_thread_clone(as, &tid);
        if (r < 0)
                goto fail;
        r = stub_thread_attach(as, tid);
        if (r < 0) {
                /* Seized or not, it cannot run guest code: exit it if we can,
                 * else it stays parked until the stub dies. */
                stub_thread_exit(as, tid);
                goto fail;
        }

        ctx->base.as = a;
        ctx->tgid = as->pid;
        ctx->tid = tid;
        ctx->tracer = ptrace_self_tid();
        ctx->stub_cpu = -1;
        atomic_init(&ctx->interrupted, false);
        pthread_mutex_lock(&as->lock);
        ctx->next = as->ctxs;
        as->ctxs = ctx;
        as->nctx++;
        pthread_mutex_unlock(&as->lock);
        *ret = &ctx->base;
        return 0;

fail:
        free(ctx);
        if (r == -ESRCH)
                atomic_store(&as->dead, true);
        return r;
}

/* From the ctx's own thread, its stub thread exits. From any other, it
 * cannot (only its tracer can move it, and a signal would kill the whole
 * stub): it stays stopped, out of reach of guest code, and as_release
 * reaps it. */
void ptrace_ctx_release(struct platform_ctx *c)
{
        struct ptrace_ctx *ctx, **p;
        struct ptrace_as *as;
        bool own;

        if (!c)
                return;
        ctx = to_ctx(c);
        as = ctx_as(ctx);
        own = ctx->tracer == ptrace_self_tid();
        pthread_mutex_lock(&as->lock);
        assert(as->nctx > 0);
        as->nctx--;
        if (own) {
                for (p = &as->ctxs; *p != ctx; p = &(*p)->next)
                        ;
                *p = ctx->next;
        } else
                ctx->released = true;
        pthread_mutex_unlock(&as->lock);
        if (!own)
                return;
        stub_thread_exit(as, ctx->tid);
        free(ctx);
}

void ptrace_interrupt(struct platform_ctx *c)
{
        struct ptrace_ctx *ctx = to_ctx(c);
        int saved = errno;

        /* Flag first: switch_to checks it after any stop the signal causes,
         * and before running, so an interrupt is never lost; the signal only
         * kicks a running stub out. */
        atomic_store(&ctx->interrupted, true);
        (void)syscall(SYS_tgkill, ctx->tgid, ctx->tid, STUB_INTERRUPT_SIGNAL);
        errno = saved;
}

/* Stub threads die one at a time only through ctx_release: this one went
 * with its whole stub. */
static int ctx_died(struct ptrace_ctx *ctx)
{
        ctx->dead = true;
        atomic_store(&ctx_as(ctx)->dead, true);
        return -ESRCH;
}

static bool is_fault_signal(int sig)
{
        return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
               sig == SIGILL || sig == SIGTRAP;
}

/*
 * A SYSEMU stop is a 64-bit "syscall" when the kernel saved rip in rcx and
 * rflags in r11, as the instruction does. Otherwise it may be int $0x80 or
 * sysenter, a 32-bit call that the sentry does not implement: ask the kernel,
 * and report those as Linux without ia32 emulation does, a SIGSEGV at the
 * instruction. (A guest that forges rcx/r11 before int $0x80 merely gets its
 * call read as a 64-bit one, which it could have made anyway.)
 */
static int syscall_is_64bit(pid_t tid, const struct user_regs_struct *regs, bool *ret)
{
        struct __ptrace_syscall_info info;

        if (regs->rcx == regs->rip && regs->r11 == regs->eflags) {
                *ret = true;
                return 0;
        }
        if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) < 0)
                return -errno;
        *ret = info.arch == AUDIT_ARCH_X86_64;
        return 0;
}

static int fill_fault(struct ptrace_ctx *ctx, const siginfo_t *si,
                      struct cpu_regs *regs, struct platform_event *ev)
{
        if (ptrace(PTRACE_GETREGS, ctx->tid, NULL, &regs->gp) < 0)
                return -errno;
        ev->stop = PLATFORM_STOP_FAULT;
        ev->signo = si->si_signo;
        ev->si_code = si->si_code;
        ev->addr = (guest_ptr_t)(uintptr_t)si->si_addr;
        /* siginfo lacks the page-fault error code; an instruction fetch is
         * the one access we can tell from the registers. */
        ev->access = (si->si_signo == SIGSEGV || si->si_signo == SIGBUS) &&
                     ev->addr == regs->gp.rip ? PLATFORM_ACCESS_EXEC : 0;
        return 0;
}

int ptrace_switch_to(struct platform_ctx *c, struct cpu_regs *regs,
                     struct platform_event *ev)
{
        struct ptrace_ctx *ctx = to_ctx(c);
        struct ptrace_as *as = ctx_as(ctx);
        struct user_regs_struct in = regs->gp;

        memset(ev, 0, sizeof(*ev));
        if (ctx->dead || atomic_load_explicit(&as->dead, memory_order_relaxed))
                return -ESRCH;
        if (atomic_exchange(&ctx->interrupted, false)) {
                ev->stop = PLATFORM_STOP_INTERRUPTED;
                return 0;
        }
        ctx_place(container_of(as->base.platform, struct ptrace_platform, base), ctx);

        /* The only valid 64-bit user selectors; and no orig_rax, so that the
         * host never "restarts" a call on the way back to the guest. */
        in.cs = as->init_regs.cs;
        in.ss = as->init_regs.ss;
        in.orig_rax = (uint64_t)-1;
        if (ptrace(PTRACE_SETREGS, ctx->tid, NULL, &in) < 0)
                return errno == ESRCH ? ctx_died(ctx) : -EINVAL;   /* EIO: bad fs_base, selectors */

        for (;;) {
                siginfo_t si;
                int status, sig;

                if (ptrace(PTRACE_SYSEMU, ctx->tid, NULL, NULL) < 0)
                        return errno == ESRCH ? ctx_died(ctx) : -errno;
                if (ptrace_wait_stop(ctx->tid, &status) < 0)
                        return ctx_died(ctx);
                if (status >> 16)
                        continue;       /* a ptrace event we did not ask for */
                sig = WSTOPSIG(status);

                if (sig == SYSCALL_STOP) {
                        bool is64 = true;
                        if (ptrace(PTRACE_GETREGS, ctx->tid, NULL, &regs->gp) < 0 ||
                            syscall_is_64bit(ctx->tid, &regs->gp, &is64) < 0)
                                return errno == ESRCH ? ctx_died(ctx) : -errno;
                        if (is64) {
                                ev->stop = PLATFORM_STOP_SYSCALL;
                                return 0;
                        }
                        regs->gp.rip -= 2;      /* int $0x80 and sysenter are 2 bytes */
                        regs->gp.orig_rax = (uint64_t)-1;
                        ev->stop = PLATFORM_STOP_FAULT;
                        ev->signo = SIGSEGV;
                        ev->si_code = SI_KERNEL;
                        return 0;
                }

                if (ptrace(PTRACE_GETSIGINFO, ctx->tid, NULL, &si) < 0) {
                        if (errno == ESRCH)
                                return ctx_died(ctx);
                        continue;       /* EINVAL: a group-stop, resumed below */
                }
                /* Kernel-generated (si_code > 0) synchronous faults only: a
                 * SIGSEGV sent by kill() is just another stray signal. */
                if (is_fault_signal(sig) && si.si_code > 0) {
                        int r = fill_fault(ctx, &si, regs, ev);
                        return r == -ESRCH ? ctx_died(ctx) : r;
                }
                if (atomic_exchange(&ctx->interrupted, false)) {
                        if (ptrace(PTRACE_GETREGS, ctx->tid, NULL, &regs->gp) < 0)
                                return errno == ESRCH ? ctx_died(ctx) : -errno;
                        ev->stop = PLATFORM_STOP_INTERRUPTED;
                        return 0;
                }
                /* Anything else is swallowed: resuming with no signal. */
        }
}

int ptrace_xstate_get(struct platform_ctx *c, struct cpu_xstate *ret)
{
        struct ptrace_ctx *ctx = to_ctx(c);
        struct iovec iov = { .iov_base = ret->buf, .iov_len = sizeof(ret->buf) };

        if (ctx->dead)
                return -ESRCH;
        /* A full buffer may be a truncated one: then only the legacy area. */
        if (ptrace(PTRACE_GETREGSET, ctx->tid, (void *)NT_X86_XSTATE, &iov) == 0 &&
            iov.iov_len < sizeof(ret->buf)) {
                ret->size = (uint32_t)iov.iov_len;
                return 0;
        }
        if (errno == ESRCH)
                return ctx_died(ctx);
        iov.iov_len = FXSAVE_SIZE;
        if (ptrace(PTRACE_GETREGSET, ctx->tid, (void *)NT_PRFPREG, &iov) < 0)
                return errno == ESRCH ? ctx_died(ctx) : -errno;
        ret->size = FXSAVE_SIZE;
        return 0;
}

int ptrace_xstate_set(struct platform_ctx *c, const struct cpu_xstate *xs)
{
        struct ptrace_ctx *ctx = to_ctx(c);
        struct iovec iov = { .iov_base = (void *)xs->buf, .iov_len = xs->size };
        long type;

        if (ctx->dead)
                return -ESRCH;
        if (xs->size == FXSAVE_SIZE)
                type = NT_PRFPREG;
        else if (xs->size > FXSAVE_SIZE && xs->size <= sizeof(xs->buf))
                type = NT_X86_XSTATE;
        else
                return -EINVAL;
        if (ptrace(PTRACE_SETREGSET, ctx->tid, (void *)type, &iov) < 0) {
                if (errno == ESRCH)
                        return ctx_died(ctx);
                return errno == EFAULT ? -EINVAL : -errno;     /* EFAULT: wrong size */
        }
        return 0;
}
