/* A signal handler interrupts nanosleep with EINTR and the time left (even
 * with SA_RESTART: nanosleep is never restarted after a handler). */
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "test.h"

static volatile int alarms;

static void on_alarm(int signo)
{
        (void)signo;
        alarms++;
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
        struct itimerval it = { .it_value = { 0, 50000 } };
        struct timespec req = { 5, 0 }, rem = { 0, 0 };

        sigemptyset(&sa.sa_mask);
        EXPECT_OK(sigaction(SIGALRM, &sa, NULL));
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        EXPECT_ERRNO(nanosleep(&req, &rem), EINTR);
        EXPECT_EQ(alarms, 1);
        CHECK(rem.tv_sec >= 4 && rem.tv_sec < 5, "rem %ld.%09ld", (long)rem.tv_sec, rem.tv_nsec);

        /* clock_nanosleep reports the errno as its result. */
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
        EXPECT_EQ(alarms, 2);

        /* An absolute sleep interrupted by a handler: EINTR too. */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        now.tv_sec += 5;
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, NULL), EINTR);
        EXPECT_EQ(alarms, 3);
        return 0;
}
