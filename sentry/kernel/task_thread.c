/*
 * Host threads for tasks. Every task runs on a host thread of its own (the
 * platform wants the thread that runs a context to be the one that made
 * it). A thread whose task has ended parks for a while instead of exiting,
 * so a fork or a new guest thread is usually handed to a parked one (a
 * condition signal) rather than to a new one (pthread_create: a stack, a
 * clone, the thread's first scheduling, then its exit).
 *
 * A parked thread keeps nothing of its last task: the task's code releases
 * everything it holds before it returns, and the signal mask the thread
 * started with is restored. (Its CPU placement stays; a platform places the
 * thread again for each new context.)
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "sentry/kernel/internal.h"

#define PARK_MAX 16             /* threads parked at most */
#define PARK_SECONDS 5          /* then a parked thread exits */

struct worker {
        pthread_cond_t cond;
        void (*fn)(void *arg);  /* under pool_lock: the next job, NULL while parked */
        void *arg;
        struct worker *next;    /* in the parked list */
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct worker *parked;   /* under pool_lock */
static unsigned nparked;

static void unpark_locked(struct worker *w)
{
        for (struct worker **p = &parked; *p; p = &(*p)->next)
                if (*p == w) {
                        *p = w->next;
                        nparked--;
                        return;
                }
}

/* Parks w until it has a job (true) or has waited long enough (false). */
static bool park(struct worker *w)
{
        struct timespec deadline;
        bool job = false;

        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += PARK_SECONDS;
        pthread_mutex_lock(&pool_lock);
        if (nparked < PARK_MAX) {
                w->fn = NULL;
                w->next = parked;
                parked = w;
                nparked++;
                while (!w->fn && pthread_cond_timedwait(&w->cond, &pool_lock, &deadline) == 0)
                        ;
                job = w->fn != NULL;
                if (!job)
                        unpark_locked(w);
        }
        pthread_mutex_unlock(&pool_lock);
        return job;
}

static void *worker_main(void *arg)
{
        struct worker *w = arg;
        sigset_t mask;

        pthread_sigmask(SIG_SETMASK, NULL, &mask);
        do {
                w->fn(w->arg);
                pthread_sigmask(SIG_SETMASK, &mask, NULL);
        } while (park(w));
        pthread_cond_destroy(&w->cond);
        free(w);
        return NULL;
}

int task_thread_start(void (*fn)(void *arg), void *arg)
{
        pthread_condattr_t ca;
        pthread_attr_t attr;
        pthread_t id;
        struct worker *w;
        int r;

        pthread_mutex_lock(&pool_lock);
        if ((w = parked)) {
                parked = w->next;
                nparked--;
                w->fn = fn;
                w->arg = arg;
                pthread_cond_signal(&w->cond);
        }
        pthread_mutex_unlock(&pool_lock);
        if (w)
                return 0;

        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&w->cond, &ca);
        pthread_condattr_destroy(&ca);
        w->fn = fn;
        w->arg = arg;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        r = -pthread_create(&id, &attr, worker_main, w);
        pthread_attr_destroy(&attr);
        if (r < 0) {
                pthread_cond_destroy(&w->cond);
                free(w);
        }
        return r;
}
