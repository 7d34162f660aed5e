/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX message queues: open/create, attributes, priority order (highest
 * first, FIFO within one), sizes (EMSGSIZE), a full or empty queue with
 * O_NONBLOCK (EAGAIN), the status line read(2) gives, poll, unlink while
 * open, and the errnos of mq_open, mq_unlink and mq_getsetattr. */
#include <poll.h>

#include "mq-test.h"

static void recv_expect(int fd, const char *want, unsigned want_prio)
{
        char buf[64] = { 0 };
        unsigned prio = 99;
        long n = mq_recv_raw(fd, buf, sizeof(buf), &prio);

        if (n != (long)strlen(want))
                FAIL("mq_timedreceive: %ld %s, expected \"%s\"", n, n < 0 ? test_errname(errno) : "",
                     want);
        CHECK(memcmp(buf, want, (size_t)n) == 0, "got \"%s\", expected \"%s\"", buf, want);
        EXPECT_EQ(prio, want_prio);
}

int main(void)
{
        struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 64 }, got, bad;
        struct pollfd pfd;
        char buf[128], big[65] = { 0 };
        struct stat st;
        int fd, rd, wr, p[2];

        ipc_test_setup();
        EXPECT_OK(umask(022));
        fd = mq_open_raw("q1", O_CREAT | O_EXCL | O_RDWR, 0666, &attr);
        CHECK(fd >= 0, "mq_open: %s", test_errname(errno));
        EXPECT_OK(mq_attr_raw(fd, NULL, &got));
        EXPECT_EQ(got.mq_maxmsg, 4);
        EXPECT_EQ(got.mq_msgsize, 64);
        EXPECT_EQ(got.mq_curmsgs, 0);
        EXPECT_EQ(got.mq_flags, 0);
        EXPECT_OK(fstat(fd, &st));
        EXPECT_EQ(st.st_mode, S_IFREG | 0644);  /* the umask applies */
        EXPECT_EQ(st.st_uid, geteuid());

        /* priorities */
        pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
        EXPECT_RET(poll(&pfd, 1, 0), 1);
        EXPECT_EQ(pfd.revents, POLLOUT);
        EXPECT_OK(mq_send_raw(fd, "a", 1, 1));
        EXPECT_OK(mq_send_raw(fd, "bb", 2, 5));
        EXPECT_OK(mq_send_raw(fd, "c", 1, 1));
        EXPECT_OK(mq_send_raw(fd, "", 0, 0));
        EXPECT_RET(poll(&pfd, 1, 0), 1);
        EXPECT_EQ(pfd.revents, POLLIN);         /* full: no POLLOUT */
        EXPECT_OK(mq_attr_raw(fd, NULL, &got));
        EXPECT_EQ(got.mq_curmsgs, 4);
        EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 60);
        buf[60] = 0;
        CHECK(strcmp(buf, "QSIZE:4          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n") == 0,
              "status \"%s\"", buf);
        EXPECT_ERRNO(write(fd, "x", 1), EINVAL);

        /* full, non-blocking */
        bad = (struct mq_attr){ .mq_flags = O_NONBLOCK };
        EXPECT_OK(mq_attr_raw(fd, &bad, &got));
        EXPECT_EQ(got.mq_flags, 0);
        EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
        EXPECT_ERRNO(mq_send_raw(fd, "e", 1, 9), EAGAIN);
        EXPECT_ERRNO(mq_send_raw(fd, big, 65, 1), EMSGSIZE);
        EXPECT_ERRNO(mq_send_raw(fd, "e", 1, 32768), EINVAL);
        EXPECT_ERRNO(mq_recv_raw(fd, buf, 63, NULL), EMSGSIZE);

        recv_expect(fd, "bb", 5);
        recv_expect(fd, "a", 1);
        recv_expect(fd, "c", 1);
        recv_expect(fd, "", 0);
        EXPECT_ERRNO(mq_recv_raw(fd, buf, sizeof(buf), NULL), EAGAIN);
        EXPECT_OK(mq_send_raw(fd, "f", 1, 32767));
        EXPECT_ERRNO(mq_recv_raw(fd, (char *)8, sizeof(buf), NULL), EFAULT);    /* and lost */
        EXPECT_ERRNO(mq_recv_raw(fd, buf, sizeof(buf), NULL), EAGAIN);
        bad.mq_flags = 0;
        EXPECT_OK(mq_attr_raw(fd, &bad, &got));
        EXPECT_EQ(got.mq_flags, O_NONBLOCK);
        bad.mq_flags = O_NONBLOCK | O_APPEND;
        EXPECT_ERRNO(mq_attr_raw(fd, &bad, NULL), EINVAL);
        EXPECT_ERRNO(mq_attr_raw(fd, (void *)8, NULL), EFAULT);

        /* access modes */
        rd = mq_open_raw("q1", O_RDONLY, 0, NULL);
        CHECK(rd >= 0, "mq_open: %s", test_errname(errno));
        wr = mq_open_raw("q1", O_WRONLY | O_CREAT, 0600, &attr);        /* exists: attr unused */
        CHECK(wr >= 0, "mq_open: %s", test_errname(errno));
        EXPECT_ERRNO(mq_send_raw(rd, "x", 1, 0), EBADF);
        EXPECT_ERRNO(mq_recv_raw(wr, buf, sizeof(buf), NULL), EBADF);
        EXPECT_OK(mq_send_raw(wr, "x", 1, 0));
        recv_expect(rd, "x", 0);
        EXPECT_ERRNO(mq_open_raw("q1", O_RDWR | O_WRONLY, 0, NULL), EINVAL);
        EXPECT_ERRNO(mq_open_raw("q1", O_CREAT | O_EXCL | O_RDWR, 0600, NULL), EEXIST);
        EXPECT_OK(close(rd));
        EXPECT_OK(close(wr));

        /* not queues */
        EXPECT_OK(pipe(p));
        EXPECT_ERRNO(mq_send_raw(p[1], "x", 1, 0), EBADF);
        EXPECT_ERRNO(mq_attr_raw(p[0], NULL, &got), EBADF);
        EXPECT_ERRNO(mq_send_raw(-1, "x", 1, 0), EBADF);
        EXPECT_ERRNO(mq_send_raw(100, "x", 1, 0), EBADF);

        /* names and attributes */
        EXPECT_ERRNO(mq_open_raw("nope", O_RDWR, 0, NULL), ENOENT);
        EXPECT_ERRNO(mq_open_raw("", O_RDWR | O_CREAT, 0600, NULL), ENOENT);
        EXPECT_ERRNO(mq_open_raw("a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES);
        EXPECT_ERRNO(mq_open_raw(".", O_RDWR | O_CREAT, 0600, NULL), EACCES);
        EXPECT_ERRNO(mq_open_raw("..", O_RDWR, 0, NULL), EACCES);
        memset(buf, 'n', sizeof(buf));
        char longname[300];
        memset(longname, 'n', 256);
        longname[256] = 0;
        EXPECT_ERRNO(mq_open_raw(longname, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG);
        EXPECT_ERRNO(mq_open_raw((char *)8, O_RDWR, 0, NULL), EFAULT);
        EXPECT_ERRNO(mq_open_raw("q2", O_RDWR | O_CREAT, 0600, (void *)8), EFAULT);
        bad = (struct mq_attr){ .mq_maxmsg = 0, .mq_msgsize = 8 };
        EXPECT_ERRNO(mq_open_raw("q2", O_RDWR | O_CREAT, 0600, &bad), EINVAL);
        bad = (struct mq_attr){ .mq_maxmsg = 2, .mq_msgsize = 0 };
        EXPECT_ERRNO(mq_open_raw("q2", O_RDWR | O_CREAT, 0600, &bad), EINVAL);
        bad = (struct mq_attr){ .mq_maxmsg = -1, .mq_msgsize = 8 };
        EXPECT_ERRNO(mq_open_raw("q2", O_RDWR | O_CREAT, 0600, &bad), EINVAL);
        /* the defaults: 10 messages of 8192 bytes */
        int d = mq_open_raw("q2", O_RDWR | O_CREAT | O_CLOEXEC, 0600, NULL);
        CHECK(d >= 0, "mq_open: %s", test_errname(errno));
        EXPECT_EQ(fcntl(d, F_GETFD), FD_CLOEXEC);
        EXPECT_OK(mq_attr_raw(d, NULL, &got));
        EXPECT_EQ(got.mq_maxmsg, 10);
        EXPECT_EQ(got.mq_msgsize, 8192);
        EXPECT_OK(close(d));

        /* unlink: the name goes, the open queue stays */
        EXPECT_OK(syscall(SYS_mq_unlink, "q1"));
        EXPECT_ERRNO(syscall(SYS_mq_unlink, "q1"), ENOENT);
        EXPECT_ERRNO(mq_open_raw("q1", O_RDWR, 0, NULL), ENOENT);
        EXPECT_ERRNO(syscall(SYS_mq_unlink, "a/b"), EACCES);
        EXPECT_ERRNO(syscall(SYS_mq_unlink, ""), ENOENT);
        EXPECT_OK(mq_send_raw(fd, "g", 1, 3));
        recv_expect(fd, "g", 3);
        EXPECT_OK(close(fd));
        EXPECT_OK(syscall(SYS_mq_unlink, "q2"));
        return 0;
}
