/* MSG_OOB on AF_UNIX streams (Linux >= 5.15 with CONFIG_AF_UNIX_OOB): the
 * last byte of a MSG_OOB send is urgent; a normal read stops at it
 * (SIOCATMARK) and skips it; recv(MSG_OOB) takes it (EINVAL when there is
 * none or with SO_OOBINLINE, which leaves it inline); EPOLLPRI while one
 * waits; a newer urgent byte turns the older one into normal data.
 * Datagram and seqpacket sockets refuse MSG_OOB (EOPNOTSUPP). */
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "test.h"

static int atmark(int fd)
{
        int v = -1;

        if (ioctl(fd, SIOCATMARK, &v) < 0)
                FAIL("SIOCATMARK: %s", test_errname(errno));
        return v;
}

static int inq(int fd)
{
        int v = -1;

        if (ioctl(fd, FIONREAD, &v) < 0)
                FAIL("FIONREAD: %s", test_errname(errno));
        return v;
}

static short revents(int fd)
{
        struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };

        if (poll(&p, 1, 0) < 0)
                FAIL("poll: %s", test_errname(errno));
        return p.revents;
}

int main(void)
{
        char buf[16];
        struct msghdr mh = { 0 };
        struct iovec iov = { buf, sizeof(buf) };
        int sv[2], dg[2], one = 1, r;

        EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        r = (int)send(sv[0], "x", 1, MSG_OOB);
        if (r < 0 && errno == EOPNOTSUPP)
                test_skip("kernel without CONFIG_AF_UNIX_OOB");
        EXPECT_EQ(r, 1);
        EXPECT_EQ(revents(sv[1]), POLLIN | POLLPRI);
        EXPECT_EQ(atmark(sv[1]), 1);
        EXPECT_EQ(inq(sv[1]), 1);
        /* Peek, then take it; recv(MSG_OOB) does not wait. */
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), MSG_OOB | MSG_PEEK), 1);
        EXPECT_EQ(buf[0], 'x');
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        EXPECT_RET(recvmsg(sv[1], &mh, MSG_OOB), 1);
        EXPECT_EQ(buf[0], 'x');
        EXPECT_EQ(mh.msg_flags, MSG_OOB);
        EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_OOB), EINVAL);
        EXPECT_EQ(revents(sv[1]) & POLLPRI, 0);
        EXPECT_EQ(inq(sv[1]), 0);
        EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

        /* "abc" then urgent "d", then "ef": a read stops before the mark. */
        EXPECT_RET(send(sv[0], "abcd", 4, MSG_OOB), 4);
        EXPECT_RET(send(sv[0], "ef", 2, 0), 2);
        EXPECT_EQ(atmark(sv[1]), 0);
        EXPECT_EQ(inq(sv[1]), 6);
        EXPECT_EQ(revents(sv[1]), POLLIN | POLLPRI);
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 3);
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), 0), 3);
        EXPECT_TRUE(memcmp(buf, "abc", 3) == 0);
        EXPECT_EQ(atmark(sv[1]), 1);
        /* At the mark, a normal read skips the urgent byte. */
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 2);
        EXPECT_TRUE(memcmp(buf, "ef", 2) == 0);
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), 0), 2);
        EXPECT_TRUE(memcmp(buf, "ef", 2) == 0);
        EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_OOB), EINVAL);
        EXPECT_EQ(revents(sv[1]), 0);

        /* The urgent byte read out of band: data on both sides stays apart.
         * (A fresh pair: Linux 6.18's FIONREAD keeps counting a skipped
         * urgent byte.) */
        EXPECT_OK(close(sv[0]));
        EXPECT_OK(close(sv[1]));
        EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        EXPECT_RET(send(sv[0], "gh", 2, MSG_OOB), 2);
        EXPECT_EQ(inq(sv[1]), 2);
        EXPECT_RET(send(sv[0], "ij", 2, 0), 2);
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), MSG_OOB), 1);
        EXPECT_EQ(buf[0], 'h');
        EXPECT_EQ(inq(sv[1]), 3);
        EXPECT_EQ(atmark(sv[1]), 0);
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), 0), 1);
        EXPECT_EQ(buf[0], 'g');
        EXPECT_EQ(atmark(sv[1]), 1);
        EXPECT_EQ(inq(sv[1]), 2);
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), 0), 2);
        EXPECT_TRUE(memcmp(buf, "ij", 2) == 0);

        /* A second urgent byte: the first becomes normal data. */
        EXPECT_RET(send(sv[0], "k", 1, MSG_OOB), 1);
        EXPECT_RET(send(sv[0], "l", 1, MSG_OOB), 1);
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), MSG_OOB), 1);
        EXPECT_EQ(buf[0], 'l');
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), 0), 1);
        EXPECT_EQ(buf[0], 'k');
        EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

        /* SO_OOBINLINE: the urgent byte is read in line; MSG_OOB is EINVAL. */
        EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_OOBINLINE, &one, sizeof(one)));
        EXPECT_RET(send(sv[0], "mn", 2, MSG_OOB), 2);
        EXPECT_EQ(revents(sv[1]), POLLIN | POLLPRI);
        EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_OOB), EINVAL);
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), 0), 1);
        EXPECT_EQ(buf[0], 'm');
        EXPECT_EQ(atmark(sv[1]), 1);
        EXPECT_RET(recv(sv[1], buf, sizeof(buf), 0), 1);
        EXPECT_EQ(buf[0], 'n');
        EXPECT_EQ(revents(sv[1]), 0);

        /* An empty MSG_OOB send has no byte to mark. */
        EXPECT_ERRNO(send(sv[0], "", 0, MSG_OOB), EOPNOTSUPP);
        EXPECT_OK(close(sv[0]));
        EXPECT_OK(close(sv[1]));

        EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
        EXPECT_ERRNO(send(dg[0], "x", 1, MSG_OOB), EOPNOTSUPP);
        EXPECT_ERRNO(recv(dg[1], buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT), EOPNOTSUPP);
        EXPECT_OK(close(dg[0]));
        EXPECT_OK(close(dg[1]));
        EXPECT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, dg));
        EXPECT_ERRNO(send(dg[0], "x", 1, MSG_OOB), EOPNOTSUPP);
        EXPECT_OK(close(dg[0]));
        EXPECT_OK(close(dg[1]));
        return 0;
}
