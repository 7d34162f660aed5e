/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX message queues, waiting: a receiver waits for a message and a sender
 * for room; absolute CLOCK_REALTIME timeouts (ETIMEDOUT, also when already
 * past; EINVAL for a bad one); a handled signal restarts the wait with
 * SA_RESTART and is EINTR without it; epoll sees the queue become
 * readable. */
#include <sys/epoll.h>

#include "mq-test.h"

static int fd;
static volatile sig_atomic_t got_signal;

static void on_usr1(int sig)
{
        (void)sig;
        got_signal = 1;
}

static void child_receives(void *arg)
{
        char buf[64];
        unsigned prio;

        (void)arg;
        EXPECT_RET(mq_recv_raw(fd, buf, sizeof(buf), &prio), 5);
        CHECK(memcmp(buf, "hello", 5) == 0, "got %.5s", buf);
        EXPECT_EQ(prio, 7);
        EXPECT_EQ(got_signal, 1);       /* SA_RESTART: the wait went on */
}

static void child_interrupted(void *arg)
{
        char buf[64];

        (void)arg;
        EXPECT_ERRNO(mq_recv_raw(fd, buf, sizeof(buf), NULL), EINTR);
        EXPECT_EQ(got_signal, 1);
}

static void child_sends(void *arg)
{
        (void)arg;
        /* full: waits for the parent to take one */
        EXPECT_OK(mq_send_raw(fd, "late", 4, 0));
}

int main(void)
{
        struct mq_attr attr = { .mq_maxmsg = 2, .mq_msgsize = 64 };
        struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
        struct epoll_event ev = { .events = EPOLLIN }, out;
        struct timespec ts, t0, t1;
        char buf[64];
        pid_t pid;
        int ep;

        ipc_test_setup();
        fd = mq_open_raw("w", O_CREAT | O_RDWR, 0600, &attr);
        CHECK(fd >= 0, "mq_open: %s", test_errname(errno));
        EXPECT_OK(syscall(SYS_mq_unlink, "w"));         /* the fd keeps it */

        /* timeouts */
        ts = mq_abs_ms(100);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        EXPECT_ERRNO(syscall(SYS_mq_timedreceive, fd, buf, sizeof(buf), NULL, &ts), ETIMEDOUT);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        CHECK(ms >= 90, "timed out after %ld ms", ms);
        ts = mq_abs_ms(-1000);
        EXPECT_ERRNO(syscall(SYS_mq_timedreceive, fd, buf, sizeof(buf), NULL, &ts), ETIMEDOUT);
        ts.tv_nsec = 1000000000L;
        EXPECT_ERRNO(syscall(SYS_mq_timedreceive, fd, buf, sizeof(buf), NULL, &ts), EINVAL);
        EXPECT_ERRNO(syscall(SYS_mq_timedreceive, fd, buf, sizeof(buf), NULL, (void *)8), EFAULT);
        /* a message there: the past timeout does not matter */
        EXPECT_OK(mq_send_raw(fd, "now", 3, 0));
        ts = mq_abs_ms(-1000);
        EXPECT_RET(syscall(SYS_mq_timedreceive, fd, buf, sizeof(buf), NULL, &ts), 3);

        /* epoll: readable once a message comes */
        ep = (int)EXPECT_OK(epoll_create1(0));
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
        EXPECT_RET(epoll_wait(ep, &out, 1, 0), 0);

        /* a receiver waits; a signal with SA_RESTART does not end the wait */
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        pid = ipc_spawn(child_receives, NULL);
        ipc_sleep_ms(50);
        EXPECT_OK(kill(pid, SIGUSR1));
        ipc_sleep_ms(50);
        EXPECT_OK(mq_send_raw(fd, "hello", 5, 7));
        ipc_reap(pid);
        EXPECT_RET(epoll_wait(ep, &out, 1, 0), 0);      /* the child took it */

        /* without SA_RESTART: EINTR */
        sa.sa_flags = 0;
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        pid = ipc_spawn(child_interrupted, NULL);
        ipc_signal_until_exit(pid, SIGUSR1);

        /* a sender waits for room */
        EXPECT_OK(mq_send_raw(fd, "1", 1, 0));
        EXPECT_RET(epoll_wait(ep, &out, 1, 1000), 1);
        EXPECT_EQ(out.events, EPOLLIN);
        EXPECT_OK(mq_send_raw(fd, "2", 1, 0));
        ts = mq_abs_ms(50);
        EXPECT_ERRNO(syscall(SYS_mq_timedsend, fd, "3", 1, 0, &ts), ETIMEDOUT);
        pid = ipc_spawn(child_sends, NULL);
        ipc_sleep_ms(50);
        EXPECT_RET(mq_recv_raw(fd, buf, sizeof(buf), NULL), 1);
        ipc_reap(pid);
        EXPECT_RET(mq_recv_raw(fd, buf, sizeof(buf), NULL), 1);
        EXPECT_RET(mq_recv_raw(fd, buf, sizeof(buf), NULL), 4);
        CHECK(memcmp(buf, "late", 4) == 0, "got %.4s", buf);
        EXPECT_OK(close(ep));
        EXPECT_OK(close(fd));
        return 0;
}
