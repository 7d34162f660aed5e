/*
 * Kernel timers: callbacks at absolute CLOCK_MONOTONIC times, run by one
 * timer thread per sandbox (started on first use). Callbacks run without
 * any timer lock held and must not block for long.
 *
 * Lock order: the timer lock is a leaf while callbacks run unlocked.
 */
#ifndef CONTERNEL_SENTRY_KTIMER_H
#define CONTERNEL_SENTRY_KTIMER_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

struct ktimer;

struct ktimer {
        void (*fn)(struct ktimer *kt);  /* set by the owner, immutable while armed */
        /* protected by the timer service's lock: */
        struct timespec deadline;
        bool armed;
        struct ktimer *next;
};

struct ktimer_service {
        pthread_mutex_t lock;
        pthread_cond_t cond;            /* on CLOCK_MONOTONIC */
        pthread_t thread;
        bool started, stopping;
        struct ktimer *head;            /* armed timers, by deadline */
        struct ktimer *running;         /* whose callback runs now */
};

void ktimer_service_init(struct ktimer_service *s);
/* Stop the thread; every timer must be cancelled already. */
void ktimer_service_destroy(struct ktimer_service *s);
/* (Re)arm kt for the absolute monotonic deadline. -errno if the thread
 * cannot start. */
int ktimer_arm(struct ktimer_service *s, struct ktimer *kt, const struct timespec *deadline);
/* Disarm kt and wait for its callback if it is running, so that the owner
 * may free it afterwards. Must not be called from kt's own callback. */
void ktimer_cancel(struct ktimer_service *s, struct ktimer *kt);

/* timespec arithmetic on normalised values. */
struct timespec timespec_add(struct timespec a, struct timespec b);
/* a - b, or zero if b is later. */
struct timespec timespec_sub_sat(struct timespec a, struct timespec b);
int timespec_cmp(struct timespec a, struct timespec b);

#endif
