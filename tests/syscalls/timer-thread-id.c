/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A timer with SIGEV_THREAD_ID signals that thread and no other: with the
 * signal blocked everywhere, the target takes it with sigtimedwait while
 * the main thread never sees it pending. Another process's thread is
 * EINVAL. Also per thread: a CLOCK_THREAD_CPUTIME_ID timer follows the
 * creating thread's CPU time, not a computing sibling's, and RUSAGE_THREAD
 * is the caller's own.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "test.h"

#define MS 1000000LL

static atomic_int target_tid;
static atomic_int got_timerid = -1, got_code, done_burning;
static int timer_id;

static void *target(void *arg)
{
        struct timespec to = { 5, 0 };
        siginfo_t info;
        sigset_t set;

        (void)arg;
        target_tid = (int)syscall(SYS_gettid);
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        if (syscall(SYS_rt_sigtimedwait, &set, &info, &to, 8) == SIGUSR1) {
                got_code = info.si_code;
                got_timerid = info.si_timerid;
        }
        return NULL;
}

static volatile unsigned long sink;

static void *burner(void *arg)
{
        struct timespec ts;

        (void)arg;
        /* 200 ms of CPU on this thread. */
        do {
                for (int i = 0; i < 100000; i++)
                        sink += (unsigned long)i;
                syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, &ts);
        } while (ts.tv_sec == 0 && ts.tv_nsec < 200 * MS);
        done_burning = 1;
        return NULL;
}

int main(void)
{
        struct { struct timespec interval, value; } its = { { 0, 0 }, { 0, 20 * MS } };
        struct timespec zero = { 0, 0 }, nap = { 0, MS };
        struct sigevent ev;
        struct rusage ru;
        pthread_t th;
        sigset_t set, pend;
        int id, other;

        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigaddset(&set, SIGUSR2);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
        EXPECT_RET(pthread_create(&th, NULL, target, NULL), 0);
        while (!target_tid)
                syscall(SYS_nanosleep, &nap, NULL);

        memset(&ev, 0, sizeof(ev));
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev.sigev_signo = SIGUSR1;
        ev._sigev_un._tid = target_tid;
        EXPECT_OK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
        timer_id = id;
        EXPECT_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
        EXPECT_RET(pthread_join(th, NULL), 0);
        EXPECT_EQ(got_code, SI_TIMER);
        EXPECT_EQ(got_timerid, id);
        /* Nothing for the main thread, nor for the process. */
        EXPECT_OK(syscall(SYS_rt_sigpending, &pend, 8));
        CHECK(!sigismember(&pend, SIGUSR1), "SIGUSR1 pending in the main thread");
        EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, 8), EAGAIN);

        /* A thread of another process is not ours to signal. */
        int hold[2], status;
        char c;
        EXPECT_OK(pipe(hold));
        pid_t pid = fork();
        if (pid == 0) {
                close(hold[1]);
                _exit(read(hold[0], &c, 1) == 0 ? 0 : 1);
        }
        CHECK(pid > 0, "fork: %s", test_errname(errno));
        ev._sigev_un._tid = pid;
        EXPECT_ERRNO(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &other), EINVAL);
        close(hold[1]);
        EXPECT_RET(waitpid(pid, &status, 0), pid);
        EXPECT_OK(syscall(SYS_timer_delete, id));

        /* Our thread CPU clock does not run with a sibling's computing. */
        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = SIGUSR2;
        EXPECT_OK(syscall(SYS_timer_create, CLOCK_THREAD_CPUTIME_ID, &ev, &id));
        its.value.tv_nsec = 50 * MS;
        EXPECT_OK(syscall(SYS_timer_settime, id, 0, &its, NULL));
        EXPECT_RET(pthread_create(&th, NULL, burner, NULL), 0);
        while (!done_burning) {
                struct timespec d = { 0, 10 * MS };
                syscall(SYS_nanosleep, &d, NULL);
        }
        EXPECT_RET(pthread_join(th, NULL), 0);
        EXPECT_OK(syscall(SYS_rt_sigpending, &pend, 8));
        CHECK(!sigismember(&pend, SIGUSR2), "our thread CPU timer fired on a sibling's time");
        EXPECT_OK(syscall(SYS_getrusage, RUSAGE_THREAD, &ru));
        CHECK(ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec < 150000,
              "RUSAGE_THREAD utime %ld.%06ld includes the sibling's", (long)ru.ru_utime.tv_sec,
              (long)ru.ru_utime.tv_usec);
        EXPECT_OK(syscall(SYS_getrusage, RUSAGE_SELF, &ru));
        CHECK(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000 +
              ru.ru_stime.tv_usec >= 150000, "RUSAGE_SELF lacks the sibling's time");
        EXPECT_OK(syscall(SYS_timer_delete, id));
        return TEST_PASS;
}
