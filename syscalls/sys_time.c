/* Clocks and sleeping. The guest sees the host's clocks (no time namespace). */
#include <errno.h>
#include <time.h>
#include <sys/time.h>

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

/* The guest's CPU clocks: the platform runs the guest on host threads, so
 * the sentry thread's own clock is the closest measure it has here. */
static int clock_read(clockid_t id, struct timespec *ts)
{
        if (id == CLOCK_PROCESS_CPUTIME_ID)
                id = CLOCK_THREAD_CPUTIME_ID;
        return clock_gettime(id, ts) < 0 ? -errno : 0;
}

long sys_clock_gettime(struct task *t, const struct syscall_args *a)
{
        struct timespec ts;
        int r;

        if (!clock_known((clockid_t)a->a[0]))
                return -EINVAL;
        r = clock_read((clockid_t)a->a[0], &ts);
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

/* Sleep until the deadline on clock id (absolute) or for the interval. No
 * signal can interrupt a guest sleep yet, so the remainder is always zero. */
static long do_sleep(struct task *t, clockid_t id, int flags, guest_ptr_t ureq)
{
        struct timespec req;
        int r;

        (void)t;
        r = mm_copy_in(t->mm, &req, ureq, sizeof(req));
        if (r < 0)
                return r;
        if (!timespec_valid(&req))
                return -EINVAL;
        while ((r = clock_nanosleep(id, flags, &req, flags & TIMER_ABSTIME ? NULL : &req)) == EINTR)
                ;
        return -r;
}

long sys_nanosleep(struct task *t, const struct syscall_args *a)
{
        return do_sleep(t, CLOCK_MONOTONIC, 0, a->a[0]);
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
        return do_sleep(t, id, flags & TIMER_ABSTIME, a->a[2]);
}
