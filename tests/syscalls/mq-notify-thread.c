/* SPDX-License-Identifier: Apache-2.0 */
/* mq_notify(SIGEV_THREAD): the 32-byte cookie sigev_value points at is
 * copied at registration and queued on the netlink socket in sigev_signo,
 * its last byte NOTIFY_WOKENUP (1) when a message reaches the empty queue
 * and NOTIFY_REMOVED (2) when the registration is dropped (mq_notify NULL,
 * the owner's exit); errnos for the socket; and glibc's mq_notify, whose
 * helper thread reads such a socket and runs the function in a new
 * thread. Natively in a fresh IPC namespace. */
#include <pthread.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "mq-test.h"

#define COOKIE_LEN 32

static int fd, nl;

static void status(char *buf, size_t len)
{
        long n = pread(fd, buf, len - 1, 0);

        CHECK(n > 0, "pread: %s", test_errname(errno));
        buf[n] = 0;
}

static void expect_status_at(int line, int kind, int pid)
{
        char buf[128], want[128];

        status(buf, sizeof(buf));
        snprintf(want, sizeof(want), "QSIZE:%-10d NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", 0,
                 kind, 0, pid);
        CHECK(strcmp(buf, want) == 0, "line %d: status \"%s\"", line, buf);
}

#define expect_status(kind, pid) expect_status_at(__LINE__, kind, pid)

/* The next message on nl: the cookie with its last byte code. */
static void expect_cookie(const unsigned char *cookie, unsigned char code)
{
        unsigned char buf[64], want[COOKIE_LEN];
        struct sockaddr_nl from;
        socklen_t flen = sizeof(from);

        memset(&from, 0xff, sizeof(from));
        EXPECT_RET(syscall(SYS_recvfrom, nl, buf, sizeof(buf), MSG_DONTWAIT, &from, &flen),
                   COOKIE_LEN);
        EXPECT_EQ(flen, sizeof(from));
        EXPECT_EQ(from.nl_family, AF_NETLINK);
        EXPECT_EQ(from.nl_pid, 0);
        memcpy(want, cookie, COOKIE_LEN);
        want[COOKIE_LEN - 1] = code;
        CHECK(memcmp(buf, want, COOKIE_LEN) == 0, "cookie %02x %02x ... %02x", buf[0], buf[1],
              buf[COOKIE_LEN - 1]);
}

static void expect_nothing(void)
{
        char buf[64];

        EXPECT_ERRNO(syscall(SYS_recvfrom, nl, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL),
                     EAGAIN);
}

static unsigned char cookie[COOKIE_LEN];

static void child_registers(void *arg)
{
        struct sigevent *sev = arg;

        EXPECT_OK(syscall(SYS_mq_notify, fd, sev));
}

/* glibc's SIGEV_THREAD. */
static _Atomic int got;
static _Atomic pid_t notify_tid;

static void notified(union sigval v)
{
        notify_tid = (pid_t)syscall(SYS_gettid);
        got = v.sival_int;
}

static void glibc_thread(void)
{
        struct sigevent sev = { .sigev_notify = SIGEV_THREAD };
        mqd_t q = mq_open("/nt-glibc", O_CREAT | O_RDWR, 0600, NULL);

        CHECK(q != (mqd_t)-1, "mq_open: %s", test_errname(errno));
        sev.sigev_notify_function = notified;
        sev.sigev_value.sival_int = 77;
        EXPECT_OK(mq_notify(q, &sev));
        EXPECT_OK(mq_send(q, "x", 1, 0));
        for (int i = 0; i < 500 && got != 77; i++)
                ipc_sleep_ms(10);
        EXPECT_EQ(got, 77);
        CHECK(notify_tid != (pid_t)syscall(SYS_gettid), "the function ran in the caller's thread");
        EXPECT_OK(mq_close(q));
        EXPECT_OK(mq_unlink("/nt-glibc"));
}

int main(void)
{
        struct sigevent sev = { .sigev_notify = SIGEV_THREAD };
        unsigned char saved[COOKIE_LEN];
        char buf[8192];
        int p[2], sv[2], nl2;

        ipc_test_setup();
        fd = mq_open_raw("nt", O_CREAT | O_RDWR | O_NONBLOCK, 0600, NULL);
        CHECK(fd >= 0, "mq_open: %s", test_errname(errno));
        nl = (int)syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        CHECK(nl >= 0, "socket: %s", test_errname(errno));
        for (int i = 0; i < COOKIE_LEN; i++)
                cookie[i] = (unsigned char)(0xa0 + i);
        memcpy(saved, cookie, sizeof(saved));
        sev.sigev_signo = nl;
        sev.sigev_value.sival_ptr = cookie;

        /* Registered: the status line says so; the cookie was copied. */
        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));
        expect_status(SIGEV_THREAD, getpid());
        memset(cookie, 0, sizeof(cookie));
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EBUSY);
        expect_nothing();
        EXPECT_OK(mq_send_raw(fd, "m", 1, 0));
        expect_cookie(saved, 1);
        expect_nothing();
        EXPECT_RET(mq_recv_raw(fd, buf, sizeof(buf), NULL), 1);
        expect_status(0, 0);

        /* Unregistered with NULL: NOTIFY_REMOVED. */
        memcpy(cookie, saved, sizeof(cookie));
        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));
        EXPECT_OK(syscall(SYS_mq_notify, fd, NULL));
        expect_cookie(saved, 2);
        EXPECT_OK(syscall(SYS_mq_notify, fd, NULL));
        expect_nothing();
        EXPECT_OK(mq_send_raw(fd, "m", 1, 0));
        expect_nothing();
        EXPECT_RET(mq_recv_raw(fd, buf, sizeof(buf), NULL), 1);

        /* A registration made by a child ends when it exits. */
        ipc_reap(ipc_spawn(child_registers, &sev));
        expect_status(0, 0);
        expect_cookie(saved, 2);
        expect_nothing();

        /* A SOCK_DGRAM netlink socket, closed before the message comes. */
        nl2 = (int)syscall(SYS_socket, AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
        CHECK(nl2 >= 0, "socket: %s", test_errname(errno));
        sev.sigev_signo = nl2;
        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));
        EXPECT_OK(close(nl2));
        EXPECT_OK(mq_send_raw(fd, "m", 1, 0));
        EXPECT_RET(mq_recv_raw(fd, buf, sizeof(buf), NULL), 1);
        expect_status(0, 0);

        /* Errors: the socket is checked first; a bad queue after it gets
         * nothing queued. */
        sev.sigev_signo = nl;
        EXPECT_ERRNO(syscall(SYS_mq_notify, 1000, &sev), EBADF);
        EXPECT_ERRNO(syscall(SYS_mq_notify, nl, &sev), EBADF);
        expect_nothing();
        EXPECT_OK(pipe(p));
        sev.sigev_signo = p[0];
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), ENOTSOCK);
        EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
        sev.sigev_signo = sv[0];
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EINVAL);
        sev.sigev_signo = 1000;
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EBADF);
        sev.sigev_signo = nl;
        sev.sigev_value.sival_ptr = (void *)8;
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EFAULT);
        expect_status(0, 0);

        glibc_thread();

        EXPECT_OK(close(fd));
        EXPECT_OK(syscall(SYS_mq_unlink, "nt"));
        return 0;
}
