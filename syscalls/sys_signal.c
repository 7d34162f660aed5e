/* Signals: actions, masks, the alternate stack, sending to oneself, pending
 * sets and rt_sigreturn. Delivery itself is sentry/kernel/signal.c. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>

#include "sentry/kernel/kerrno.h"
#include "lib/ktimer.h"
#include "sentry/kernel/signalfd.h"
#include "sentry/mm/mm.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "syscall.h"
#include "syscalls/sys.h"

#define KSIGSET_SIZE 8
/* The sa_flags bits Linux keeps (UAPI_SA_FLAGS on x86_64): unknown bits are
 * cleared both ways, so programs can probe for flag support. */
#define KSA_KNOWN_FLAGS (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | 0x800 /* SA_EXPOSE_TAGBITS */ | \
                         SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)
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
        if (a->a[1]) {
                t->tg->sighand.action[signo - 1] = act;
                /* A signal that becomes ignored is discarded if pending. */
                if (act.handler == KSIG_IGN ||
                    (act.handler == KSIG_DFL && signal_default_action(signo) == SIG_DEFAULT_IGNORE)) {
                        sigpending_flush(&t->pending, signo);
                        sigpending_flush(&t->tg->pending, signo);
                }
        }
        pthread_mutex_unlock(&t->tg->lock);
        if (a->a[2])
                return mm_copy_out(t->mm, a->a[2], &old, sizeof(old));
        return 0;
}

long sys_rt_sigprocmask(struct task *t, const struct syscall_args *a)
{
        int how = (int)a->a[0];
        uint64_t old, set, mask;
        int r;

        if (a->a[3] != KSIGSET_SIZE)
                return -EINVAL;
        pthread_mutex_lock(&t->tg->lock);
        old = t->sigmask;
        pthread_mutex_unlock(&t->tg->lock);
        if (a->a[1]) {
                r = mm_copy_in(t->mm, &set, a->a[1], sizeof(set));
                if (r < 0)
                        return r;
                switch (how) {
                case SIG_BLOCK:
                        mask = old | set;
                        break;
                case SIG_UNBLOCK:
                        mask = old & ~set;
                        break;
                case SIG_SETMASK:
                        mask = set;
                        break;
                default:
                        return -EINVAL;
                }
                /* Unblocked signals are delivered on the way back to the guest. */
                pthread_mutex_lock(&t->tg->lock);
                t->sigmask = mask & ~KSIG_UNBLOCKABLE;
                pthread_mutex_unlock(&t->tg->lock);
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

/* A siginfo for a signal sent by the calling task (SI_USER from kill,
 * SI_TKILL from tkill/tgkill), with its pid and uid. */
static void siginfo_from_task(siginfo_t *info, int signo, int code, const struct task *t)
{
        memset(info, 0, sizeof(*info));
        info->si_signo = signo;
        info->si_code = code;
        info->si_pid = t->tg->tgid;
        info->si_uid = t->creds.ruid;
}

/* Send to one thread group (through any of its threads); a zombie takes nothing. */
static long kill_tg(struct thread_group *tg, const siginfo_t *info)
{
        struct task *any = thread_group_any_task(tg);
        long r = 0;

        if (any && info->si_signo)
                r = signal_send(any, info, true);
        task_unref(any);
        return r;
}

/* kill(-1) and kill(-pgid): every live process matching, except init and,
 * for -1, the caller. ESRCH if none matched. */
static long kill_many(struct task *t, int pgid, const siginfo_t *info)
{
        struct kernel *k = t->kernel;
        long r, ret = -ESRCH;

        for (int pid = 1; pid < KERNEL_PID_MAX; pid++) {
                struct thread_group *tg = kernel_find_tg(k, pid);
                bool match;

                if (!tg)
                        continue;
                pthread_mutex_lock(&k->lock);
                match = tg->state == TG_LIVE &&
                        (pgid ? tg->pgid == pgid : (tg != k->init && tg != t->tg));
                pthread_mutex_unlock(&k->lock);
                if (match) {
                        r = kill_tg(tg, info);
                        if (ret == -ESRCH || r < 0)
                                ret = r;
                }
                thread_group_unref(tg);
        }
        return ret;
}

long sys_kill(struct task *t, const struct syscall_args *a)
{
        int pid = (int)a->a[0], signo = (int)a->a[1];
        struct thread_group *tg;
        siginfo_t info;
        long r;

        if (signo < 0 || signo > KSIG_MAX)
                return -EINVAL;
        siginfo_from_task(&info, signo, SI_USER, t);
        if (pid == INT32_MIN)
                return -ESRCH;
        if (pid > 0) {
                tg = kernel_find_tg(t->kernel, pid);
                if (!tg)
                        return -ESRCH;
                r = kill_tg(tg, &info);
                thread_group_unref(tg);
                return r;
        }
        if (pid == -1)
                return kill_many(t, 0, &info);
        if (pid == 0) {
                pthread_mutex_lock(&t->kernel->lock);
                pid = -t->tg->pgid;
                pthread_mutex_unlock(&t->kernel->lock);
        }
        return kill_many(t, -pid, &info);
}

static long do_tkill(struct task *t, int tgid, int tid, int signo)
{
        struct task *target;
        siginfo_t info;
        long r = 0;

        if (tid <= 0 || signo < 0 || signo > KSIG_MAX)
                return -EINVAL;
        target = kernel_find_task(t->kernel, tid);
        if (!target)
                return -ESRCH;
        if (tgid >= 0 && target->tg->tgid != tgid)
                r = -ESRCH;
        else if (signo) {
                siginfo_from_task(&info, signo, SI_TKILL, t);
                r = signal_send(target, &info, false);
        }
        task_unref(target);
        return r;
}

long sys_tkill(struct task *t, const struct syscall_args *a)
{
        return do_tkill(t, -1, (int)a->a[0], (int)a->a[1]);
}

long sys_tgkill(struct task *t, const struct syscall_args *a)
{
        if ((int)a->a[0] <= 0)
                return -EINVAL;
        return do_tkill(t, (int)a->a[0], (int)a->a[1], (int)a->a[2]);
}

/* rt_sigqueueinfo/rt_tgsigqueueinfo: the caller's own siginfo, which may not
 * pretend to come from the kernel or from kill (Linux: EPERM for si_code >= 0
 * or SI_TKILL when sent to another process; to oneself it is allowed). */
static long do_sigqueueinfo(struct task *t, int tgid, int tid, int signo, guest_ptr_t uinfo,
                            bool group)
{
        siginfo_t info;
        int r;

        r = mm_copy_in(t->mm, &info, uinfo, sizeof(info));
        if (r < 0)
                return r;
        struct task *target;

        if (signo < 0 || signo > KSIG_MAX)
                return -EINVAL;
        target = kernel_find_task(t->kernel, group ? tgid : tid);
        if (!target)
                return -ESRCH;
        if (target->tg->tgid != tgid) {
                task_unref(target);
                return -ESRCH;
        }
        /* Only to oneself may a siginfo claim to come from the kernel or kill(). */
        if (target->tg != t->tg && (info.si_code >= 0 || info.si_code == SI_TKILL)) {
                task_unref(target);
                return -EPERM;
        }
        info.si_signo = signo;
        r = signo ? signal_send(target, &info, group) : 0;
        task_unref(target);
        return r;
}

long sys_rt_sigqueueinfo(struct task *t, const struct syscall_args *a)
{
        return do_sigqueueinfo(t, (int)a->a[0], 0, (int)a->a[1], a->a[2], true);
}

long sys_rt_tgsigqueueinfo(struct task *t, const struct syscall_args *a)
{
        if ((int)a->a[0] <= 0 || (int)a->a[1] <= 0)
                return -EINVAL;
        return do_sigqueueinfo(t, (int)a->a[0], (int)a->a[1], (int)a->a[2], a->a[3], false);
}

long sys_rt_sigpending(struct task *t, const struct syscall_args *a)
{
        uint64_t set;

        if (a->a[1] > KSIGSET_SIZE)
                return -EINVAL;
        pthread_mutex_lock(&t->tg->lock);
        set = (t->pending.set | t->tg->pending.set) & t->sigmask;
        pthread_mutex_unlock(&t->tg->lock);
        return mm_copy_out(t->mm, a->a[0], &set, a->a[1]);
}

long sys_rt_sigreturn(struct task *t, const struct syscall_args *a)
{
        struct platform_event ev = { .stop = PLATFORM_STOP_FAULT, .signo = SIGSEGV,
                                     .si_code = SI_KERNEL };

        (void)a;
        if (signal_frame_restore(t) < 0) {
                signal_force_fault(t, &ev);
                return (long)t->regs.gp.rax;
        }
        /* The restored rax is the result: the interrupted code sees its own. */
        return (long)t->regs.gp.rax;
}

/* Wait for any signal the task does not block. */
static long wait_for_signal(struct task *t)
{
        task_prepare_block(t);
        while (task_block(t, NULL) != -EINTR)
                task_prepare_block(t);
        return -ERESTARTNOHAND;
}

long sys_pause(struct task *t, const struct syscall_args *a)
{
        (void)a;
        return wait_for_signal(t);
}

long sys_rt_sigsuspend(struct task *t, const struct syscall_args *a)
{
        uint64_t mask;
        int r;

        if (a->a[1] != KSIGSET_SIZE)
                return -EINVAL;
        r = mm_copy_in(t->mm, &mask, a->a[0], sizeof(mask));
        if (r < 0)
                return r;
        /* The handler's frame saves the old mask; with no handler it comes
         * back when delivery is done (signal_deliver()). */
        signal_mask_set_temporary(t, mask);
        return wait_for_signal(t);
}

/* Take a pending signal of set (blocked or not) for sigtimedwait. */
static int take_waited(struct task *t, uint64_t set, siginfo_t *info)
{
        int r;

        pthread_mutex_lock(&t->tg->lock);
        r = sigpending_take(&t->pending, set, info);
        if (r < 0)
                r = sigpending_take(&t->tg->pending, set, info);
        pthread_mutex_unlock(&t->tg->lock);
        return r;
}

long sys_rt_sigtimedwait(struct task *t, const struct syscall_args *a)
{
        struct timespec timeout, deadline, *dl = NULL;
        uint64_t set;
        siginfo_t info;
        int r;

        if (a->a[3] != KSIGSET_SIZE)
                return -EINVAL;
        r = mm_copy_in(t->mm, &set, a->a[0], sizeof(set));
        if (r < 0)
                return r;
        set &= ~KSIG_UNBLOCKABLE;
        if (a->a[2]) {
                r = mm_copy_in(t->mm, &timeout, a->a[2], sizeof(timeout));
                if (r < 0)
                        return r;
                if (timeout.tv_sec < 0 || timeout.tv_nsec < 0 || timeout.tv_nsec >= 1000000000L)
                        return -EINVAL;
                clock_gettime(CLOCK_MONOTONIC, &deadline);
                deadline = timespec_add(deadline, timeout);
                dl = &deadline;
        }

        pthread_mutex_lock(&t->tg->lock);
        t->sigwait_set = set;
        pthread_mutex_unlock(&t->tg->lock);
        task_prepare_block(t);
        while ((r = take_waited(t, set, &info)) < 0) {
                r = task_block(t, dl);
                if (r == -ETIMEDOUT) {
                        r = -EAGAIN;
                        break;
                }
                if (r == -EINTR)
                        break;          /* another signal, not one waited for */
                task_prepare_block(t);
        }
        pthread_mutex_lock(&t->tg->lock);
        t->sigwait_set = 0;
        pthread_mutex_unlock(&t->tg->lock);
        if (r < 0)
                return r;
        if (a->a[1] && mm_copy_out(t->mm, a->a[1], &info, sizeof(info)) < 0)
                return -EFAULT;
        return info.si_signo;
}

static long do_signalfd4(struct task *t, int fd, guest_ptr_t umask, uint64_t size, unsigned flags)
{
        uint64_t mask;
        struct file *f;
        long r;

        if (flags & ~(unsigned)(SFD_CLOEXEC | SFD_NONBLOCK))
                return -EINVAL;
        if (size != KSIGSET_SIZE)
                return -EINVAL;
        r = mm_copy_in(t->mm, &mask, umask, sizeof(mask));
        if (r < 0)
                return r;
        if (fd != -1) {
                f = fdtable_get(t->fdt, fd);
                if (!f)
                        return -EBADF;
                r = signalfd_set_mask(f, mask);
                file_unref(f);
                return r < 0 ? r : fd;
        }
        r = signalfd_create(t, mask, flags, &f);
        if (r < 0)
                return r;
        r = fdtable_install(t->fdt, f, 0, flags & SFD_CLOEXEC, task_nofile_limit(t));
        file_unref(f);
        return r;
}

long sys_signalfd(struct task *t, const struct syscall_args *a)
{
        return do_signalfd4(t, (int)a->a[0], a->a[1], a->a[2], 0);
}

long sys_signalfd4(struct task *t, const struct syscall_args *a)
{
        return do_signalfd4(t, (int)a->a[0], a->a[1], a->a[2], (unsigned)a->a[3]);
}
