/*
 * Job control: group stops and continues (Linux's do_signal_stop(),
 * prepare_signal()'s SIGCONT half, do_notify_parent_cldstop()) and the
 * orphaned process group rules (kernel/exit.c).
 *
 * A stop signal whose action is SIG_DFL, taken by one thread, stops the
 * whole thread group: every other thread is asked to park (stop_pending,
 * and pulled out of guest code or a wait); each parks in the sentry on its
 * way back to the guest, and the last one to park completes the stop and
 * tells the parent (CLD_STOPPED). A parked thread sleeps on its own
 * condition until SIGCONT clears `stopped` or SIGKILL ends the group: it
 * never returns to guest code meanwhile, so on either platform the guest
 * thread simply stays trapped (no spinning).
 *
 * Locking: tg->lock for every field; kernel->lock → tg->lock when the
 * process tree is looked at (orphaned groups).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

#define STOP_SIGNALS (KSIG_BIT(SIGSTOP) | KSIG_BIT(SIGTSTP) | KSIG_BIT(SIGTTIN) | KSIG_BIT(SIGTTOU))
#define TG_JOBCTL_CLD_MASK (TG_JOBCTL_CLD_STOPPED | TG_JOBCTL_CLD_CONTINUED)

/* Drop every pending signal of mask, group-wide and from each thread. */
static void flush_everywhere_locked(struct thread_group *tg, uint64_t mask)
{
        for (int signo = 1; signo <= KSIG_MAX; signo++) {
                if (!(mask & KSIG_BIT(signo)))
                        continue;
                sigpending_flush(&tg->pending, signo);
                for (struct task *c = tg->tasks; c; c = c->tg_next)
                        sigpending_flush(&c->pending, signo);
        }
}

void jobctl_prepare_signal_locked(struct thread_group *tg, int signo)
{
        unsigned why = 0;

        if (atomic_load(&tg->group_exit))
                return;
        if (signal_default_action(signo) == SIG_DEFAULT_STOP) {
                /* A stop signal discards pending SIGCONT. */
                flush_everywhere_locked(tg, KSIG_BIT(SIGCONT));
                return;
        }
        if (signo != SIGCONT)
                return;
        /* SIGCONT discards pending stop signals and wakes every thread,
         * whatever its own action is and even if it is blocked. */
        flush_everywhere_locked(tg, STOP_SIGNALS);
        for (struct task *c = tg->tasks; c; c = c->tg_next) {
                c->stop_pending = false;
                c->stop_dequeued = false;
                if (c->stopped) {
                        c->stopped = false;
                        task_wake(c);
                }
        }
        /* Stopped: the parent hears CLD_CONTINUED. In the middle of a group
         * stop, Linux pretends it completed and was continued, and since
         * SIGCHLD does not queue reports only CLD_STOPPED. */
        if (tg->jobctl & TG_JOBCTL_STOPPED)
                why = TG_JOBCTL_CLD_CONTINUED;
        else if (tg->group_stop_count)
                why = TG_JOBCTL_CLD_STOPPED;
        if (why) {
                tg->jobctl = why | TG_JOBCTL_CONTINUED;
                tg->group_stop_count = 0;
                tg->stop_code = 0;
        }
}

/* SIGCHLD for a stop or continue, to the parent of tg, unless it ignores
 * SIGCHLD or asked for SA_NOCLDSTOP; its waiters are woken either way. */
static void notify_parent(struct task *t, int why, int status)
{
        struct kernel *k = t->kernel;
        struct thread_group *tg = t->tg, *parent = NULL;
        struct task *target;
        bool send;
        siginfo_t info;

        pthread_mutex_lock(&k->lock);
        if (tg->parent)
                parent = thread_group_ref(tg->parent);
        pthread_mutex_unlock(&k->lock);
        if (!parent)
                return;
        memset(&info, 0, sizeof(info));
        info.si_signo = SIGCHLD;
        info.si_code = why;
        info.si_pid = tg->tgid;
        info.si_uid = t->creds.ruid;
        info.si_status = status;
        pthread_mutex_lock(&parent->lock);
        send = parent->sighand.action[SIGCHLD - 1].handler != KSIG_IGN &&
               !(parent->sighand.action[SIGCHLD - 1].flags & SA_NOCLDSTOP);
        pthread_mutex_unlock(&parent->lock);
        if (send && (target = thread_group_any_task(parent))) {
                signal_send(target, &info, true);
                task_unref(target);
        }
        thread_group_wake_all(parent);
        thread_group_unref(parent);
}

void jobctl_notify_pending(struct task *t)
{
        struct thread_group *tg = t->tg;
        unsigned why;
        int status;

        pthread_mutex_lock(&tg->lock);
        why = tg->jobctl & TG_JOBCTL_CLD_MASK;
        tg->jobctl &= ~TG_JOBCTL_CLD_MASK;
        status = tg->stop_code;
        pthread_mutex_unlock(&tg->lock);
        if (why & TG_JOBCTL_CLD_CONTINUED)
                notify_parent(t, CLD_CONTINUED, SIGCONT);
        else if (why & TG_JOBCTL_CLD_STOPPED)
                notify_parent(t, CLD_STOPPED, status);
}

/* t stops taking part in a group stop in progress; whether it was the last
 * thread to do so, which completes the stop (Linux's
 * task_participate_group_stop()). tg->lock held. */
static bool participate_locked(struct task *t)
{
        struct thread_group *tg = t->tg;

        if (!t->stop_pending)
                return false;
        t->stop_pending = false;
        if (tg->group_stop_count > 0)
                tg->group_stop_count--;
        if (tg->group_stop_count == 0 && !(tg->jobctl & TG_JOBCTL_STOPPED)) {
                tg->jobctl = TG_JOBCTL_STOPPED;
                return true;
        }
        return false;
}

/* Park until SIGCONT or SIGKILL (or the group's exit, or another thread's
 * execve). */
static void park(struct task *t)
{
        struct thread_group *tg = t->tg;
        bool stay;

        for (;;) {
                task_prepare_block(t);
                pthread_mutex_lock(&tg->lock);
                stay = t->stopped && !atomic_load(&tg->group_exit) &&
                       !atomic_load(&t->zapped) &&
                       !((t->pending.set | tg->pending.set) & KSIG_BIT(SIGKILL));
                if (!stay)
                        t->stopped = false;
                pthread_mutex_unlock(&tg->lock);
                if (!stay)
                        return;
                task_sleep(t);
        }
}

void jobctl_stop_locked(struct task *t, int signo)
{
        struct thread_group *tg = t->tg;
        bool notify;
        int status;

        if (!t->stop_pending) {
                /* Start a group stop, unless a SIGCONT (or the group's end)
                 * came since the stop signal was taken. */
                if (!t->stop_dequeued || atomic_load(&tg->group_exit)) {
                        pthread_mutex_unlock(&tg->lock);
                        return;
                }
                if (!(tg->jobctl & TG_JOBCTL_STOPPED))
                        tg->stop_code = signo;
                tg->group_stop_count = 0;
                for (struct task *c = tg->tasks; c; c = c->tg_next) {
                        if (c->stopped || c->exiting)
                                continue;
                        c->stop_pending = true;
                        tg->group_stop_count++;
                        /* Out of guest code or a wait: it parks on its way back. */
                        if (c != t)
                                task_interrupt(c);
                }
        }
        t->stop_dequeued = false;
        notify = participate_locked(t);
        status = tg->stop_code;
        t->stopped = true;
        pthread_mutex_unlock(&tg->lock);
        if (notify)
                notify_parent(t, CLD_STOPPED, status);
        park(t);
}

void jobctl_task_exit(struct task *t)
{
        struct thread_group *tg = t->tg;
        bool notify = false;
        int status;

        pthread_mutex_lock(&tg->lock);
        t->exiting = true;
        t->stopped = false;
        if (!atomic_load(&tg->group_exit))
                notify = participate_locked(t);
        t->stop_pending = false;
        status = tg->stop_code;
        pthread_mutex_unlock(&tg->lock);
        if (notify)
                notify_parent(t, CLD_STOPPED, status);
}

/* Orphaned process groups. */

/* Linux's will_become_orphaned_pgrp(): no live member other than ignored
 * has a parent in another group of the same session. The sandbox's init is
 * a pid namespace's init, not the global one, so it counts as a parent.
 * kernel->lock held. */
static bool pgrp_orphaned_locked(struct kernel *k, int pgid, const struct thread_group *ignored)
{
        for (int pid = 1; pid < KERNEL_PID_MAX; pid++) {
                const struct thread_group *tg = k->tgs[pid], *p;

                if (!tg || tg == ignored || tg->pgid != pgid || tg->state != TG_LIVE)
                        continue;
                p = tg->parent;
                if (p && p->pgid != pgid && p->sid == tg->sid)
                        return false;
        }
        return true;
}

static bool pgrp_has_stopped_locked(struct kernel *k, int pgid)
{
        bool stopped = false;

        for (int pid = 1; pid < KERNEL_PID_MAX && !stopped; pid++) {
                struct thread_group *tg = k->tgs[pid];

                if (!tg || tg->pgid != pgid || tg->state != TG_LIVE)
                        continue;
                pthread_mutex_lock(&tg->lock);
                stopped = tg->jobctl & TG_JOBCTL_STOPPED;
                pthread_mutex_unlock(&tg->lock);
        }
        return stopped;
}

bool jobctl_pgrp_orphaned(struct task *t)
{
        struct kernel *k = t->kernel;
        bool r;

        pthread_mutex_lock(&k->lock);
        r = pgrp_orphaned_locked(k, t->tg->pgid, NULL);
        pthread_mutex_unlock(&k->lock);
        return r;
}

bool jobctl_orphans_stopped_pgrp_locked(struct kernel *k, const struct thread_group *tg,
                                        const struct thread_group *parent,
                                        const struct thread_group *ignored)
{
        return parent && parent->pgid != tg->pgid && parent->sid == tg->sid &&
               pgrp_orphaned_locked(k, tg->pgid, ignored) && pgrp_has_stopped_locked(k, tg->pgid);
}

void jobctl_hangup_pgrp(struct kernel *k, int pgid)
{
        static const int signals[] = { SIGHUP, SIGCONT };
        siginfo_t info;

        for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
                memset(&info, 0, sizeof(info));
                info.si_signo = signals[i];
                info.si_code = SI_KERNEL;
                for (int pid = 1; pid < KERNEL_PID_MAX; pid++) {
                        struct thread_group *tg = kernel_find_tg(k, pid);
                        struct task *any = NULL;
                        bool match;

                        if (!tg)
                                continue;
                        pthread_mutex_lock(&k->lock);
                        match = tg->state == TG_LIVE && tg->pgid == pgid;
                        pthread_mutex_unlock(&k->lock);
                        if (match && (any = thread_group_any_task(tg)))
                                signal_send(any, &info, true);
                        task_unref(any);
                        thread_group_unref(tg);
                }
        }
}
