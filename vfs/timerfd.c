/*
 * timerfd: a timer whose expirations are read as a count (Linux's
 * fs/timerfd.c). The timer itself is a ktimer of the sandbox's timer
 * service; absolute wall-clock times are turned into monotonic ones when
 * set, so a later change of the wall clock does not move them (and
 * TFD_TIMER_CANCEL_ON_SET never cancels).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "file.h"
#include "lib/ktimer.h"
#include "lib/macro.h"

struct timerfd {
        struct file base;
        struct ktimer_service *timers;  /* immutable, borrowed: outlives the file */
        int clockid;                    /* immutable */
        struct ktimer kt;
        pthread_mutex_t lock;
        /* protected by lock: */
        struct timespec deadline;       /* monotonic; zero: disarmed */
        struct timespec interval;
        uint64_t ticks;                 /* expirations not yet read */
        struct waitqueue wq;
};

static struct timerfd *to_tfd(struct file *f)
{
        return container_of(f, struct timerfd, base);
}

static bool ts_zero(struct timespec t)
{
        return !t.tv_sec && !t.tv_nsec;
}

/* Expired: count it (and any whole periods missed), re-arm if periodic. */
static void timerfd_fire(struct ktimer *kt)
{
        struct timerfd *tf = container_of(kt, struct timerfd, kt);
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        pthread_mutex_lock(&tf->lock);
        tf->ticks++;
        if (!ts_zero(tf->interval)) {
                tf->deadline = timespec_add(tf->deadline, tf->interval);
                while (timespec_cmp(tf->deadline, now) <= 0) {
                        tf->deadline = timespec_add(tf->deadline, tf->interval);
                        tf->ticks++;
                }
                ktimer_arm(tf->timers, &tf->kt, &tf->deadline);
        } else {
                tf->deadline = (struct timespec){ 0, 0 };
        }
        pthread_mutex_unlock(&tf->lock);
        waitqueue_notify(&tf->wq, EPOLLIN | EPOLLRDNORM);
}

static ssize_t timerfd_read_op(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct timerfd *tf = to_tfd(f);
        uint64_t v;
        size_t done = 0;

        (void)pos;
        if (dst->count < sizeof(v))
                return -EINVAL;
        pthread_mutex_lock(&tf->lock);
        v = tf->ticks;
        tf->ticks = 0;
        pthread_mutex_unlock(&tf->lock);
        if (!v)
                return -EAGAIN;
        for (int i = 0; i < dst->nr && done < sizeof(v); i++) {
                size_t c = MIN(sizeof(v) - done, dst->iov[i].iov_len);

                memcpy(dst->iov[i].iov_base, (char *)&v + done, c);
                done += c;
        }
        return sizeof(v);
}

static unsigned timerfd_poll_op(struct file *f)
{
        struct timerfd *tf = to_tfd(f);
        unsigned r;

        pthread_mutex_lock(&tf->lock);
        r = tf->ticks ? EPOLLIN | EPOLLRDNORM : 0;
        pthread_mutex_unlock(&tf->lock);
        return r;
}

static void timerfd_release_op(struct file *f)
{
        struct timerfd *tf = to_tfd(f);

        ktimer_cancel(tf->timers, &tf->kt);
        waitqueue_destroy(&tf->wq);
        pthread_mutex_destroy(&tf->lock);
        free(tf);
}

static const struct file_ops timerfd_ops = {
        .read = timerfd_read_op,
        .stat = vfs_anon_stat,
        .poll = timerfd_poll_op,
        .release = timerfd_release_op,
};

int timerfd_create_file(struct ktimer_service *timers, int clockid, unsigned flags,
                        struct file **ret)
{
        struct timerfd *tf = calloc(1, sizeof(*tf));

        if (!tf)
                return -ENOMEM;
        tf->timers = timers;
        tf->clockid = clockid;
        tf->kt.fn = timerfd_fire;
        pthread_mutex_init(&tf->lock, NULL);
        waitqueue_init(&tf->wq);
        file_init(&tf->base, &timerfd_ops, O_RDONLY | (flags & TFD_NONBLOCK), true);
        tf->base.wq = &tf->wq;
        *ret = &tf->base;
        return 0;
}

bool file_is_timerfd(const struct file *f)
{
        return f->ops == &timerfd_ops;
}

/* What is left of the current period (zero when disarmed). Lock held. */
static void timerfd_read_locked(struct timerfd *tf, struct itimerspec *cur)
{
        struct timespec now;

        cur->it_interval = tf->interval;
        cur->it_value = (struct timespec){ 0, 0 };
        if (ts_zero(tf->deadline))
                return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        cur->it_value = timespec_sub_sat(tf->deadline, now);
        if (ts_zero(cur->it_value))
                cur->it_value.tv_nsec = 1;
}

void timerfd_gettime_file(struct file *f, struct itimerspec *cur)
{
        struct timerfd *tf = to_tfd(f);

        pthread_mutex_lock(&tf->lock);
        timerfd_read_locked(tf, cur);
        pthread_mutex_unlock(&tf->lock);
}

int timerfd_settime_file(struct file *f, int flags, const struct itimerspec *nv,
                         struct itimerspec *old)
{
        struct timerfd *tf = to_tfd(f);
        struct timespec now, mono;
        int r = 0;

        ktimer_cancel(tf->timers, &tf->kt);
        pthread_mutex_lock(&tf->lock);
        timerfd_read_locked(tf, old);
        tf->ticks = 0;
        tf->interval = nv->it_interval;
        if (ts_zero(nv->it_value)) {
                tf->deadline = (struct timespec){ 0, 0 };
        } else {
                clock_gettime(CLOCK_MONOTONIC, &mono);
                if (flags & TFD_TIMER_ABSTIME) {
                        clock_gettime(tf->clockid, &now);
                        tf->deadline = timespec_add(mono, timespec_sub_sat(nv->it_value, now));
                } else {
                        tf->deadline = timespec_add(mono, nv->it_value);
                }
                r = ktimer_arm(tf->timers, &tf->kt, &tf->deadline);
        }
        pthread_mutex_unlock(&tf->lock);
        return r;
}
