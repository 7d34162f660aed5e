/*
 * Netlink messages as bytes (Linux's include/net/netlink.h and the
 * request walk of af_netlink.c): building replies, walking a request
 * (netlink_rcv_skb) and acknowledging it (netlink_ack). Nothing here knows
 * socks: a protocol's kernel side (rtnetlink.c) sees a request and answers
 * through a callback, so the fuzz target drives it with plain memory.
 * Every length in a request is hostile: nothing is read outside it.
 */
#ifndef CONTERNEL_NET_NETLINK_NLMSG_H
#define CONTERNEL_NET_NETLINK_NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

/* Options of the requesting socket the kernel side looks at (Linux's
 * NETLINK_F_*, as bits). */
#define NL_F_CAP_ACK (1u << 0)          /* NETLINK_CAP_ACK: errors without the request */
#define NL_F_EXT_ACK (1u << 1)          /* NETLINK_EXT_ACK: accepted; no TLVs are added */
#define NL_F_STRICT_CHK (1u << 2)       /* NETLINK_GET_STRICT_CHK */
#define NL_F_NO_ENOBUFS (1u << 3)       /* NETLINK_NO_ENOBUFS */
#define NL_F_PKTINFO (1u << 4)          /* NETLINK_PKTINFO */
#define NL_F_BROADCAST_ERROR (1u << 5)  /* NETLINK_BROADCAST_ERROR */

/* One reply being built (what becomes one skb on the requester's queue). */
struct nl_buf {
        unsigned char *data;            /* malloc'd */
        size_t len, cap;
};

/* -ENOMEM. */
int nl_buf_init(struct nl_buf *b, size_t cap);
void nl_buf_free(struct nl_buf *b);
/* Append a header and payload bytes (zeroed, padded to NLMSG_ALIGN);
 * nlmsg_len covers the aligned payload. NULL when it does not fit. */
struct nlmsghdr *nl_buf_put(struct nl_buf *b, uint32_t portid, uint32_t seq, uint16_t type,
                            size_t payload, uint16_t flags);

/* A request being handled: who sent it and where the replies go. */
struct nl_request {
        uint32_t portid;                /* the sender's port id */
        unsigned flags;                 /* NL_F_* of the sending socket */
        bool net_admin;                 /* the sender has CAP_NET_ADMIN */
        /* Queue a copy of b's bytes as one message to the sender (b stays
         * the caller's). Never fails: a full queue drops it and marks the
         * socket ENOBUFS, as Linux's netlink_overrun(). */
        void (*reply)(void *arg, const struct nl_buf *b);
        void *arg;
};

/* A protocol's handler for one request message whose header and length
 * are checked (NLMSG_HDRLEN <= nlmsg_len <= what is there, NLM_F_REQUEST,
 * type >= NLMSG_MIN_TYPE). Returns 0 (acknowledged if NLM_F_ACK), -errno
 * (an NLMSG_ERROR), or -EINTR: answered already (a dump), no ack. */
typedef int (*nl_msg_handler)(const struct nl_request *req, const struct nlmsghdr *nlh);

/* Linux's netlink_rcv_skb(): every message in data, in order. data must be
 * 4-byte aligned. */
void netlink_rcv(const struct nl_request *req, const unsigned char *data, size_t len,
                 nl_msg_handler handler);
/* Linux's netlink_ack(): NLMSG_ERROR with err (0: an ACK, capped) and the
 * request's header (and, for an error without NETLINK_CAP_ACK, its payload). */
void netlink_ack(const struct nl_request *req, const struct nlmsghdr *nlh, int err);

/* NETLINK_ROUTE's kernel side (rtnetlink.c): the request walk with
 * rtnetlink_rcv_msg() as the handler. */
void rtnl_input(const struct nl_request *req, const unsigned char *data, size_t len);

#endif
