/*
 * Contexts: stub threads, each with a slot (message page and signal stack).
 * A thread is cloned into the stub by a request and reports ready with a
 * first stop (a ud2 in the trampoline); switch_to writes the guest's
 * registers into the message page, posts RESUME, and waits for the next
 * stop, which it reads once into sentry memory and validates.
 */
#include <assert.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/macro.h"
#include "internal.h"

#define USER_CS 0x33
#define USER_DS 0x2b
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

static inline struct systrap_ctx *to_ctx(struct platform_ctx *c)
{
        return container_of(c, struct systrap_ctx, base);
}

static inline struct systrap_as *ctx_as(struct systrap_ctx *ctx)
{
        return container_of(ctx->base.as, struct systrap_as, base);
}

/* Under as->lock: whether the thread that had an exiting slot is gone. */
static bool slot_thread_gone(struct systrap_as *as, unsigned slot)
{
        return syscall(SYS_tgkill, as->pid, as->slot_exiting_tid[slot], 0) < 0 && errno == ESRCH;
}

/* A free slot: one never used, or one whose thread has exited since it was
 * asked to (ctx_release does not wait for that). */
static int slot_get(struct systrap_as *as, unsigned *ret)
{
        int r = -EAGAIN;

        pthread_mutex_lock(&as->lock);
        for (unsigned i = 1; i < SYSTRAP_NSLOTS; i++) {
                uint64_t bit = 1ULL << i;

                if ((as->slot_exiting & bit) && slot_thread_gone(as, i))
                        as->slot_exiting &= ~bit;
                else if (as->slot_used & bit)
                        continue;
                as->slot_used |= bit;
                *ret = i;
                r = 0;
                break;
        }
        pthread_mutex_unlock(&as->lock);
        return r;
}

static void slot_put(struct systrap_as *as, unsigned slot)
{
        pthread_mutex_lock(&as->lock);
        as->slot_used &= ~(1ULL << slot);
        pthread_mutex_unlock(&as->lock);
}

static void slot_set_ctx(struct systrap_as *as, unsigned slot, struct systrap_ctx *ctx)
{
        pthread_mutex_lock(&as->lock);
        as->slot_ctx[slot] = ctx;
        pthread_mutex_unlock(&as->lock);
}

static atomic_uint_fast64_t next_id = 1;

void systrap_msg_spin(const struct systrap_platform *sp, volatile struct systrap_msg *m,
                      bool colocated)
{
        /* Spinning for a thread that shares our CPU only delays it. */
        m->spin = colocated ? 0 : systrap_tuning.stub_spin_ns * sp->tsc_per_us / 1000;
        m->spin_pause = (uint32_t)MIN(systrap_tuning.pause_ns * sp->tsc_per_us / 1000,
                                      (uint64_t)UINT32_MAX);
        m->yield_slow = systrap_tuning.yield_slow_ns * sp->tsc_per_us / 1000;
        m->noyield_for = systrap_tuning.noyield_ns * sp->tsc_per_us / 1000;
}

static void msg_init(struct systrap_platform *sp, volatile struct systrap_msg *m)
{
        memset((void *)m, 0, sizeof(*m));
        systrap_msg_spin(sp, m, false);
        m->cur_fs = m->cur_gs = ~0ULL;  /* never a valid base: the first resume sets it */
}

int systrap_ctx_create(struct platform_as *a, struct platform_ctx **ret)
{
        struct systrap_as *as = container_of(a, struct systrap_as, base);
        struct systrap_platform *sp = container_of(a->platform, struct systrap_platform, base);
        volatile struct systrap_msg *m;
        struct systrap_ctx *ctx;
        unsigned slot;
        uint64_t args[6] = { STUB_CLONE_FLAGS };
        long tid;
        pid_t host_tid = 0;
        int r;

        if (atomic_load(&as->dead))
                return -ESRCH;
        /* One made ahead by the keeper (pool.c): a ctx may change hands
         * before its first switch_to, as nothing here is bound to the
         * thread that made it. */
        pthread_mutex_lock(&as->lock);
        ctx = as->spare;
        as->spare = NULL;
        pthread_mutex_unlock(&as->lock);
        if (ctx)
                goto out;
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
                return -ENOMEM;
        r = slot_get(as, &slot);
        if (r < 0)
                goto fail_free;
        m = as_msg(as, slot);
        msg_init(sp, m);
        args[1] = sp->region + SYSTRAP_SLOTS_OFF + (uint64_t)(slot + 1) * SYSTRAP_SLOT_SIZE;
        r = systrap_as_syscall(as, SYS_clone, args, &tid);
        if (r < 0)
                goto fail_slot;
        if (tid < 0) {
                r = (int)tid;
                goto fail_slot;
        }
        /* Its first stop: the ud2 after its set-up. Then its host tid. */
        r = handoff_wait(as, m, 0, systrap_tuning.sentry_spin_ns, NULL);
        if (r >= 0 && (r != ST_STOPPED || m->signo != SIGILL ||
                       systrap_host_tid(sp->procfd, as->pid, (pid_t)tid, &host_tid) < 0)) {
                systrap_as_kill(as);
                r = -ESRCH;
        }
        if (r < 0)
                goto fail_free;         /* the stub is dead: the slot goes with it */

        ctx->base.as = a;
        ctx->slot = slot;
        ctx->id = atomic_fetch_add(&next_id, 1);
        ctx->tid = host_tid;
        ctx->stopped = true;
        ctx->fpstate = m->fpstate;
        ctx->cpu = -1;
        atomic_init(&ctx->interrupted, false);
        (void)systrap_xstate_reset(ctx);        /* not the sentry's FP registers */
        atomic_fetch_add(&as->nctx, 1);
        slot_set_ctx(as, slot, ctx);
out:
        /* Stopped at its first ud2 and (for a while) spinning: the caller's
         * requests to this stub go through it (the first ones map the
         * address space), so only one stub thread has to wake. */
        systrap_stopped = (struct systrap_stopped){ as, ctx->slot, ctx->id };
        *ret = &ctx->base;
        return 0;

fail_slot:
        slot_put(as, slot);
fail_free:
        free(ctx);
        return r;
}

/* A stopped thread whose ctx is released becomes its address space's spare
 * when there is none (ctx_create takes it): the next thread or process made
 * in this stub then needs no clone request (130 us here) and no /proc
 * lookup of its host tid (45 us). It starts over: a new id (so that a stale
 * systrap_stopped never matches it), Linux's initial FP state, placed again
 * at its next switch_to, its usage counted from here (the host's counters
 * go on). */
static bool ctx_park(struct systrap_as *as, struct systrap_ctx *ctx)
{
        struct systrap_platform *sp = container_of(as->base.platform, struct systrap_platform, base);
        struct platform_usage before, before_cpu;
        bool parked = false;

        if (__atomic_load_n(&as->spare, __ATOMIC_RELAXED) ||
            stub_usage_thread(sp->procfd, as->pid, ctx->tid, false, &before) < 0 ||
            stub_usage_thread(sp->procfd, as->pid, ctx->tid, true, &before_cpu) < 0 ||
            systrap_xstate_reset(ctx) < 0)
                return false;
        ctx->id = atomic_fetch_add(&next_id, 1);
        ctx->cpu = -1;
        ctx->colocated = false;
        atomic_store(&ctx->interrupted, false);
        ctx->used_before = before;
        ctx->used_before_cpu = before_cpu;
        systrap_msg_spin(sp, as_msg(as, ctx->slot), false);
        pthread_mutex_lock(&as->lock);
        if (!as->spare) {
                as->spare = ctx;
                as->slot_ctx[ctx->slot] = ctx;
                parked = true;
        }
        pthread_mutex_unlock(&as->lock);
        return parked;
}

void systrap_ctx_release(struct platform_ctx *c)
{
        struct systrap_ctx *ctx;
        struct systrap_as *as;
        bool free_slot = true;

        if (!c)
                return;
        ctx = to_ctx(c);
        as = ctx_as(ctx);
        slot_set_ctx(as, ctx->slot, NULL);
        if (!ctx->dead && !atomic_load(&as->dead) && ctx->stopped && ctx_park(as, ctx))
                return;         /* still counted in nctx: the spare is */
        if (!ctx->dead && !atomic_load(&as->dead)) {
                /* A stopped thread exits on request, and its slot is free
                 * once it has gone (slot_get checks); one running guest code
                 * can't be asked, and keeps its slot until the stub dies. */
                free_slot = false;
                if (ctx->stopped) {
                        volatile struct systrap_msg *m = as_msg(as, ctx->slot);

                        pthread_mutex_lock(&as->lock);
                        as->slot_exiting |= 1ULL << ctx->slot;
                        as->slot_exiting_tid[ctx->slot] = ctx->tid;
                        pthread_mutex_unlock(&as->lock);
                        m->req_nr = SYS_exit;
                        m->req_args[0] = 0;
                        handoff_post(m, ST_REQUEST);
                }
        }
        if (free_slot)
                slot_put(as, ctx->slot);
        assert(atomic_load(&as->nctx) > 0);
        atomic_fetch_sub(&as->nctx, 1);
        free(ctx);
}

void systrap_interrupt(struct platform_ctx *c)
{
        struct systrap_ctx *ctx = to_ctx(c);
        int saved = errno;

        /* Flag first: switch_to checks it before running and at every stop
         * the signal causes; the signal only kicks a running thread out. */
        atomic_store(&ctx->interrupted, true);
        (void)syscall(SYS_tgkill, ctx_as(ctx)->pid, ctx->tid, SYSTRAP_INTERRUPT_SIGNAL);
        errno = saved;
}

static void regs_to_msg(volatile struct systrap_msg *m, const struct user_regs_struct *gp)
{
        m->gregs[REG_R8] = gp->r8;
        m->gregs[REG_R9] = gp->r9;
        m->gregs[REG_R10] = gp->r10;
        m->gregs[REG_R11] = gp->r11;
        m->gregs[REG_R12] = gp->r12;
        m->gregs[REG_R13] = gp->r13;
        m->gregs[REG_R14] = gp->r14;
        m->gregs[REG_R15] = gp->r15;
        m->gregs[REG_RDI] = gp->rdi;
        m->gregs[REG_RSI] = gp->rsi;
        m->gregs[REG_RBP] = gp->rbp;
        m->gregs[REG_RBX] = gp->rbx;
        m->gregs[REG_RDX] = gp->rdx;
        m->gregs[REG_RAX] = gp->rax;
        m->gregs[REG_RCX] = gp->rcx;
        m->gregs[REG_RSP] = gp->rsp;
        m->gregs[REG_RIP] = gp->rip;
        m->gregs[REG_EFL] = gp->eflags;
        m->fs_base = gp->fs_base;
        m->gs_base = gp->gs_base;
}

static void regs_from_msg(const struct systrap_ctx *ctx, const struct systrap_msg *s,
                          struct user_regs_struct *gp)
{
        memset(gp, 0, sizeof(*gp));
        gp->r8 = s->gregs[REG_R8];
        gp->r9 = s->gregs[REG_R9];
        gp->r10 = s->gregs[REG_R10];
        gp->r11 = s->gregs[REG_R11];
        gp->r12 = s->gregs[REG_R12];
        gp->r13 = s->gregs[REG_R13];
        gp->r14 = s->gregs[REG_R14];
        gp->r15 = s->gregs[REG_R15];
        gp->rdi = s->gregs[REG_RDI];
        gp->rsi = s->gregs[REG_RSI];
        gp->rbp = s->gregs[REG_RBP];
        gp->rbx = s->gregs[REG_RBX];
        gp->rdx = s->gregs[REG_RDX];
        gp->rax = s->gregs[REG_RAX];
        gp->rcx = s->gregs[REG_RCX];
        gp->rsp = s->gregs[REG_RSP];
        gp->rip = s->gregs[REG_RIP];
        gp->eflags = s->gregs[REG_EFL];
        gp->orig_rax = (uint64_t)-1;
        gp->cs = USER_CS;
        gp->ss = USER_DS;
        /* The stub cannot change these behind our back through the page:
         * they are the sentry's, applied on resume. */
        gp->fs_base = ctx->fs_base;
        gp->gs_base = ctx->gs_base;
}

static bool is_fault_signal(uint32_t sig)
{
        return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
               sig == SIGILL || sig == SIGTRAP;
}

/* Turns a stop read from the page into an event. Returns false for a stop
 * to swallow (a stray signal). */
static bool stop_decode(struct systrap_ctx *ctx, const struct systrap_msg *s,
                        struct cpu_regs *regs, struct platform_event *ev)
{
        regs_from_msg(ctx, s, &regs->gp);
        if (s->signo == SIGSYS && s->si_code == SYS_SECCOMP) {
                if (s->sys_arch == AUDIT_ARCH_X86_64) {
                        regs->gp.orig_rax = s->gregs[REG_RAX];
                        regs->gp.rax = (uint64_t)-ENOSYS;
                        ev->stop = PLATFORM_STOP_SYSCALL;
                        return true;
                }
                /* int $0x80 or sysenter: a 32-bit call, which Linux without
                 * ia32 emulation answers with SIGSEGV at the instruction. */
                regs->gp.rip -= 2;
                ev->stop = PLATFORM_STOP_FAULT;
                ev->signo = SIGSEGV;
                ev->si_code = SI_KERNEL;
                return true;
        }
        /* Kernel-generated (si_code > 0) synchronous faults only. */
        if (is_fault_signal(s->signo) && s->si_code > 0) {
                ev->stop = PLATFORM_STOP_FAULT;
                ev->signo = (int)s->signo;
                ev->si_code = s->si_code;
                ev->addr = s->fault_addr;
                /* siginfo lacks the page-fault error code; an instruction
                 * fetch is the one access we can tell from the registers. */
                ev->access = (s->signo == SIGSEGV || s->signo == SIGBUS) &&
                             ev->addr == regs->gp.rip ? PLATFORM_ACCESS_EXEC : 0;
                return true;
        }
        if (atomic_exchange(&ctx->interrupted, false)) {
                ev->stop = PLATFORM_STOP_INTERRUPTED;
                return true;
        }
        return false;
}

static int ctx_died(struct systrap_ctx *ctx)
{
        ctx->dead = true;
        ctx->stopped = false;
        return -ESRCH;
}

int systrap_switch_to(struct platform_ctx *c, struct cpu_regs *regs,
                      struct platform_event *ev)
{
        struct systrap_ctx *ctx = to_ctx(c);
        struct systrap_as *as = ctx_as(ctx);
        volatile struct systrap_msg *m = as_msg(as, ctx->slot);
        const struct user_regs_struct *gp = &regs->gp;
        struct systrap_platform *sp = container_of(as->base.platform, struct systrap_platform, base);
        uint64_t sentry_spin;

        memset(ev, 0, sizeof(*ev));
        if (ctx->dead || atomic_load(&as->dead) || !ctx->stopped)
                return ctx_died(ctx);
        if (atomic_exchange(&ctx->interrupted, false)) {
                ev->stop = PLATFORM_STOP_INTERRUPTED;
                return 0;
        }
        /* What arch_prctl(ARCH_SET_FS) would refuse. */
        if (gp->fs_base >= STUB_USER_ADDR_END || gp->gs_base >= STUB_USER_ADDR_END)
                return -EINVAL;
        systrap_place(sp, ctx);
        sentry_spin = ctx->colocated ? 0 : systrap_tuning.sentry_spin_ns;

        regs_to_msg(m, gp);
        ctx->fs_base = gp->fs_base;
        ctx->gs_base = gp->gs_base;
        systrap_stopped.as = NULL;
        for (;;) {
                struct systrap_msg snap;
                int s;

                ctx->stopped = false;
                systrap_msg_spin(sp, m, ctx->colocated);
                handoff_post(m, ST_RESUME);
                s = handoff_wait(as, m, ctx->tid, sentry_spin, &ctx->interrupted);
                if (s < 0)
                        return ctx_died(ctx);
                if (s != ST_STOPPED) {          /* the stub broke the protocol */
                        systrap_as_kill(as);
                        return ctx_died(ctx);
                }
                /* One read of everything the stub wrote; then only the copy. */
                memcpy(&snap, (const void *)m, sizeof(snap));
                ctx->stopped = true;
                ctx->fpstate = snap.fpstate;
                if (stop_decode(ctx, &snap, regs, ev))
                        break;
                /* A stray signal: resume with the registers it stopped with. */
        }
        systrap_stopped = (struct systrap_stopped){ as, ctx->slot, ctx->id };
        return 0;
}
