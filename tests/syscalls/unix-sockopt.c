/* SOL_SOCKET options on AF_UNIX sockets: SO_TYPE, SO_DOMAIN, SO_PROTOCOL,
 * SO_ACCEPTCONN, SO_ERROR; SO_SNDBUF is doubled, and the send buffer bounds
 * how much a stream takes before EAGAIN; short option buffers are
 * truncated, not refused. */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "test.h"

static int get_int(int fd, int name)
{
        int v = -1;
        socklen_t l = sizeof(v);

        EXPECT_OK(syscall(SYS_getsockopt, fd, SOL_SOCKET, name, &v, &l));
        EXPECT_EQ(l, sizeof(v));
        return v;
}

/* Bytes a non-blocking stream takes before EAGAIN. */
static long fill(int fd)
{
        static char buf[1024];
        long total = 0, n;

        while ((n = syscall(SYS_write, fd, buf, sizeof(buf))) > 0)
                total += n;
        EXPECT_EQ(errno, EAGAIN);
        return total;
}

int main(void)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        int sv[2], l, v = 8192;
        long big, small;
        unsigned char c = 0xff;
        socklen_t cl = 1;

        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv));
        EXPECT_EQ(get_int(sv[0], SO_TYPE), SOCK_SEQPACKET);
        EXPECT_EQ(get_int(sv[0], SO_DOMAIN), AF_UNIX);
        EXPECT_EQ(get_int(sv[0], SO_PROTOCOL), 0);
        EXPECT_EQ(get_int(sv[0], SO_ACCEPTCONN), 0);
        EXPECT_EQ(get_int(sv[0], SO_ERROR), 0);
        CHECK(get_int(sv[0], SO_SNDBUF) > 0, "sndbuf");
        CHECK(get_int(sv[0], SO_RCVBUF) > 0, "rcvbuf");
        /* One byte of room: one byte of the value. */
        EXPECT_OK(syscall(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, &c, &cl));
        EXPECT_EQ(cl, 1);
        EXPECT_EQ(c, SOCK_SEQPACKET);
        close(sv[0]);
        close(sv[1]);

        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
        big = fill(sv[0]);
        close(sv[0]);
        close(sv[1]);
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
        EXPECT_OK(syscall(SYS_setsockopt, sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
        EXPECT_EQ(get_int(sv[0], SO_SNDBUF), 2 * v);
        small = fill(sv[0]);
        CHECK(small > 0 && small < big, "small %ld, big %ld", small, big);
        CHECK(small <= 2 * v, "small %ld", small);
        close(sv[0]);
        close(sv[1]);

        snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "ct-opt-%d", (int)getpid());
        l = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
        EXPECT_OK(syscall(SYS_bind, l, &a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                                                      strlen(a.sun_path + 1))));
        EXPECT_OK(syscall(SYS_listen, l, 1));
        EXPECT_EQ(get_int(l, SO_ACCEPTCONN), 1);
        close(l);
        return 0;
}
