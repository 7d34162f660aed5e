/*
 * The end of a task: release what it holds, make its thread group a zombie,
 * hand its children to init, and tell the parent (exit signal + wake). When
 * init ends, every other process in the sandbox is killed.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/log.h"
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

/* Move tg's children to init; returns whether one of them is already a
 * zombie (init must be told). kernel->lock held. */
static bool reparent_children_locked(struct kernel *k, struct thread_group *tg)
{
        struct thread_group *init = k->init, *c;
        bool zombie = false;

        while ((c = tg->children)) {
                tg->children = c->sibling;
                c->parent = init;
                c->sibling = init->children;
                init->children = c;
                zombie |= c->state == TG_ZOMBIE;
        }
        return zombie;
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
        struct thread_group *tg = t->tg, *parent, *reaped = NULL, *init = NULL;
        struct task *vfork_parent, *notify = NULL;
        bool init_has_zombie = false, last;
        siginfo_t info;
        int status;

        task_release_thread(t);
        last = thread_group_remove_task(tg, t);

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

                pthread_mutex_lock(&tg->lock);
                if (tg->exec_task)
                        exec_task = task_ref(tg->exec_task);
                pthread_mutex_unlock(&tg->lock);
                pthread_mutex_unlock(&k->lock);
                if (exec_task) {
                        task_wake(exec_task);
                        task_unref(exec_task);
                }
                task_unref(t);
                return;
        }
        pthread_mutex_unlock(&k->lock);

        /* The last thread: the group ends. Its timers first. */
        itimer_real_destroy(&tg->itimer_real);
        posix_timers_destroy(&tg->timers);
        pthread_mutex_lock(&tg->lock);
        status = tg->exit_status;
        pthread_mutex_unlock(&tg->lock);

        pthread_mutex_lock(&k->lock);
        tg->state = TG_ZOMBIE;
        vfork_parent = tg->vfork_parent;
        tg->vfork_parent = NULL;
        if (tg != k->init && k->init) {
                init_has_zombie = reparent_children_locked(k, tg);
                if (init_has_zombie)
                        init = thread_group_ref(k->init);
        }
        parent = tg->parent;
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
        if (init) {
                thread_group_wake_all(init);
                thread_group_unref(init);
        }
        thread_group_unref(reaped);
        if (tg == k->init) {
                log_debug("init exited (status %#x): ending the sandbox", status);
                kill_all_but_init(k);
        }
        task_unref(t);
}
