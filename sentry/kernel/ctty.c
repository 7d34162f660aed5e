/*
 * Controlling terminals: the process side of sessions and terminals, after
 * Linux's drivers/tty/tty_jobctrl.c.
 */
#include "sentry/kernel/ctty.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/current.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "vfs/tty/tty.h"

#define CAP_SYS_ADMIN_K 21

static void signal_tg(struct thread_group *tg, int signo)
{
        struct task *any = thread_group_any_task(tg);
        siginfo_t info;

        if (!any)
                return;
        memset(&info, 0, sizeof(info));
        info.si_signo = signo;
        info.si_code = SI_KERNEL;
        signal_send(any, &info, true);
        task_unref(any);
}

/* Every live group matching (pgid or sid) gets signo, outside kernel->lock. */
static void signal_matching(struct kernel *k, int pgid, int sid, int signo)
{
        for (int pid = 1; pid < KERNEL_PID_MAX; pid++) {
                struct thread_group *tg = kernel_find_tg(k, pid);
                bool match;

                if (!tg)
                        continue;
                pthread_mutex_lock(&k->lock);
                match = tg->state == TG_LIVE && (pgid ? tg->pgid == pgid : tg->sid == sid);
                pthread_mutex_unlock(&k->lock);
                if (match)
                        signal_tg(tg, signo);
                thread_group_unref(tg);
        }
}

static void ctty_kill_pgrp(void *ctx, int pgrp, int signo)
{
        signal_matching(ctx, pgrp, 0, signo);
}

/* Everyone in sid lets tty go; returns how many references to drop. */
static int clear_session_locked(struct kernel *k, int sid, struct tty *tty)
{
        int n = 0;

        for (int pid = 1; pid < KERNEL_PID_MAX; pid++) {
                struct thread_group *tg = k->tgs[pid];

                if (tg && tg->sid == sid && tg->ctty == tty) {
                        tg->ctty = NULL;
                        n++;
                }
        }
        return n;
}

static void drop_refs(struct tty *tty, int n)
{
        while (n-- > 0)
                tty_unref(tty);
}

static void ctty_hangup_session(void *ctx, int sid, struct tty *tty)
{
        struct kernel *k = ctx;
        struct thread_group *leader;
        int n;

        pthread_mutex_lock(&k->lock);
        n = clear_session_locked(k, sid, tty);
        leader = sid > 0 && sid < KERNEL_PID_MAX && k->tgs[sid] && k->tgs[sid]->state == TG_LIVE ?
                 thread_group_ref(k->tgs[sid]) : NULL;
        pthread_mutex_unlock(&k->lock);
        if (leader) {
                signal_tg(leader, SIGHUP);
                signal_tg(leader, SIGCONT);
                thread_group_unref(leader);
        }
        drop_refs(tty, n);
}

const struct tty_ctl_ops ctty_ops = {
        .kill_pgrp = ctty_kill_pgrp,
        .hangup_session = ctty_hangup_session,
};

int ctty_set(struct task *t, struct tty *tty, bool readable, long arg)
{
        struct kernel *k = t->kernel;
        struct thread_group *me = t->tg;
        bool admin = creds_has_cap(&t->creds, CAP_SYS_ADMIN_K);
        int sid, pgrp, r = 0, n = 0;

        tty_get_session(tty, &sid, &pgrp);
        pthread_mutex_lock(&k->lock);
        if (me->sid == me->tgid && me->ctty == tty && me->sid == sid) {
                pthread_mutex_unlock(&k->lock);
                return 0;
        }
        if (me->sid != me->tgid || me->ctty)
                r = -EPERM;
        else if (!readable && !admin)
                r = -EPERM;
        else if (sid && sid != me->sid && !(arg == 1 && admin))
                r = -EPERM;
        if (r == 0 && sid && sid != me->sid)
                n = clear_session_locked(k, sid, tty);  /* stolen */
        if (r == 0)
                r = tty_attach_session(tty, me->sid, me->pgid, &ctty_ops, k, true);
        if (r == 0)
                me->ctty = tty_ref(tty);
        pthread_mutex_unlock(&k->lock);
        drop_refs(tty, n);
        return r;
}

int ctty_attach_init(struct kernel *k, struct thread_group *init, struct tty *tty)
{
        int r;

        pthread_mutex_lock(&k->lock);
        r = tty_attach_session(tty, init->sid, init->pgid, &ctty_ops, k, true);
        if (r == 0 && !init->ctty)
                init->ctty = tty_ref(tty);
        pthread_mutex_unlock(&k->lock);
        return r;
}

int ctty_notty(struct task *t, struct tty *tty)
{
        struct kernel *k = t->kernel;
        struct thread_group *me = t->tg;
        bool leader;
        int sid, n = 0;

        pthread_mutex_lock(&k->lock);
        if (me->ctty != tty) {
                pthread_mutex_unlock(&k->lock);
                return -ENOTTY;
        }
        leader = me->sid == me->tgid;
        sid = me->sid;
        if (leader) {
                n = clear_session_locked(k, sid, tty);
        } else {
                me->ctty = NULL;
                n = 1;
        }
        pthread_mutex_unlock(&k->lock);
        if (leader)
                tty_detach_session(tty, sid, false);
        drop_refs(tty, n);
        return 0;
}

/* Whether tty is t's controlling terminal. */
static bool is_ctty(struct task *t, struct tty *tty)
{
        bool r;

        pthread_mutex_lock(&t->kernel->lock);
        r = t->tg->ctty == tty;
        pthread_mutex_unlock(&t->kernel->lock);
        return r;
}

int ctty_get_pgrp(struct task *t, struct tty *tty, bool master, int *ret)
{
        int sid;

        if (!master && !is_ctty(t, tty))
                return -ENOTTY;
        tty_get_session(tty, &sid, ret);
        return 0;
}

int ctty_get_sid(struct task *t, struct tty *tty, bool master, int *ret)
{
        int pgrp;

        if (!master && !is_ctty(t, tty))
                return -ENOTTY;
        tty_get_session(tty, ret, &pgrp);
        return *ret ? 0 : -ENOTTY;
}

int ctty_set_pgrp(struct task *t, struct tty *tty, int pgrp)
{
        struct kernel *k = t->kernel;
        bool found = false, other = false;
        int r, sid, fg;

        r = ctty_check_change(t, tty, SIGTTOU);
        if (r == -EIO)
                return -ENOTTY;
        if (r < 0)
                return r;
        tty_get_session(tty, &sid, &fg);
        pthread_mutex_lock(&k->lock);
        if (t->tg->ctty != tty || sid != t->tg->sid) {
                pthread_mutex_unlock(&k->lock);
                return -ENOTTY;
        }
        if (pgrp < 0) {
                pthread_mutex_unlock(&k->lock);
                return -EINVAL;
        }
        for (int pid = 1; pid < KERNEL_PID_MAX; pid++) {
                struct thread_group *tg = k->tgs[pid];

                if (tg && tg->state == TG_LIVE && tg->pgid == pgrp) {
                        found = true;
                        other |= tg->sid != sid;
                }
        }
        pthread_mutex_unlock(&k->lock);
        if (!found)
                return -ESRCH;
        if (other)
                return -EPERM;
        return tty_set_pgrp(tty, sid, pgrp);
}

/* signo ignored or blocked by t (Linux's is_ignored()). */
static bool ignored(struct task *t, int signo)
{
        bool r;

        pthread_mutex_lock(&t->tg->lock);
        r = (t->sigmask & KSIG_BIT(signo)) ||
            t->tg->sighand.action[signo - 1].handler == KSIG_IGN;
        pthread_mutex_unlock(&t->tg->lock);
        return r;
}

int ctty_check_change(struct task *t, struct tty *tty, int signo)
{
        int sid, fg, pgid;

        if (!is_ctty(t, tty))
                return 0;
        tty_get_session(tty, &sid, &fg);
        pthread_mutex_lock(&t->kernel->lock);
        pgid = t->tg->pgid;
        pthread_mutex_unlock(&t->kernel->lock);
        if (!fg || pgid == fg)
                return 0;
        if (ignored(t, signo))
                return signo == SIGTTIN ? -EIO : 0;
        if (jobctl_pgrp_orphaned(t))
                return -EIO;
        signal_matching(t->kernel, pgid, 0, signo);
        return -ERESTARTSYS;
}

struct tty *ctty_get(struct task *t)
{
        struct tty *tty;

        pthread_mutex_lock(&t->kernel->lock);
        tty = t->tg->ctty ? tty_ref(t->tg->ctty) : NULL;
        pthread_mutex_unlock(&t->kernel->lock);
        return tty;
}

void ctty_fork_locked(struct thread_group *child, struct thread_group *parent)
{
        child->ctty = parent->ctty ? tty_ref(parent->ctty) : NULL;
}

struct tty *ctty_clear_locked(struct thread_group *tg)
{
        struct tty *tty = tg->ctty;

        tg->ctty = NULL;
        return tty;
}

void ctty_leader_exit(struct kernel *k, struct thread_group *tg)
{
        struct tty *tty;
        int sid, n = 0;

        pthread_mutex_lock(&k->lock);
        tty = tg->sid == tg->tgid && tg->ctty ? tty_ref(tg->ctty) : NULL;
        sid = tg->sid;
        if (tty)
                n = clear_session_locked(k, sid, tty);
        pthread_mutex_unlock(&k->lock);
        if (!tty)
                return;
        tty_detach_session(tty, sid, true);
        drop_refs(tty, n);
        tty_unref(tty);
}

int ctty_dev_locked(const struct thread_group *tg)
{
        unsigned minor;

        if (!tg->ctty)
                return 0;
        /* Linux's new_encode_dev() of 136:N. */
        minor = (unsigned)tty_index(tg->ctty);
        return (int)((minor & 0xff) | (136u << 8) | ((minor & ~0xffu) << 12));
}

/* /dev/tty: the current task's terminal. */
static struct tty *current_ctty(void)
{
        struct task *t = task_current();

        return t ? ctty_get(t) : NULL;
}

__attribute__((constructor)) static void ctty_register(void)
{
        tty_set_current_ctty_fn(current_ctty);
}
