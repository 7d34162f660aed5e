/* SPDX-License-Identifier: Apache-2.0 */
/* Netlink between sockets (root: CAP_NET_ADMIN): a message to a port id
 * reaches that socket with the sender's port id and credentials; a port
 * nobody has, or a socket connected elsewhere, is ECONNREFUSED; a message
 * to a multicast group reaches its members but not the sender; a full
 * receiver is EAGAIN with MSG_DONTWAIT, and waited for without. */
#include <sys/wait.h>

#include "netlink-test.h"

static unsigned char buf[4096];

static int bound(uint32_t pid)
{
        struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = pid };
        int fd = nl_socket(SOCK_RAW);

        EXPECT_OK(syscall(SYS_bind, fd, &nl, sizeof(nl)));
        return fd;
}

static long send_to(int fd, uint32_t pid, uint32_t groups, const void *msg, size_t len, int flags)
{
        struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = pid, .nl_groups = groups };

        return syscall(SYS_sendto, fd, msg, len, flags, &to, sizeof(to));
}

int main(void)
{
        struct sockaddr_nl from, kernel = { .nl_family = AF_NETLINK };
        socklen_t flen = sizeof(from);
        int a, b, c, n;

        nl_test_setup();
        if (geteuid() != 0)
                test_skip("sending to a port id needs CAP_NET_ADMIN");
        a = bound(1000);
        b = bound(2000);
        c = bound(3000);

        EXPECT_RET(send_to(a, 2000, 0, "hello", 5, 0), 5);
        EXPECT_RET(syscall(SYS_recvfrom, b, buf, sizeof(buf), MSG_DONTWAIT, &from, &flen), 5);
        CHECK(memcmp(buf, "hello", 5) == 0, "data");
        EXPECT_EQ(flen, sizeof(from));
        EXPECT_EQ(from.nl_pid, 1000);
        EXPECT_EQ(from.nl_groups, 0);
        nl_expect_empty(a);
        nl_expect_empty(c);

        /* The sender's credentials with SO_PASSCRED. */
        EXPECT_OK(setsockopt(b, SOL_SOCKET, SO_PASSCRED, &(int){ 1 }, sizeof(int)));
        EXPECT_RET(send_to(a, 2000, 0, "x", 1, 0), 1);
        {
                union {
                        struct cmsghdr h;
                        char raw[CMSG_SPACE(sizeof(struct ucred))];
                } ctl;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
                                     .msg_controllen = sizeof(ctl) };
                struct ucred uc;

                EXPECT_RET(syscall(SYS_recvmsg, b, &mh, MSG_DONTWAIT), 1);
                EXPECT_EQ(ctl.h.cmsg_type, SCM_CREDENTIALS);
                memcpy(&uc, CMSG_DATA(&ctl.h), sizeof(uc));
                EXPECT_EQ(uc.pid, getpid());
                EXPECT_EQ(uc.uid, getuid());
                EXPECT_EQ(uc.gid, getgid());
        }

        /* Nobody there; connected elsewhere (to the kernel). */
        EXPECT_ERRNO(send_to(a, 4000, 0, "x", 1, 0), ECONNREFUSED);
        EXPECT_OK(syscall(SYS_connect, b, &kernel, sizeof(kernel)));
        EXPECT_ERRNO(send_to(a, 2000, 0, "x", 1, 0), ECONNREFUSED);
        kernel.nl_family = AF_UNSPEC;
        EXPECT_OK(syscall(SYS_connect, b, &kernel, sizeof(kernel)));
        EXPECT_RET(send_to(a, 2000, 0, "y", 1, 0), 1);
        EXPECT_RET(nl_recv(b, buf, sizeof(buf)), 1);

        /* Connected to a: a's messages go through, and send() needs no name. */
        {
                struct sockaddr_nl to_a = { .nl_family = AF_NETLINK, .nl_pid = 1000 };

                EXPECT_OK(syscall(SYS_connect, b, &to_a, sizeof(to_a)));
                EXPECT_RET(send_to(a, 2000, 0, "z", 1, 0), 1);
                EXPECT_RET(nl_recv(b, buf, sizeof(buf)), 1);
                EXPECT_RET(syscall(SYS_sendto, b, "back", 4, 0, NULL, 0), 4);
                EXPECT_RET(nl_recv(a, buf, sizeof(buf)), 4);
                CHECK(memcmp(buf, "back", 4) == 0, "data");
        }

        /* Multicast group 3: its members, not the sender. The group
         * message also goes to port 0, the kernel, which ignores a
         * message that is not a request. */
        EXPECT_OK(setsockopt(c, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ 3 }, sizeof(int)));
        EXPECT_OK(setsockopt(a, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ 3 }, sizeof(int)));
        {
                struct nl_req r;

                nl_req_init(&r, NLMSG_NOOP, 0, 1, 0);
                EXPECT_RET(send_to(a, 0, 1u << 2, &r, r.h.nlmsg_len, 0), r.h.nlmsg_len);
        }
        flen = sizeof(from);
        EXPECT_RET(syscall(SYS_recvfrom, c, buf, sizeof(buf), MSG_DONTWAIT, &from, &flen),
                   NLMSG_HDRLEN);
        EXPECT_EQ(from.nl_pid, 1000);
        EXPECT_EQ(from.nl_groups, 1u << 2);
        nl_expect_empty(a);
        nl_expect_empty(c);

        /* A full receiver. */
        EXPECT_OK(setsockopt(c, SOL_SOCKET, SO_RCVBUF, &(int){ 1 }, sizeof(int)));
        for (n = 0; n < 1000; n++)
                if (send_to(a, 3000, 0, buf, 512, MSG_DONTWAIT) < 0)
                        break;
        EXPECT_EQ(errno, EAGAIN);
        CHECK(n >= 1 && n < 1000, "%d messages fit", n);
        /* Without MSG_DONTWAIT the sender waits for room. */
        {
                pid_t pid = fork();
                int status;

                CHECK(pid >= 0, "fork: %s", test_errname(errno));
                if (pid == 0)
                        _exit(send_to(a, 3000, 0, buf, 512, 0) == 512 ? 0 : 1);
                usleep(100 * 1000);
                EXPECT_RET(waitpid(pid, &status, WNOHANG), 0);
                for (int i = 0; i < n; i++)
                        EXPECT_RET(nl_recv(c, buf, sizeof(buf)), 512);
                EXPECT_RET(waitpid(pid, &status, 0), pid);
                EXPECT_EQ(status, 0);
                EXPECT_RET(nl_recv(c, buf, sizeof(buf)), 512);
                nl_expect_empty(c);
        }
        EXPECT_OK(close(a));
        EXPECT_OK(close(b));
        EXPECT_OK(close(c));
        return 0;
}
