/* ITIMER_REAL of a thread group (setitimer, getitimer, alarm). */
#ifndef CONTERNEL_SENTRY_ITIMER_H
#define CONTERNEL_SENTRY_ITIMER_H

#include <pthread.h>
#include <time.h>

#include "lib/ktimer.h"

struct kernel;
struct thread_group;

struct itimer_real {
        struct ktimer kt;
        pthread_mutex_t lock;
        struct kernel *kernel;          /* immutable */
        struct thread_group *target;    /* gets SIGALRM (borrowed: it owns the timer); immutable */
        /* protected by lock: */
        struct timespec deadline;       /* absolute monotonic; zero: disarmed */
        struct timespec interval;
};

void itimer_real_init(struct itimer_real *it, struct kernel *k, struct thread_group *target);
/* Disarms and waits out a running expiry. */
void itimer_real_destroy(struct itimer_real *it);
void itimer_real_get(struct itimer_real *it, struct timespec *value, struct timespec *interval);
/* Arm (value non-zero) or disarm; the previous setting into old_* if non-NULL. */
int itimer_real_set(struct itimer_real *it, const struct timespec *value,
                    const struct timespec *interval, struct timespec *old_value,
                    struct timespec *old_interval);

#endif
