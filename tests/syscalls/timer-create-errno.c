/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timer_create/timer_settime/timer_gettime/timer_getoverrun/timer_delete:
 * argument checks (EINVAL for an unknown clock, a bad sigevent, a bad id, a
 * NULL or invalid new value; EOPNOTSUPP for clocks without timers; EFAULT),
 * ids counting up without reuse, the relative value and interval read
 * back, the old value returned, and disarming.
 */
#include <signal.h>
#include <time.h>

#include "test.h"

#define MS 1000000LL

struct kits {
        struct timespec interval, value;
};

static long long ns(struct timespec ts)
{
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int create(clockid_t clock, struct sigevent *ev)
{
        int id = -1;

        EXPECT_OK(syscall(SYS_timer_create, clock, ev, &id));
        return id;
}

int main(void)
{
        struct sigevent ev;
        struct kits its, old;
        int id, id2, id3, junk;

        memset(&ev, 0, sizeof(ev));
        ev.sigev_notify = SIGEV_NONE;
        EXPECT_ERRNO(syscall(SYS_timer_create, 100, &ev, &junk), EINVAL);
        EXPECT_ERRNO(syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, &ev, &junk), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_timer_create, CLOCK_MONOTONIC_COARSE, &ev, &junk), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_timer_create, CLOCK_MONOTONIC, LOW_ADDR, &junk), EFAULT);
        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = 0;
        EXPECT_ERRNO(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &junk), EINVAL);
        ev.sigev_signo = 65;
        EXPECT_ERRNO(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &junk), EINVAL);
        ev.sigev_signo = SIGUSR1;
        ev.sigev_notify = 7;
        EXPECT_ERRNO(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &junk), EINVAL);
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev._sigev_un._tid = 0x3ffffff;
        EXPECT_ERRNO(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &junk), EINVAL);

        /* Ids count up; a deleted one is not handed out again at once. */
        ev.sigev_notify = SIGEV_NONE;
        id = create(CLOCK_MONOTONIC, &ev);
        /* A signal timer for the values: Linux keeps reporting a disarmed
         * SIGEV_NONE timer's old expiry. SIGUSR1 is blocked, just in case. */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = SIGUSR1;
        id2 = create(CLOCK_REALTIME, &ev);
        EXPECT_EQ(id2, id + 1);
        EXPECT_OK(syscall(SYS_timer_delete, id));
        id3 = create(CLOCK_BOOTTIME, NULL);
        EXPECT_EQ(id3, id2 + 1);
        EXPECT_ERRNO(syscall(SYS_timer_delete, id), EINVAL);
        EXPECT_ERRNO(syscall(SYS_timer_gettime, id, &its), EINVAL);
        EXPECT_ERRNO(syscall(SYS_timer_getoverrun, id), EINVAL);
        EXPECT_ERRNO(syscall(SYS_timer_delete, -1), EINVAL);

        /* Disarmed: zeros. */
        memset(&its, 0x55, sizeof(its));
        EXPECT_OK(syscall(SYS_timer_gettime, id2, &its));
        EXPECT_EQ(ns(its.value), 0);
        EXPECT_EQ(ns(its.interval), 0);
        EXPECT_RET(syscall(SYS_timer_getoverrun, id2), 0);
        EXPECT_ERRNO(syscall(SYS_timer_gettime, id2, LOW_ADDR), EFAULT);

        /* settime's checks. */
        EXPECT_ERRNO(syscall(SYS_timer_settime, id2, 0, NULL, NULL), EINVAL);
        its = (struct kits){ { 0, 0 }, { 0, 1000000000 } };
        EXPECT_ERRNO(syscall(SYS_timer_settime, id2, 0, &its, NULL), EINVAL);
        its = (struct kits){ { 0, -1 }, { 1, 0 } };
        EXPECT_ERRNO(syscall(SYS_timer_settime, id2, 0, &its, NULL), EINVAL);
        its = (struct kits){ { 0, 0 }, { -1, 0 } };
        EXPECT_ERRNO(syscall(SYS_timer_settime, id2, 0, &its, NULL), EINVAL);
        its = (struct kits){ { 0, 0 }, { 1, 0 } };
        EXPECT_ERRNO(syscall(SYS_timer_settime, id, 0, &its, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_timer_settime, id2, 0, LOW_ADDR, NULL), EFAULT);

        /* Armed: 10 s, every 2 s. */
        its = (struct kits){ { 2, 0 }, { 10, 0 } };
        EXPECT_OK(syscall(SYS_timer_settime, id2, 0, &its, NULL));
        EXPECT_OK(syscall(SYS_timer_gettime, id2, &its));
        CHECK(ns(its.value) > 9000 * MS && ns(its.value) <= 10000 * MS, "value %lld", ns(its.value));
        EXPECT_EQ(ns(its.interval), 2000 * MS);
        /* Re-set: the old setting comes back. */
        its = (struct kits){ { 0, 0 }, { 20, 0 } };
        EXPECT_OK(syscall(SYS_timer_settime, id2, 0, &its, &old));
        CHECK(ns(old.value) > 9000 * MS && ns(old.value) <= 10000 * MS, "old value %lld",
              ns(old.value));
        EXPECT_EQ(ns(old.interval), 2000 * MS);
        /* Unknown flag bits are ignored. */
        its = (struct kits){ { 0, 0 }, { 30, 0 } };
        EXPECT_OK(syscall(SYS_timer_settime, id2, 0x100, &its, &old));
        CHECK(ns(old.value) > 19000 * MS, "old value %lld", ns(old.value));
        EXPECT_EQ(ns(old.interval), 0);
        /* A new value written, the old one to a bad address: EFAULT, but set. */
        its = (struct kits){ { 0, 0 }, { 40, 0 } };
        EXPECT_ERRNO(syscall(SYS_timer_settime, id2, 0, &its, LOW_ADDR), EFAULT);
        EXPECT_OK(syscall(SYS_timer_gettime, id2, &its));
        CHECK(ns(its.value) > 39000 * MS, "value %lld", ns(its.value));
        /* Disarm: the interval goes too. */
        its = (struct kits){ { 1, 0 }, { 0, 0 } };
        EXPECT_OK(syscall(SYS_timer_settime, id2, 0, &its, NULL));
        EXPECT_OK(syscall(SYS_timer_gettime, id2, &its));
        EXPECT_EQ(ns(its.value), 0);
        EXPECT_EQ(ns(its.interval), 0);

        EXPECT_OK(syscall(SYS_timer_delete, id2));
        EXPECT_OK(syscall(SYS_timer_delete, id3));
        return TEST_PASS;
}
