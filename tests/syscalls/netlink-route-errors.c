/* SPDX-License-Identifier: Apache-2.0 */
/* NETLINK_ROUTE requests that fail or are only acknowledged: NLM_F_ACK
 * gives NLMSG_ERROR 0 (capped); errors echo the request (its payload too,
 * unless NETLINK_CAP_ACK); unknown types are EOPNOTSUPP; a link looked up
 * by an index nobody has is ENODEV; headers that lie about their length
 * end the walk silently; a message too short for rtnetlink is ignored;
 * NETLINK_GET_STRICT_CHK checks link and address dump requests and puts
 * the error in NLMSG_DONE; a queue that
 * overflows reports ENOBUFS once; sendmsg's and recvmsg's own errors. */
#include "netlink-test.h"

static unsigned char buf[8192] __attribute__((aligned(4)));

int main(void)
{
        struct sockaddr_nl to = { .nl_family = AF_NETLINK };
        struct nl_req r, r2;
        uint32_t portid;
        int fd, n, v;

        nl_test_setup();
        fd = nl_socket(SOCK_RAW);
        EXPECT_OK(syscall(SYS_bind, fd, &to, sizeof(to)));
        portid = nl_portid(fd);

        /* Acks: a control message, a message that is not a request. */
        nl_req_init(&r, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 100, 0);
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, 0, portid, 1);
        nl_req_init(&r, RTM_GETLINK, NLM_F_ACK, 101, sizeof(struct ifinfomsg));
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, 0, portid, 1);
        nl_req_init(&r, NLMSG_NOOP, NLM_F_REQUEST, 102, 0);             /* no ack asked */
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_empty(fd);

        /* Unknown types, with the payload echoed. */
        nl_req_init(&r, 1000, NLM_F_REQUEST, 103, 5);
        memcpy(r.raw, "abcde", 5);
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, -EOPNOTSUPP, portid, 0);
        nl_req_init(&r, RTM_BASE + 7, NLM_F_REQUEST, 104, 4);           /* no such message */
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, -EOPNOTSUPP, portid, 0);
        nl_req_init(&r, RTM_MAX + 1, NLM_F_REQUEST, 105, 0);            /* too short, but */
        nl_send(fd, &r, r.h.nlmsg_len);                                 /* the type is first */
        nl_expect_error(fd, &r.h, -EOPNOTSUPP, portid, 0);
        nl_req_init(&r, RTM_GETADDR, NLM_F_REQUEST, 106, sizeof(struct ifaddrmsg));
        nl_send(fd, &r, r.h.nlmsg_len);                                 /* not a dump */
        nl_expect_error(fd, &r.h, -EOPNOTSUPP, portid, 0);

        /* RTM_GETLINK of one link. */
        nl_req_init(&r, RTM_GETLINK, NLM_F_REQUEST, 107, sizeof(struct ifinfomsg));
        r.ifi.ifi_index = 99999;
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, -ENODEV, portid, 0);
        r.ifi.ifi_index = 0;                                            /* neither index nor name */
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, -EINVAL, portid, 0);
        nl_req_init(&r, RTM_GETLINK, NLM_F_REQUEST, 108, 1);            /* no struct ifinfomsg */
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, -EINVAL, portid, 0);
        {
                /* by a name nobody has (IFLA_IFNAME) */
                struct nlattr *a;

                nl_req_init(&r, RTM_GETLINK, NLM_F_REQUEST, 109,
                            NLMSG_ALIGN(sizeof(struct ifinfomsg)) + NLA_HDRLEN + 8);
                a = (struct nlattr *)(r.raw + NLMSG_ALIGN(sizeof(struct ifinfomsg)));
                a->nla_len = NLA_HDRLEN + 8;
                a->nla_type = IFLA_IFNAME;
                memcpy((char *)a + NLA_HDRLEN, "nothere", 8);
                nl_send(fd, &r, r.h.nlmsg_len);
                nl_expect_error(fd, &r.h, -ENODEV, portid, 0);
        }

        /* NETLINK_CAP_ACK: errors without the payload. */
        EXPECT_OK(setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &(int){ 1 }, sizeof(int)));
        nl_req_init(&r, 1000, NLM_F_REQUEST | NLM_F_ACK, 110, 12);
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, -EOPNOTSUPP, portid, 1);
        EXPECT_OK(setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &(int){ 0 }, sizeof(int)));

        /* Too short for rtnetlink (no struct rtgenmsg): ignored, only acked. */
        nl_req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 111, 0);
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_empty(fd);
        r.h.nlmsg_flags |= NLM_F_ACK;
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, 0, portid, 1);

        /* Lying lengths: the walk ends there, silently; what came before
         * is answered. */
        nl_req_init(&r, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 112, 0);
        r.h.nlmsg_len = NLMSG_HDRLEN - 1;
        nl_send(fd, &r, NLMSG_HDRLEN);
        nl_expect_empty(fd);
        r.h.nlmsg_len = NLMSG_HDRLEN + 1;                               /* past the end */
        nl_send(fd, &r, NLMSG_HDRLEN);
        nl_expect_empty(fd);
        nl_send(fd, &r, 10);                                            /* no whole header */
        nl_expect_empty(fd);
        nl_req_init(&r, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 113, 0);
        nl_req_init(&r2, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 114, 0);
        r2.h.nlmsg_len = 4096;
        memcpy(r.raw, &r2, NLMSG_HDRLEN);
        r.h.nlmsg_len = NLMSG_HDRLEN;
        nl_send(fd, &r, 2 * NLMSG_HDRLEN);
        nl_expect_error(fd, &r.h, 0, portid, 1);
        nl_expect_empty(fd);
        /* an unaligned length: the next message starts aligned */
        nl_req_init(&r, 1000, NLM_F_REQUEST, 115, 1);
        nl_req_init(&r2, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 116, 0);
        memcpy(r.raw + 4, &r2, NLMSG_HDRLEN);
        nl_send(fd, &r, NLMSG_HDRLEN + 4 + NLMSG_HDRLEN);
        nl_expect_error(fd, &r.h, -EOPNOTSUPP, portid, 0);
        nl_expect_error(fd, &r2.h, 0, portid, 1);
        nl_expect_empty(fd);

        /* Strict checking: a link dump filtered by index is refused in
         * NLMSG_DONE; without it the filter is ignored. */
        EXPECT_OK(setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &(int){ 1 }, sizeof(int)));
        nl_req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, 117,
                    sizeof(struct ifinfomsg));
        r.ifi.ifi_index = 5;
        nl_send(fd, &r, r.h.nlmsg_len);
        {
                struct nlmsghdr *h = (struct nlmsghdr *)buf;
                int err;

                EXPECT_RET(nl_recv(fd, buf, sizeof(buf)), NLMSG_LENGTH(sizeof(int)));
                EXPECT_EQ(h->nlmsg_type, NLMSG_DONE);
                EXPECT_EQ(h->nlmsg_flags, NLM_F_MULTI);
                EXPECT_EQ(h->nlmsg_seq, 117);
                memcpy(&err, NLMSG_DATA(h), sizeof(err));
                EXPECT_EQ(err, -EINVAL);
                nl_expect_empty(fd);
        }
        /* Address dumps: the header must be whole and plain, an index
         * filters (nobody has this one), attributes are refused. */
        {
                static const struct {
                        size_t len;
                        uint8_t prefixlen, flags;
                        uint32_t index;
                        int err;
                        uint16_t flags_done;
                } cases[] = {
                        { sizeof(struct ifaddrmsg), 0, 0, 0, 0, NLM_F_MULTI },
                        { 4, 0, 0, 0, -EINVAL, NLM_F_MULTI },
                        { sizeof(struct ifaddrmsg), 8, 0, 0, -EINVAL, NLM_F_MULTI },
                        { sizeof(struct ifaddrmsg), 0, 1, 0, -EINVAL, NLM_F_MULTI },
                        { sizeof(struct ifaddrmsg) + 4, 0, 0, 0, -EINVAL, NLM_F_MULTI },
                        { sizeof(struct ifaddrmsg), 0, 0, 99999, -ENODEV,
                          NLM_F_MULTI | NLM_F_DUMP_FILTERED },
                };

                for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                        struct nlmsghdr *h = (struct nlmsghdr *)buf;
                        int err;

                        nl_req_init(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 118, cases[i].len);
                        r.ifa.ifa_family = AF_INET;
                        r.ifa.ifa_prefixlen = cases[i].prefixlen;
                        r.ifa.ifa_flags = cases[i].flags;
                        r.ifa.ifa_index = cases[i].index;
                        nl_send(fd, &r, r.h.nlmsg_len);
                        EXPECT_RET(nl_recv(fd, buf, sizeof(buf)), NLMSG_LENGTH(sizeof(int)));
                        EXPECT_EQ(h->nlmsg_type, NLMSG_DONE);
                        EXPECT_EQ(h->nlmsg_flags, cases[i].flags_done);
                        memcpy(&err, NLMSG_DATA(h), sizeof(err));
                        CHECK(err == cases[i].err, "case %zu: error %d", i, err);
                        nl_expect_empty(fd);
                }
        }
        EXPECT_OK(setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &(int){ 0 }, sizeof(int)));

        /* sendmsg's and recvmsg's own errors. */
        EXPECT_ERRNO(syscall(SYS_sendto, fd, &r, 0, 0, &to, sizeof(to)), ENODATA);
        EXPECT_ERRNO(syscall(SYS_sendto, fd, &r, r.h.nlmsg_len, 0, &to, sizeof(to) - 1), EINVAL);
        to.nl_family = AF_INET;
        EXPECT_ERRNO(syscall(SYS_sendto, fd, &r, r.h.nlmsg_len, 0, &to, sizeof(to)), EINVAL);
        to.nl_family = AF_NETLINK;
        EXPECT_ERRNO(syscall(SYS_sendto, fd, &r, r.h.nlmsg_len, MSG_OOB, &to, sizeof(to)),
                     EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_recvfrom, fd, buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT, NULL, NULL),
                     EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_sendto, fd, (void *)8, 64, 0, &to, sizeof(to)), EFAULT);
        nl_expect_empty(fd);

        /* Overflow: a small receive buffer and acks nobody reads. The
         * overflow is reported once, before what was queued; once the queue
         * is read the socket takes answers again. */
        EXPECT_OK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ 1 }, sizeof(int)));
        nl_req_init(&r, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 120, 0);
        for (int i = 0; i < 64; i++)
                nl_send(fd, &r, r.h.nlmsg_len);
        EXPECT_ERRNO(nl_recv(fd, buf, sizeof(buf)), ENOBUFS);
        for (n = 0; nl_recv(fd, buf, sizeof(buf)) == NLMSG_LENGTH(sizeof(struct nlmsgerr)); n++)
                ;
        EXPECT_EQ(errno, EAGAIN);
        CHECK(n >= 1 && n < 64, "%d acks queued", n);
        nl_send(fd, &r, r.h.nlmsg_len);
        nl_expect_error(fd, &r.h, 0, portid, 1);
        nl_expect_empty(fd);
        /* SO_ERROR takes the error; a full queue reports no second one
         * until it has been emptied. */
        for (int i = 0; i < 64; i++)
                nl_send(fd, &r, r.h.nlmsg_len);
        {
                socklen_t len = sizeof(v);

                EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len));
                EXPECT_EQ(v, ENOBUFS);
                EXPECT_OK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len));
                EXPECT_EQ(v, 0);
        }
        for (int i = 0; i < 64; i++)
                nl_send(fd, &r, r.h.nlmsg_len);
        for (n = 0; nl_recv(fd, buf, sizeof(buf)) == NLMSG_LENGTH(sizeof(struct nlmsgerr)); n++)
                ;
        EXPECT_EQ(errno, EAGAIN);
        CHECK(n >= 1 && n < 64, "%d acks queued", n);
        EXPECT_OK(close(fd));
        return 0;
}
