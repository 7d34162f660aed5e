/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A new process starts its own accounting: a child forked after another
 * child computed and grew big sees, for itself, almost no CPU time
 * (getrusage RUSAGE_SELF, times, CLOCK_PROCESS_CPUTIME_ID), almost no
 * faults and a small peak RSS, whatever ran before it. (A sandbox that
 * reuses the host process of an exited child must not hand the child's
 * totals on; the pause before the next fork gives it time to make that
 * process ready again.) Several rounds.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>

#include "test.h"

#define MS 1000000LL
#define BIG (32 << 20)

static volatile unsigned long sink;

static long long clock_ns(clockid_t id)
{
        struct timespec ts;

        if (syscall(SYS_clock_gettime, id, &ts) != 0)
                return -1;
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_ns(struct timeval tv)
{
        return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

/* Touches BIG bytes, then computes for 100 ms of its CPU time. */
static void heavy(void)
{
        char *p = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        long long wall = clock_ns(CLOCK_MONOTONIC);

        if (p == MAP_FAILED || start < 0)
                _exit(2);
        for (size_t i = 0; i < BIG; i += 4096)
                p[i] = 1;
        while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start < 100 * MS) {
                for (int i = 0; i < 100000; i++)
                        sink += (unsigned long)i * 7;
                if (clock_ns(CLOCK_MONOTONIC) - wall > 10000 * MS)
                        _exit(3);
        }
        _exit(0);
}

/* Exits 0 when its own totals are a new process's; else says which not. */
static void fresh(void)
{
        struct rusage ru;
        struct tms tm;
        long long cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);

        if (syscall(SYS_getrusage, RUSAGE_SELF, &ru) != 0 || syscall(SYS_times, &tm) < 0 ||
            cpu < 0)
                _exit(10);
        if (cpu > 50 * MS)
                _exit(11);
        if (tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime) > 50 * MS)
                _exit(12);
        if (tm.tms_utime + tm.tms_stime > 5)
                _exit(13);
        if (ru.ru_maxrss >= (BIG >> 10) / 2)
                _exit(14);
        if (ru.ru_minflt >= (BIG >> 12) / 2)
                _exit(15);
        _exit(0);
}

static int run(void (*fn)(void))
{
        int status;
        pid_t pid = fork();

        if (pid < 0)
                FAIL("fork: %s", test_errname(errno));
        if (pid == 0)
                fn();
        if (waitpid(pid, &status, 0) != pid)
                FAIL("waitpid: %s", test_errname(errno));
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
        static const char *const what[] = {
                [10] = "a call failed", [11] = "CLOCK_PROCESS_CPUTIME_ID over 50 ms",
                [12] = "RUSAGE_SELF CPU over 50 ms", [13] = "times() over 5 ticks",
                [14] = "ru_maxrss half the earlier child's", [15] = "ru_minflt half the earlier child's",
        };

        for (int round = 0; round < 4; round++) {
                int st = run(heavy);

                if (st != 0)
                        FAIL("round %d: the computing child exited %d", round, st);
                struct timespec pause = { 0, 50 * MS };
                EXPECT_OK(syscall(SYS_nanosleep, &pause, NULL));
                st = run(fresh);
                if (st >= 10 && st <= 15)
                        FAIL("round %d: the next child's own totals: %s", round, what[st]);
                if (st != 0)
                        FAIL("round %d: the next child exited %d", round, st);
        }
        return TEST_PASS;
}
