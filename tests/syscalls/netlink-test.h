/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the AF_NETLINK tests (netlink-*): natively each test first
 * moves into a fresh network namespace (only a "lo" that is down), so what
 * it asks NETLINK_ROUTE about is not the host's; the sandbox's network is
 * its own already. The tests assert what both agree on: message framing,
 * sequence numbers, port ids, NLMSG_DONE, acks and errors; never the list
 * of interfaces.
 */
#pragma once

#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "test.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static inline void nl_test_setup(void)
{
        if (syscall(SYS_unshare, CLONE_NEWNET) < 0) {
                if (errno == EPERM)
                        test_skip("unshare(CLONE_NEWNET) needs root");
                if (errno != ENOSYS && errno != EINVAL)
                        FAIL("unshare: %s", test_errname(errno));
        }
}

static inline int nl_socket(int type)
{
        int fd = (int)syscall(SYS_socket, AF_NETLINK, type, NETLINK_ROUTE);

        CHECK(fd >= 0, "socket(AF_NETLINK): %s", test_errname(errno));
        return fd;
}

/* The socket's port id (getsockname). */
static inline uint32_t nl_portid(int fd)
{
        struct sockaddr_nl nl;
        socklen_t len = sizeof(nl);

        memset(&nl, 0xff, sizeof(nl));
        CHECK(syscall(SYS_getsockname, fd, &nl, &len) == 0, "getsockname: %s",
              test_errname(errno));
        CHECK(len == sizeof(nl), "getsockname length %u", len);
        CHECK(nl.nl_family == AF_NETLINK && nl.nl_pad == 0, "family %d pad %d", nl.nl_family,
              nl.nl_pad);
        return nl.nl_pid;
}

/* A request: a header and room for a family header and attributes. */
struct nl_req {
        struct nlmsghdr h;
        union {
                struct rtgenmsg g;
                struct ifinfomsg ifi;
                struct ifaddrmsg ifa;
                struct rtmsg rtm;
                unsigned char raw[256];
        };
};

static inline void nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags, uint32_t seq,
                               size_t payload)
{
        memset(r, 0, sizeof(*r));
        r->h.nlmsg_len = (uint32_t)NLMSG_LENGTH(payload);
        r->h.nlmsg_type = type;
        r->h.nlmsg_flags = flags;
        r->h.nlmsg_seq = seq;
}

/* Send len bytes to the kernel (port 0); the whole length must be taken. */
static inline void nl_send(int fd, const void *buf, size_t len)
{
        struct sockaddr_nl to = { .nl_family = AF_NETLINK };
        long r = syscall(SYS_sendto, fd, buf, len, 0, &to, sizeof(to));

        CHECK(r == (long)len, "sendto: %ld %s", r, r < 0 ? test_errname(errno) : "");
}

/* One message, without waiting (the kernel answers before sendto returns);
 * -1 with errno when there is none. */
static inline long nl_recv(int fd, void *buf, size_t len)
{
        return syscall(SYS_recvfrom, fd, buf, len, MSG_DONTWAIT, NULL, NULL);
}

/* Nothing more is queued. */
static inline void nl_expect_empty(int fd)
{
        char buf[64];

        EXPECT_ERRNO(nl_recv(fd, buf, sizeof(buf)), EAGAIN);
}

/* The next message must be one NLMSG_ERROR answering req with err (0: an
 * ack); capped: without the request's payload. */
static inline void nl_expect_error(int fd, const struct nlmsghdr *req, int err, uint32_t portid,
                                   int capped)
{
        union {
                struct nlmsghdr h;
                unsigned char raw[8192];
        } buf;
        size_t payload = req->nlmsg_len - NLMSG_HDRLEN;
        size_t want = capped ? NLMSG_LENGTH(sizeof(struct nlmsgerr))
                             : NLMSG_LENGTH(sizeof(struct nlmsgerr)) + NLMSG_ALIGN(payload);
        struct nlmsgerr e;
        long n = nl_recv(fd, &buf, sizeof(buf));

        CHECK(n >= 0, "recv: %s", test_errname(errno));
        EXPECT_EQ(n, want);
        EXPECT_EQ(buf.h.nlmsg_len, want);
        EXPECT_EQ(buf.h.nlmsg_type, NLMSG_ERROR);
        EXPECT_EQ(buf.h.nlmsg_flags, capped ? NLM_F_CAPPED : 0);
        EXPECT_EQ(buf.h.nlmsg_seq, req->nlmsg_seq);
        EXPECT_EQ(buf.h.nlmsg_pid, portid);
        memcpy(&e, NLMSG_DATA(&buf.h), sizeof(e));
        EXPECT_EQ(e.error, err);
        CHECK(memcmp(&e.msg, req, sizeof(e.msg)) == 0, "the request's header is not echoed");
        if (!capped)
                CHECK(memcmp(buf.raw + NLMSG_LENGTH(sizeof(e)), NLMSG_DATA(req), payload) == 0,
                      "the request's payload is not echoed");
}
