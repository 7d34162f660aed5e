/* ITIMER_REAL: setitimer/getitimer/alarm's timer, one per thread group,
 * delivering SIGALRM to the group when it expires. */
#include "itimer.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

static void itimer_real_fire(struct ktimer *kt)
{
        struct itimer_real *it = container_of(kt, struct itimer_real, kt);
        struct task *t;
        siginfo_t info;

        memset(&info, 0, sizeof(info));
        info.si_signo = SIGALRM;
        info.si_code = SI_KERNEL;
        pthread_mutex_lock(&it->lock);
        if (it->interval.tv_sec || it->interval.tv_nsec) {
                it->deadline = timespec_add(it->deadline, it->interval);
                ktimer_arm(&it->kernel->timers, &it->kt, &it->deadline);
        } else {
                it->deadline = (struct timespec){ 0, 0 };
        }
        pthread_mutex_unlock(&it->lock);
        t = thread_group_any_task(it->target);
        if (t) {
                signal_send(t, &info, true);
                task_unref(t);
        }
}

void itimer_real_init(struct itimer_real *it, struct kernel *k, struct thread_group *target)
{
        memset(it, 0, sizeof(*it));
        pthread_mutex_init(&it->lock, NULL);
        it->kt.fn = itimer_real_fire;
        it->kernel = k;
        it->target = target;
}

void itimer_real_destroy(struct itimer_real *it)
{
        ktimer_cancel(&it->kernel->timers, &it->kt);
        pthread_mutex_destroy(&it->lock);
}

/* What is left of the current period, and the period. Lock held. */
static void itimer_real_read_locked(struct itimer_real *it, struct timespec *value,
                                    struct timespec *interval)
{
        struct timespec now;

        *interval = it->interval;
        if (!it->deadline.tv_sec && !it->deadline.tv_nsec) {
                *value = (struct timespec){ 0, 0 };
                return;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        *value = timespec_sub_sat(it->deadline, now);
        /* An armed timer never reads as disarmed (Linux reports 1 µs). */
        if (!value->tv_sec && value->tv_nsec < 1000)
                value->tv_nsec = 1000;
}

void itimer_real_get(struct itimer_real *it, struct timespec *value, struct timespec *interval)
{
        pthread_mutex_lock(&it->lock);
        itimer_real_read_locked(it, value, interval);
        pthread_mutex_unlock(&it->lock);
}

int itimer_real_set(struct itimer_real *it, const struct timespec *value,
                    const struct timespec *interval, struct timespec *old_value,
                    struct timespec *old_interval)
{
        struct ktimer_service *s = &it->kernel->timers;
        struct timespec now;
        int r = 0;

        /* Cancel outside it->lock: the callback takes it. */
        ktimer_cancel(s, &it->kt);
        pthread_mutex_lock(&it->lock);
        if (old_value)
                itimer_real_read_locked(it, old_value, old_interval);
        it->interval = *interval;
        if (value->tv_sec || value->tv_nsec) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                it->deadline = timespec_add(now, *value);
                r = ktimer_arm(s, &it->kt, &it->deadline);
        } else {
                it->deadline = (struct timespec){ 0, 0 };
        }
        pthread_mutex_unlock(&it->lock);
        return r;
}
