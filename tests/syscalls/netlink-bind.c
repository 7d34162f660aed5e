/* SPDX-License-Identifier: Apache-2.0 */
/* AF_NETLINK names: bind with nl_pid 0 autobinds to the process's tgid
 * first, then to a negative port id; an explicit port id is unique per
 * protocol (EADDRINUSE) and free again once its socket is closed; a bound
 * socket rebinds only to its own id; nl_groups and NETLINK_ADD_MEMBERSHIP
 * show in getsockname and NETLINK_LIST_MEMBERSHIPS; connect and sendto
 * autobind; the SOL_NETLINK options. */
#include "netlink-test.h"

static int bind_nl(int fd, uint32_t pid, uint32_t groups)
{
        struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = pid, .nl_groups = groups };

        return (int)syscall(SYS_bind, fd, &nl, sizeof(nl));
}

int main(void)
{
        struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
        struct sockaddr_nl peer;
        uint32_t groups[4];
        socklen_t len;
        int a, b, c, d, v;

        nl_test_setup();
        a = nl_socket(SOCK_RAW);
        b = nl_socket(SOCK_RAW);

        /* Bad addresses. */
        EXPECT_ERRNO(syscall(SYS_bind, a, &nl, sizeof(nl) - 1), EINVAL);
        nl.nl_family = AF_UNIX;
        EXPECT_ERRNO(syscall(SYS_bind, a, &nl, sizeof(nl)), EINVAL);
        EXPECT_EQ(nl_portid(a), 0);

        /* Autobind: the tgid, then a negative id. */
        EXPECT_OK(bind_nl(a, 0, 0));
        EXPECT_EQ(nl_portid(a), getpid());
        EXPECT_OK(bind_nl(b, 0, 0));
        CHECK((int32_t)nl_portid(b) <= -4097, "second autobind %d", (int32_t)nl_portid(b));
        /* Rebinding: only to the same id. */
        EXPECT_OK(bind_nl(a, (uint32_t)getpid(), 0));
        EXPECT_ERRNO(bind_nl(a, 4242, 0), EINVAL);
        EXPECT_ERRNO(bind_nl(a, 0, 0), EINVAL);        /* nl_pid 0 is not our id */

        /* Explicit ids. */
        c = nl_socket(SOCK_DGRAM);
        EXPECT_ERRNO(bind_nl(c, (uint32_t)getpid(), 0), EADDRINUSE);
        EXPECT_EQ(nl_portid(c), getpid());      /* named, but not bound */
        EXPECT_OK(bind_nl(c, 4242, 0));
        EXPECT_EQ(nl_portid(c), 4242);
        d = nl_socket(SOCK_DGRAM);
        EXPECT_ERRNO(bind_nl(d, 4242, 0), EADDRINUSE);
        EXPECT_OK(close(c));
        EXPECT_OK(bind_nl(d, 4242, 0));
        EXPECT_EQ(nl_portid(d), 4242);
        EXPECT_OK(close(d));
        EXPECT_OK(close(b));
        EXPECT_OK(close(a));

        /* Closing frees the tgid: the next autobind gets it again. */
        a = nl_socket(SOCK_RAW);
        EXPECT_OK(bind_nl(a, 0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR));
        EXPECT_EQ(nl_portid(a), getpid());
        len = sizeof(nl);
        EXPECT_OK(syscall(SYS_getsockname, a, &nl, &len));
        EXPECT_EQ(nl.nl_groups, RTMGRP_LINK | RTMGRP_IPV4_IFADDR);

        /* Groups: nl_groups is the first 32; the options reach them all. */
        EXPECT_ERRNO(setsockopt(a, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ 0 }, sizeof(int)),
                     EINVAL);
        EXPECT_ERRNO(setsockopt(a, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ 1000 },
                                sizeof(int)), EINVAL);
        EXPECT_OK(setsockopt(a, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ RTNLGRP_IPV6_ROUTE },
                             sizeof(int)));
        EXPECT_OK(setsockopt(a, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &(int){ RTNLGRP_LINK },
                             sizeof(int)));
        EXPECT_OK(getsockname(a, (struct sockaddr *)&nl, &len));
        EXPECT_EQ(nl.nl_groups, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_ROUTE);
        memset(groups, 0xaa, sizeof(groups));
        len = sizeof(groups);
        EXPECT_OK(getsockopt(a, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &len));
        EXPECT_EQ(len, 8);                      /* RTNLGRP_MAX bits, in u32s */
        EXPECT_EQ(groups[0], RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_ROUTE);
        EXPECT_EQ(groups[1], 0);
        EXPECT_EQ(groups[2], 0xaaaaaaaa);
        EXPECT_OK(setsockopt(a, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ 33 }, sizeof(int)));
        len = sizeof(groups);
        EXPECT_OK(getsockopt(a, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &len));
        EXPECT_EQ(groups[1], 1);
        EXPECT_OK(close(a));

        /* connect to the kernel autobinds; AF_UNSPEC disconnects. */
        a = nl_socket(SOCK_RAW);
        memset(&nl, 0, sizeof(nl));
        nl.nl_family = AF_NETLINK;
        EXPECT_ERRNO(syscall(SYS_connect, a, &nl, 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_connect, a, &nl, sizeof(nl) - 1), EINVAL);
        EXPECT_OK(syscall(SYS_connect, a, &nl, sizeof(nl)));
        EXPECT_EQ(nl_portid(a), getpid());
        len = sizeof(peer);
        EXPECT_OK(syscall(SYS_getpeername, a, &peer, &len));
        EXPECT_EQ(peer.nl_pid, 0);
        nl.nl_family = AF_UNSPEC;
        EXPECT_OK(syscall(SYS_connect, a, &nl, sizeof(sa_family_t)));
        EXPECT_OK(close(a));

        /* sendto autobinds. */
        a = nl_socket(SOCK_RAW);
        {
                struct nl_req r;

                nl_req_init(&r, NLMSG_NOOP, NLM_F_REQUEST, 1, 0);
                nl_send(a, &r, r.h.nlmsg_len);
        }
        EXPECT_EQ(nl_portid(a), getpid());
        nl_expect_empty(a);

        /* SOL_NETLINK on/off options; unknown ones; short lengths. */
        len = sizeof(v);
        EXPECT_OK(getsockopt(a, SOL_NETLINK, NETLINK_CAP_ACK, &v, &len));
        EXPECT_EQ(v, 0);
        EXPECT_OK(setsockopt(a, SOL_NETLINK, NETLINK_CAP_ACK, &(int){ 5 }, sizeof(int)));
        EXPECT_OK(getsockopt(a, SOL_NETLINK, NETLINK_CAP_ACK, &v, &len));
        EXPECT_EQ(v, 1);
        EXPECT_EQ(len, sizeof(int));
        /* a value shorter than an int is 0 */
        EXPECT_OK(setsockopt(a, SOL_NETLINK, NETLINK_CAP_ACK, &(int){ 1 }, 2));
        EXPECT_OK(getsockopt(a, SOL_NETLINK, NETLINK_CAP_ACK, &v, &len));
        EXPECT_EQ(v, 0);
        EXPECT_OK(setsockopt(a, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &(int){ 1 }, sizeof(int)));
        EXPECT_OK(getsockopt(a, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, &len));
        EXPECT_EQ(v, 1);
        len = 2;
        EXPECT_ERRNO(getsockopt(a, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, &len), EINVAL);
        len = sizeof(v);
        EXPECT_ERRNO(setsockopt(a, SOL_NETLINK, 99, &(int){ 1 }, sizeof(int)), ENOPROTOOPT);
        EXPECT_ERRNO(getsockopt(a, SOL_NETLINK, 99, &v, &len), ENOPROTOOPT);
        EXPECT_ERRNO(setsockopt(a, 0 /* SOL_IP */, 1, &(int){ 1 }, sizeof(int)), ENOPROTOOPT);
        /* SOL_SOCKET buffers as everywhere: doubled */
        EXPECT_OK(setsockopt(a, SOL_SOCKET, SO_RCVBUF, &(int){ 8192 }, sizeof(int)));
        EXPECT_OK(getsockopt(a, SOL_SOCKET, SO_RCVBUF, &v, &len));
        EXPECT_EQ(v, 16384);
        EXPECT_OK(getsockopt(a, SOL_SOCKET, SO_ERROR, &v, &len));
        EXPECT_EQ(v, 0);
        EXPECT_OK(close(a));
        return 0;
}
