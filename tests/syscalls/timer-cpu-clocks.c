/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Timers on CPU time: a CLOCK_PROCESS_CPUTIME_ID and a
 * CLOCK_THREAD_CPUTIME_ID timer, ITIMER_PROF and ITIMER_VIRTUAL expire only
 * once the process has computed for their time (not while it sleeps), and
 * getitimer shows what is left (Linux rounds it up to a tick: up to 10 ms
 * more). An unknown itimer is EINVAL.
 */
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "test.h"

#define MS 1000000LL

static long long clock_ns(clockid_t id)
{
        struct timespec ts;

        if (syscall(SYS_clock_gettime, id, &ts) != 0)
                FAIL("clock_gettime: %s", test_errname(errno));
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile unsigned long sink;

static int pending(int signo)
{
        sigset_t set;

        if (syscall(SYS_rt_sigpending, &set, 8) != 0)
                FAIL("rt_sigpending: %s", test_errname(errno));
        return sigismember(&set, signo);
}

/* Compute until signo is pending (10 s of wall time at most); the CPU
 * time used by then. */
static long long burn_until(int signo)
{
        long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID), wall = clock_ns(CLOCK_MONOTONIC);

        while (!pending(signo)) {
                for (int i = 0; i < 200000; i++)
                        sink += (unsigned long)i;
                if (clock_ns(CLOCK_MONOTONIC) - wall > 10000 * MS)
                        FAIL("signal %d not pending after 10 s (%lld ns CPU)", signo,
                             clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start);
        }
        return clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start;
}

static void take(int signo, int code)
{
        struct timespec zero = { 0, 0 };
        siginfo_t info;
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, signo);
        EXPECT_RET(syscall(SYS_rt_sigtimedwait, &set, &info, &zero, 8), signo);
        EXPECT_EQ(info.si_code, code);
}

static void posix_cpu_timer(clockid_t clock)
{
        struct { struct timespec interval, value; } its = { { 0, 0 }, { 0, 60 * MS } };
        struct timespec nap = { 0, 100 * MS };
        struct sigevent ev;
        long long used;
        int id;

        memset(&ev, 0, sizeof(ev));
        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = SIGUSR1;
        EXPECT_OK(syscall(SYS_timer_create, clock, &ev, &id));
        EXPECT_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
        /* Sleeping uses no CPU time. */
        EXPECT_OK(syscall(SYS_nanosleep, &nap, NULL));
        CHECK(!pending(SIGUSR1), "CPU timer of clock %d fired during a sleep", (int)clock);
        EXPECT_OK(syscall(SYS_timer_gettime, id, &its));
        CHECK(its.value.tv_nsec > 30 * MS, "%ld ns left after a sleep", its.value.tv_nsec);
        used = burn_until(SIGUSR1);
        CHECK(used >= 30 * MS, "fired after %lld ns of CPU", used);
        take(SIGUSR1, SI_TIMER);
        EXPECT_OK(syscall(SYS_timer_delete, id));
}

static void itimer(int which, int signo)
{
        struct itimerval v = { { 0, 0 }, { 0, 60000 } }, g;
        struct timespec nap = { 0, 100 * MS };
        long long used;

        EXPECT_OK(syscall(SYS_setitimer, which, &v, NULL));
        EXPECT_OK(syscall(SYS_nanosleep, &nap, NULL));
        CHECK(!pending(signo), "itimer %d fired during a sleep", which);
        EXPECT_OK(syscall(SYS_getitimer, which, &g));
        CHECK(g.it_value.tv_sec == 0 && g.it_value.tv_usec > 30000 && g.it_value.tv_usec <= 70000,
              "getitimer(%d): %ld.%06ld left", which, (long)g.it_value.tv_sec,
              (long)g.it_value.tv_usec);
        used = burn_until(signo);
        CHECK(used >= 30 * MS, "itimer %d fired after %lld ns of CPU", which, used);
        take(signo, SI_KERNEL);
        EXPECT_OK(syscall(SYS_getitimer, which, &g));
        EXPECT_EQ(g.it_value.tv_sec * 1000000 + g.it_value.tv_usec, 0);
}

int main(void)
{
        struct itimerval v;
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigaddset(&set, SIGPROF);
        sigaddset(&set, SIGVTALRM);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
        EXPECT_ERRNO(syscall(SYS_getitimer, 3, &v), EINVAL);
        EXPECT_ERRNO(syscall(SYS_setitimer, -1, &v, NULL), EINVAL);

        posix_cpu_timer(CLOCK_PROCESS_CPUTIME_ID);
        posix_cpu_timer(CLOCK_THREAD_CPUTIME_ID);
        itimer(ITIMER_PROF, SIGPROF);
        itimer(ITIMER_VIRTUAL, SIGVTALRM);
        return TEST_PASS;
}
