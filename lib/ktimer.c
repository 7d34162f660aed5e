/* The timer thread: a sorted list of armed timers and one condition wait. */
#include "ktimer.h"

#include <errno.h>

struct timespec timespec_add(struct timespec a, struct timespec b)
{
        struct timespec r = { a.tv_sec + b.tv_sec, a.tv_nsec + b.tv_nsec };

        if (r.tv_nsec >= 1000000000L) {
                r.tv_sec++;
                r.tv_nsec -= 1000000000L;
        }
        return r;
}

int timespec_cmp(struct timespec a, struct timespec b)
{
        if (a.tv_sec != b.tv_sec)
                return a.tv_sec < b.tv_sec ? -1 : 1;
        if (a.tv_nsec != b.tv_nsec)
                return a.tv_nsec < b.tv_nsec ? -1 : 1;
        return 0;
}

struct timespec timespec_sub_sat(struct timespec a, struct timespec b)
{
        struct timespec r;

        if (timespec_cmp(a, b) <= 0)
                return (struct timespec){ 0, 0 };
        r.tv_sec = a.tv_sec - b.tv_sec;
        r.tv_nsec = a.tv_nsec - b.tv_nsec;
        if (r.tv_nsec < 0) {
                r.tv_sec--;
                r.tv_nsec += 1000000000L;
        }
        return r;
}

void ktimer_service_init(struct ktimer_service *s)
{
        pthread_condattr_t attr;

        pthread_mutex_init(&s->lock, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&s->cond, &attr);
        pthread_condattr_destroy(&attr);
        s->started = s->stopping = false;
        s->head = s->running = NULL;
}

static void unlink_locked(struct ktimer_service *s, struct ktimer *kt)
{
        struct ktimer **pp;

        for (pp = &s->head; *pp; pp = &(*pp)->next) {
                if (*pp == kt) {
                        *pp = kt->next;
                        break;
                }
        }
        kt->armed = false;
        kt->next = NULL;
}

static void *ktimer_thread(void *arg)
{
        struct ktimer_service *s = arg;
        struct timespec now;

        pthread_mutex_lock(&s->lock);
        while (!s->stopping) {
                struct ktimer *kt = s->head;

                if (!kt) {
                        pthread_cond_wait(&s->cond, &s->lock);
                        continue;
                }
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (timespec_cmp(now, kt->deadline) < 0) {
                        pthread_cond_timedwait(&s->cond, &s->lock, &kt->deadline);
                        continue;
                }
                unlink_locked(s, kt);
                s->running = kt;
                pthread_mutex_unlock(&s->lock);
                kt->fn(kt);
                pthread_mutex_lock(&s->lock);
                s->running = NULL;
                pthread_cond_broadcast(&s->cond);
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

int ktimer_arm(struct ktimer_service *s, struct ktimer *kt, const struct timespec *deadline)
{
        struct ktimer **pp;
        int r;

        pthread_mutex_lock(&s->lock);
        if (!s->started) {
                r = pthread_create(&s->thread, NULL, ktimer_thread, s);
                if (r != 0) {
                        pthread_mutex_unlock(&s->lock);
                        return -r;
                }
                s->started = true;
        }
        if (kt->armed)
                unlink_locked(s, kt);
        kt->deadline = *deadline;
        for (pp = &s->head; *pp && timespec_cmp((*pp)->deadline, *deadline) <= 0; pp = &(*pp)->next)
                ;
        kt->next = *pp;
        *pp = kt;
        kt->armed = true;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        return 0;
}

void ktimer_cancel(struct ktimer_service *s, struct ktimer *kt)
{
        pthread_mutex_lock(&s->lock);
        if (kt->armed)
                unlink_locked(s, kt);
        while (s->running == kt)
                pthread_cond_wait(&s->cond, &s->lock);
        /* The callback may have re-armed it before we got the lock. */
        if (kt->armed)
                unlink_locked(s, kt);
        pthread_mutex_unlock(&s->lock);
}

void ktimer_service_destroy(struct ktimer_service *s)
{
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        if (s->started)
                pthread_join(s->thread, NULL);
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
}
