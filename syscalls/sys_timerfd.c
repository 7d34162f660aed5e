/* timerfd_create, timerfd_settime, timerfd_gettime. */
#include <errno.h>
#include <sys/timerfd.h>
#include <time.h>

#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

long sys_timerfd_create(struct task *t, const struct syscall_args *a)
{
        int clockid = (int)a->a[0], flags = (int)a->a[1];
        struct file *f;
        long r;

        if (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC))
                return -EINVAL;
        switch (clockid) {
        case CLOCK_REALTIME:
        case CLOCK_MONOTONIC:
        case CLOCK_BOOTTIME:
                break;
        case CLOCK_REALTIME_ALARM:
        case CLOCK_BOOTTIME_ALARM:
                /* The guest's root has CAP_WAKE_ALARM; they read as their base clock. */
                clockid = clockid == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME : CLOCK_BOOTTIME;
                break;
        default:
                return -EINVAL;
        }
        r = timerfd_create_file(&t->kernel->timers, clockid, (unsigned)flags, &f);
        if (r < 0)
                return r;
        r = fdtable_install(t->fdt, f, 0, flags & TFD_CLOEXEC, task_nofile_limit(t));
        file_unref(f);
        return r;
}

/* The timerfd at fd: -EBADF if none, -EINVAL if not a timerfd. */
static long timerfd_get(struct task *t, int fd, struct file **ret)
{
        struct file *f = fdtable_get(t->fdt, fd);

        if (!f)
                return -EBADF;
        if (!file_is_timerfd(f)) {
                file_unref(f);
                return -EINVAL;
        }
        *ret = f;
        return 0;
}

static bool its_valid(const struct itimerspec *its)
{
        return its->it_value.tv_sec >= 0 && its->it_value.tv_nsec >= 0 &&
               its->it_value.tv_nsec < 1000000000L && its->it_interval.tv_sec >= 0 &&
               its->it_interval.tv_nsec >= 0 && its->it_interval.tv_nsec < 1000000000L;
}

long sys_timerfd_settime(struct task *t, const struct syscall_args *a)
{
        int flags = (int)a->a[1];
        struct itimerspec nv, old;
        struct file *f;
        long r;

        if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
                return -EINVAL;
        r = mm_copy_in(t->mm, &nv, a->a[2], sizeof(nv));
        if (r < 0)
                return r;
        if (!its_valid(&nv))
                return -EINVAL;
        r = timerfd_get(t, (int)a->a[0], &f);
        if (r < 0)
                return r;
        r = timerfd_settime_file(f, flags, &nv, &old);
        file_unref(f);
        if (r == 0 && a->a[3])
                r = mm_copy_out(t->mm, a->a[3], &old, sizeof(old));
        return r;
}

long sys_timerfd_gettime(struct task *t, const struct syscall_args *a)
{
        struct itimerspec cur;
        struct file *f;
        long r;

        r = timerfd_get(t, (int)a->a[0], &f);
        if (r < 0)
                return r;
        timerfd_gettime_file(f, &cur);
        file_unref(f);
        return mm_copy_out(t->mm, a->a[1], &cur, sizeof(cur));
}
