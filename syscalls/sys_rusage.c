/* Resource usage: getrusage and times (sentry/kernel/rusage.h says what
 * the numbers measure). */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>

#include "sentry/kernel/rusage.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

void rusage_from_usage(struct rusage *ru, const struct task_usage *u)
{
        memset(ru, 0, sizeof(*ru));
        ru->ru_utime.tv_sec = (time_t)(u->utime_ns / 1000000000ULL);
        ru->ru_utime.tv_usec = (suseconds_t)(u->utime_ns % 1000000000ULL / 1000);
        ru->ru_stime.tv_sec = (time_t)(u->stime_ns / 1000000000ULL);
        ru->ru_stime.tv_usec = (suseconds_t)(u->stime_ns % 1000000000ULL / 1000);
        ru->ru_maxrss = (long)u->maxrss_kb;
        ru->ru_minflt = (long)u->minflt;
        ru->ru_majflt = (long)u->majflt;
}

long sys_getrusage(struct task *t, const struct syscall_args *a)
{
        struct task_usage u;
        struct rusage ru;
        int r = 0;

        switch ((int)a->a[0]) {
        case RUSAGE_SELF:
                r = task_usage_self(t, &u);
                break;
        case RUSAGE_THREAD:
                r = task_usage_thread(t, &u);
                break;
        case RUSAGE_CHILDREN:
                task_usage_children(t, &u);
                break;
        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        rusage_from_usage(&ru, &u);
        return mm_copy_out(t->mm, a->a[1], &ru, sizeof(ru));
}

/* USER_HZ: the unit of clock_t. */
#define USER_HZ 100
#define NS_PER_TICK (1000000000ULL / USER_HZ)

long sys_times(struct task *t, const struct syscall_args *a)
{
        struct task_usage self, children;
        struct tms tms;
        struct timespec now;
        int r;

        if (a->a[0]) {
                r = task_usage_self(t, &self);
                if (r < 0)
                        return r;
                task_usage_children(t, &children);
                tms.tms_utime = (clock_t)(self.utime_ns / NS_PER_TICK);
                tms.tms_stime = (clock_t)(self.stime_ns / NS_PER_TICK);
                tms.tms_cutime = (clock_t)(children.utime_ns / NS_PER_TICK);
                tms.tms_cstime = (clock_t)(children.stime_ns / NS_PER_TICK);
                r = mm_copy_out(t->mm, a->a[0], &tms, sizeof(tms));
                if (r < 0)
                        return r;
        }
        /* Ticks since an arbitrary point: the sandbox's boot. */
        clock_gettime(CLOCK_MONOTONIC, &now);
        now = timespec_sub_sat(now, t->kernel->boot_monotonic);
        return (long)(((uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec) / NS_PER_TICK);
}
