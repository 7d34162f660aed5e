/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX timers deliver: si_code SI_TIMER, si_timerid, si_overrun and
 * si_value; without a sigevent SIGALRM with the id as value; TIMER_ABSTIME
 * on CLOCK_REALTIME; a periodic timer whose signal stays blocked counts
 * overruns in the one queued signal, and timer_getoverrun reports them;
 * SIGEV_NONE sends nothing but keeps time; a forked child has none of the
 * parent's timers and its ids start again.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "test.h"

#define MS 1000000LL
#define SIG (SIGRTMIN + 4)

struct kits {
        struct timespec interval, value;
};

static long long ns(struct timespec ts)
{
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Wait up to 5 s for signo (blocked). */
static void wait_for(int signo, siginfo_t *info)
{
        struct timespec to = { 5, 0 };
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, signo);
        EXPECT_RET(syscall(SYS_rt_sigtimedwait, &set, info, &to, 8), signo);
}

static void sleep_ms(long ms)
{
        struct timespec d = { ms / 1000, (ms % 1000) * MS };

        EXPECT_OK(syscall(SYS_nanosleep, &d, NULL));
}

int main(void)
{
        struct sigevent ev;
        struct kits its;
        siginfo_t info;
        sigset_t set;
        int id, id2, status;

        sigemptyset(&set);
        sigaddset(&set, SIG);
        sigaddset(&set, SIGALRM);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));

        /* One shot, 20 ms, with a value. */
        memset(&ev, 0, sizeof(ev));
        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = SIG;
        ev.sigev_value.sival_int = 1234;
        EXPECT_OK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
        its = (struct kits){ { 0, 0 }, { 0, 20 * MS } };
        EXPECT_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
        wait_for(SIG, &info);
        EXPECT_EQ(info.si_code, SI_TIMER);
        EXPECT_EQ(info.si_timerid, id);
        EXPECT_EQ(info.si_overrun, 0);
        EXPECT_EQ(info.si_value.sival_int, 1234);
        EXPECT_OK(syscall(SYS_timer_gettime, id, &its));
        EXPECT_EQ(ns(its.value), 0);

        /* No sigevent: SIGALRM, the id as value. Absolute on CLOCK_REALTIME. */
        EXPECT_OK(syscall(SYS_timer_create, CLOCK_REALTIME, NULL, &id2));
        struct timespec now;
        EXPECT_OK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &now));
        long long when = ns(now) + 30 * MS;
        its = (struct kits){ { 0, 0 }, { when / 1000000000LL, when % 1000000000LL } };
        EXPECT_OK(syscall(SYS_timer_settime, id2, TIMER_ABSTIME, &its, NULL));
        EXPECT_OK(syscall(SYS_timer_gettime, id2, &its));
        CHECK(ns(its.value) > 0 && ns(its.value) <= 30 * MS, "absolute: %lld ns left", ns(its.value));
        wait_for(SIGALRM, &info);
        EXPECT_EQ(info.si_code, SI_TIMER);
        EXPECT_EQ(info.si_timerid, id2);
        EXPECT_EQ(info.si_value.sival_int, id2);
        EXPECT_OK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &now));
        CHECK(ns(now) >= when, "SIGALRM %lld ns early", when - ns(now));

        /* Periodic every 2 ms, blocked for 100 ms: one signal, overruns. */
        its = (struct kits){ { 0, 2 * MS }, { 0, 2 * MS } };
        EXPECT_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
        sleep_ms(100);
        wait_for(SIG, &info);
        EXPECT_EQ(info.si_timerid, id);
        CHECK(info.si_overrun >= 10, "si_overrun %d after 100 ms of a 2 ms timer", info.si_overrun);
        EXPECT_RET(syscall(SYS_timer_getoverrun, id), info.si_overrun);
        its = (struct kits){ { 0, 0 }, { 0, 0 } };
        EXPECT_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
        /* A signal queued just before the disarm, if any, goes now. */
        struct timespec zero = { 0, 0 };
        syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, 8);

        /* SIGEV_NONE: keeps time, sends nothing. */
        ev.sigev_notify = SIGEV_NONE;
        EXPECT_OK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id2));
        its = (struct kits){ { 0, 0 }, { 0, 10 * MS } };
        EXPECT_OK(syscall(SYS_timer_settime, id2, 0, &its, NULL));
        sleep_ms(30);
        EXPECT_OK(syscall(SYS_timer_gettime, id2, &its));
        EXPECT_EQ(ns(its.value), 0);
        EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, 8), EAGAIN);

        /* Not inherited. */
        pid_t pid = fork();
        if (pid == 0) {
                int cid = -1;

                if (syscall(SYS_timer_gettime, id, &its) != -1 || errno != EINVAL)
                        _exit(2);
                if (syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &cid) != 0 || cid != 0)
                        _exit(3);
                _exit(0);
        }
        CHECK(pid > 0, "fork: %s", test_errname(errno));
        EXPECT_RET(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(status, 0);
        EXPECT_OK(syscall(SYS_timer_gettime, id, &its));
        return TEST_PASS;
}
