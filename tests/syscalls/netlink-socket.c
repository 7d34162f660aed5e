/* SPDX-License-Identifier: Apache-2.0 */
/* AF_NETLINK sockets: which types and protocols socket() takes, the flags,
 * SOL_SOCKET's view of them, fstat, and the calls they do not have. */
#include <fcntl.h>

#include "netlink-test.h"

int main(void)
{
        struct sockaddr_nl nl;
        socklen_t len;
        struct stat st;
        int fd, v;

        nl_test_setup();
        EXPECT_ERRNO(syscall(SYS_socket, AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
        EXPECT_ERRNO(syscall(SYS_socket, AF_NETLINK, SOCK_SEQPACKET, NETLINK_ROUTE),
                     ESOCKTNOSUPPORT);
        EXPECT_ERRNO(syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);
        EXPECT_ERRNO(syscall(SYS_socket, AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
        EXPECT_ERRNO(syscall(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_UNUSED), EPROTONOSUPPORT);
        EXPECT_ERRNO(syscall(SYS_socket, AF_NETLINK, SOCK_RAW | 0x10000, NETLINK_ROUTE), EINVAL);
        EXPECT_ERRNO(syscall(SYS_socket, AF_NETLINK, 11, NETLINK_ROUTE), EINVAL);
        EXPECT_ERRNO(syscall(SYS_socketpair, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, (int[2]){ 0 }),
                     EOPNOTSUPP);

        fd = nl_socket(SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
        EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
        EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
        len = sizeof(v);
        EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
        EXPECT_EQ(v, SOCK_DGRAM);
        EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len));
        EXPECT_EQ(v, AF_NETLINK);
        EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len));
        EXPECT_EQ(v, NETLINK_ROUTE);
        EXPECT_OK(close(fd));

        fd = nl_socket(SOCK_RAW);
        EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
        EXPECT_EQ(fcntl(fd, F_GETFD), 0);
        len = sizeof(v);
        EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
        EXPECT_EQ(v, SOCK_RAW);
        EXPECT_OK(fstat(fd, &st));
        EXPECT_EQ(st.st_mode & S_IFMT, S_IFSOCK);

        /* Unbound: port 0; no peer is port 0 too, not ENOTCONN. */
        EXPECT_EQ(nl_portid(fd), 0);
        memset(&nl, 0xff, sizeof(nl));
        len = sizeof(nl);
        EXPECT_OK(syscall(SYS_getpeername, fd, &nl, &len));
        EXPECT_EQ(len, sizeof(nl));
        EXPECT_EQ(nl.nl_family, AF_NETLINK);
        EXPECT_EQ(nl.nl_pid, 0);
        EXPECT_EQ(nl.nl_groups, 0);

        EXPECT_ERRNO(syscall(SYS_listen, fd, 1), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_accept, fd, NULL, NULL), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_shutdown, fd, SHUT_RDWR), EOPNOTSUPP);
        EXPECT_OK(close(fd));
        return 0;
}
