/* Netlink messages as bytes: reply buffers, the request walk and
 * acknowledgements (Linux's netlink_rcv_skb() and netlink_ack()). */
#include "nlmsg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int nl_buf_init(struct nl_buf *b, size_t cap)
{
        b->data = malloc(cap ? cap : 1);
        b->len = 0;
        b->cap = cap;
        return b->data ? 0 : -ENOMEM;
}

void nl_buf_free(struct nl_buf *b)
{
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
}

struct nlmsghdr *nl_buf_put(struct nl_buf *b, uint32_t portid, uint32_t seq, uint16_t type,
                            size_t payload, uint16_t flags)
{
        size_t size = NLMSG_ALIGN(NLMSG_HDRLEN + payload);
        struct nlmsghdr *nlh;

        if (payload > b->cap || size > b->cap - b->len)
                return NULL;
        nlh = (struct nlmsghdr *)(b->data + b->len);
        memset(nlh, 0, size);
        nlh->nlmsg_len = (uint32_t)size;
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = flags;
        nlh->nlmsg_seq = seq;
        nlh->nlmsg_pid = portid;
        b->len += size;
        return nlh;
}

void netlink_ack(const struct nl_request *req, const struct nlmsghdr *nlh, int err)
{
        size_t reqlen = nlh->nlmsg_len - NLMSG_HDRLEN;
        size_t payload = sizeof(struct nlmsgerr);
        uint16_t flags = 0;
        struct nlmsghdr *rep;
        struct nlmsgerr e;
        struct nl_buf b;

        /* An error carries the request's payload too, unless capped. */
        if (err && !(req->flags & NL_F_CAP_ACK))
                payload += NLMSG_ALIGN(reqlen);
        else
                flags |= NLM_F_CAPPED;
        if (nl_buf_init(&b, NLMSG_SPACE(payload)) < 0)
                return;
        rep = nl_buf_put(&b, req->portid, nlh->nlmsg_seq, NLMSG_ERROR, payload, flags);
        e.error = err;
        memcpy(&e.msg, nlh, sizeof(e.msg));
        memcpy(NLMSG_DATA(rep), &e, sizeof(e));
        if (!(flags & NLM_F_CAPPED))
                memcpy((unsigned char *)NLMSG_DATA(rep) + sizeof(e), NLMSG_DATA(nlh), reqlen);
        req->reply(req->arg, &b);
        nl_buf_free(&b);
}

void netlink_rcv(const struct nl_request *req, const unsigned char *data, size_t len,
                 nl_msg_handler handler)
{
        size_t off = 0;

        while (len - off >= NLMSG_HDRLEN) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *)(data + off);
                size_t msglen;
                int err = 0;

                /* A header that lies about its length ends the walk, silently. */
                if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len - off)
                        return;
                /* Only requests are handled; control messages are skipped. */
                if ((nlh->nlmsg_flags & NLM_F_REQUEST) && nlh->nlmsg_type >= NLMSG_MIN_TYPE)
                        err = handler(req, nlh);
                if (err != -EINTR && ((nlh->nlmsg_flags & NLM_F_ACK) || err))
                        netlink_ack(req, nlh, err);
                msglen = ((size_t)nlh->nlmsg_len + NLMSG_ALIGNTO - 1) & ~(size_t)(NLMSG_ALIGNTO - 1);
                if (msglen > len - off)
                        msglen = len - off;
                off += msglen;
        }
}
