/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX message queues, mq_notify: SIGEV_SIGNAL sends the signal (SI_MESGQ,
 * the value, the sender) when a message reaches an empty queue, once; one
 * process at a time (EBUSY), unregistered with NULL; SIGEV_NONE registers
 * without a signal; the status line shows the registration; SIGEV_THREAD's
 * fd must be a netlink socket; errnos. */
#include <sys/socket.h>

#include "mq-test.h"

static int fd;

static void child_busy(void *arg)
{
        struct sigevent sev = { .sigev_notify = SIGEV_NONE };

        (void)arg;
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EBUSY);
        EXPECT_OK(syscall(SYS_mq_notify, fd, NULL));    /* not ours: nothing */
}

static void child_registers(void *arg)
{
        struct sigevent sev = { .sigev_notify = SIGEV_NONE };

        (void)arg;
        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));
        /* and exits: the registration goes with it */
}

static void status(char *buf, size_t len)
{
        long n = pread(fd, buf, len - 1, 0);

        CHECK(n > 0, "pread: %s", test_errname(errno));
        buf[n] = 0;
}

int main(void)
{
        struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
        struct timespec zero = { 0, 0 };
        char buf[128], want[128], cookie[32] = { 0 };
        sigset_t set;
        siginfo_t si;
        int p[2], sv[2];

        ipc_test_setup();
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
        fd = mq_open_raw("n", O_CREAT | O_RDWR | O_NONBLOCK, 0600, NULL);
        CHECK(fd >= 0, "mq_open: %s", test_errname(errno));

        sev.sigev_value.sival_int = 1234;
        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));
        status(buf, sizeof(buf));
        snprintf(want, sizeof(want), "QSIZE:%-10d NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", 0,
                 SIGEV_SIGNAL, SIGUSR1, getpid());
        CHECK(strcmp(buf, want) == 0, "status \"%s\"", buf);
        ipc_reap(ipc_spawn(child_busy, NULL));

        EXPECT_OK(mq_send_raw(fd, "m", 1, 0));
        EXPECT_RET(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), SIGUSR1);
        EXPECT_EQ(si.si_code, SI_MESGQ);
        EXPECT_EQ(si.si_value.sival_int, 1234);
        EXPECT_EQ(si.si_pid, getpid());
        EXPECT_EQ(si.si_uid, getuid());
        /* once: the registration is gone */
        status(buf, sizeof(buf));
        snprintf(want, sizeof(want), "QSIZE:%-10d NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", 1, 0,
                 0, 0);
        CHECK(strcmp(buf, want) == 0, "status \"%s\"", buf);
        EXPECT_RET(mq_recv_raw(fd, buf, 8192, NULL), 1);
        EXPECT_OK(mq_send_raw(fd, "m", 1, 0));
        EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), EAGAIN);

        /* only an empty queue notifies */
        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));
        EXPECT_OK(mq_send_raw(fd, "m", 1, 0));
        EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), EAGAIN);
        EXPECT_RET(mq_recv_raw(fd, buf, 8192, NULL), 1);
        EXPECT_RET(mq_recv_raw(fd, buf, 8192, NULL), 1);
        /* unregistered: nothing */
        EXPECT_OK(syscall(SYS_mq_notify, fd, NULL));
        EXPECT_OK(mq_send_raw(fd, "m", 1, 0));
        EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), EAGAIN);
        EXPECT_RET(mq_recv_raw(fd, buf, 8192, NULL), 1);

        /* SIGEV_NONE: registered, no signal; signal 0 likewise */
        sev.sigev_notify = SIGEV_NONE;
        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EBUSY);
        EXPECT_OK(mq_send_raw(fd, "m", 1, 0));
        EXPECT_RET(mq_recv_raw(fd, buf, 8192, NULL), 1);
        sev.sigev_notify = SIGEV_SIGNAL;
        sev.sigev_signo = 0;
        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));    /* the last message ended SIGEV_NONE's */
        EXPECT_OK(mq_send_raw(fd, "m", 1, 0));
        EXPECT_ERRNO(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), EAGAIN);
        EXPECT_RET(mq_recv_raw(fd, buf, 8192, NULL), 1);

        /* a registration ends with its process */
        ipc_reap(ipc_spawn(child_registers, NULL));
        sev.sigev_signo = SIGUSR1;
        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));
        EXPECT_OK(syscall(SYS_mq_notify, fd, NULL));

        /* errnos */
        sev.sigev_notify = 99;
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EINVAL);
        sev.sigev_notify = SIGEV_SIGNAL;
        sev.sigev_signo = 65;
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EINVAL);
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, (void *)8), EFAULT);
        EXPECT_ERRNO(syscall(SYS_mq_notify, -1, NULL), EBADF);
        EXPECT_OK(pipe(p));
        EXPECT_ERRNO(syscall(SYS_mq_notify, p[0], NULL), EBADF);
        /* SIGEV_THREAD: sigev_signo is a netlink socket, checked before mqdes */
        sev.sigev_notify = SIGEV_THREAD;
        sev.sigev_value.sival_ptr = cookie;
        sev.sigev_signo = p[0];
        EXPECT_ERRNO(syscall(SYS_mq_notify, -1, &sev), ENOTSOCK);
        EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
        sev.sigev_signo = sv[0];
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EINVAL);
        sev.sigev_signo = 1000;
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EBADF);
        sev.sigev_value.sival_ptr = (void *)8;
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EFAULT);
        EXPECT_OK(close(fd));
        EXPECT_OK(syscall(SYS_mq_unlink, "n"));
        return 0;
}
