/* Sending signals and acting on them. */
#include "signal.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#include "lib/log.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

bool signal_valid(int signo)
{
        return signo >= 1 && signo <= KSIG_MAX;
}

enum sig_default signal_default_action(int signo)
{
        switch (signo) {
        case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
        case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
                return SIG_DEFAULT_CORE;
        case SIGCHLD: case SIGURG: case SIGWINCH:
                return SIG_DEFAULT_IGNORE;
        case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
                return SIG_DEFAULT_STOP;
        case SIGCONT:
                return SIG_DEFAULT_CONT;
        default:
                return SIG_DEFAULT_TERM;
        }
}

/* Whether signo would be thrown away on arrival (Linux's sig_ignored()):
 * ignored by its action and not blocked (a blocked signal stays pending in
 * case the action changes). Called with tg->lock held. */
static bool signal_ignored(struct task *t, int signo)
{
        const struct ksigaction *act = &t->tg->sighand.action[signo - 1];

        if (t->sigmask & KSIG_BIT(signo))
                return false;
        if (act->handler == KSIG_IGN)
                return true;
        /* SIGCONT's default is to do nothing once it has continued the group. */
        return act->handler == KSIG_DFL && (signal_default_action(signo) == SIG_DEFAULT_IGNORE ||
                                            signal_default_action(signo) == SIG_DEFAULT_CONT);
}

/* The sandbox's init gets only the signals it has a handler for (Linux's
 * SIGNAL_UNKILLABLE): a SIG_DFL signal sent to it from inside the sandbox is
 * dropped, even SIGKILL, unless it is blocked (then it waits, and is
 * dropped at delivery if still SIG_DFL) or a fault made init killable.
 * Called with tg->lock held. */
static bool signal_init_protected(struct task *t, int signo)
{
        struct thread_group *tg = t->tg;

        return tg->tgid == 1 && !tg->init_killable &&
               tg->sighand.action[signo - 1].handler == KSIG_DFL &&
               !((t->sigmask | t->sigwait_set) & KSIG_BIT(signo));
}

int signal_send(struct task *t, const siginfo_t *info, bool group)
{
        struct thread_group *tg = t->tg;
        int signo = info->si_signo, r = 0;
        struct task *target = NULL;
        unsigned limit;

        if (!signal_valid(signo))
                return -EINVAL;
        pthread_mutex_lock(&tg->lock);
        limit = (unsigned)tg->rlimits[RLIMIT_SIGPENDING].rlim_cur;
        jobctl_prepare_signal_locked(tg, signo);
        if (!signal_ignored(t, signo) && !signal_init_protected(t, signo)) {
                r = sigpending_add(group ? &tg->pending : &t->pending, info, limit);
                /* Who will take it: t, or for a group signal the first thread
                 * that does not block it (Linux's complete_signal()). */
                for (struct task *c = group ? tg->tasks : t; r == 0 && c; c = group ? c->tg_next : NULL) {
                        if (!(c->sigmask & KSIG_BIT(signo)) || (c->sigwait_set & KSIG_BIT(signo))) {
                                target = task_ref(c);
                                break;
                        }
                }
        }
        pthread_mutex_unlock(&tg->lock);
        if (r == 0)
                waitqueue_notify(&tg->signalfd_wq, EPOLLIN | EPOLLRDNORM);
        /* A task signalling itself delivers on its way back to the guest;
         * any other is woken or pulled out of guest code. */
        if (target && !pthread_equal(pthread_self(), target->host_thread))
                task_interrupt(target);
        task_unref(target);
        return r;
}

void signal_force_fault(struct task *t, const struct platform_event *ev)
{
        struct thread_group *tg = t->tg;
        struct ksigaction *act = &tg->sighand.action[ev->signo - 1];
        siginfo_t info;

        memset(&info, 0, sizeof(info));
        info.si_signo = ev->signo;
        info.si_code = ev->si_code;
        info.si_addr = (void *)ev->addr;

        pthread_mutex_lock(&tg->lock);
        /* Linux's force_sig_info_to_task(): a blocked or ignored fault
         * signal gets the default action, and even init dies of it. */
        if ((t->sigmask & KSIG_BIT(ev->signo)) || act->handler == KSIG_IGN) {
                act->handler = KSIG_DFL;
                t->sigmask &= ~KSIG_BIT(ev->signo);
        }
        if (act->handler == KSIG_DFL)
                tg->init_killable = true;
        sigpending_add(&t->pending, &info, UINT32_MAX);
        pthread_mutex_unlock(&tg->lock);
}

/* Take the next deliverable signal: thread-directed first, then the group's. */
static int signal_dequeue(struct task *t, siginfo_t *ret)
{
        uint64_t allowed = ~t->sigmask | KSIG_UNBLOCKABLE;

        if (sigpending_take(&t->pending, allowed, ret) == 0)
                return 0;
        return sigpending_take(&t->tg->pending, allowed, ret);
}

/* A system call cut short by a signal: with a handler about to run (act),
 * -EINTR or a restart by its SA_RESTART; with none, a restart. Restarting
 * re-executes the syscall instruction (2 bytes) with the original number. */
static void syscall_restart_fixup(struct task *t, const struct ksigaction *act)
{
        struct user_regs_struct *gp = &t->regs.gp;
        long ret = (long)gp->rax;

        if (!t->syscall_restart)
                return;
        t->syscall_restart = false;
        switch (-ret) {
        case ERESTART_RESTARTBLOCK:
        case ERESTARTNOHAND:
                if (act) {
                        gp->rax = (uint64_t)-EINTR;
                        return;
                }
                break;
        case ERESTARTSYS:
                if (act && !(act->flags & SA_RESTART)) {
                        gp->rax = (uint64_t)-EINTR;
                        return;
                }
                break;
        case ERESTARTNOINTR:
                break;
        default:
                return;
        }
        gp->rax = ret == -ERESTART_RESTARTBLOCK ? (uint64_t)__NR_restart_syscall : gp->orig_rax;
        gp->rip -= 2;
}

/* Nothing (more) to deliver: finish a restart and undo a temporary mask. */
static void signal_deliver_none(struct task *t)
{
        syscall_restart_fixup(t, NULL);
        if (t->restore_sigmask)
                signal_mask_restore(t);
}

void signal_deliver(struct task *t)
{
        struct thread_group *tg = t->tg;
        struct ksigaction act;
        uint64_t oldmask;
        siginfo_t info;
        int signo;

        for (;;) {
                /* A stop or continue the parent has not heard of yet. */
                jobctl_notify_pending(t);
                if (atomic_load(&tg->group_exit))
                        return;
                pthread_mutex_lock(&tg->lock);
                if (t->stop_pending) {
                        /* Another thread stopped the group: park too. */
                        jobctl_stop_locked(t, 0);
                        continue;
                }
                if (signal_dequeue(t, &info) < 0) {
                        pthread_mutex_unlock(&tg->lock);
                        signal_deliver_none(t);
                        return;
                }
                signo = info.si_signo;
                act = tg->sighand.action[signo - 1];
                if (act.handler == KSIG_IGN || (act.handler == KSIG_DFL &&
                                                (signal_default_action(signo) == SIG_DEFAULT_IGNORE ||
                                                 signal_default_action(signo) == SIG_DEFAULT_CONT))) {
                        pthread_mutex_unlock(&tg->lock);
                        continue;
                }
                if (act.handler == KSIG_DFL && tg->tgid == 1 &&
                    (!tg->init_killable || signal_default_action(signo) == SIG_DEFAULT_STOP)) {
                        /* Init: a fatal signal it had blocked is dropped
                         * now; it never stops. */
                        pthread_mutex_unlock(&tg->lock);
                        continue;
                }
                if (act.handler == KSIG_DFL && signal_default_action(signo) == SIG_DEFAULT_STOP) {
                        /* A group stop; but SIGTSTP, SIGTTIN and SIGTTOU
                         * do nothing in an orphaned process group. */
                        t->stop_dequeued = true;
                        if (signo != SIGSTOP) {
                                pthread_mutex_unlock(&tg->lock);
                                if (jobctl_pgrp_orphaned(t))
                                        continue;
                                pthread_mutex_lock(&tg->lock);
                        }
                        jobctl_stop_locked(t, signo);
                        continue;
                }
                if (act.handler == KSIG_DFL) {
                        pthread_mutex_unlock(&tg->lock);
                        log_debug("tid %d: killed by %s", t->tid, sigabbrev_np(signo) ?: "a signal");
                        /* Core-dumping signals would set the core flag (0x80)
                         * only when a core is written; we never write one. */
                        task_exit_group(t, signo);
                        return;
                }
                /* The frame saves the mask to return to: the one before a
                 * sigsuspend, if one is in progress. */
                oldmask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
                t->restore_sigmask = false;
                t->sigmask |= act.mask;
                if (!(act.flags & SA_NODEFER))
                        t->sigmask |= KSIG_BIT(signo);
                t->sigmask &= ~KSIG_UNBLOCKABLE;
                if (act.flags & SA_RESETHAND)
                        tg->sighand.action[signo - 1].handler = KSIG_DFL;
                pthread_mutex_unlock(&tg->lock);

                syscall_restart_fixup(t, &act);
                if (signal_frame_setup(t, &info, &act, oldmask) < 0) {
                        /* No room or no restorer: Linux forces SIGSEGV. */
                        struct platform_event ev = { .stop = PLATFORM_STOP_FAULT,
                                                     .signo = SIGSEGV, .si_code = SI_KERNEL };

                        pthread_mutex_lock(&tg->lock);
                        t->sigmask = oldmask;
                        tg->sighand.action[SIGSEGV - 1].handler = KSIG_DFL;
                        pthread_mutex_unlock(&tg->lock);
                        if (signo == SIGSEGV) {
                                task_exit_group(t, SIGSEGV);
                                return;
                        }
                        signal_force_fault(t, &ev);
                        continue;
                }
                /* Like Linux, go on while signals remain deliverable: each
                 * frame nests on the last, so the handler of the signal
                 * taken last runs first. */
        }
}

void signal_mask_set_temporary(struct task *t, uint64_t mask)
{
        pthread_mutex_lock(&t->tg->lock);
        t->saved_sigmask = t->sigmask;
        t->restore_sigmask = true;
        t->sigmask = mask & ~KSIG_UNBLOCKABLE;
        pthread_mutex_unlock(&t->tg->lock);
}

void signal_mask_restore(struct task *t)
{
        pthread_mutex_lock(&t->tg->lock);
        if (t->restore_sigmask) {
                t->sigmask = t->saved_sigmask;
                t->restore_sigmask = false;
        }
        pthread_mutex_unlock(&t->tg->lock);
}
