/* sigsuspend swaps the mask while it waits and puts it back after the
 * handler; sigtimedwait takes blocked signals without a handler running. */
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "test.h"

static volatile int alarms, blocked_in_handler;

static void on_alarm(int signo)
{
        sigset_t cur;

        (void)signo;
        alarms++;
        sigprocmask(SIG_BLOCK, NULL, &cur);
        blocked_in_handler = sigismember(&cur, SIGUSR2);
}

int main(void)
{
        struct itimerval it = { .it_value = { 0, 30000 } };
        struct timespec ts = { 0, 20000000 };
        sigset_t block, wait_mask, cur;
        siginfo_t info;

        signal(SIGALRM, on_alarm);
        sigemptyset(&block);
        sigaddset(&block, SIGALRM);
        sigaddset(&block, SIGUSR1);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &block, NULL));

        /* sigsuspend with a mask that lets SIGALRM in but holds SIGUSR2. */
        sigemptyset(&wait_mask);
        sigaddset(&wait_mask, SIGUSR2);
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        EXPECT_ERRNO(sigsuspend(&wait_mask), EINTR);
        EXPECT_EQ(alarms, 1);
        EXPECT_EQ(blocked_in_handler, 1);
        EXPECT_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
        EXPECT_EQ(sigismember(&cur, SIGALRM), 1);
        EXPECT_EQ(sigismember(&cur, SIGUSR2), 0);

        /* sigtimedwait: a pending blocked signal is taken at once. */
        EXPECT_OK(raise(SIGUSR1));
        EXPECT_EQ(sigtimedwait(&block, &info, &ts), SIGUSR1);
        /* glibc shows raise()'s SI_TKILL as SI_USER here. */
        EXPECT_EQ(info.si_code, SI_USER);
        /* Nothing pending: EAGAIN after the timeout. */
        EXPECT_ERRNO(sigtimedwait(&block, &info, &ts), EAGAIN);
        /* A timer's SIGALRM, blocked, wakes the waiter; no handler runs. */
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        EXPECT_EQ(sigwaitinfo(&block, &info), SIGALRM);
        EXPECT_EQ(info.si_code, SI_KERNEL);
        EXPECT_EQ(alarms, 1);
        ts.tv_nsec = 1000000000;
        EXPECT_ERRNO(sigtimedwait(&block, &info, &ts), EINVAL);
        return 0;
}
