/* Readiness of AF_UNIX sockets through poll and epoll: a new pair is
 * writable, not readable; data makes it readable; SHUT_WR on the peer is
 * EPOLLRDHUP and readable; a closed peer is POLLHUP; a listener is readable
 * with a connection to accept; a full send buffer is not writable. */
#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "test.h"

static short revents(int fd, short events)
{
        struct pollfd p = { .fd = fd, .events = events };

        EXPECT_OK(syscall(SYS_poll, &p, 1, 0));
        return p.revents;
}

int main(void)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP }, got;
        char buf[4096];
        socklen_t len;
        int sv[2], ep, l, c;

        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
        EXPECT_EQ(revents(sv[0], POLLIN | POLLOUT), POLLOUT);
        ep = (int)EXPECT_OK(syscall(SYS_epoll_create1, 0));
        ev.data.fd = sv[0];
        EXPECT_OK(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, sv[0], &ev));
        EXPECT_EQ(syscall(SYS_epoll_wait, ep, &got, 1, 0), 0);
        EXPECT_EQ(syscall(SYS_write, sv[1], "x", 1), 1);
        EXPECT_EQ(revents(sv[0], POLLIN | POLLOUT), POLLIN | POLLOUT);
        EXPECT_EQ(syscall(SYS_epoll_wait, ep, &got, 1, 0), 1);
        EXPECT_EQ(got.events, EPOLLIN);
        EXPECT_EQ(syscall(SYS_read, sv[0], buf, sizeof(buf)), 1);
        EXPECT_OK(syscall(SYS_shutdown, sv[1], SHUT_WR));
        EXPECT_EQ(syscall(SYS_epoll_wait, ep, &got, 1, 1000), 1);
        EXPECT_EQ(got.events, EPOLLIN | EPOLLRDHUP);
        close(sv[1]);
        EXPECT_EQ(revents(sv[0], POLLIN | POLLOUT) & (POLLIN | POLLHUP), POLLIN | POLLHUP);
        close(ep);
        close(sv[0]);

        /* A full send buffer: not writable until the peer reads. */
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
        memset(buf, 'z', sizeof(buf));
        while (syscall(SYS_write, sv[0], buf, sizeof(buf)) > 0)
                ;
        EXPECT_EQ(errno, EAGAIN);
        EXPECT_EQ(revents(sv[0], POLLOUT), 0);
        while (syscall(SYS_read, sv[1], buf, sizeof(buf)) > 0)
                ;
        EXPECT_EQ(revents(sv[0], POLLOUT), POLLOUT);
        close(sv[0]);
        close(sv[1]);

        /* A listener. */
        snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "ct-poll-%d", (int)getpid());
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1));
        l = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
        EXPECT_OK(syscall(SYS_bind, l, &a, len));
        EXPECT_OK(syscall(SYS_listen, l, 4));
        EXPECT_EQ(revents(l, POLLIN | POLLOUT), 0);
        c = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
        /* Unconnected stream: POLLOUT | POLLHUP, as Linux says. */
        EXPECT_EQ(revents(c, POLLIN | POLLOUT), POLLOUT | POLLHUP);
        EXPECT_OK(syscall(SYS_connect, c, &a, len));
        EXPECT_EQ(revents(l, POLLIN | POLLOUT), POLLIN);
        EXPECT_EQ(revents(c, POLLIN | POLLOUT), POLLOUT);
        close(c);
        close(l);
        return 0;
}
