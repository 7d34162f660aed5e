/* SPDX-License-Identifier: Apache-2.0 */
/* NETLINK_ROUTE dumps (RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE): every
 * answer carries the request's sequence number and the sender's port id,
 * the objects (whatever the network has) come first and NLMSG_DONE, with
 * NLM_F_MULTI and error 0, last; a dump is never acked. Receiving: the
 * source address is the kernel's, MSG_PEEK, MSG_TRUNC, recvmsg's flags,
 * SCM_CREDENTIALS with SO_PASSCRED, poll and epoll readiness. */
#include <sys/epoll.h>
#include <sys/uio.h>

#include <stdbool.h>

#include "netlink-test.h"

static unsigned char buf[65536] __attribute__((aligned(4)));

/* Read the answer to a dump of type with seq up to NLMSG_DONE; objects
 * must be of type want. */
static void check_dump(int fd, uint16_t type, uint16_t want, uint32_t seq, uint32_t portid,
                       bool last)
{
        for (;;) {
                struct sockaddr_nl from;
                socklen_t flen = sizeof(from);
                long n = syscall(SYS_recvfrom, fd, buf, sizeof(buf), MSG_DONTWAIT, &from, &flen);
                struct nlmsghdr *h;
                int len;

                CHECK(n > 0, "dump %d: recv %ld %s", type, n, test_errname(errno));
                EXPECT_EQ(flen, sizeof(from));
                EXPECT_EQ(from.nl_family, AF_NETLINK);
                EXPECT_EQ(from.nl_pid, 0);
                EXPECT_EQ(from.nl_groups, 0);
                len = (int)n;
                for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
                        EXPECT_EQ(h->nlmsg_seq, seq);
                        EXPECT_EQ(h->nlmsg_pid, portid);
                        CHECK(h->nlmsg_flags & NLM_F_MULTI, "flags 0x%x", h->nlmsg_flags);
                        if (h->nlmsg_type == NLMSG_DONE) {
                                int err;

                                EXPECT_EQ(h->nlmsg_len, NLMSG_LENGTH(sizeof(int)));
                                EXPECT_EQ(h->nlmsg_flags, NLM_F_MULTI);
                                memcpy(&err, NLMSG_DATA(h), sizeof(err));
                                EXPECT_EQ(err, 0);
                                EXPECT_EQ(len, NLMSG_ALIGN(h->nlmsg_len));      /* last */
                                if (last)
                                        nl_expect_empty(fd);            /* no ack */
                                return;
                        }
                        EXPECT_EQ(h->nlmsg_type, want);
                }
                EXPECT_EQ(len, 0);
        }
}

int main(void)
{
        struct nl_req r;
        struct pollfd pfd;
        struct epoll_event ev;
        uint32_t portid;
        int fd, ep;

        nl_test_setup();
        fd = nl_socket(SOCK_RAW);
        pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
        EXPECT_RET(poll(&pfd, 1, 0), 1);
        EXPECT_EQ(pfd.revents, POLLOUT);
        ep = (int)EXPECT_OK(epoll_create1(0));
        ev = (struct epoll_event){ .events = EPOLLIN };
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
        EXPECT_RET(epoll_wait(ep, &ev, 1, 0), 0);

        nl_req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, 7,
                    sizeof(struct ifinfomsg));
        nl_send(fd, &r, r.h.nlmsg_len);
        portid = nl_portid(fd);
        EXPECT_EQ(portid, getpid());
        EXPECT_RET(poll(&pfd, 1, 0), 1);
        EXPECT_EQ(pfd.revents, POLLIN | POLLOUT);
        EXPECT_RET(epoll_wait(ep, &ev, 1, 1000), 1);
        EXPECT_EQ(ev.events, EPOLLIN);
        check_dump(fd, RTM_GETLINK, RTM_NEWLINK, 7, portid, true);
        EXPECT_RET(poll(&pfd, 1, 0), 1);
        EXPECT_EQ(pfd.revents, POLLOUT);
        EXPECT_RET(epoll_wait(ep, &ev, 1, 0), 0);

        /* Two requests in one send, each answered in turn. */
        {
                struct nl_req two[2];

                nl_req_init(&two[0], RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 8,
                            sizeof(struct ifaddrmsg));
                nl_req_init(&two[1], RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 9,
                            sizeof(struct ifaddrmsg));
                two[1].ifa.ifa_family = AF_INET;
                memcpy((char *)&two[0] + two[0].h.nlmsg_len, &two[1], two[1].h.nlmsg_len);
                nl_send(fd, &two[0], two[0].h.nlmsg_len + two[1].h.nlmsg_len);
                check_dump(fd, RTM_GETADDR, RTM_NEWADDR, 8, portid, false);
                check_dump(fd, RTM_GETADDR, RTM_NEWADDR, 9, portid, true);
        }
        nl_req_init(&r, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 10, sizeof(struct rtmsg));
        r.rtm.rtm_family = AF_INET;
        nl_send(fd, &r, r.h.nlmsg_len);
        check_dump(fd, RTM_GETROUTE, RTM_NEWROUTE, 10, portid, true);

        /* NLMSG_DONE alone (no address of that family in a new namespace
         * or a sandbox): peek, truncate, then take it. */
        nl_req_init(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 11, sizeof(struct ifaddrmsg));
        r.ifa.ifa_family = AF_INET6;
        nl_send(fd, &r, r.h.nlmsg_len);
        EXPECT_RET(syscall(SYS_recvfrom, fd, buf, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC, NULL,
                           NULL), NLMSG_LENGTH(sizeof(int)));
        EXPECT_RET(syscall(SYS_recvfrom, fd, buf, 4, MSG_DONTWAIT | MSG_PEEK, NULL, NULL), 4);
        {
                struct iovec iov = { .iov_base = buf, .iov_len = 8 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
                struct nlmsghdr h;

                memset(buf, 0, sizeof(buf));
                EXPECT_RET(syscall(SYS_recvmsg, fd, &mh, MSG_DONTWAIT), 8);
                EXPECT_EQ(mh.msg_flags, MSG_TRUNC);
                memcpy(&h, buf, 8);
                EXPECT_EQ(h.nlmsg_len, NLMSG_LENGTH(sizeof(int)));
                EXPECT_EQ(h.nlmsg_type, NLMSG_DONE);
        }
        nl_expect_empty(fd);

        /* SO_PASSCRED: the kernel's credentials, all 0. */
        EXPECT_OK(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &(int){ 1 }, sizeof(int)));
        nl_req_init(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 12, sizeof(struct ifaddrmsg));
        r.ifa.ifa_family = AF_INET6;
        nl_send(fd, &r, r.h.nlmsg_len);
        {
                union {
                        struct cmsghdr h;
                        char raw[CMSG_SPACE(sizeof(struct ucred))];
                } ctl;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
                struct sockaddr_nl from;
                struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
                                     .msg_iov = &iov, .msg_iovlen = 1,
                                     .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
                struct ucred uc;

                EXPECT_RET(syscall(SYS_recvmsg, fd, &mh, MSG_DONTWAIT), NLMSG_LENGTH(sizeof(int)));
                EXPECT_EQ(mh.msg_namelen, sizeof(from));
                EXPECT_EQ(mh.msg_flags, 0);
                EXPECT_EQ(mh.msg_controllen, CMSG_SPACE(sizeof(uc)));
                EXPECT_EQ(ctl.h.cmsg_level, SOL_SOCKET);
                EXPECT_EQ(ctl.h.cmsg_type, SCM_CREDENTIALS);
                memcpy(&uc, CMSG_DATA(&ctl.h), sizeof(uc));
                EXPECT_EQ(uc.pid, 0);
                EXPECT_EQ(uc.uid, 0);
                EXPECT_EQ(uc.gid, 0);
        }

        /* Nothing queued: a blocking socket with MSG_DONTWAIT, a
         * non-blocking one without. */
        EXPECT_ERRNO(syscall(SYS_recvfrom, fd, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL), EAGAIN);
        EXPECT_OK(close(fd));
        fd = nl_socket(SOCK_DGRAM | SOCK_NONBLOCK);
        EXPECT_ERRNO(read(fd, buf, sizeof(buf)), EAGAIN);
        /* write(2) is a send to the kernel too. */
        nl_req_init(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 13, sizeof(struct ifaddrmsg));
        r.ifa.ifa_family = AF_INET6;
        EXPECT_RET(write(fd, &r, r.h.nlmsg_len), r.h.nlmsg_len);
        EXPECT_RET(read(fd, buf, sizeof(buf)), NLMSG_LENGTH(sizeof(int)));
        EXPECT_OK(close(fd));
        EXPECT_OK(close(ep));
        return 0;
}
