/* libFuzzer target: any bytes as a NETLINK_ROUTE request, through
 * rtnl_input() (the request walk, rtnetlink's checks, dumps and acks),
 * with each option of the requesting socket the first byte picks. The
 * request is copied into a buffer of exactly its size so that ASan
 * sees any read past it; every reply must be well framed. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/netlink/nlmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(void *arg, const struct nl_buf *b)
{
        const struct nl_request *req = arg;
        size_t off = 0;

        assert(b->len > 0 && b->len <= b->cap);
        while (off < b->len) {
                const struct nlmsghdr *h = (const struct nlmsghdr *)(b->data + off);

                assert(b->len - off >= NLMSG_HDRLEN);
                assert(h->nlmsg_len >= NLMSG_HDRLEN && h->nlmsg_len <= b->len - off);
                assert(h->nlmsg_pid == req->portid);
                assert(h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE);
                if (h->nlmsg_type == NLMSG_ERROR)
                        assert(h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)));
                else
                        assert(h->nlmsg_len == NLMSG_LENGTH(sizeof(int)));
                off += NLMSG_ALIGN(h->nlmsg_len);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct nl_request req = { .portid = 1234, .reply = check_reply };
        uint8_t *buf;

        if (size < 1)
                return 0;
        req.flags = data[0] & (NL_F_CAP_ACK | NL_F_EXT_ACK | NL_F_STRICT_CHK);
        req.net_admin = data[0] & 0x80;
        req.arg = &req;
        data++;
        size--;
        buf = malloc(size ? size : 1);          /* aligned for struct nlmsghdr */
        assert(buf);
        memcpy(buf, data, size);
        rtnl_input(&req, buf, size);
        free(buf);
        return 0;
}
