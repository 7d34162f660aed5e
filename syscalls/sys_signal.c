/* Signal bookkeeping: actions, masks and the alternate stack. Delivery and
 * frames come with the signals issue. */
#include <errno.h>
#include <signal.h>

#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

#define KSIGSET_SIZE 8
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
/* The sa_flags bits Linux keeps (UAPI_SA_FLAGS on x86_64): unknown bits are
 * cleared both ways, so programs can probe for flag support. */
#define KSA_KNOWN_FLAGS (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | 0x800 /* SA_EXPOSE_TAGBITS */ | \
                         SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* <linux/signal.h> */
#endif
/* The kernel's MINSIGSTKSZ (glibc's may be a sysconf() call under _GNU_SOURCE). */
#define KERNEL_MINSIGSTKSZ 2048

long sys_rt_sigaction(struct task *t, const struct syscall_args *a)
{
        int signo = (int)a->a[0];
        struct ksigaction act, old;
        int r;

        if (a->a[3] != KSIGSET_SIZE)
                return -EINVAL;
        if (!signal_valid(signo))
                return -EINVAL;
        if (a->a[1]) {
                r = mm_copy_in(t->mm, &act, a->a[1], sizeof(act));
                if (r < 0)
                        return r;
                if (signo == SIGKILL || signo == SIGSTOP)
                        return -EINVAL;
                act.mask &= ~KSIG_UNBLOCKABLE;
                act.flags &= KSA_KNOWN_FLAGS;
        }
        pthread_mutex_lock(&t->tg->lock);
        old = t->tg->sighand.action[signo - 1];
        if (a->a[1])
                t->tg->sighand.action[signo - 1] = act;
        pthread_mutex_unlock(&t->tg->lock);
        if (a->a[2])
                return mm_copy_out(t->mm, a->a[2], &old, sizeof(old));
        return 0;
}

long sys_rt_sigprocmask(struct task *t, const struct syscall_args *a)
{
        int how = (int)a->a[0];
        uint64_t old = t->sigmask, set;
        int r;

        if (a->a[3] != KSIGSET_SIZE)
                return -EINVAL;
        if (a->a[1]) {
                r = mm_copy_in(t->mm, &set, a->a[1], sizeof(set));
                if (r < 0)
                        return r;
                switch (how) {
                case SIG_BLOCK:
                        t->sigmask |= set;
                        break;
                case SIG_UNBLOCK:
                        t->sigmask &= ~set;
                        break;
                case SIG_SETMASK:
                        t->sigmask = set;
                        break;
                default:
                        return -EINVAL;
                }
                t->sigmask &= ~KSIG_UNBLOCKABLE;
        }
        if (a->a[2])
                return mm_copy_out(t->mm, a->a[2], &old, sizeof(old));
        return 0;
}

/* The kernel's stack_t. */
struct kstack {
        uint64_t sp;
        int32_t flags;
        int32_t pad;
        uint64_t size;
};

static bool on_altstack(const struct task *t)
{
        uint64_t sp = t->regs.gp.rsp;

        return t->altstack.size && sp > t->altstack.sp &&
               sp - t->altstack.sp <= t->altstack.size;
}

long sys_sigaltstack(struct task *t, const struct syscall_args *a)
{
        struct kstack old = { 0 }, ss;
        int r;

        /* Like Linux's do_sigaltstack: the old state is read before the new
         * one is set; the size floor is MINSIGSTKSZ (2048), not the larger
         * AT_MINSIGSTKSZ (only checked in the kernel's strict mode). */
        old.sp = t->altstack.sp;
        old.size = t->altstack.size;
        old.flags = (!t->altstack.size ? SS_DISABLE : on_altstack(t) ? SS_ONSTACK : 0) |
                    t->altstack.flags;
        if (a->a[0]) {
                r = mm_copy_in(t->mm, &ss, a->a[0], sizeof(ss));
                if (r < 0)
                        return r;
                if (on_altstack(t))
                        return -EPERM;
                if ((ss.flags & ~SS_AUTODISARM) != 0 && (ss.flags & ~SS_AUTODISARM) != SS_ONSTACK &&
                    (ss.flags & ~SS_AUTODISARM) != SS_DISABLE)
                        return -EINVAL;
                if ((ss.flags & ~SS_AUTODISARM) == SS_DISABLE) {
                        t->altstack = (struct sigaltstack_state){ 0 };
                } else {
                        if (ss.size < KERNEL_MINSIGSTKSZ)
                                return -ENOMEM;
                        t->altstack.sp = ss.sp;
                        t->altstack.size = ss.size;
                        t->altstack.flags = ss.flags & SS_AUTODISARM;
                }
        }
        if (a->a[1])
                return mm_copy_out(t->mm, a->a[1], &old, sizeof(old));
        return 0;
}
