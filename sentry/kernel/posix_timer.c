/* POSIX timers and the CPU-time itimers of a thread group (see the header
 * for the model). */
#include "sentry/kernel/posix_timer.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/rusage.h"
#include "sentry/kernel/task.h"

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif
#define NS_PER_SEC 1000000000LL
#define CPU_POLL_MIN_NS 1000000LL       /* a CPU timer looks at most once a millisecond */

static int64_t ts_ns(struct timespec ts)
{
        return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t clock_ns(clockid_t id)
{
        struct timespec ts;

        clock_gettime(id, &ts);
        return ts_ns(ts);
}

static struct timespec ns_ts(int64_t ns)
{
        return (struct timespec){ (time_t)(ns / NS_PER_SEC), (long)(ns % NS_PER_SEC) };
}

static void ptimer_fire(struct ktimer *kt);

static void ptimer_init(struct posix_timer *pt, struct posix_timers *owner)
{
        memset(pt, 0, sizeof(*pt));
        pt->kt.fn = ptimer_fire;
        pt->owner = owner;
}

void posix_timers_init(struct posix_timers *pts, struct kernel *k, struct thread_group *tg)
{
        memset(pts, 0, sizeof(*pts));
        pthread_mutex_init(&pts->lock, NULL);
        pts->kernel = k;
        pts->tg = tg;
        ptimer_init(&pts->itimer_virt, pts);
        pts->itimer_virt.id = -1;
        pts->itimer_virt.kind = PTIMER_CPU_VIRT;
        pts->itimer_virt.signo = SIGVTALRM;
        ptimer_init(&pts->itimer_prof, pts);
        pts->itimer_prof.id = -1;
        pts->itimer_prof.kind = PTIMER_CPU_PROF;
        pts->itimer_prof.signo = SIGPROF;
}

void posix_timers_destroy(struct posix_timers *pts)
{
        struct posix_timer *list, *pt;

        pthread_mutex_lock(&pts->lock);
        list = pts->list;
        pts->list = NULL;
        for (pt = list; pt; pt = pt->next)
                pt->armed = false;
        pts->itimer_virt.armed = pts->itimer_prof.armed = false;
        pthread_mutex_unlock(&pts->lock);
        ktimer_cancel(&pts->kernel->timers, &pts->itimer_virt.kt);
        ktimer_cancel(&pts->kernel->timers, &pts->itimer_prof.kt);
        while ((pt = list)) {
                list = pt->next;
                ktimer_cancel(&pts->kernel->timers, &pt->kt);
                free(pt);
        }
        pthread_mutex_destroy(&pts->lock);
}

void posix_timers_exec(struct posix_timers *pts)
{
        struct posix_timer *list, *pt;

        pthread_mutex_lock(&pts->lock);
        list = pts->list;
        pts->list = NULL;
        pts->count = 0;
        for (pt = list; pt; pt = pt->next)
                pt->armed = false;
        pthread_mutex_unlock(&pts->lock);
        while ((pt = list)) {
                list = pt->next;
                ktimer_cancel(&pts->kernel->timers, &pt->kt);
                free(pt);
        }
}

/* The timer's clock now, in ns: CLOCK_MONOTONIC for wall-clock timers. */
static int ptimer_sample(struct posix_timer *pt, int64_t *ret)
{
        struct posix_timers *pts = pt->owner;
        uint64_t ns = 0;
        struct task *t;
        int r;

        switch (pt->kind) {
        case PTIMER_WALL:
                *ret = clock_ns(CLOCK_MONOTONIC);
                return 0;
        case PTIMER_CPU_PROCESS:
                r = thread_group_cpu_sample(pts->tg, CPU_SAMPLE_SCHED, &ns);
                break;
        case PTIMER_CPU_VIRT:
                r = thread_group_cpu_sample(pts->tg, CPU_SAMPLE_VIRT, &ns);
                break;
        case PTIMER_CPU_PROF:
                r = thread_group_cpu_sample(pts->tg, CPU_SAMPLE_PROF, &ns);
                break;
        default:
                t = kernel_find_task(pts->kernel, pt->clock_tid);
                r = t && t->tg == pts->tg ? task_cpu_sample(t, &ns) : -ESRCH;
                task_unref(t);
                break;
        }
        if (r < 0)
                return r;
        *ret = (int64_t)MIN(ns, (uint64_t)INT64_MAX);
        return 0;
}

/* Arm the kernel timer for the next look: at the deadline for wall-clock
 * timers; for CPU time, when the time left could at the earliest be used
 * (by every CPU of the sandbox at once for a process clock). Lock held. */
static void ptimer_arm_locked(struct posix_timer *pt, int64_t now)
{
        struct kernel *k = pt->owner->kernel;
        int64_t wait = pt->deadline - now;
        struct timespec at;

        if (pt->kind != PTIMER_WALL) {
                if (pt->kind != PTIMER_CPU_THREAD)
                        wait /= MAX(CPU_COUNT(&k->cpus), 1);
                wait = MAX(wait, CPU_POLL_MIN_NS);
        }
        at = ns_ts(clock_ns(CLOCK_MONOTONIC) + MIN(MAX(wait, 0), (int64_t)1 << 62));
        ktimer_arm(&k->timers, &pt->kt, &at);
}

/* The queued signal of a timer, or NULL. tg->lock held. */
static struct sigqueue_entry *queued_locked(struct sigpending *p, const struct posix_timer *pt)
{
        for (struct sigqueue_entry *e = p->head; e; e = e->next)
                if (e->info.si_signo == pt->signo && e->info.si_code == SI_TIMER &&
                    e->info.si_timerid == pt->id)
                        return e;
        return NULL;
}

/* Whether the timer's last signal is still queued; if so, add overruns to
 * it. Lock held. */
static bool still_queued_locked(struct posix_timer *pt, struct task *target, int add)
{
        struct thread_group *tg = pt->owner->tg;
        struct sigqueue_entry *e;

        pthread_mutex_lock(&tg->lock);
        e = queued_locked(&tg->pending, pt);
        if (!e && target)
                e = queued_locked(&target->pending, pt);
        if (e && add) {
                pt->overrun = (int)MIN((int64_t)pt->overrun + add, (int64_t)INT_MAX);
                e->info.si_overrun = pt->overrun;
        }
        pthread_mutex_unlock(&tg->lock);
        return e != NULL;
}

/* The timer went off (missed more periods than that). Lock held. */
static void ptimer_expire_locked(struct posix_timer *pt, int missed)
{
        struct posix_timers *pts = pt->owner;
        struct task *target;
        siginfo_t info;

        if (pt->notify == SIGEV_NONE)
                return;
        if (pt->notify == SIGEV_THREAD_ID) {
                target = kernel_find_task(pts->kernel, pt->target_tid);
                if (target && target->tg != pts->tg)
                        target = task_unref(target);
        } else {
                target = thread_group_any_task(pts->tg);
        }
        if (!target)
                return;
        memset(&info, 0, sizeof(info));
        info.si_signo = pt->signo;
        if (pt->id < 0) {
                info.si_code = SI_KERNEL;       /* the itimers: a plain signal */
                signal_send(target, &info, true);
        } else if (!still_queued_locked(pt, pt->notify == SIGEV_THREAD_ID ? target : NULL,
                                        1 + missed)) {
                pt->overrun_last = pt->overrun;
                pt->overrun = missed;
                info.si_code = SI_TIMER;
                info.si_timerid = pt->id;
                info.si_overrun = missed;
                info.si_value = pt->value;
                signal_send(target, &info, pt->notify != SIGEV_THREAD_ID);
        }
        task_unref(target);
}

static void ptimer_fire(struct ktimer *kt)
{
        struct posix_timer *pt = container_of(kt, struct posix_timer, kt);
        struct posix_timers *pts = pt->owner;
        int64_t now, missed = 0;

        pthread_mutex_lock(&pts->lock);
        if (!pt->armed)
                goto out;
        if (ptimer_sample(pt, &now) < 0) {
                pt->armed = false;              /* nothing left to measure */
                goto out;
        }
        if (now < pt->deadline) {
                ptimer_arm_locked(pt, now);     /* early (CPU time, or re-set) */
                goto out;
        }
        if (pt->interval) {
                missed = (now - pt->deadline) / pt->interval;
                pt->deadline += (missed + 1) * pt->interval;
                ptimer_arm_locked(pt, now);
        } else {
                pt->armed = false;
        }
        ptimer_expire_locked(pt, (int)MIN(missed, (int64_t)INT_MAX - 1));
out:
        pthread_mutex_unlock(&pts->lock);
}

/* What is left and the period. Lock held. */
static void ptimer_get_locked(struct posix_timer *pt, struct ptimer_spec *ret)
{
        int64_t now;

        ret->interval = pt->interval;
        ret->value = 0;
        if (!pt->armed || ptimer_sample(pt, &now) < 0)
                return;
        /* An armed timer that is due reads as 1 ns, as Linux shows it. */
        ret->value = MAX(pt->deadline - now, 1);
}

static struct posix_timer *find_locked(struct posix_timers *pts, int id)
{
        for (struct posix_timer *pt = pts->list; pt; pt = pt->next)
                if (pt->id == id)
                        return pt;
        return NULL;
}

/* Set (value != 0) or disarm. abs: value is a time on the timer's clock. */
static int ptimer_set_locked(struct posix_timer *pt, bool abs, const struct ptimer_spec *spec)
{
        int64_t now;
        int r;

        pt->overrun = pt->overrun_last = 0;
        if (!spec->value) {
                /* Disarmed, the interval with it. */
                pt->interval = 0;
                pt->armed = false;      /* a linked kernel timer finds it disarmed */
                return 0;
        }
        pt->interval = spec->interval;
        r = ptimer_sample(pt, &now);
        if (r < 0)
                return r;
        if (!abs)
                pt->deadline = now + MIN(spec->value, INT64_MAX - now);
        else if (pt->kind == PTIMER_WALL) {
                /* On CLOCK_MONOTONIC: the distance from the clock's now. */
                int64_t delta = spec->value - clock_ns(pt->clockid);

                pt->deadline = now + MIN(delta, INT64_MAX - now);
        } else
                pt->deadline = spec->value;
        pt->armed = true;
        ptimer_arm_locked(pt, now);
        return 0;
}

int posix_timer_create(struct task *t, clockid_t clockid, const struct sigevent *ev, int *ret_id)
{
        struct posix_timers *pts = &t->tg->timers;
        struct posix_timer *pt;
        enum ptimer_kind kind;

        switch (clockid) {
        case CLOCK_REALTIME:
        case CLOCK_MONOTONIC:
        case CLOCK_BOOTTIME:
        case CLOCK_TAI:
                kind = PTIMER_WALL;
                break;
        case CLOCK_PROCESS_CPUTIME_ID:
                kind = PTIMER_CPU_PROCESS;
                break;
        case CLOCK_THREAD_CPUTIME_ID:
                kind = PTIMER_CPU_THREAD;
                break;
        case CLOCK_MONOTONIC_RAW:
        case CLOCK_REALTIME_COARSE:
        case CLOCK_MONOTONIC_COARSE:
                return -EOPNOTSUPP;     /* clocks without timers */
        case CLOCK_REALTIME_ALARM:
        case CLOCK_BOOTTIME_ALARM:
                return -EOPNOTSUPP;     /* no RTC to wake the sandbox */
        default:
                return -EINVAL;         /* other processes' CPU clocks: not yet */
        }
        pt = malloc(sizeof(*pt));
        if (!pt)
                return -EAGAIN;
        ptimer_init(pt, pts);
        pt->clockid = clockid;
        pt->kind = kind;
        pt->clock_tid = t->tid;
        if (ev) {
                /* good_sigevent() */
                switch (ev->sigev_notify) {
                case SIGEV_THREAD_ID: {
                        struct task *target = kernel_find_task(t->kernel, ev->_sigev_un._tid);
                        bool same = target && target->tg == t->tg;

                        task_unref(target);
                        if (!same) {
                                free(pt);
                                return -EINVAL;
                        }
                        pt->target_tid = ev->_sigev_un._tid;
                }
                        /* fall through */
                case SIGEV_SIGNAL:
                case SIGEV_THREAD:
                        if (ev->sigev_signo <= 0 || ev->sigev_signo > KSIG_MAX) {
                                free(pt);
                                return -EINVAL;
                        }
                        /* fall through */
                case SIGEV_NONE:
                        break;
                default:
                        free(pt);
                        return -EINVAL;
                }
                /* The kernel treats SIGEV_THREAD (glibc's business) as a signal. */
                pt->notify = ev->sigev_notify == SIGEV_THREAD ? SIGEV_SIGNAL : ev->sigev_notify;
                pt->signo = ev->sigev_signo;
                pt->value = ev->sigev_value;
        } else {
                pt->notify = SIGEV_SIGNAL;
                pt->signo = SIGALRM;
        }

        pthread_mutex_lock(&pts->lock);
        if (pts->count >= POSIX_TIMERS_MAX) {
                pthread_mutex_unlock(&pts->lock);
                free(pt);
                return -EAGAIN;
        }
        /* Ids count up from 0 and are not reused until they wrap. */
        while (find_locked(pts, pts->next_id))
                pts->next_id = pts->next_id == INT_MAX ? 0 : pts->next_id + 1;
        pt->id = pts->next_id;
        pts->next_id = pts->next_id == INT_MAX ? 0 : pts->next_id + 1;
        if (!ev)
                pt->value.sival_int = pt->id;
        pt->next = pts->list;
        pts->list = pt;
        pts->count++;
        pthread_mutex_unlock(&pts->lock);
        *ret_id = pt->id;
        return 0;
}

int posix_timer_set(struct task *t, int id, bool abstime, const struct ptimer_spec *spec,
                    struct ptimer_spec *old)
{
        struct posix_timers *pts = &t->tg->timers;
        struct posix_timer *pt;
        int r;

        pthread_mutex_lock(&pts->lock);
        pt = find_locked(pts, id);
        if (!pt) {
                pthread_mutex_unlock(&pts->lock);
                return -EINVAL;
        }
        if (old)
                ptimer_get_locked(pt, old);
        r = ptimer_set_locked(pt, abstime, spec);
        pthread_mutex_unlock(&pts->lock);
        return r;
}

int posix_timer_get(struct task *t, int id, struct ptimer_spec *ret)
{
        struct posix_timers *pts = &t->tg->timers;
        struct posix_timer *pt;

        pthread_mutex_lock(&pts->lock);
        pt = find_locked(pts, id);
        if (pt)
                ptimer_get_locked(pt, ret);
        pthread_mutex_unlock(&pts->lock);
        return pt ? 0 : -EINVAL;
}

int posix_timer_getoverrun(struct task *t, int id)
{
        struct posix_timers *pts = &t->tg->timers;
        struct posix_timer *pt;
        int r = -EINVAL;

        pthread_mutex_lock(&pts->lock);
        pt = find_locked(pts, id);
        if (pt) {
                struct task *target = pt->notify == SIGEV_THREAD_ID ?
                                      kernel_find_task(t->kernel, pt->target_tid) : NULL;

                /* The overruns of the signal last delivered. */
                r = still_queued_locked(pt, target && target->tg == t->tg ? target : NULL, 0) ?
                    pt->overrun_last : pt->overrun;
                task_unref(target);
        }
        pthread_mutex_unlock(&pts->lock);
        return r;
}

int posix_timer_delete(struct task *t, int id)
{
        struct posix_timers *pts = &t->tg->timers;
        struct posix_timer **pp, *pt = NULL;

        pthread_mutex_lock(&pts->lock);
        for (pp = &pts->list; *pp; pp = &(*pp)->next) {
                if ((*pp)->id == id) {
                        pt = *pp;
                        *pp = pt->next;
                        pt->armed = false;
                        pts->count--;
                        break;
                }
        }
        pthread_mutex_unlock(&pts->lock);
        if (!pt)
                return -EINVAL;
        /* Unlinked and disarmed: only a running callback can still see it. */
        ktimer_cancel(&pts->kernel->timers, &pt->kt);
        free(pt);
        return 0;
}

static struct posix_timer *itimer_of(struct task *t, int which)
{
        return which == ITIMER_VIRTUAL ? &t->tg->timers.itimer_virt : &t->tg->timers.itimer_prof;
}

int itimer_cpu_set(struct task *t, int which, const struct ptimer_spec *spec,
                   struct ptimer_spec *old)
{
        struct posix_timers *pts = &t->tg->timers;
        struct posix_timer *pt = itimer_of(t, which);
        int r;

        pthread_mutex_lock(&pts->lock);
        if (old)
                ptimer_get_locked(pt, old);
        r = ptimer_set_locked(pt, false, spec);
        pthread_mutex_unlock(&pts->lock);
        return r;
}

void itimer_cpu_get(struct task *t, int which, struct ptimer_spec *ret)
{
        struct posix_timers *pts = &t->tg->timers;

        pthread_mutex_lock(&pts->lock);
        ptimer_get_locked(itimer_of(t, which), ret);
        pthread_mutex_unlock(&pts->lock);
}
