#include "waitqueue.h"

void waitqueue_init(struct waitqueue *wq)
{
        pthread_mutex_init(&wq->lock, NULL);
        wq->head.prev = wq->head.next = &wq->head;
}

void waitqueue_destroy(struct waitqueue *wq)
{
        pthread_mutex_destroy(&wq->lock);
}

void waitqueue_add(struct waitqueue *wq, struct waiter *w)
{
        pthread_mutex_lock(&wq->lock);
        w->next = &wq->head;
        w->prev = wq->head.prev;
        wq->head.prev->next = w;
        wq->head.prev = w;
        pthread_mutex_unlock(&wq->lock);
}

void waitqueue_remove(struct waitqueue *wq, struct waiter *w)
{
        pthread_mutex_lock(&wq->lock);
        if (w->next) {
                w->prev->next = w->next;
                w->next->prev = w->prev;
                w->next = w->prev = NULL;
        }
        pthread_mutex_unlock(&wq->lock);
}

void waitqueue_notify(struct waitqueue *wq, unsigned events)
{
        pthread_mutex_lock(&wq->lock);
        for (struct waiter *w = wq->head.next; w != &wq->head; w = w->next)
                if (w->mask & events)
                        w->wake(w, events);
        pthread_mutex_unlock(&wq->lock);
}
