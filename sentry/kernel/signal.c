/* Sending signals and acting on them. */
#include "signal.h"

#include <errno.h>
#include <string.h>

#include "lib/log.h"
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
        return act->handler == KSIG_DFL && signal_default_action(signo) == SIG_DEFAULT_IGNORE;
}

/* The sandbox's init gets only the signals it has a handler for (Linux's
 * SIGNAL_UNKILLABLE): a SIG_DFL signal sent to it from inside the sandbox is
 * dropped, even SIGKILL. Called with tg->lock held. */
static bool signal_init_protected(struct task *t, int signo)
{
        return t->tg->tgid == 1 && t->tg->sighand.action[signo - 1].handler == KSIG_DFL;
}

int signal_send(struct task *t, const siginfo_t *info, bool group)
{
        struct thread_group *tg = t->tg;
        int signo = info->si_signo, r = 0;
        unsigned limit;

        if (!signal_valid(signo))
                return -EINVAL;
        pthread_mutex_lock(&tg->lock);
        limit = (unsigned)tg->rlimits[RLIMIT_SIGPENDING].rlim_cur;
        if (!signal_ignored(t, signo) && !signal_init_protected(t, signo))
                r = sigpending_add(group ? &tg->pending : &t->pending, info, limit);
        pthread_mutex_unlock(&tg->lock);
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

void signal_deliver(struct task *t)
{
        struct thread_group *tg = t->tg;
        struct ksigaction act;
        uint64_t oldmask;
        siginfo_t info;
        int signo;

        for (;;) {
                pthread_mutex_lock(&tg->lock);
                if (signal_dequeue(t, &info) < 0) {
                        pthread_mutex_unlock(&tg->lock);
                        return;
                }
                signo = info.si_signo;
                act = tg->sighand.action[signo - 1];
                if (act.handler == KSIG_IGN || (act.handler == KSIG_DFL &&
                                                signal_default_action(signo) != SIG_DEFAULT_TERM &&
                                                signal_default_action(signo) != SIG_DEFAULT_CORE)) {
                        /* Ignored; stop and continue wait for job control. */
                        pthread_mutex_unlock(&tg->lock);
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
                oldmask = t->sigmask;
                t->sigmask |= act.mask;
                if (!(act.flags & SA_NODEFER))
                        t->sigmask |= KSIG_BIT(signo);
                t->sigmask &= ~KSIG_UNBLOCKABLE;
                if (act.flags & SA_RESETHAND)
                        tg->sighand.action[signo - 1].handler = KSIG_DFL;
                pthread_mutex_unlock(&tg->lock);

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
