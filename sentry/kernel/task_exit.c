/*
 * The end of a task: release what it holds, make its thread group a zombie,
 * hand its children to the nearest child subreaper or init (sending their
 * parent-death signals and hanging up process groups this orphans), and
 * tell the parent (exit signal + wake). When init ends, every other process
 * in the sandbox is killed.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include "lib/log.h"
#include "sentry/ipc/ipc.h"
#include "sentry/kernel/ctty.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "vfs/fdtable.h"
#include "vfs/vfs.h"

/* The SIGCHLD a parent gets for a child's wait status. */
static void child_siginfo(const struct thread_group *tg, int status, int uid, siginfo_t *info)
{
        memset(info, 0, sizeof(*info));
        info->si_signo = tg->exit_signal;
        info->si_pid = tg->tgid;
        info->si_uid = uid;
        if (WIFSIGNALED(status)) {
                info->si_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
                info->si_status = WTERMSIG(status);
        } else {
                info->si_code = CLD_EXITED;
                info->si_status = WEXITSTATUS(status);
        }
}

/* Whether the parent said it will never wait (SIGCHLD ignored or
 * SA_NOCLDWAIT): then the child is reaped at once. */
static bool parent_autoreaps(struct thread_group *parent)
{
        const struct ksigaction *act = &parent->sighand.action[SIGCHLD - 1];
        bool r;

        pthread_mutex_lock(&parent->lock);
        r = act->handler == KSIG_IGN || (act->flags & SA_NOCLDWAIT);
        pthread_mutex_unlock(&parent->lock);
        return r;
}

/* Signals to send once kernel->lock is dropped: parent-death signals and
 * newly orphaned process groups to hang up. */
struct exit_signals {
        struct task **pdeath_task;      /* references */
        int *pdeath_signo;
        size_t npdeath;
        int *hup_pgid;
        size_t nhup;
};

static void exit_signals_add_pdeath(struct exit_signals *es, struct task *t, int signo)
{
        struct task **tv = realloc(es->pdeath_task, (es->npdeath + 1) * sizeof(*tv));
        int *sv;

        if (!tv)
                return;
        es->pdeath_task = tv;
        sv = realloc(es->pdeath_signo, (es->npdeath + 1) * sizeof(*sv));
        if (!sv)
                return;
        es->pdeath_signo = sv;
        es->pdeath_task[es->npdeath] = task_ref(t);
        es->pdeath_signo[es->npdeath++] = signo;
}

static void exit_signals_add_hup(struct exit_signals *es, int pgid)
{
        int *v;

        for (size_t i = 0; i < es->nhup; i++)
                if (es->hup_pgid[i] == pgid)
                        return;
        v = realloc(es->hup_pgid, (es->nhup + 1) * sizeof(*v));
        if (!v)
                return;
        es->hup_pgid = v;
        es->hup_pgid[es->nhup++] = pgid;
}

/* Child c gets a new parent thread: each of its threads that asked for
 * PR_SET_PDEATHSIG gets its signal (Linux's forget_original_parent()).
 * kernel->lock held. */
static void reparent_pdeath_locked(struct thread_group *c, struct exit_signals *es)
{
        pthread_mutex_lock(&c->lock);
        for (struct task *ct = c->tasks; ct; ct = ct->tg_next)
                if (ct->pdeath_signal)
                        exit_signals_add_pdeath(es, ct, ct->pdeath_signal);
        pthread_mutex_unlock(&c->lock);
}

/* The thread a reparented child hangs from: tg's first live one. */
static int live_tid_locked(struct thread_group *tg)
{
        int tid = 0;

        pthread_mutex_lock(&tg->lock);
        if (tg->tasks)
                tid = tg->tasks->tid;
        pthread_mutex_unlock(&tg->lock);
        return tid;
}

/* A thread leaves while its group lives on: the children it made hang from
 * another thread of the group now. kernel->lock held. */
static void reparent_thread_children_locked(struct task *t, struct exit_signals *es)
{
        int tid = live_tid_locked(t->tg);

        for (struct thread_group *c = t->tg->children; c; c = c->sibling) {
                if (c->parent_tid != t->tid)
                        continue;
                c->parent_tid = tid;
                reparent_pdeath_locked(c, es);
        }
}

/* Who adopts tg's children: the nearest live ancestor that is a child
 * subreaper (PR_SET_CHILD_SUBREAPER), else init (Linux's
 * find_new_reaper()). kernel->lock held. */
static struct thread_group *find_reaper_locked(struct kernel *k, struct thread_group *tg)
{
        for (struct thread_group *a = tg->parent; a && a != k->init; a = a->parent)
                if (a->child_subreaper && a->state == TG_LIVE && !atomic_load(&a->group_exit))
                        return a;
        return k->init;
}

/* Move tg's children to their reaper; returns whether one of them is
 * already a zombie (the reaper must be told). Children whose process group
 * this leaves orphaned with a stopped member are hung up (Linux's
 * reparent_leader()). kernel->lock held. */
static bool reparent_children_locked(struct kernel *k, struct thread_group *tg,
                                     struct thread_group *reaper, struct exit_signals *es)
{
        struct thread_group *c;
        bool zombie = false;
        int tid = live_tid_locked(reaper);

        while ((c = tg->children)) {
                tg->children = c->sibling;
                c->parent = reaper;
                c->parent_tid = tid;
                c->exit_signal = SIGCHLD;
                c->sibling = reaper->children;
                reaper->children = c;
                zombie |= c->state == TG_ZOMBIE;
                reparent_pdeath_locked(c, es);
                if (c->state == TG_LIVE && jobctl_orphans_stopped_pgrp_locked(k, c, tg, NULL))
                        exit_signals_add_hup(es, c->pgid);
        }
        return zombie;
}

/* Send what exit collected, then free it. */
static void exit_signals_send(struct kernel *k, struct task *exiting, struct exit_signals *es)
{
        siginfo_t info;

        for (size_t i = 0; i < es->npdeath; i++) {
                /* As Linux's SEND_SIG_NOINFO from the dying parent. */
                memset(&info, 0, sizeof(info));
                info.si_signo = es->pdeath_signo[i];
                info.si_code = SI_USER;
                info.si_pid = exiting->tg->tgid;
                info.si_uid = exiting->creds.ruid;
                signal_send(es->pdeath_task[i], &info, true);
                task_unref(es->pdeath_task[i]);
        }
        for (size_t i = 0; i < es->nhup; i++)
                jobctl_hangup_pgrp(k, es->hup_pgid[i]);
        free(es->pdeath_task);
        free(es->pdeath_signo);
        free(es->hup_pgid);
}

/* Remove a reaped group from the tables; the caller drops the returned
 * reference after unlocking. kernel->lock held. */
struct thread_group *tg_unlink_reaped_locked(struct kernel *k, struct thread_group *tg)
{
        struct thread_group **pp;

        if (tg->parent) {
                for (pp = &tg->parent->children; *pp; pp = &(*pp)->sibling) {
                        if (*pp == tg) {
                                *pp = tg->sibling;
                                break;
                        }
                }
        }
        tg->sibling = NULL;
        tg->state = TG_REAPED;
        k->tgs[tg->tgid] = NULL;
        return tg;
}

/* Init is gone: SIGKILL for every other live process. */
static void kill_all_but_init(struct kernel *k)
{
        siginfo_t info;

        memset(&info, 0, sizeof(info));
        info.si_signo = SIGKILL;
        info.si_code = SI_KERNEL;
        for (int pid = 2; pid < KERNEL_PID_MAX; pid++) {
                struct task *t = kernel_find_task(k, pid);

                if (t) {
                        signal_send(t, &info, false);
                        task_unref(t);
                }
        }
}

/* The thread part of an exit: what this task alone holds. */
static void task_release_thread(struct task *t)
{
        struct kernel *k = t->kernel;
        struct platform_ctx *ctx;
        struct fs_context *fs;
        struct fdtable *fdt;
        struct mm *mm;

        /* CLONE_CHILD_CLEARTID and the robust list, while the mm is here. */
        futex_exit(t);
        /* The group's CPU time so far, while its stub is alive. */
        task_usage_record_exit(t);

        /* The guest side: the stub thread, then our hold on the memory,
         * files and fs context. /proc reads them under block_lock, so they
         * leave the task under it and are dropped after. */
        pthread_mutex_lock(&t->block_lock);
        ctx = t->ctx;
        t->ctx = NULL;
        mm = t->mm;
        t->mm = NULL;
        fdt = t->fdt;
        t->fdt = NULL;
        fs = t->fs;
        t->fs = NULL;
        pthread_mutex_unlock(&t->block_lock);
        if (ctx)
                k->platform_ops->ctx_release(ctx);
        mm_unref(mm);
        fdtable_unref(fdt);
        fs_context_unref(fs);
}

void task_exit(struct task *t)
{
        struct kernel *k = t->kernel;
        struct thread_group *tg = t->tg, *parent, *reaped = NULL, *adopter = NULL;
        struct exit_signals es = { 0 };
        struct task *vfork_parent, *notify = NULL;
        bool last;
        siginfo_t info;
        int status;

        jobctl_task_exit(t);
        task_release_thread(t);
        last = thread_group_remove_task(tg, t);
        if (last)
                thread_group_set_exe_file(tg, NULL);    /* writers may come back */

        pthread_mutex_lock(&k->lock);
        if (t->tid > 0 && k->tasks[t->tid] == t)
                k->tasks[t->tid] = NULL;
        if (tg->leader == t)
                tg->leader = NULL;
        k->nthreads--;
        pthread_cond_broadcast(&k->threads_done);
        if (!last) {
                /* Other threads go on; the group lives. One of them may be
                 * in execve, waiting for this one to go. */
                struct task *exec_task = NULL;

                reparent_thread_children_locked(t, &es);
                pthread_mutex_lock(&tg->lock);
                if (tg->exec_task)
                        exec_task = task_ref(tg->exec_task);
                pthread_mutex_unlock(&tg->lock);
                pthread_mutex_unlock(&k->lock);
                exit_signals_send(k, t, &es);
                waitqueue_notify(&tg->pidfd_wq, EPOLLIN | EPOLLHUP);   /* thread pidfds */
                if (exec_task) {
                        task_wake(exec_task);
                        task_unref(exec_task);
                }
                task_unref(t);
                return;
        }
        pthread_mutex_unlock(&k->lock);

        /* The last thread: the group ends. Its timers first, and its
         * semaphore adjustments (SEM_UNDO). */
        itimer_real_destroy(&tg->itimer_real);
        ipc_sem_exit(k->ipc, tg);
        posix_timers_destroy(&tg->timers);
        /* A session leader takes its terminal with it (SIGHUP). */
        ctty_leader_exit(k, tg);
        pthread_mutex_lock(&tg->lock);
        status = tg->exit_status;
        pthread_mutex_unlock(&tg->lock);

        pthread_mutex_lock(&k->lock);
        tg->state = TG_ZOMBIE;
        vfork_parent = tg->vfork_parent;
        tg->vfork_parent = NULL;
        if (tg != k->init && k->init) {
                struct thread_group *reaper = find_reaper_locked(k, tg);

                if (reparent_children_locked(k, tg, reaper, &es))
                        adopter = thread_group_ref(reaper);
        }
        parent = tg->parent;
        /* Our own group: orphaned now, with a stopped member? */
        if (parent && jobctl_orphans_stopped_pgrp_locked(k, tg, parent, tg))
                exit_signals_add_hup(&es, tg->pgid);
        if (parent) {
                if (parent_autoreaps(parent))
                        reaped = tg_unlink_reaped_locked(k, tg);
                thread_group_ref(parent);
        }
        pthread_mutex_unlock(&k->lock);

        if (vfork_parent) {
                task_wake(vfork_parent);
                task_unref(vfork_parent);
        }
        if (parent) {
                /* Sent even when autoreaped (SA_NOCLDWAIT with a handler); an
                 * ignored SIGCHLD is dropped by signal_send(). */
                notify = tg->exit_signal ? thread_group_any_task(parent) : NULL;
                if (notify) {
                        child_siginfo(tg, status, (int)t->creds.ruid, &info);
                        signal_send(notify, &info, true);
                        task_unref(notify);
                }
                /* Woken either way: a wait for this child ends (ECHILD if reaped). */
                thread_group_wake_all(parent);
                thread_group_unref(parent);
        }
        if (adopter) {
                /* Adopted zombies: the reaper may reap them now. */
                thread_group_wake_all(adopter);
                thread_group_unref(adopter);
        }
        exit_signals_send(k, t, &es);
        /* pidfds: the process exited (and maybe was reaped at once). */
        waitqueue_notify(&tg->pidfd_wq, EPOLLIN | EPOLLHUP);
        thread_group_unref(reaped);
        if (tg == k->init) {
                log_debug("init exited (status %#x): ending the sandbox", status);
                kill_all_but_init(k);
        }
        task_unref(t);
}
