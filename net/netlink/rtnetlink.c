/* NETLINK_ROUTE's kernel side (Linux's net/core/rtnetlink.c): requests
 * about links, addresses, routes and neighbours. The sandbox has no
 * interfaces yet (no netstack), so the dumps it answers hold nothing but
 * NLMSG_DONE and a lookup of a link finds none; the dump table below is
 * where netstack's interfaces will come in. */
#include <errno.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nlmsg.h"

#define RTNL_DUMP_SIZE 16384            /* what one dump message may fill */

enum rtnl_kind { RTNL_KIND_NEW, RTNL_KIND_DEL, RTNL_KIND_GET, RTNL_KIND_SET };

/* A dump: append one message per object to b (as Linux's dumpit fills an
 * skb); returns 0 or -errno, which NLMSG_DONE carries, with the flags it
 * adds to the answer in *answer_flags (NLM_F_DUMP_FILTERED). */
typedef int (*rtnl_dump_fn)(const struct nl_request *req, const struct nlmsghdr *nlh,
                            struct nl_buf *b, uint16_t *answer_flags);

/* Linux's rtnl_valid_dump_ifinfo_req() with NETLINK_GET_STRICT_CHK. */
static int valid_dump_ifinfo_req(const struct nlmsghdr *nlh)
{
        struct ifinfomsg ifm;

        if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(ifm)))
                return -EINVAL;
        memcpy(&ifm, NLMSG_DATA(nlh), sizeof(ifm));
        if (ifm.__ifi_pad || ifm.ifi_type || ifm.ifi_flags || ifm.ifi_change || ifm.ifi_index)
                return -EINVAL;
        return 0;
}

/* RTM_GETLINK: one RTM_NEWLINK per interface (netstack: none yet). */
static int dump_links(const struct nl_request *req, const struct nlmsghdr *nlh,
                      struct nl_buf *b, uint16_t *answer_flags)
{
        (void)b;
        (void)answer_flags;
        if (req->flags & NL_F_STRICT_CHK)
                return valid_dump_ifinfo_req(nlh);
        return 0;
}

/* RTM_GETADDR: addresses hang off interfaces, and there are none. With
 * NETLINK_GET_STRICT_CHK, Linux's inet_valid_dump_ifaddr_req() (for every
 * family alike): a whole struct ifaddrmsg with no prefix length, flags or
 * scope; an index filters (and no interface has it); attributes (only
 * IFA_TARGET_NETNSID is allowed, not supported here) are EINVAL. */
static int dump_addrs(const struct nl_request *req, const struct nlmsghdr *nlh,
                      struct nl_buf *b, uint16_t *answer_flags)
{
        struct ifaddrmsg ifa;

        (void)b;
        if (!(req->flags & NL_F_STRICT_CHK))
                return 0;
        if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(ifa)))
                return -EINVAL;
        memcpy(&ifa, NLMSG_DATA(nlh), sizeof(ifa));
        if (ifa.ifa_prefixlen || ifa.ifa_flags || ifa.ifa_scope)
                return -EINVAL;
        if (nlh->nlmsg_len > NLMSG_LENGTH(NLMSG_ALIGN(sizeof(ifa))))
                return -EINVAL;
        if (ifa.ifa_index) {
                *answer_flags |= NLM_F_DUMP_FILTERED;
                return -ENODEV;         /* netstack: look the interface up */
        }
        return 0;
}

/* RTM_GETROUTE, RTM_GETNEIGH: routes and neighbours hang off interfaces
 * too. */
static int dump_nothing(const struct nl_request *req, const struct nlmsghdr *nlh,
                        struct nl_buf *b, uint16_t *answer_flags)
{
        (void)req;
        (void)nlh;
        (void)b;
        (void)answer_flags;
        return 0;
}

static const struct {
        uint16_t type;
        rtnl_dump_fn dump;
} rtnl_dumps[] = {
        { RTM_GETLINK, dump_links },
        { RTM_GETADDR, dump_addrs },
        { RTM_GETROUTE, dump_nothing },
        { RTM_GETNEIGH, dump_nothing },
};

/* Linux's netlink_dump_start() and netlink_dump(): the whole dump at once
 * (objects, then NLMSG_DONE with the dump's error, in a message of its own
 * when objects came before it). -EINTR: answered, no ack. */
static int rtnl_dump(const struct nl_request *req, const struct nlmsghdr *nlh, rtnl_dump_fn dump)
{
        uint16_t answer_flags = 0;
        struct nlmsghdr *done;
        struct nl_buf b;
        int err;

        if (nl_buf_init(&b, RTNL_DUMP_SIZE) < 0)
                return -ENOBUFS;
        err = dump(req, nlh, &b, &answer_flags);
        if (b.len) {
                req->reply(req->arg, &b);
                nl_buf_free(&b);
                if (nl_buf_init(&b, RTNL_DUMP_SIZE) < 0)
                        return -EINTR;
        }
        done = nl_buf_put(&b, req->portid, nlh->nlmsg_seq, NLMSG_DONE, sizeof(err),
                          NLM_F_MULTI | answer_flags);
        memcpy(NLMSG_DATA(done), &err, sizeof(err));
        req->reply(req->arg, &b);
        nl_buf_free(&b);
        return -EINTR;
}

/* Whether the attributes after a struct of hdrlen bytes hold a well-formed
 * one of type want (Linux's nla_find() over nlmsg_attrdata()). */
static bool has_attr(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t want)
{
        size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
        const unsigned char *base = (const unsigned char *)nlh;

        while (off + sizeof(struct nlattr) <= nlh->nlmsg_len) {
                struct nlattr nla;

                memcpy(&nla, base + off, sizeof(nla));
                if (nla.nla_len < sizeof(nla) || nla.nla_len > nlh->nlmsg_len - off)
                        return false;
                if ((nla.nla_type & NLA_TYPE_MASK) == want)
                        return true;
                off += NLA_ALIGN((size_t)nla.nla_len);
        }
        return false;
}

/* Linux's rtnl_getlink(): by index or name; no interface is there. */
static int getlink(const struct nlmsghdr *nlh)
{
        struct ifinfomsg ifm;

        if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(ifm)))
                return -EINVAL;
        memcpy(&ifm, NLMSG_DATA(nlh), sizeof(ifm));
        if (ifm.ifi_index > 0 || has_attr(nlh, sizeof(ifm), IFLA_IFNAME) ||
            has_attr(nlh, sizeof(ifm), IFLA_ALT_IFNAME))
                return -ENODEV;         /* netstack: look the interface up */
        return -EINVAL;
}

/* Linux's rtnetlink_rcv_msg(). */
static int rtnl_rcv_msg(const struct nl_request *req, const struct nlmsghdr *nlh)
{
        unsigned type = nlh->nlmsg_type;
        enum rtnl_kind kind;

        if (type > RTM_MAX)
                return -EOPNOTSUPP;
        type -= RTM_BASE;
        /* Every message has at least a struct rtgenmsg (one byte);
         * shorter ones are ignored. */
        if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtgenmsg)))
                return 0;
        kind = (enum rtnl_kind)(type & 3);
        if (kind != RTNL_KIND_GET && !req->net_admin)
                return -EPERM;
        if (kind == RTNL_KIND_GET && (nlh->nlmsg_flags & NLM_F_DUMP)) {
                for (size_t i = 0; i < sizeof(rtnl_dumps) / sizeof(rtnl_dumps[0]); i++)
                        if (rtnl_dumps[i].type == nlh->nlmsg_type)
                                return rtnl_dump(req, nlh, rtnl_dumps[i].dump);
                return -EOPNOTSUPP;
        }
        if (nlh->nlmsg_type == RTM_GETLINK)
                return getlink(nlh);
        /* Nothing to change and nothing else to look up. */
        return -EOPNOTSUPP;
}

void rtnl_input(const struct nl_request *req, const unsigned char *data, size_t len)
{
        netlink_rcv(req, data, len, rtnl_rcv_msg);
}
