/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Across execve: timer_create's timers are deleted, ITIMER_REAL and
 * ITIMER_PROF keep running, and the process's CPU time (the CPU clock,
 * getrusage) goes on from where the old program left it.
 */
#include <signal.h>
#include <sys/resource.h>
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

static int after_exec(int id, long long cpu_before)
{
        struct { struct timespec interval, value; } its;
        struct itimerval v, zero = { { 0, 0 }, { 0, 0 } };
        struct rusage ru;

        EXPECT_ERRNO(syscall(SYS_timer_gettime, id, &its), EINVAL);
        EXPECT_OK(syscall(SYS_getitimer, ITIMER_REAL, &v));
        CHECK(v.it_value.tv_sec > 50, "ITIMER_REAL %ld s left after exec", (long)v.it_value.tv_sec);
        EXPECT_OK(syscall(SYS_getitimer, ITIMER_PROF, &v));
        CHECK(v.it_value.tv_sec > 50, "ITIMER_PROF %ld s left after exec", (long)v.it_value.tv_sec);
        long long cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        CHECK(cpu >= cpu_before, "process CPU clock went back from %lld to %lld", cpu_before, cpu);
        EXPECT_OK(syscall(SYS_getrusage, RUSAGE_SELF, &ru));
        long long ru_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
                          (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
        CHECK(ru_ns >= cpu_before - 20 * MS, "RUSAGE_SELF %lld ns after exec, %lld before", ru_ns,
              cpu_before);
        EXPECT_OK(syscall(SYS_setitimer, ITIMER_REAL, &zero, NULL));
        EXPECT_OK(syscall(SYS_setitimer, ITIMER_PROF, &zero, NULL));
        return TEST_PASS;
}

int main(int argc, char **argv)
{
        struct { struct timespec interval, value; } its = { { 0, 0 }, { 10, 0 } };
        struct itimerval v = { { 0, 0 }, { 100, 0 } };
        struct sigevent ev;
        char ida[16], cpua[32];
        int id;

        if (argc == 3)
                return after_exec(atoi(argv[1]), atoll(argv[2]));
        while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < 100 * MS)
                for (int i = 0; i < 100000; i++)
                        sink += (unsigned long)i;
        memset(&ev, 0, sizeof(ev));
        ev.sigev_notify = SIGEV_NONE;
        EXPECT_OK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
        EXPECT_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
        EXPECT_OK(syscall(SYS_setitimer, ITIMER_REAL, &v, NULL));
        EXPECT_OK(syscall(SYS_setitimer, ITIMER_PROF, &v, NULL));
        snprintf(ida, sizeof(ida), "%d", id);
        snprintf(cpua, sizeof(cpua), "%lld", clock_ns(CLOCK_PROCESS_CPUTIME_ID));
        char *nargv[] = { "timer-exec", ida, cpua, NULL };
        char *envp[] = { NULL };
        syscall(SYS_execve, "/proc/self/exe", nargv, envp);
        FAIL("execve: %s", test_errname(errno));
}
