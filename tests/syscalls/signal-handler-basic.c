/* A handler runs for a signal the process sends itself, with the siginfo
 * Linux fills for raise (tgkill: SI_TKILL), kill (SI_USER) and
 * rt_sigqueueinfo (the caller's own code and value). */
#include <signal.h>
#include <string.h>

#include "test.h"

/* volatile: written by the handler behind the compiler's back. */
static volatile sig_atomic_t calls;
static volatile siginfo_t last;
static void *volatile last_uc;

static void handler(int signo, siginfo_t *info, void *uc)
{
        calls++;
        last = *info;
        last_uc = uc;
        if (signo != info->si_signo)
                FAIL("handler got signo %d but si_signo %d", signo, info->si_signo);
}

int main(void)
{
        struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
        siginfo_t qi;

        sigemptyset(&sa.sa_mask);
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        EXPECT_OK(sigaction(SIGUSR2, &sa, NULL));
        EXPECT_OK(sigaction(SIGRTMIN + 1, &sa, NULL));

        EXPECT_OK(raise(SIGUSR1));
        EXPECT_EQ(calls, 1);
        EXPECT_EQ(last.si_signo, SIGUSR1);
        EXPECT_EQ(last.si_code, SI_TKILL);
        EXPECT_EQ(last.si_pid, getpid());
        EXPECT_EQ(last.si_uid, getuid());
        CHECK(last_uc != NULL, "no ucontext");

        EXPECT_OK(kill(getpid(), SIGUSR2));
        EXPECT_EQ(calls, 2);
        EXPECT_EQ(last.si_signo, SIGUSR2);
        EXPECT_EQ(last.si_code, SI_USER);
        EXPECT_EQ(last.si_pid, getpid());

        memset(&qi, 0, sizeof(qi));
        qi.si_code = SI_QUEUE;
        qi.si_pid = getpid();
        qi.si_uid = getuid();
        qi.si_value.sival_int = 4242;
        EXPECT_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 1, &qi));
        EXPECT_EQ(calls, 3);
        EXPECT_EQ(last.si_signo, SIGRTMIN + 1);
        EXPECT_EQ(last.si_code, SI_QUEUE);
        EXPECT_EQ(last.si_value.sival_int, 4242);

        /* Signal 0 checks only that the target exists. */
        EXPECT_OK(kill(getpid(), 0));
        EXPECT_OK(syscall(SYS_tgkill, getpid(), gettid(), 0));
        EXPECT_EQ(calls, 3);
        /* Bad numbers and targets. */
        EXPECT_ERRNO(kill(getpid(), 65), EINVAL);
        EXPECT_ERRNO(kill(getpid(), -1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_tgkill, 0, gettid(), SIGUSR1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_tgkill, getpid(), 0, SIGUSR1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_tkill, 0, SIGUSR1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_tgkill, getpid(), gettid(), 65), EINVAL);
        EXPECT_ERRNO(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, (void *)16), EFAULT);
        EXPECT_EQ(calls, 3);
        return 0;
}
