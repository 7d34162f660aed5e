/* ITIMER_REAL and alarm: SIGALRM arrives and interrupts pause(); periodic
 * timers repeat; getitimer and alarm report what is left. */
#include <signal.h>
#include <sys/time.h>

#include "test.h"

static volatile int alarms;

static void on_alarm(int signo)
{
        (void)signo;
        alarms++;
}

int main(void)
{
        struct itimerval it = { .it_value = { 0, 50000 } }, got;

        signal(SIGALRM, on_alarm);

        /* One shot: pause() returns EINTR once the handler ran. */
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        EXPECT_OK(getitimer(ITIMER_REAL, &got));
        CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_usec > 0 && got.it_value.tv_usec <= 50000,
              "left %ld.%06ld", (long)got.it_value.tv_sec, (long)got.it_value.tv_usec);
        EXPECT_ERRNO(pause(), EINTR);
        EXPECT_EQ(alarms, 1);
        EXPECT_OK(getitimer(ITIMER_REAL, &got));
        EXPECT_EQ(got.it_value.tv_sec + got.it_value.tv_usec, 0);

        /* Periodic: three expiries, then disarmed. */
        it.it_interval = (struct timeval){ 0, 20000 };
        it.it_value = (struct timeval){ 0, 20000 };
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        while (alarms < 4)
                pause();
        it = (struct itimerval){ 0 };
        EXPECT_OK(setitimer(ITIMER_REAL, &it, &got));
        EXPECT_EQ(got.it_interval.tv_usec, 20000);
        EXPECT_EQ(alarms, 4);

        /* alarm: returns the seconds left of the previous one. */
        EXPECT_EQ(alarm(10), 0);
        EXPECT_EQ(alarm(0), 10);
        EXPECT_EQ(alarms, 4);

        /* Bad arguments. */
        it.it_value.tv_usec = 1000000;
        EXPECT_ERRNO(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
        EXPECT_ERRNO(setitimer(42, &it, NULL), EINVAL);
        EXPECT_ERRNO(getitimer(42, &got), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getitimer, ITIMER_REAL, (void *)16), EFAULT);
        return 0;
}
