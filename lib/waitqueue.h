/*
 * Wait queues: who to tell when something becomes ready. A file keeps one;
 * a task that must wait for it adds a waiter whose callback wakes the task
 * (the callback is the only link, so vfs/ needs nothing of sentry/kernel).
 * Events are EPOLL* bits.
 *
 * Callbacks run with the queue's lock held: they must only wake, never
 * block or call back into the queue.
 */
#ifndef CONTERNEL_LIB_WAITQUEUE_H
#define CONTERNEL_LIB_WAITQUEUE_H

#include <pthread.h>
#include <stdbool.h>

struct waiter {
        struct waiter *prev, *next;     /* protected by the queue's lock */
        unsigned mask;                  /* the events that interest it */
        void (*wake)(struct waiter *w, unsigned events);
};

struct waitqueue {
        pthread_mutex_t lock;
        struct waiter head;             /* circular list */
};

void waitqueue_init(struct waitqueue *wq);
void waitqueue_destroy(struct waitqueue *wq);
void waitqueue_add(struct waitqueue *wq, struct waiter *w);
/* Safe to call for a waiter that is not queued. */
void waitqueue_remove(struct waitqueue *wq, struct waiter *w);
/* Wake every waiter interested in one of events. */
void waitqueue_notify(struct waitqueue *wq, unsigned events);

#endif
