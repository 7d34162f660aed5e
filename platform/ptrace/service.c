/*
 * The platform thread: one long-lived host thread per platform that forks
 * every stub and traces every stub's main thread.
 *
 * Why a thread of its own: a stub must die when the sentry process dies, but
 * not when the sentry thread that happened to create its address space
 * exits while other guest threads still use it. PR_SET_PDEATHSIG and
 * PTRACE_O_EXITKILL both fire on the exit of a THREAD (the stub's parent
 * thread, the tracer thread), so the stub's parent and its main thread's
 * tracer is this thread, which lives exactly as long as the platform. And
 * someone must be able to run a clone() in a stub for a host thread that has
 * no stub thread there yet, whatever the other host threads are doing: this
 * thread does nothing else.
 *
 * Calls are queued under a mutex and run one at a time; the caller sleeps on
 * a condition variable until its call is done. Every signal is blocked here.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "internal.h"

struct service_call {
        int (*fn)(void *arg);
        void *arg;
        int r;
        bool done;
        struct service_call *next;
};

static void *service_main(void *arg)
{
        struct ptrace_service *s = arg;

        (void)pthread_setname_np(pthread_self(), "ptrace-stubs");
        pthread_mutex_lock(&s->lock);
        for (;;) {
                struct service_call *c;

                while (!s->head && !s->stopping)
                        pthread_cond_wait(&s->wake, &s->lock);
                if (!s->head)
                        break;          /* stopping, and nothing left to do */
                c = s->head;
                s->head = c->next;
                if (!s->head)
                        s->tail = NULL;
                pthread_mutex_unlock(&s->lock);

                c->r = c->fn(c->arg);

                pthread_mutex_lock(&s->lock);
                c->done = true;
                pthread_cond_broadcast(&s->done);
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

int service_start(struct ptrace_service *s)
{
        sigset_t all, old;
        int r;

        s->head = s->tail = NULL;
        s->stopping = false;
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->wake, NULL);
        pthread_cond_init(&s->done, NULL);

        /* The thread inherits the mask: no sentry signal handler ever runs on it. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        r = -pthread_create(&s->thread, NULL, service_main, s);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                pthread_cond_destroy(&s->done);
                pthread_cond_destroy(&s->wake);
                pthread_mutex_destroy(&s->lock);
        }
        return r;
}

/* Runs what is queued, then ends the thread. Any stub still alive dies with
 * it (PDEATHSIG, EXITKILL). */
void service_stop(struct ptrace_service *s)
{
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
        pthread_cond_destroy(&s->done);
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
}

int service_run(struct ptrace_service *s, int (*fn)(void *arg), void *arg)
{
        struct service_call c = { .fn = fn, .arg = arg };

        pthread_mutex_lock(&s->lock);
        if (s->tail)
                s->tail->next = &c;
        else
                s->head = &c;
        s->tail = &c;
        pthread_cond_signal(&s->wake);
        while (!c.done)
                pthread_cond_wait(&s->done, &s->lock);
        pthread_mutex_unlock(&s->lock);
        return c.r;
}
