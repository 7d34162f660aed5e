/* The errors of the socket calls, in Linux's order: ENOTSOCK, EBADF,
 * EAFNOSUPPORT, EINVAL, EPROTONOSUPPORT, ESOCKTNOSUPPORT, EISCONN,
 * ENOTCONN, EOPNOTSUPP, ECONNREFUSED, EFAULT, ENOPROTOOPT. */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "test.h"

int main(void)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        struct sockaddr_un got;
        socklen_t glen = sizeof(got);
        int p[2], sv[2], s, d, v;
        socklen_t vl = sizeof(v);
        char buf[4];

        EXPECT_OK(pipe(p));
        EXPECT_ERRNO(syscall(SYS_bind, p[0], &a, sizeof(a)), ENOTSOCK);
        EXPECT_ERRNO(syscall(SYS_listen, p[0], 1), ENOTSOCK);
        EXPECT_ERRNO(syscall(SYS_getsockname, p[0], &got, &glen), ENOTSOCK);
        EXPECT_ERRNO(syscall(SYS_shutdown, 999, SHUT_RD), EBADF);
        EXPECT_ERRNO(syscall(SYS_sendto, p[1], "x", 1, 0, NULL, 0), ENOTSOCK);
        close(p[0]);
        close(p[1]);

        EXPECT_ERRNO(syscall(SYS_socket, 999, SOCK_STREAM, 0), EAFNOSUPPORT);
        EXPECT_ERRNO(syscall(SYS_socket, AF_UNIX, 77, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_socket, AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
        EXPECT_ERRNO(syscall(SYS_socket, AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
        /* SOCK_RAW is a datagram socket here, as on BSD. */
        s = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_RAW, 0));
        EXPECT_OK(syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, &v, &vl));
        EXPECT_EQ(v, SOCK_DGRAM);
        close(s);

        s = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
        /* Addresses: too short, too long, wrong family. */
        EXPECT_ERRNO(syscall(SYS_bind, s, &a, 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_bind, s, &a, sizeof(struct sockaddr_storage) + 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_connect, s, &a, offsetof(struct sockaddr_un, sun_path)), EINVAL);
        a.sun_family = AF_INET;
        EXPECT_ERRNO(syscall(SYS_connect, s, &a, sizeof(a)), EINVAL);
        a.sun_family = AF_UNIX;
        EXPECT_ERRNO(syscall(SYS_bind, s, (void *)8, sizeof(a)), EFAULT);
        /* Unconnected. */
        EXPECT_ERRNO(syscall(SYS_getpeername, s, &got, &glen), ENOTCONN);
        EXPECT_ERRNO(syscall(SYS_sendto, s, "x", 1, MSG_NOSIGNAL, NULL, 0), ENOTCONN);
        EXPECT_ERRNO(syscall(SYS_recvfrom, s, buf, 1, 0, NULL, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_accept, s, NULL, NULL), EINVAL);
        /* Nobody there. */
        strcpy(a.sun_path + 1, "conternel-nobody-here");
        EXPECT_ERRNO(syscall(SYS_connect, s, &a, sizeof(a)), ECONNREFUSED);
        close(s);

        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
        /* A stream with an address: EISCONN when connected. */
        EXPECT_ERRNO(syscall(SYS_sendto, sv[0], "x", 1, 0, &a, sizeof(a)), EISCONN);
        EXPECT_ERRNO(syscall(SYS_listen, sv[0], 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getsockopt, sv[0], SOL_SOCKET, 9999, &v, &vl), ENOPROTOOPT);
        EXPECT_ERRNO(syscall(SYS_setsockopt, sv[0], SOL_SOCKET, SO_TYPE, &v, sizeof(v)), ENOPROTOOPT);
        EXPECT_ERRNO(syscall(SYS_setsockopt, sv[0], SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
        EXPECT_ERRNO(syscall(SYS_setsockopt, sv[0], SOL_SOCKET, SO_SNDBUF, &v, -1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, &v, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, (void *)8), EFAULT);
        close(sv[0]);
        close(sv[1]);

        /* Datagrams: listen and accept are not for them. */
        d = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0));
        EXPECT_ERRNO(syscall(SYS_listen, d, 1), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_accept, d, NULL, NULL), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_sendto, d, "x", 1, 0, NULL, 0), ENOTCONN);
        EXPECT_ERRNO(syscall(SYS_sendto, d, "x", 1, 0, &a, sizeof(a)), ECONNREFUSED);
        close(d);
        /* Seqpacket unconnected. */
        s = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_SEQPACKET, 0));
        EXPECT_ERRNO(syscall(SYS_sendto, s, "x", 1, 0, NULL, 0), ENOTCONN);
        EXPECT_ERRNO(syscall(SYS_recvfrom, s, buf, 1, 0, NULL, NULL), ENOTCONN);
        close(s);
        return 0;
}
