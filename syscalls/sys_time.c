/* Clocks and sleeping. The guest sees the host's clocks (no time namespace). */
#include <errno.h>
#include <time.h>
#include <sys/time.h>

#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/posix_timer.h"
#include "sentry/kernel/rusage.h"
#include "lib/ktimer.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

/* The clocks a guest may name: the static ones of clock_gettime(2). CPU-time
 * clocks of other processes and threads (negative ids) are refused for now. */
static bool clock_known(clockid_t id)
{
        switch (id) {
        case CLOCK_REALTIME:
        case CLOCK_MONOTONIC:
        case CLOCK_PROCESS_CPUTIME_ID:
        case CLOCK_THREAD_CPUTIME_ID:
        case CLOCK_MONOTONIC_RAW:
        case CLOCK_REALTIME_COARSE:
        case CLOCK_MONOTONIC_COARSE:
        case CLOCK_BOOTTIME:
        case CLOCK_REALTIME_ALARM:
        case CLOCK_BOOTTIME_ALARM:
        case CLOCK_TAI:
                return true;
        default:
                return false;
        }
}

/* The guest's CPU clocks are its stub's as the host accounts them
 * (sentry/kernel/rusage.h); the others are the host's. */
static int clock_read(struct task *t, clockid_t id, struct timespec *ts)
{
        uint64_t ns;
        int r;

        if (id != CLOCK_PROCESS_CPUTIME_ID && id != CLOCK_THREAD_CPUTIME_ID)
                return clock_gettime(id, ts) < 0 ? -errno : 0;
        r = id == CLOCK_PROCESS_CPUTIME_ID ? task_cpu_clock_process(t, &ns) :
                                             task_cpu_clock_thread(t, &ns);
        if (r < 0)
                return r;
        ts->tv_sec = (time_t)(ns / 1000000000ULL);
        ts->tv_nsec = (long)(ns % 1000000000ULL);
        return 0;
}

long sys_clock_gettime(struct task *t, const struct syscall_args *a)
{
        struct timespec ts;
        int r;

        if (!clock_known((clockid_t)a->a[0]))
                return -EINVAL;
        r = clock_read(t, (clockid_t)a->a[0], &ts);
        if (r < 0)
                return r;
        return mm_copy_out(t->mm, a->a[1], &ts, sizeof(ts));
}

long sys_clock_getres(struct task *t, const struct syscall_args *a)
{
        struct timespec ts;

        if (!clock_known((clockid_t)a->a[0]))
                return -EINVAL;
        if (clock_getres((clockid_t)a->a[0], &ts) < 0)
                return -errno;
        if (a->a[1] == 0)
                return 0;
        return mm_copy_out(t->mm, a->a[1], &ts, sizeof(ts));
}

long sys_gettimeofday(struct task *t, const struct syscall_args *a)
{
        struct timespec ts;
        struct timeval tv;
        static const struct timezone tz = { 0, 0 };
        int r;

        if (a->a[0]) {
                clock_gettime(CLOCK_REALTIME, &ts);
                tv.tv_sec = ts.tv_sec;
                tv.tv_usec = ts.tv_nsec / 1000;
                r = mm_copy_out(t->mm, a->a[0], &tv, sizeof(tv));
                if (r < 0)
                        return r;
        }
        if (a->a[1])
                return mm_copy_out(t->mm, a->a[1], &tz, sizeof(tz));
        return 0;
}

long sys_time(struct task *t, const struct syscall_args *a)
{
        struct timespec ts;
        int64_t now;

        clock_gettime(CLOCK_REALTIME, &ts);
        now = ts.tv_sec;
        if (a->a[0] && mm_copy_out(t->mm, a->a[0], &now, sizeof(now)) < 0)
                return -EFAULT;
        return now;
}

static bool timespec_valid(const struct timespec *ts)
{
        return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

/* Turn an absolute time on clock id into one on CLOCK_MONOTONIC, which the
 * sentry sleeps on. A wall-clock change during the sleep is not followed. */
static struct timespec deadline_to_monotonic(clockid_t id, struct timespec deadline)
{
        struct timespec now, mono;

        if (id == CLOCK_MONOTONIC)
                return deadline;
        clock_gettime(id, &now);
        clock_gettime(CLOCK_MONOTONIC, &mono);
        return timespec_add(mono, timespec_sub_sat(deadline, now));
}

/* Sleep until the restart block's deadline. Interrupted by a signal: the
 * time left goes to rem (relative sleeps) and the call asks to be restarted
 * through restart_syscall, or fails with EINTR if a handler runs. */
static long sleep_until(struct task *t, struct restart_block *rb)
{
        struct timespec mono = deadline_to_monotonic(rb->clockid, rb->deadline), now, left;
        int r;

        task_prepare_block(t);
        for (;;) {
                r = task_block(t, &mono);
                if (r == -ETIMEDOUT)
                        return 0;
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (timespec_cmp(now, mono) >= 0)
                        return 0;
                if (r == -EINTR)
                        break;
                task_prepare_block(t);
        }
        if (!rb->rem)
                return -ERESTARTNOHAND;         /* absolute: just start again */
        left = timespec_sub_sat(mono, now);
        if (mm_copy_out(t->mm, rb->rem, &left, sizeof(left)) < 0)
                return -EFAULT;
        rb->fn = sleep_until;
        t->restart = *rb;
        return -ERESTART_RESTARTBLOCK;
}

static long do_sleep(struct task *t, clockid_t id, int flags, guest_ptr_t ureq, guest_ptr_t urem)
{
        struct restart_block rb = { .clockid = id };
        struct timespec req, now;
        int r;

        r = mm_copy_in(t->mm, &req, ureq, sizeof(req));
        if (r < 0)
                return r;
        if (!timespec_valid(&req))
                return -EINVAL;
        if (flags & TIMER_ABSTIME) {
                rb.deadline = req;
        } else {
                clock_gettime(id, &now);
                rb.deadline = timespec_add(now, req);
                rb.rem = urem;
        }
        return sleep_until(t, &rb);
}

long sys_nanosleep(struct task *t, const struct syscall_args *a)
{
        return do_sleep(t, CLOCK_MONOTONIC, 0, a->a[0], a->a[1]);
}

long sys_clock_nanosleep(struct task *t, const struct syscall_args *a)
{
        clockid_t id = (clockid_t)a->a[0];
        int flags = (int)a->a[1];

        switch (id) {
        case CLOCK_REALTIME:
        case CLOCK_MONOTONIC:
        case CLOCK_BOOTTIME:
        case CLOCK_TAI:
                break;
        default:
                /* The kernel's answer for clocks that cannot sleep (the coarse
                 * and raw ones, the thread CPU clock) is EOPNOTSUPP; glibc's
                 * man page says EINVAL. Process CPU-time sleeps are not built. */
                return clock_known(id) ? -EOPNOTSUPP : -EINVAL;
        }
        return do_sleep(t, id, flags & TIMER_ABSTIME, a->a[2], a->a[3]);
}

long sys_restart_syscall(struct task *t, const struct syscall_args *a)
{
        struct restart_block rb = t->restart;

        (void)a;
        t->restart.fn = NULL;
        if (!rb.fn)
                return -EINTR;          /* nothing to restart: Linux's do_no_restart_syscall */
        return rb.fn(t, &rb);
}

/* The kernel's struct itimerval. */
struct kitimerval {
        struct timeval interval, value;
};

static struct timespec tv_to_ts(struct timeval tv)
{
        return (struct timespec){ tv.tv_sec, tv.tv_usec * 1000 };
}

static struct timeval ts_to_tv(struct timespec ts)
{
        /* Round up: a timer that has time left never reads as zero. */
        return (struct timeval){ ts.tv_sec + (ts.tv_nsec > 999999000L),
                                 ts.tv_nsec > 999999000L ? 0 : (ts.tv_nsec + 999) / 1000 };
}

static struct timespec ns_ts(int64_t ns)
{
        return (struct timespec){ (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };
}

static int64_t ts_ns(struct timespec ts)
{
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool itimer_which_valid(int which)
{
        return which == ITIMER_REAL || which == ITIMER_VIRTUAL || which == ITIMER_PROF;
}

/* Read (and set, when new is non-NULL) one of the three timers. */
static int itimer_rw(struct task *t, int which, const struct timespec *nvalue,
                     const struct timespec *ninterval, struct timespec *value,
                     struct timespec *interval)
{
        struct ptimer_spec spec, old;
        int r = 0;

        if (which == ITIMER_REAL) {
                if (!nvalue) {
                        itimer_real_get(&t->tg->itimer_real, value, interval);
                        return 0;
                }
                return itimer_real_set(&t->tg->itimer_real, nvalue, ninterval, value, interval);
        }
        if (nvalue) {
                spec.value = ts_ns(*nvalue);
                spec.interval = ts_ns(*ninterval);
                r = itimer_cpu_set(t, which, &spec, &old);
        } else {
                itimer_cpu_get(t, which, &old);
        }
        *value = ns_ts(old.value);
        *interval = ns_ts(old.interval);
        return r;
}

long sys_getitimer(struct task *t, const struct syscall_args *a)
{
        struct kitimerval v;
        struct timespec value, interval;

        if (!itimer_which_valid((int)a->a[0]))
                return -EINVAL;
        itimer_rw(t, (int)a->a[0], NULL, NULL, &value, &interval);
        v.value = ts_to_tv(value);
        v.interval = ts_to_tv(interval);
        return mm_copy_out(t->mm, a->a[1], &v, sizeof(v));
}

static bool timeval_valid(const struct timeval *tv)
{
        return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

long sys_setitimer(struct task *t, const struct syscall_args *a)
{
        struct kitimerval nv = { 0 }, ov;
        struct timespec value, interval, oval, oint;
        int r;

        if (!itimer_which_valid((int)a->a[0]))
                return -EINVAL;
        /* A NULL new value disarms, as Linux still allows. */
        if (a->a[1]) {
                r = mm_copy_in(t->mm, &nv, a->a[1], sizeof(nv));
                if (r < 0)
                        return r;
                if (!timeval_valid(&nv.value) || !timeval_valid(&nv.interval))
                        return -EINVAL;
        }
        value = tv_to_ts(nv.value);
        interval = tv_to_ts(nv.interval);
        r = itimer_rw(t, (int)a->a[0], &value, &interval, &oval, &oint);
        if (r < 0)
                return r;
        if (!a->a[2])
                return 0;
        ov.value = ts_to_tv(oval);
        ov.interval = ts_to_tv(oint);
        return mm_copy_out(t->mm, a->a[2], &ov, sizeof(ov));
}

long sys_alarm(struct task *t, const struct syscall_args *a)
{
        struct timespec value = { (time_t)(unsigned)a->a[0], 0 }, zero = { 0, 0 }, oval, oint;

        itimer_real_set(&t->tg->itimer_real, &value, &zero, &oval, &oint);
        /* Seconds left, rounded to the nearest and never 0 while armed. */
        if ((!oval.tv_sec && oval.tv_nsec) || oval.tv_nsec >= 500000000L)
                oval.tv_sec++;
        return oval.tv_sec;
}
