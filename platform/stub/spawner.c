/* The stub spawner thread: runs one request at a time for its platform. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "stub.h"

struct stub_spawner {
        pthread_t thread;
        pthread_mutex_t lock;           /* serialises callers too */
        pthread_cond_t cond;
        /* protected by lock: */
        long (*fn)(void *arg);
        void *arg;
        long result;
        bool pending, done, stopping;
};

static void *spawner_main(void *p)
{
        struct stub_spawner *s = p;

        pthread_mutex_lock(&s->lock);
        for (;;) {
                while (!s->pending && !s->stopping)
                        pthread_cond_wait(&s->cond, &s->lock);
                if (s->stopping)
                        break;
                s->pending = false;
                pthread_mutex_unlock(&s->lock);
                long r = s->fn(s->arg);
                pthread_mutex_lock(&s->lock);
                s->result = r;
                s->done = true;
                pthread_cond_broadcast(&s->cond);
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

int stub_spawner_create(struct stub_spawner **ret)
{
        struct stub_spawner *s = calloc(1, sizeof(*s));
        sigset_t all, old;
        int r;

        if (!s)
                return -ENOMEM;
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->cond, NULL);
        /* No signal handler of the sentry may run on it (a fork from a
         * handler would be a mess). */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        r = pthread_create(&s->thread, NULL, spawner_main, s);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r != 0) {
                pthread_cond_destroy(&s->cond);
                pthread_mutex_destroy(&s->lock);
                free(s);
                return -r;
        }
        *ret = s;
        return 0;
}

void stub_spawner_destroy(struct stub_spawner *s)
{
        if (!s)
                return;
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

long stub_spawner_call(struct stub_spawner *s, long (*fn)(void *arg), void *arg)
{
        long r;

        pthread_mutex_lock(&s->lock);
        /* One request at a time: wait for the slot. */
        while (s->pending || (s->fn && !s->done))
                pthread_cond_wait(&s->cond, &s->lock);
        s->fn = fn;
        s->arg = arg;
        s->done = false;
        s->pending = true;
        pthread_cond_broadcast(&s->cond);
        while (!s->done)
                pthread_cond_wait(&s->cond, &s->lock);
        r = s->result;
        s->fn = NULL;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        return r;
}
