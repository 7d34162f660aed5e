/* Thread pidfds: pidfd_open of a non-leader thread is ENOENT (Linux 6.15+;
 * EINVAL before) without
 * PIDFD_THREAD; with it, signals go to that thread (SI_TKILL), and the
 * pidfd becomes readable when that thread exits while the process lives. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "test.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

static atomic_int tid, got_tid, got_code, go;

static void on_usr1(int signo, siginfo_t *si, void *uc)
{
        (void)signo;
        (void)uc;
        atomic_store(&got_code, si->si_code);
        atomic_store(&got_tid, gettid());
}

static void *worker(void *arg)
{
        (void)arg;
        atomic_store(&tid, gettid());
        while (!atomic_load(&go))
                usleep(1000);
        return NULL;
}

int main(void)
{
        struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
        struct pollfd pfd;
        pthread_t th;
        int fd, self;

        alarm(20);
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        EXPECT_EQ(pthread_create(&th, NULL, worker, NULL), 0);
        while (!atomic_load(&tid))
                usleep(1000);

        EXPECT_ERRNO(syscall(SYS_pidfd_open, atomic_load(&tid), 0), ENOENT);
        fd = EXPECT_OK(syscall(SYS_pidfd_open, atomic_load(&tid), PIDFD_THREAD));
        self = EXPECT_OK(syscall(SYS_pidfd_open, getpid(), PIDFD_THREAD));
        pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
        EXPECT_RET(poll(&pfd, 1, 0), 0);

        /* To that thread, as tgkill would. */
        EXPECT_RET(syscall(SYS_pidfd_send_signal, fd, SIGUSR1, NULL, 0), 0);
        for (int i = 0; i < 5000 && !atomic_load(&got_tid); i++)
                usleep(1000);
        EXPECT_EQ(atomic_load(&got_tid), atomic_load(&tid));
        EXPECT_EQ(atomic_load(&got_code), SI_TKILL);

        /* It exits; the process does not. */
        atomic_store(&go, 1);
        EXPECT_EQ(pthread_join(th, NULL), 0);
        EXPECT_RET(poll(&pfd, 1, 5000), 1);
        CHECK(pfd.revents & POLLIN, "revents %#x", pfd.revents);
        pfd.fd = self;
        EXPECT_RET(poll(&pfd, 1, 0), 0);
        EXPECT_ERRNO(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0), ESRCH);
        EXPECT_RET(syscall(SYS_pidfd_send_signal, self, 0, NULL, 0), 0);
        return 0;
}
