/* epoll and eventfd. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "lib/ktimer.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "uio.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

/* Linux: maxevents may not exceed INT_MAX / sizeof(struct epoll_event). */
#define EP_MAX_EVENTS (INT32_MAX / (int)sizeof(struct epoll_event))

static long install_new(struct task *t, struct file *f, bool cloexec)
{
        long r = fdtable_install(t->fdt, f, 0, cloexec, task_nofile_limit(t));

        file_unref(f);
        return r;
}

static long do_epoll_create(struct task *t, unsigned flags)
{
        struct file *f;
        long r;

        if (flags & ~(unsigned)EPOLL_CLOEXEC)
                return -EINVAL;
        r = epoll_create_file(0, &f);
        if (r < 0)
                return r;
        return install_new(t, f, flags & EPOLL_CLOEXEC);
}

long sys_epoll_create(struct task *t, const struct syscall_args *a)
{
        if ((int)a->a[0] <= 0)
                return -EINVAL;
        return do_epoll_create(t, 0);
}

long sys_epoll_create1(struct task *t, const struct syscall_args *a)
{
        return do_epoll_create(t, (unsigned)a->a[0]);
}

long sys_epoll_ctl(struct task *t, const struct syscall_args *a)
{
        int epfd = (int)a->a[0], op = (int)a->a[1], fd = (int)a->a[2];
        struct epoll_event ev = { 0 };
        struct file *ep, *target;
        long r;

        if (op != EPOLL_CTL_DEL) {
                r = mm_copy_in(t->mm, &ev, a->a[3], sizeof(ev));
                if (r < 0)
                        return r;
        }
        ep = fdtable_get(t->fdt, epfd);
        if (!ep)
                return -EBADF;
        target = fdtable_get(t->fdt, fd);
        if (!target) {
                file_unref(ep);
                return -EBADF;
        }
        r = epoll_ctl_file(ep, op, fd, target, ev.events, ev.data.u64);
        file_unref(target);
        file_unref(ep);
        return r;
}

/* Wait until something is ready, the deadline (absolute monotonic, NULL:
 * none) passes, or a signal comes (-EINTR: epoll_wait is never restarted). */
static long do_epoll_wait(struct task *t, int epfd, guest_ptr_t uevents, int maxevents,
                          const struct timespec *deadline, bool zero_timeout)
{
        struct epoll_event *evs;
        struct task_waiter tw;
        bool queued = false;
        struct file *ep;
        long r;

        if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
                return -EINVAL;
        if (!guest_access_ok(uevents, (size_t)maxevents * sizeof(*evs)))
                return -EFAULT;
        ep = fdtable_get(t->fdt, epfd);
        if (!ep)
                return -EBADF;
        if (!file_is_epoll(ep)) {
                file_unref(ep);
                return -EINVAL;
        }
        evs = calloc((size_t)(maxevents < 1024 ? maxevents : 1024), sizeof(*evs));
        if (!evs) {
                file_unref(ep);
                return -ENOMEM;
        }
        task_waiter_init(&tw, t, ~0u);
        for (;;) {
                if (queued)
                        task_prepare_block(t);
                r = epoll_collect(ep, evs, maxevents < 1024 ? maxevents : 1024);
                if (r != -EAGAIN)
                        break;
                if (zero_timeout) {
                        r = 0;
                        break;
                }
                if (!queued) {
                        waitqueue_add(ep->wq, &tw.w);
                        queued = true;
                        continue;
                }
                r = task_block(t, deadline);
                if (r == -ETIMEDOUT) {
                        r = 0;
                        break;
                }
                if (r == -EINTR)
                        break;
        }
        if (queued)
                waitqueue_remove(ep->wq, &tw.w);
        if (r > 0 && mm_copy_out(t->mm, uevents, evs, (size_t)r * sizeof(*evs)) < 0)
                r = -EFAULT;
        free(evs);
        file_unref(ep);
        return r;
}

static void ms_deadline(int timeout, struct timespec *ret)
{
        clock_gettime(CLOCK_MONOTONIC, ret);
        *ret = timespec_add(*ret, (struct timespec){ timeout / 1000, (timeout % 1000) * 1000000L });
}

long sys_epoll_wait(struct task *t, const struct syscall_args *a)
{
        int timeout = (int)a->a[3];
        struct timespec deadline;

        if (timeout > 0)
                ms_deadline(timeout, &deadline);
        return do_epoll_wait(t, (int)a->a[0], a->a[1], (int)a->a[2], timeout > 0 ? &deadline : NULL,
                             timeout == 0);
}

/* epoll_pwait(2)'s mask (signal_mask_set_temporary()). */
static long with_sigmask(struct task *t, guest_ptr_t umask, uint64_t size, bool *ret_swapped)
{
        uint64_t mask;
        long r;

        *ret_swapped = false;
        if (!umask)
                return 0;
        if (size != 8)
                return -EINVAL;
        r = mm_copy_in(t->mm, &mask, umask, sizeof(mask));
        if (r < 0)
                return r;
        signal_mask_set_temporary(t, mask);
        *ret_swapped = true;
        return 0;
}

static void sigmask_back(struct task *t, long ret, bool swapped)
{
        if (swapped && ret != -EINTR)
                signal_mask_restore(t);
}

long sys_epoll_pwait(struct task *t, const struct syscall_args *a)
{
        int timeout = (int)a->a[3];
        struct timespec deadline;
        bool swapped;
        long r;

        r = with_sigmask(t, a->a[4], a->a[5], &swapped);
        if (r < 0)
                return r;
        if (timeout > 0)
                ms_deadline(timeout, &deadline);
        r = do_epoll_wait(t, (int)a->a[0], a->a[1], (int)a->a[2], timeout > 0 ? &deadline : NULL,
                          timeout == 0);
        sigmask_back(t, r, swapped);
        return r;
}

long sys_epoll_pwait2(struct task *t, const struct syscall_args *a)
{
        struct timespec ts, deadline;
        bool swapped, has = a->a[3] != 0;
        long r;

        if (has) {
                r = mm_copy_in(t->mm, &ts, a->a[3], sizeof(ts));
                if (r < 0)
                        return r;
                if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
                        return -EINVAL;
                clock_gettime(CLOCK_MONOTONIC, &deadline);
                deadline = timespec_add(deadline, ts);
        }
        r = with_sigmask(t, a->a[4], a->a[5], &swapped);
        if (r < 0)
                return r;
        r = do_epoll_wait(t, (int)a->a[0], a->a[1], (int)a->a[2], has ? &deadline : NULL,
                          has && !ts.tv_sec && !ts.tv_nsec);
        sigmask_back(t, r, swapped);
        return r;
}

static long do_eventfd(struct task *t, unsigned initval, unsigned flags)
{
        struct file *f;
        long r;

        if (flags & ~(unsigned)(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
                return -EINVAL;
        r = eventfd_create(initval, flags, &f);
        if (r < 0)
                return r;
        return install_new(t, f, flags & EFD_CLOEXEC);
}

long sys_eventfd(struct task *t, const struct syscall_args *a)
{
        return do_eventfd(t, (unsigned)a->a[0], 0);
}

long sys_eventfd2(struct task *t, const struct syscall_args *a)
{
        return do_eventfd(t, (unsigned)a->a[0], (unsigned)a->a[1]);
}
