/* signalfd: blocked signals read as records; poll readiness; changing the
 * mask; a timer's SIGALRM waking a blocking read. */
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/time.h>

#include "test.h"

int main(void)
{
        struct signalfd_siginfo ssi[2];
        struct itimerval it = { .it_value = { 0, 20000 } };
        struct pollfd pfd;
        sigset_t mask;
        int fd;

        sigemptyset(&mask);
        sigaddset(&mask, SIGUSR1);
        sigaddset(&mask, SIGALRM);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &mask, NULL));
        fd = EXPECT_OK(signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));

        EXPECT_ERRNO(read(fd, ssi, sizeof(ssi)), EAGAIN);
        pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
        EXPECT_RET(poll(&pfd, 1, 0), 0);
        EXPECT_OK(raise(SIGUSR1));
        EXPECT_RET(poll(&pfd, 1, 0), 1);
        EXPECT_RET(read(fd, ssi, sizeof(ssi)), (long)sizeof(ssi[0]));
        EXPECT_EQ(ssi[0].ssi_signo, SIGUSR1);
        EXPECT_EQ(ssi[0].ssi_code, SI_TKILL);
        EXPECT_EQ(ssi[0].ssi_pid, getpid());
        EXPECT_ERRNO(read(fd, ssi, 10), EINVAL);

        /* A blocking signalfd woken by a timer. */
        EXPECT_OK(signalfd(fd, &mask, 0));     /* same mask, existing fd */
        {
                int b = EXPECT_OK(signalfd(-1, &mask, 0));

                EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
                EXPECT_RET(read(b, ssi, sizeof(ssi)), (long)sizeof(ssi[0]));
                EXPECT_EQ(ssi[0].ssi_signo, SIGALRM);
                EXPECT_EQ(ssi[0].ssi_code, SI_KERNEL);
        }

        /* Argument checks. */
        EXPECT_ERRNO(syscall(SYS_signalfd4, -1, &mask, 4, 0), EINVAL);
        EXPECT_ERRNO(signalfd(-1, &mask, 0x1), EINVAL);
        EXPECT_ERRNO(signalfd(0, &mask, 0), EINVAL);
        return 0;
}
