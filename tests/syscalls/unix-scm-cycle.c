/* Sockets passed inside themselves (an SCM_RIGHTS cycle) are collected once
 * nothing outside can reach them: the other end of a socket caught in the
 * cycle then sees EOF. Linux collects when a unix socket is released and
 * may do it asynchronously, so the test releases one and polls. */
#include <poll.h>
#include <sys/socket.h>

#include "test.h"

static int send_fds(int sock, const int *fds, int n)
{
        char ctl[CMSG_SPACE(sizeof(int) * 4)];
        struct iovec iov = { "x", 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                             .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        memset(ctl, 0, sizeof(ctl));
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
        return (int)syscall(SYS_sendmsg, sock, &mh, 0);
}

int main(void)
{
        int a[2], w[2], b[2], t[2];
        struct pollfd pfd;
        char buf[4];

        /* a[1]'s queue holds a[0], a[1] and w[0]: a cycle with a witness. */
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, a));
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, w));
        {
                int fds[3] = { a[0], a[1], w[0] };

                EXPECT_EQ(send_fds(a[0], fds, 3), 1);
        }
        /* A second cycle through two sockets: b[1] holds t[0] (whose queue
         * holds b[0]). */
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, b));
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, t));
        EXPECT_EQ(send_fds(t[1], &b[0], 1), 1);         /* into t[0]'s queue */
        EXPECT_EQ(send_fds(b[0], &t[0], 1), 1);         /* into b[1]'s queue */
        close(a[0]);
        close(a[1]);
        close(w[0]);
        close(b[0]);
        close(t[0]);
        close(t[1]);
        close(b[1]);

        /* Nothing reaches them now. Any release runs the collector. */
        for (int i = 0; i < 50; i++) {
                int x[2];

                EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, x));
                close(x[0]);
                close(x[1]);
                pfd = (struct pollfd){ .fd = w[1], .events = POLLIN };
                if (syscall(SYS_poll, &pfd, 1, 100) == 1)
                        break;
        }
        pfd = (struct pollfd){ .fd = w[1], .events = POLLIN };
        EXPECT_EQ(syscall(SYS_poll, &pfd, 1, 0), 1);
        CHECK(pfd.revents & POLLHUP, "revents %#x", pfd.revents);
        EXPECT_EQ(syscall(SYS_read, w[1], buf, sizeof(buf)), 0);
        close(w[1]);
        return 0;
}
