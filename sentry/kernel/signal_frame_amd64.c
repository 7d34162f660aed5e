/*
 * Signal frames on x86_64, laid out as Linux's arch/x86/kernel/signal_64.c
 * does, so handlers, debuggers and unwinders see what they expect:
 *
 *   sp on entry → pretcode (sa_restorer, the handler's return address)
 *                 struct ucontext (flags, link, stack, sigcontext, mask)
 *                 siginfo
 *                 ... (padding)
 *   64-aligned  → FP state (XSAVE, with its software bytes and FP_XSTATE_MAGIC2)
 *
 * rt_sigreturn reads it all back. Everything read back is guest memory and
 * validated: segment selectors and flags are forced to what user code may
 * have, and a state the host refuses is a bad frame.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

/* <asm/sigcontext.h>'s struct sigcontext for 64-bit, field for field. */
struct ksigcontext {
        uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
        uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
        uint16_t cs, gs, fs, ss;
        uint64_t err, trapno, oldmask, cr2;
        uint64_t fpstate;               /* guest address of the FP state, 0 if none */
        uint64_t reserved1[8];
};

struct kstack_t {
        uint64_t ss_sp;
        int32_t ss_flags;
        int32_t pad;
        uint64_t ss_size;
};

struct kucontext {
        uint64_t uc_flags;
        uint64_t uc_link;
        struct kstack_t uc_stack;
        struct ksigcontext uc_mcontext;
        uint64_t uc_sigmask;
};

struct krt_sigframe {
        uint64_t pretcode;
        struct kucontext uc;
        siginfo_t info;
};

_Static_assert(sizeof(struct ksigcontext) == 256, "struct sigcontext is 256 bytes");
_Static_assert(sizeof(struct krt_sigframe) == 440, "struct rt_sigframe is 440 bytes");

#define UC_FP_XSTATE            0x1
#define UC_SIGCONTEXT_SS        0x2
#define UC_STRICT_RESTORE_SS    0x4

#define FP_XSTATE_MAGIC1        0x46505853U
#define FP_XSTATE_MAGIC2        0x46505845U
#define FP_SW_BYTES_OFFSET      464     /* struct _fpx_sw_bytes in the FXSAVE area */
#define FXSAVE_SIZE             512

struct fpx_sw_bytes {
        uint32_t magic1;
        uint32_t extended_size;         /* xstate_size + 4 (MAGIC2) */
        uint64_t xfeatures;
        uint32_t xstate_size;
        uint32_t padding[7];
};

#define USER_CS 0x33
#define USER_SS 0x2b
#define REDZONE 128

/* The flags user code may change through sigreturn (Linux's FIX_EFLAGS):
 * CF PF AF ZF SF TF DF OF RF and AC. */
#define FIX_EFLAGS 0x50dd5UL
#define EFLAGS_TF 0x100UL
#define EFLAGS_DF 0x400UL
#define EFLAGS_RF 0x10000UL

static bool on_altstack(const struct task *t, uint64_t sp)
{
        return t->altstack.size && sp > t->altstack.sp && sp - t->altstack.sp <= t->altstack.size;
}

static int32_t altstack_flags(const struct task *t, uint64_t sp)
{
        if (!t->altstack.size)
                return SS_DISABLE;
        return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

/* The trap number and error code a fault signal reports in its sigcontext. */
static void fault_trap(const siginfo_t *info, struct ksigcontext *sc)
{
        if (info->si_code <= 0)
                return;                 /* sent by a process, not a fault */
        switch (info->si_signo) {
        case SIGSEGV:
        case SIGBUS:
                sc->trapno = 14;        /* #PF */
                sc->cr2 = (uint64_t)info->si_addr;
                break;
        case SIGILL:
                sc->trapno = 6;         /* #UD */
                break;
        case SIGFPE:
                sc->trapno = 0;         /* #DE */
                break;
        case SIGTRAP:
                sc->trapno = 3;         /* #BP */
                break;
        }
}

/* The state components the OS enabled (XCR0): what an XSAVE area holds. */
static uint64_t xcr0(void)
{
        uint32_t lo, hi;

        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        return ((uint64_t)hi << 32) | lo;
}

/* The guest's FP state as a sigframe carries it: XSAVE with the software
 * bytes that say so, or the legacy FXSAVE area alone. Returns bytes to write. */
static size_t fpstate_prepare(struct cpu_xstate *xs, bool *ret_xsave)
{
        struct fpx_sw_bytes sw;

        *ret_xsave = false;
        if (xs->size <= FXSAVE_SIZE)
                return FXSAVE_SIZE;
        memset(&sw, 0, sizeof(sw));
        sw.magic1 = FP_XSTATE_MAGIC1;
        sw.extended_size = xs->size + 4;
        sw.xfeatures = xcr0();          /* the guest runs on this CPU */
        sw.xstate_size = xs->size;
        memcpy(xs->buf + FP_SW_BYTES_OFFSET, &sw, sizeof(sw));
        *ret_xsave = true;
        return xs->size + 4;
}

int signal_frame_setup(struct task *t, const siginfo_t *info, const struct ksigaction *act,
                       uint64_t oldmask)
{
        const struct platform_ops *ops = t->kernel->platform_ops;
        struct user_regs_struct *gp = &t->regs.gp;
        struct cpu_xstate *xs = NULL;
        struct krt_sigframe frame;
        uint64_t sp = gp->rsp, fp_addr, frame_addr;
        bool entering_altstack = false, xsave;
        size_t fp_size;
        uint32_t magic2 = FP_XSTATE_MAGIC2;
        int r;

        if (!(act->flags & SA_RESTORER))
                return -EFAULT;         /* x86_64 has no default return trampoline */

        xs = malloc(sizeof(*xs));
        if (!xs)
                return -ENOMEM;
        r = ops->xstate_get(t->ctx, xs);
        if (r < 0)
                goto out;
        fp_size = fpstate_prepare(xs, &xsave);

        /* Where the frame goes: get_sigframe(). */
        sp -= REDZONE;
        if ((act->flags & SA_ONSTACK) && altstack_flags(t, sp) == 0) {
                sp = t->altstack.sp + t->altstack.size;
                entering_altstack = true;
        }
        fp_addr = (sp - fp_size) & ~63ULL;
        frame_addr = ((fp_addr - sizeof(frame)) & ~15ULL) - 8;
        r = -EFAULT;
        if (frame_addr > sp)
                goto out;               /* wrapped around */
        if ((entering_altstack || on_altstack(t, gp->rsp)) && !on_altstack(t, frame_addr))
                goto out;               /* the alternate stack overflowed */

        memset(&frame, 0, sizeof(frame));
        frame.pretcode = act->restorer;
        frame.uc.uc_flags = (xsave ? UC_FP_XSTATE : 0) | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
        frame.uc.uc_stack.ss_sp = t->altstack.sp;
        frame.uc.uc_stack.ss_flags = altstack_flags(t, gp->rsp) | (t->altstack.flags & SS_AUTODISARM);
        frame.uc.uc_stack.ss_size = t->altstack.size;
        frame.uc.uc_mcontext = (struct ksigcontext){
                .r8 = gp->r8, .r9 = gp->r9, .r10 = gp->r10, .r11 = gp->r11,
                .r12 = gp->r12, .r13 = gp->r13, .r14 = gp->r14, .r15 = gp->r15,
                .rdi = gp->rdi, .rsi = gp->rsi, .rbp = gp->rbp, .rbx = gp->rbx,
                .rdx = gp->rdx, .rax = gp->rax, .rcx = gp->rcx, .rsp = gp->rsp,
                .rip = gp->rip, .eflags = gp->eflags,
                .cs = USER_CS, .ss = USER_SS,
                .oldmask = oldmask,
                .fpstate = fp_addr,
        };
        fault_trap(info, &frame.uc.uc_mcontext);
        frame.uc.uc_sigmask = oldmask;
        if (act->flags & SA_SIGINFO)
                frame.info = *info;

        /* The handler may run on a stack the guest made read-only or never
         * mapped: the copy fails and the guest gets SIGSEGV, as on Linux. */
        r = mm_copy_out(t->mm, fp_addr, xs->buf, MIN(fp_size, (size_t)xs->size));
        if (r == 0 && xsave)
                r = mm_copy_out(t->mm, fp_addr + xs->size, &magic2, sizeof(magic2));
        if (r == 0)
                r = mm_copy_out(t->mm, frame_addr, &frame, sizeof(frame));
        if (r < 0)
                goto out;

        /* The handler starts with a clean FP state (fpu__clear_user_states). */
        memset(xs->buf, 0, xs->size);
        *(uint16_t *)(xs->buf + 0) = 0x37f;             /* FCW */
        *(uint32_t *)(xs->buf + 24) = 0x1f80;           /* MXCSR */
        r = ops->xstate_set(t->ctx, xs);
        if (r < 0)
                goto out;

        gp->rdi = (uint64_t)info->si_signo;
        gp->rsi = frame_addr + offsetof(struct krt_sigframe, info);
        gp->rdx = frame_addr + offsetof(struct krt_sigframe, uc);
        gp->rax = 0;
        gp->rsp = frame_addr;
        gp->rip = act->handler;
        gp->eflags &= ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
        gp->cs = USER_CS;
        gp->ss = USER_SS;
        if (entering_altstack && (t->altstack.flags & SS_AUTODISARM))
                t->altstack = (struct sigaltstack_state){ 0 };
out:
        free(xs);
        return r;
}

/* Put back the FP state from the frame, as the host will take it. */
static int fpstate_restore(struct task *t, uint64_t fp_addr, bool xsave)
{
        const struct platform_ops *ops = t->kernel->platform_ops;
        struct cpu_xstate *xs;
        struct fpx_sw_bytes sw;
        uint32_t magic2;
        size_t size;
        int r;

        xs = malloc(sizeof(*xs));
        if (!xs)
                return -ENOMEM;
        /* The layout the host uses now decides what we read back. */
        r = ops->xstate_get(t->ctx, xs);
        if (r < 0)
                goto out;
        size = xs->size;
        r = mm_copy_in(t->mm, &sw, fp_addr + FP_SW_BYTES_OFFSET, sizeof(sw));
        if (r < 0)
                goto out;
        if (!xsave || sw.magic1 != FP_XSTATE_MAGIC1 || sw.xstate_size != size ||
            mm_copy_in(t->mm, &magic2, fp_addr + size, sizeof(magic2)) < 0 ||
            magic2 != FP_XSTATE_MAGIC2) {
                /* Only the legacy area is trusted; the extended state is reset
                 * (Linux falls back to fxrstor the same way). */
                memset(xs->buf + FXSAVE_SIZE, 0, size > FXSAVE_SIZE ? size - FXSAVE_SIZE : 0);
                size = FXSAVE_SIZE;
        }
        r = mm_copy_in(t->mm, xs->buf, fp_addr, size);
        if (r < 0)
                goto out;
        if (size == FXSAVE_SIZE && xs->size > FXSAVE_SIZE) {
                /* XSTATE_BV: x87 and SSE only. */
                uint64_t bv = 3;
                memcpy(xs->buf + FXSAVE_SIZE, &bv, sizeof(bv));
        }
        r = ops->xstate_set(t->ctx, xs);
        if (r < 0)
                r = -EFAULT;            /* a state the CPU would refuse */
out:
        free(xs);
        return r;
}

int signal_frame_restore(struct task *t)
{
        struct user_regs_struct *gp = &t->regs.gp;
        struct kucontext uc;
        struct ksigcontext *sc = &uc.uc_mcontext;
        uint64_t frame_addr = gp->rsp - 8;     /* the handler's ret popped pretcode */
        int r;

        r = mm_copy_in(t->mm, &uc, frame_addr + offsetof(struct krt_sigframe, uc), sizeof(uc));
        if (r < 0)
                return r;

        pthread_mutex_lock(&t->tg->lock);
        t->sigmask = uc.uc_sigmask & ~KSIG_UNBLOCKABLE;
        pthread_mutex_unlock(&t->tg->lock);

        if (sc->fpstate) {
                r = fpstate_restore(t, sc->fpstate, uc.uc_flags & UC_FP_XSTATE);
                if (r < 0)
                        return r;
        }

        gp->r8 = sc->r8; gp->r9 = sc->r9; gp->r10 = sc->r10; gp->r11 = sc->r11;
        gp->r12 = sc->r12; gp->r13 = sc->r13; gp->r14 = sc->r14; gp->r15 = sc->r15;
        gp->rdi = sc->rdi; gp->rsi = sc->rsi; gp->rbp = sc->rbp; gp->rbx = sc->rbx;
        gp->rdx = sc->rdx; gp->rax = sc->rax; gp->rcx = sc->rcx; gp->rsp = sc->rsp;
        gp->rip = sc->rip;
        gp->eflags = (gp->eflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
        gp->cs = USER_CS;
        gp->ss = USER_SS;
        gp->orig_rax = (uint64_t)-1;    /* no system call to restart */

        /* restore_altstack(): as sigaltstack(&uc.uc_stack, NULL), errors ignored. */
        if (!on_altstack(t, gp->rsp)) {
                int32_t mode = uc.uc_stack.ss_flags & ~(int32_t)SS_AUTODISARM;

                if (mode == SS_DISABLE)
                        t->altstack = (struct sigaltstack_state){ 0 };
                else if ((mode == 0 || mode == SS_ONSTACK) && uc.uc_stack.ss_size >= 2048)
                        t->altstack = (struct sigaltstack_state){
                                .sp = uc.uc_stack.ss_sp, .size = uc.uc_stack.ss_size,
                                .flags = uc.uc_stack.ss_flags & SS_AUTODISARM };
        }
        return 0;
}
