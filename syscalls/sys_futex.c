/* futex(2): the operations glibc's locks, condition variables, thread joins
 * and barriers use, and the PI operations (no priority is inherited: the
 * host schedules). */
#include <errno.h>
#include <linux/futex.h>
#include <time.h>

#include "sentry/kernel/futex.h"
#include "sentry/kernel/kerrno.h"
#include "lib/ktimer.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

#ifndef FUTEX_CLOCK_REALTIME
#define FUTEX_CLOCK_REALTIME 256
#endif

/* FUTEX_WAIT's timeout is relative (on CLOCK_MONOTONIC); WAIT_BITSET's is
 * absolute, on CLOCK_REALTIME with FUTEX_CLOCK_REALTIME. Both become an
 * absolute CLOCK_MONOTONIC deadline. */
static int futex_deadline(struct task *t, guest_ptr_t uts, bool absolute, bool realtime,
                          struct timespec *ret)
{
        struct timespec ts, now, mono;
        int r;

        r = mm_copy_in(t->mm, &ts, uts, sizeof(ts));
        if (r < 0)
                return r;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
                return -EINVAL;
        clock_gettime(CLOCK_MONOTONIC, &mono);
        if (!absolute) {
                *ret = timespec_add(mono, ts);
        } else if (realtime) {
                clock_gettime(CLOCK_REALTIME, &now);
                *ret = timespec_add(mono, timespec_sub_sat(ts, now));
        } else {
                *ret = ts;
        }
        return 0;
}

long sys_futex(struct task *t, const struct syscall_args *a)
{
        guest_ptr_t uaddr = a->a[0], uaddr2 = a->a[4];
        int op = (int)a->a[1], cmd = op & FUTEX_CMD_MASK;
        bool private = op & FUTEX_PRIVATE_FLAG, realtime = op & FUTEX_CLOCK_REALTIME;
        uint32_t val = (uint32_t)a->a[2], val3 = (uint32_t)a->a[5];
        struct timespec deadline;
        bool has_deadline = false;
        int r;

        /* CLOCK_REALTIME only where Linux accepts it. */
        if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI &&
            cmd != FUTEX_LOCK_PI2)
                return -ENOSYS;

        switch (cmd) {
        case FUTEX_WAIT:
                val3 = FUTEX_BITSET_MATCH_ANY;
                /* fall through */
        case FUTEX_WAIT_BITSET:
                if (a->a[3]) {
                        r = futex_deadline(t, a->a[3], cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
                        if (r < 0)
                                return r;
                        has_deadline = true;
                }
                r = futex_wait(t, uaddr, private, val, val3, has_deadline ? &deadline : NULL);
                /* A timed-out or woken wait is done; an interrupted one with
                 * a handler is EINTR, without one it restarts. */
                return r;
        case FUTEX_WAKE:
                val3 = FUTEX_BITSET_MATCH_ANY;
                /* fall through */
        case FUTEX_WAKE_BITSET:
                return futex_wake(t, uaddr, private, (int)val, val3);
        case FUTEX_REQUEUE:
                return futex_requeue(t, uaddr, uaddr2, private, (int)val, (int)a->a[3], false, 0);
        case FUTEX_CMP_REQUEUE:
                return futex_requeue(t, uaddr, uaddr2, private, (int)val, (int)a->a[3], true, val3);
        case FUTEX_WAKE_OP:
                return futex_wake_op(t, uaddr, uaddr2, private, (int)val, (int)a->a[3], val3);
        case FUTEX_LOCK_PI:
        case FUTEX_LOCK_PI2:
                /* LOCK_PI's timeout is absolute CLOCK_REALTIME; LOCK_PI2's
                 * absolute on the clock the flag names. */
                if (a->a[3]) {
                        r = futex_deadline(t, a->a[3], true, cmd == FUTEX_LOCK_PI || realtime,
                                           &deadline);
                        if (r < 0)
                                return r;
                        has_deadline = true;
                }
                return futex_lock_pi(t, uaddr, private, false, has_deadline ? &deadline : NULL);
        case FUTEX_TRYLOCK_PI:
                return futex_lock_pi(t, uaddr, private, true, NULL);
        case FUTEX_UNLOCK_PI:
                return futex_unlock_pi(t, uaddr, private);
        case FUTEX_WAIT_REQUEUE_PI:
                /* An absolute deadline, on CLOCK_MONOTONIC unless
                 * FUTEX_CLOCK_REALTIME. */
                if (a->a[3]) {
                        r = futex_deadline(t, a->a[3], true, realtime, &deadline);
                        if (r < 0)
                                return r;
                        has_deadline = true;
                }
                return futex_wait_requeue_pi(t, uaddr, uaddr2, private, val,
                                             has_deadline ? &deadline : NULL);
        case FUTEX_CMP_REQUEUE_PI:
                return futex_cmp_requeue_pi(t, uaddr, uaddr2, private, (int)val, (int)a->a[3], val3);
        default:
                return -ENOSYS;
        }
}
