/* POSIX per-process timers: timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete (sentry/kernel/posix_timer.h). */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "sentry/kernel/posix_timer.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

#define NS_PER_SEC 1000000000LL

/* The kernel's struct itimerspec. */
struct kitimerspec {
        struct timespec interval, value;
};

/* timespec64_valid(), then to ns, saturating like ktime. */
static int ts_to_ns(const struct timespec *ts, int64_t *ret)
{
        if (ts->tv_sec < 0 || (unsigned long)ts->tv_nsec >= NS_PER_SEC)
                return -EINVAL;
        *ret = ts->tv_sec >= INT64_MAX / NS_PER_SEC ? INT64_MAX :
               ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
        return 0;
}

static struct timespec ns_to_ts(int64_t ns)
{
        return (struct timespec){ (time_t)(ns / NS_PER_SEC), (long)(ns % NS_PER_SEC) };
}

static int put_spec(struct task *t, guest_ptr_t uaddr, const struct ptimer_spec *s)
{
        struct kitimerspec k = { ns_to_ts(s->interval), ns_to_ts(s->value) };

        return mm_copy_out(t->mm, uaddr, &k, sizeof(k));
}

long sys_timer_create(struct task *t, const struct syscall_args *a)
{
        struct sigevent ev;
        int id, r;

        if (a->a[1]) {
                r = mm_copy_in(t->mm, &ev, a->a[1], sizeof(ev));
                if (r < 0)
                        return r;
        }
        r = posix_timer_create(t, (clockid_t)a->a[0], a->a[1] ? &ev : NULL, &id);
        if (r < 0)
                return r;
        r = mm_copy_out(t->mm, a->a[2], &id, sizeof(id));
        if (r < 0) {
                posix_timer_delete(t, id);
                return r;
        }
        return 0;
}

long sys_timer_settime(struct task *t, const struct syscall_args *a)
{
        struct ptimer_spec spec, old;
        struct kitimerspec k;
        int r;

        if (!a->a[2])
                return -EINVAL;
        r = mm_copy_in(t->mm, &k, a->a[2], sizeof(k));
        if (r < 0)
                return r;
        r = ts_to_ns(&k.interval, &spec.interval);
        if (r == 0)
                r = ts_to_ns(&k.value, &spec.value);
        if (r < 0)
                return r;
        /* Flags other than TIMER_ABSTIME are ignored, as by Linux. */
        r = posix_timer_set(t, (int)a->a[0], (int)a->a[1] & TIMER_ABSTIME, &spec,
                            a->a[3] ? &old : NULL);
        if (r < 0 || !a->a[3])
                return r;
        return put_spec(t, a->a[3], &old);
}

long sys_timer_gettime(struct task *t, const struct syscall_args *a)
{
        struct ptimer_spec cur;
        int r = posix_timer_get(t, (int)a->a[0], &cur);

        return r < 0 ? r : put_spec(t, a->a[1], &cur);
}

long sys_timer_getoverrun(struct task *t, const struct syscall_args *a)
{
        return posix_timer_getoverrun(t, (int)a->a[0]);
}

long sys_timer_delete(struct task *t, const struct syscall_args *a)
{
        return posix_timer_delete(t, (int)a->a[0]);
}
