/* wait4 and waitid: finding and reaping a child that changed state. */
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include "sentry/kernel/internal.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

/* Whether child c is one the caller asked for. */
static bool wait_matches(const struct thread_group *c, int which, int id, int options)
{
        /* A "clone" child (exit signal other than SIGCHLD) is waited for only
         * with __WCLONE, the others only without, unless __WALL. */
        if (!(options & __WALL) && ((c->exit_signal != SIGCHLD) != !!(options & __WCLONE)))
                return false;
        switch (which) {
        case P_PID:
                return c->tgid == id;
        case P_PGID:
                return c->pgid == id;
        default:
                return true;
        }
}

/* A live child that stopped (WSTOPPED) or was continued (WCONTINUED) and
 * has not been reported yet: fill ret and, unless WNOWAIT, mark it
 * reported (Linux's wait_task_stopped() and wait_task_continued()). */
static bool wait_stopped_or_continued(struct thread_group *c, int options, struct wait_result *ret)
{
        bool found = false;

        pthread_mutex_lock(&c->lock);
        if ((options & WSTOPPED) && (c->jobctl & TG_JOBCTL_STOPPED) && c->stop_code) {
                ret->status = (c->stop_code << 8) | 0x7f;
                ret->code = CLD_STOPPED;
                ret->child_status = c->stop_code;
                if (!(options & WNOWAIT))
                        c->stop_code = 0;
                found = true;
        } else if ((options & WCONTINUED) && (c->jobctl & TG_JOBCTL_CONTINUED)) {
                ret->status = 0xffff;
                ret->code = CLD_CONTINUED;
                ret->child_status = SIGCONT;
                if (!(options & WNOWAIT))
                        c->jobctl &= ~TG_JOBCTL_CONTINUED;
                found = true;
        }
        pthread_mutex_unlock(&c->lock);
        if (found) {
                ret->pid = c->tgid;
                ret->uid = 0;
        }
        return found;
}

int task_wait(struct task *t, int which, int id, int options, struct wait_result *ret)
{
        struct kernel *k = t->kernel;
        struct thread_group *reaped = NULL;
        int r;

        for (;;) {
                struct thread_group *c, *found = NULL;
                bool any = false;

                task_prepare_block(t);
                pthread_mutex_lock(&k->lock);
                for (c = t->tg->children; c; c = c->sibling) {
                        if (!wait_matches(c, which, id, options))
                                continue;
                        any = true;
                        if (c->state == TG_ZOMBIE) {
                                if (options & WEXITED) {
                                        found = c;
                                        break;
                                }
                                continue;
                        }
                        if (c->state == TG_LIVE && wait_stopped_or_continued(c, options, ret)) {
                                pthread_mutex_unlock(&k->lock);
                                return 1;
                        }
                }
                if (found) {
                        pthread_mutex_lock(&found->lock);
                        ret->status = found->exit_status;
                        pthread_mutex_unlock(&found->lock);
                        ret->pid = found->tgid;
                        ret->uid = 0;
                        ret->code = WIFSIGNALED(ret->status) ?
                                    (WCOREDUMP(ret->status) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED;
                        ret->child_status = WIFSIGNALED(ret->status) ? WTERMSIG(ret->status) :
                                                                   WEXITSTATUS(ret->status);
                        if (!(options & WNOWAIT))
                                reaped = tg_unlink_reaped_locked(k, found);
                        else
                                reaped = thread_group_ref(found);
                }
                pthread_mutex_unlock(&k->lock);
                if (found) {
                        /* Reaping adds the child's usage to ours; WNOWAIT
                         * only reports it. */
                        thread_group_usage_reap(options & WNOWAIT ? NULL : t->tg, reaped,
                                                &ret->usage);
                        if (reaped)
                                waitqueue_notify(&reaped->pidfd_wq, EPOLLIN | EPOLLHUP);
                        thread_group_unref(reaped);
                        return 1;
                }
                if (!any)
                        return -ECHILD;
                if (options & WNOHANG)
                        return 0;
                r = task_block(t, NULL);
                if (r == -EINTR)
                        return -ERESTARTSYS;
        }
}
