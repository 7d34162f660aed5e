/*
 * POSIX per-process timers (timer_create and friends) and the CPU-time
 * interval timers (ITIMER_VIRTUAL, ITIMER_PROF), one table per thread group.
 *
 * Wall-clock timers (CLOCK_REALTIME, _MONOTONIC, _BOOTTIME, _TAI) run on
 * the kernel's timer thread (lib/ktimer) at the matching CLOCK_MONOTONIC
 * time; an absolute time on another clock is converted when the timer is
 * set (a later change of the wall clock does not move it). CPU-time timers
 * (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, the two itimers) poll
 * the host's accounting of the guest's stub (sentry/kernel/rusage.h) from
 * the timer thread, no more often than the CPU time left allows, so they
 * fire within about a millisecond of wall time after their CPU deadline.
 *
 * Expiry queues the timer's signal (si_code SI_TIMER, si_timerid,
 * si_overrun, si_value); while it is still queued, further expiries only
 * count overruns in the queued siginfo, as Linux does. Timers are not
 * inherited by fork and die with the group; execve deletes the
 * timer_create ones and keeps the itimers.
 *
 * Lock order: timers->lock → tg->lock (signals) → task->block_lock.
 * Callbacks take timers->lock, so ktimer_cancel() is never called under it.
 */
#ifndef CONTERNEL_SENTRY_POSIX_TIMER_H
#define CONTERNEL_SENTRY_POSIX_TIMER_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lib/ktimer.h"

struct kernel;
struct task;
struct thread_group;

#define POSIX_TIMERS_MAX 32768          /* per process; guards the sentry's memory */

enum ptimer_kind {
        PTIMER_WALL,                    /* deadline on CLOCK_MONOTONIC */
        PTIMER_CPU_PROCESS,             /* the group's CPU time */
        PTIMER_CPU_THREAD,              /* one thread's CPU time */
        PTIMER_CPU_VIRT,                /* the group's user time (ITIMER_VIRTUAL) */
        PTIMER_CPU_PROF,                /* user and system time (ITIMER_PROF) */
};

struct posix_timer {
        struct ktimer kt;
        struct posix_timers *owner;     /* immutable */
        struct posix_timer *next;       /* in owner->list, protected by owner->lock */
        int id;                         /* immutable; -1 for the itimers */
        clockid_t clockid;              /* immutable */
        enum ptimer_kind kind;          /* immutable */
        int clock_tid;                  /* PTIMER_CPU_THREAD: whose clock; immutable */
        int notify;                     /* SIGEV_SIGNAL, _NONE, _THREAD_ID; immutable */
        int signo;                      /* immutable */
        int target_tid;                 /* SIGEV_THREAD_ID; immutable */
        union sigval value;             /* immutable */
        /* protected by owner->lock: */
        bool armed;
        int64_t deadline;               /* ns: CLOCK_MONOTONIC or the CPU clock */
        int64_t interval;               /* ns, 0: one shot */
        int overrun;                    /* of the signal queued last */
        int overrun_last;               /* of the one delivered before it */
};

struct posix_timers {
        pthread_mutex_t lock;
        struct kernel *kernel;          /* immutable */
        struct thread_group *tg;        /* borrowed: it owns the table; immutable */
        /* protected by lock: */
        struct posix_timer *list;
        int next_id;
        int count;
        struct posix_timer itimer_virt, itimer_prof;
};

void posix_timers_init(struct posix_timers *pt, struct kernel *k, struct thread_group *tg);
/* The group is gone: stop and free every timer. */
void posix_timers_destroy(struct posix_timers *pt);

/* execve: the timer_create timers go, the itimers stay (exit_itimers()). */
void posix_timers_exec(struct posix_timers *pts);

/* timer_create: clockid and a sigevent already copied in (NULL: SIGALRM to
 * the process with the id as value). -EINVAL, -EOPNOTSUPP (clocks without
 * timers), -EAGAIN (too many). */
int posix_timer_create(struct task *t, clockid_t clockid, const struct sigevent *ev, int *ret_id);
/* timer_settime/gettime: values in ns; *old gets the previous setting. */
struct ptimer_spec {
        int64_t value, interval;
};
int posix_timer_set(struct task *t, int id, bool abstime, const struct ptimer_spec *spec,
                    struct ptimer_spec *old);
int posix_timer_get(struct task *t, int id, struct ptimer_spec *ret);
int posix_timer_getoverrun(struct task *t, int id);
int posix_timer_delete(struct task *t, int id);

/* ITIMER_VIRTUAL and ITIMER_PROF (which) in CPU ns: set returns the old. */
int itimer_cpu_set(struct task *t, int which, const struct ptimer_spec *spec,
                   struct ptimer_spec *old);
void itimer_cpu_get(struct task *t, int which, struct ptimer_spec *ret);

#endif
