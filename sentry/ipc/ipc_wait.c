/*
 * Blocking on an IPC object: a list of waiting tasks per semaphore set or
 * message queue, under the kind's lock. A change wakes every waiter and
 * each one re-checks (no hand-over of operations to waiters as Linux does:
 * the results are the same, the order among waiters may differ).
 */
#include <errno.h>

#include "sentry/ipc/internal.h"
#include "sentry/kernel/task.h"

static void enqueue(struct ipc_waitlist *l, struct ipc_waiter *w)
{
        w->prev = NULL;
        w->next = l->head;
        if (l->head)
                l->head->prev = w;
        l->head = w;
        w->queued = true;
}

static void dequeue(struct ipc_waitlist *l, struct ipc_waiter *w)
{
        if (!w->queued)
                return;
        if (w->prev)
                w->prev->next = w->next;
        else
                l->head = w->next;
        if (w->next)
                w->next->prev = w->prev;
        w->queued = false;
}

int ipc_wait(struct task *t, pthread_mutex_t *lock, struct ipc_waitlist *l,
             struct ipc_waiter *w, const struct timespec *deadline)
{
        int r;

        w->task = t;
        w->status = 0;
        enqueue(l, w);
        pthread_mutex_unlock(lock);
        r = task_block(t, deadline);
        pthread_mutex_lock(lock);
        if (w->status)
                return w->status;       /* dequeued by the remover */
        dequeue(l, w);
        return r;
}

void ipc_wake_all(struct ipc_waitlist *l, int status)
{
        for (struct ipc_waiter *w = l->head, *next; w; w = next) {
                next = w->next;
                if (status) {
                        w->status = status;
                        dequeue(l, w);
                }
                task_wake(w->task);
        }
}
