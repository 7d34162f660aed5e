/*
 * Tasks blocking in the sentry: each task sleeps on its own condition
 * variable, so a waker needs nothing but the task (gVisor's Task.block, in
 * pthreads). Signals interrupt a block; a task running guest code is pulled
 * out with the platform's interrupt.
 */
#include <errno.h>

#include "lib/macro.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

void task_block_init(struct task *t)
{
        pthread_condattr_t attr;

        pthread_mutex_init(&t->block_lock, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&t->block_cond, &attr);
        pthread_condattr_destroy(&attr);
        t->woken = false;
}

void task_block_destroy(struct task *t)
{
        pthread_cond_destroy(&t->block_cond);
        pthread_mutex_destroy(&t->block_lock);
}

bool task_signal_pending(struct task *t)
{
        uint64_t pending;

        if (atomic_load(&t->tg->group_exit) || atomic_load(&t->zapped))
                return true;            /* as SIGKILL: every wait ends */
        pthread_mutex_lock(&t->tg->lock);
        pending = (t->pending.set | t->tg->pending.set) & (~t->sigmask | KSIG_UNBLOCKABLE);
        /* A group stop wants the task to park: as a signal, the wait ends. */
        if (t->stop_pending)
                pending = 1;
        pthread_mutex_unlock(&t->tg->lock);
        return pending != 0;
}

void task_prepare_block(struct task *t)
{
        pthread_mutex_lock(&t->block_lock);
        t->woken = false;
        pthread_mutex_unlock(&t->block_lock);
}

int task_block(struct task *t, const struct timespec *deadline)
{
        int r = 0;

        if (task_signal_pending(t))
                return -EINTR;
        pthread_mutex_lock(&t->block_lock);
        while (!t->woken && r == 0) {
                if (deadline)
                        r = pthread_cond_timedwait(&t->block_cond, &t->block_lock, deadline);
                else
                        r = pthread_cond_wait(&t->block_cond, &t->block_lock);
        }
        t->woken = false;
        pthread_mutex_unlock(&t->block_lock);
        if (task_signal_pending(t))
                return -EINTR;
        return r == ETIMEDOUT ? -ETIMEDOUT : 0;
}

void task_sleep(struct task *t)
{
        pthread_mutex_lock(&t->block_lock);
        while (!t->woken)
                pthread_cond_wait(&t->block_cond, &t->block_lock);
        t->woken = false;
        pthread_mutex_unlock(&t->block_lock);
}

void task_wake(struct task *t)
{
        pthread_mutex_lock(&t->block_lock);
        t->woken = true;
        pthread_cond_signal(&t->block_cond);
        pthread_mutex_unlock(&t->block_lock);
}

void task_interrupt(struct task *t)
{
        task_wake(t);
        /* If it is in guest code it stops there; if it is in the sentry the
         * platform remembers, and its next switch returns at once. Under
         * block_lock: an exiting task clears ctx under it before releasing. */
        pthread_mutex_lock(&t->block_lock);
        if (t->ctx)
                t->kernel->platform_ops->interrupt(t->ctx);
        pthread_mutex_unlock(&t->block_lock);
}

static void task_waiter_wake(struct waiter *w, unsigned events)
{
        (void)events;
        task_wake(container_of(w, struct task_waiter, w)->task);
}

void task_waiter_init(struct task_waiter *tw, struct task *t, unsigned events)
{
        tw->w = (struct waiter){ .mask = events, .wake = task_waiter_wake };
        tw->task = t;
}

long task_wait_event(struct task *t, struct waitqueue *wq, unsigned events, bool nonblock,
                     const struct timespec *deadline, long (*attempt)(struct task *t, void *arg),
                     void *arg)
{
        struct task_waiter tw;
        bool queued = false;
        long r;

        task_waiter_init(&tw, t, events);
        for (;;) {
                if (queued)
                        task_prepare_block(t);
                r = attempt(t, arg);
                if (r != -EAGAIN || nonblock)
                        break;
                if (!queued) {
                        /* Queue, then try once more: nothing is missed between. */
                        waitqueue_add(wq, &tw.w);
                        queued = true;
                        continue;
                }
                r = task_block(t, deadline);
                if (r < 0)
                        break;          /* -EINTR, -ETIMEDOUT */
        }
        if (queued)
                waitqueue_remove(wq, &tw.w);
        return r;
}
