/*
 * poll, ppoll, select and pselect6: readiness of many files at once. Each
 * round asks every file (vfs_poll()); if none is ready the task waits on the
 * wait queues of all of them, then asks again.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>

#include "sentry/kernel/kerrno.h"
#include "lib/ktimer.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

/* Always reported, whatever was asked. */
#define POLL_ALWAYS (POLLERR | POLLHUP | POLLNVAL)

struct poll_entry {
        int fd;
        short events, revents;
        struct file *file;              /* a reference, NULL if fd < 0 or not open */
        struct task_waiter tw;
        bool queued;
};

/* Ask every file once; returns how many have events. */
static int poll_scan(struct poll_entry *e, size_t n)
{
        int ready = 0;

        for (size_t i = 0; i < n; i++) {
                if (e[i].fd < 0) {
                        e[i].revents = 0;
                        continue;
                }
                if (!e[i].file)
                        e[i].revents = POLLNVAL;
                else
                        e[i].revents = (short)(vfs_poll(e[i].file) & ((unsigned short)e[i].events | POLL_ALWAYS));
                ready += e[i].revents != 0;
        }
        return ready;
}

/* The core: wait until an entry is ready, the deadline (absolute
 * CLOCK_MONOTONIC; NULL: none) passes, or a signal comes. Returns the ready
 * count, 0 on timeout, -ERESTARTNOHAND when interrupted. */
static long poll_wait(struct task *t, struct poll_entry *e, size_t n, const struct timespec *deadline,
                      bool zero_timeout)
{
        bool queued = false;
        long r;

        for (size_t i = 0; i < n; i++)
                e[i].file = e[i].fd >= 0 ? fdtable_get(t->fdt, e[i].fd) : NULL;
        for (;;) {
                if (queued)
                        task_prepare_block(t);
                r = poll_scan(e, n);
                if (r > 0 || zero_timeout)
                        break;
                if (!queued) {
                        for (size_t i = 0; i < n; i++) {
                                if (e[i].file && e[i].file->wq) {
                                        task_waiter_init(&e[i].tw, t, ~0u);
                                        waitqueue_add(e[i].file->wq, &e[i].tw.w);
                                        e[i].queued = true;
                                }
                        }
                        queued = true;
                        continue;
                }
                r = task_block(t, deadline);
                if (r == -ETIMEDOUT) {
                        r = 0;
                        break;
                }
                if (r == -EINTR) {
                        r = -ERESTARTNOHAND;
                        break;
                }
        }
        for (size_t i = 0; i < n; i++) {
                if (e[i].queued)
                        waitqueue_remove(e[i].file->wq, &e[i].tw.w);
                file_unref(e[i].file);
        }
        return r;
}

/* A relative timeout to an absolute monotonic deadline. */
static struct timespec deadline_after(struct timespec rel)
{
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return timespec_add(now, rel);
}

/* ppoll/pselect6's signal mask (signal_mask_set_temporary()). */
static int sigmask_swap_in(struct task *t, guest_ptr_t umask, uint64_t size)
{
        uint64_t mask;
        int r;

        if (!umask)
                return 0;
        if (size != 8)
                return -EINVAL;
        r = mm_copy_in(t->mm, &mask, umask, sizeof(mask));
        if (r < 0)
                return r;
        signal_mask_set_temporary(t, mask);
        return 0;
}

static void sigmask_restore_unless_interrupted(struct task *t, long ret)
{
        if (ret != -ERESTARTNOHAND)
                signal_mask_restore(t);
}

static long do_poll(struct task *t, guest_ptr_t ufds, uint64_t nfds, const struct timespec *deadline,
                    bool zero_timeout)
{
        struct pollfd *pfd = NULL;
        struct poll_entry *e = NULL;
        long r;

        if (nfds > (uint64_t)task_nofile_limit(t))
                return -EINVAL;
        pfd = calloc(nfds + 1, sizeof(*pfd));
        e = calloc(nfds + 1, sizeof(*e));
        if (!pfd || !e) {
                r = -ENOMEM;
                goto out;
        }
        r = mm_copy_in(t->mm, pfd, ufds, nfds * sizeof(*pfd));
        if (r < 0)
                goto out;
        for (uint64_t i = 0; i < nfds; i++) {
                e[i].fd = pfd[i].fd;
                e[i].events = pfd[i].events;
        }
        r = poll_wait(t, e, nfds, deadline, zero_timeout);
        if (r >= 0) {
                for (uint64_t i = 0; i < nfds; i++)
                        pfd[i].revents = e[i].revents;
                if (mm_copy_out(t->mm, ufds, pfd, nfds * sizeof(*pfd)) < 0)
                        r = -EFAULT;
        }
out:
        free(pfd);
        free(e);
        return r;
}

long sys_poll(struct task *t, const struct syscall_args *a)
{
        int timeout = (int)a->a[2];
        struct timespec deadline;

        if (timeout > 0)
                deadline = deadline_after((struct timespec){ timeout / 1000, (timeout % 1000) * 1000000L });
        return do_poll(t, a->a[0], a->a[1], timeout > 0 ? &deadline : NULL, timeout == 0);
}

static int timeout_in(struct task *t, guest_ptr_t uts, struct timespec *ret_deadline, bool *ret_zero)
{
        struct timespec ts;
        int r;

        *ret_zero = false;
        if (!uts)
                return 0;
        r = mm_copy_in(t->mm, &ts, uts, sizeof(ts));
        if (r < 0)
                return r;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
                return -EINVAL;
        *ret_zero = !ts.tv_sec && !ts.tv_nsec;
        *ret_deadline = deadline_after(ts);
        return 1;
}

long sys_ppoll(struct task *t, const struct syscall_args *a)
{
        struct timespec deadline;
        bool zero;
        long has_timeout, r;

        has_timeout = timeout_in(t, a->a[2], &deadline, &zero);
        if (has_timeout < 0)
                return has_timeout;
        r = sigmask_swap_in(t, a->a[3], a->a[4]);
        if (r < 0)
                return r;
        r = do_poll(t, a->a[0], a->a[1], has_timeout ? &deadline : NULL, zero);
        sigmask_restore_unless_interrupted(t, r);
        return r;
}

/* select's three sets as poll entries, and back. */
#define SELECT_IN (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SELECT_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SELECT_EX (POLLPRI)

static long do_select(struct task *t, int nfds, guest_ptr_t uin, guest_ptr_t uout, guest_ptr_t uex,
                      const struct timespec *deadline, bool zero_timeout)
{
        size_t bytes = ((size_t)nfds + 63) / 64 * 8;
        uint64_t *in = NULL, *out = NULL, *ex = NULL;
        struct poll_entry *e = NULL;
        size_t n = 0;
        long r;

        if (nfds < 0 || nfds > task_nofile_limit(t))
                return -EINVAL;
        in = calloc(1, bytes + 8);
        out = calloc(1, bytes + 8);
        ex = calloc(1, bytes + 8);
        e = calloc((size_t)nfds + 1, sizeof(*e));
        if (!in || !out || !ex || !e) {
                r = -ENOMEM;
                goto done;
        }
        if ((uin && (r = mm_copy_in(t->mm, in, uin, bytes)) < 0) ||
            (uout && (r = mm_copy_in(t->mm, out, uout, bytes)) < 0) ||
            (uex && (r = mm_copy_in(t->mm, ex, uex, bytes)) < 0))
                goto done;
        for (int fd = 0; fd < nfds; fd++) {
                uint64_t bit = 1ULL << (fd % 64);
                short ev = (short)(((in[fd / 64] & bit) ? SELECT_IN : 0) |
                                   ((out[fd / 64] & bit) ? SELECT_OUT : 0) |
                                   ((ex[fd / 64] & bit) ? SELECT_EX : 0));
                struct file *f;

                if (!ev)
                        continue;
                f = fdtable_get(t->fdt, fd);
                if (!f) {
                        r = -EBADF;
                        goto done;
                }
                file_unref(f);
                e[n].fd = fd;
                e[n].events = ev;
                n++;
        }
        r = poll_wait(t, e, n, deadline, zero_timeout);
        if (r < 0)
                goto done;
        memset(in, 0, bytes);
        memset(out, 0, bytes);
        memset(ex, 0, bytes);
        r = 0;
        for (size_t i = 0; i < n; i++) {
                uint64_t bit = 1ULL << (e[i].fd % 64);
                size_t w = (size_t)e[i].fd / 64;

                if ((e[i].revents & SELECT_IN) && (e[i].events & POLLIN)) {
                        in[w] |= bit;
                        r++;
                }
                if ((e[i].revents & SELECT_OUT) && (e[i].events & POLLOUT)) {
                        out[w] |= bit;
                        r++;
                }
                if ((e[i].revents & SELECT_EX) && (e[i].events & POLLPRI)) {
                        ex[w] |= bit;
                        r++;
                }
        }
        if ((uin && mm_copy_out(t->mm, uin, in, bytes) < 0) ||
            (uout && mm_copy_out(t->mm, uout, out, bytes) < 0) ||
            (uex && mm_copy_out(t->mm, uex, ex, bytes) < 0))
                r = -EFAULT;
done:
        free(in);
        free(out);
        free(ex);
        free(e);
        return r;
}

long sys_select(struct task *t, const struct syscall_args *a)
{
        struct timeval tv;
        struct timespec deadline, now, left;
        bool has_timeout = a->a[4] != 0;
        long r;

        if (has_timeout) {
                r = mm_copy_in(t->mm, &tv, a->a[4], sizeof(tv));
                if (r < 0)
                        return r;
                if (tv.tv_sec < 0 || tv.tv_usec < 0)
                        return -EINVAL;
                /* Linux normalises microseconds past a second. */
                deadline = deadline_after((struct timespec){ tv.tv_sec + tv.tv_usec / 1000000,
                                                             (tv.tv_usec % 1000000) * 1000 });
        }
        r = do_select(t, (int)a->a[0], a->a[1], a->a[2], a->a[3], has_timeout ? &deadline : NULL,
                      has_timeout && !tv.tv_sec && !tv.tv_usec);
        if (has_timeout && r != -EFAULT && r != -EINVAL && r != -EBADF) {
                /* select reports the time left (Linux's behaviour). */
                clock_gettime(CLOCK_MONOTONIC, &now);
                left = timespec_sub_sat(deadline, now);
                tv.tv_sec = left.tv_sec;
                tv.tv_usec = left.tv_nsec / 1000;
                mm_copy_out(t->mm, a->a[4], &tv, sizeof(tv));
        }
        return r;
}

long sys_pselect6(struct task *t, const struct syscall_args *a)
{
        struct { guest_ptr_t mask; uint64_t size; } sig = { 0, 0 };
        struct timespec deadline;
        bool zero;
        long has_timeout, r;

        has_timeout = timeout_in(t, a->a[4], &deadline, &zero);
        if (has_timeout < 0)
                return has_timeout;
        if (a->a[5]) {
                r = mm_copy_in(t->mm, &sig, a->a[5], sizeof(sig));
                if (r < 0)
                        return r;
        }
        r = sigmask_swap_in(t, sig.mask, sig.size);
        if (r < 0)
                return r;
        r = do_select(t, (int)a->a[0], a->a[1], a->a[2], a->a[3], has_timeout ? &deadline : NULL,
                      zero);
        sigmask_restore_unless_interrupted(t, r);
        return r;
}
