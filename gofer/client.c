/* The gofer client's transport: one request and its reply per call, under
 * the client's mutex, with every reply checked before anyone uses it. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>

#include "gofer/client_internal.h"
#include "lib/macro.h"

#define MAX_ERRNO 4095

int gofer_client_create(int sock, struct gofer_client **ret)
{
        struct gofer_client *c = calloc(1, sizeof(*c));

        if (!c)
                goto fail;
        c->out = malloc(GOFER_MSG_MAX);
        c->in = malloc(GOFER_MSG_MAX);
        if (!c->out || !c->in)
                goto fail;
        c->sock = sock;
        c->next_tag = 1;
        pthread_mutex_init(&c->lock, NULL);
        *ret = c;
        return 0;
fail:
        if (c) {
                free(c->out);
                free(c->in);
                free(c);
        }
        close(sock);
        return -ENOMEM;
}

struct gofer_client *gofer_client_free(struct gofer_client *c)
{
        if (!c)
                return NULL;
        close(c->sock);
        pthread_mutex_destroy(&c->lock);
        free(c->out);
        free(c->in);
        free(c);
        return NULL;
}

uint64_t gofer_client_calls(struct gofer_client *c)
{
        uint64_t n;

        pthread_mutex_lock(&c->lock);
        n = c->calls;
        pthread_mutex_unlock(&c->lock);
        return n;
}

void gofer_call_begin(struct gofer_client *c, struct gofer_call *call, uint16_t op)
{
        pthread_mutex_lock(&c->lock);
        call->op = op;
        call->tag = c->next_tag++;
        c->calls++;
        call->fd = -1;
        gofer_rbuf_init(&call->r, NULL, 0);
        gofer_wbuf_init(&call->w, c->out, GOFER_MSG_MAX);
        gofer_put_hdr(&call->w, op, call->tag);
}

int gofer_call_violation(struct gofer_client *c, struct gofer_call *call)
{
        c->broken = true;
        if (call->fd >= 0)
                close(TAKE_FD(call->fd));
        return -EPROTO;
}

int gofer_call_end(struct gofer_client *c, struct gofer_call *call, int r)
{
        if (r == 0 && gofer_rbuf_end(&call->r) < 0)
                r = gofer_call_violation(c, call);
        if (call->fd >= 0)
                close(TAKE_FD(call->fd));
        pthread_mutex_unlock(&c->lock);
        return r;
}

static int send_request(struct gofer_client *c, size_t len)
{
        for (;;) {
                ssize_t n = send(c->sock, c->out, len, MSG_NOSIGNAL);
                if (n >= 0)
                        return (size_t)n == len ? 0 : -EPROTO;
                if (errno != EINTR)
                        return -errno;
        }
}

/* Receive one datagram; fds go to fds[0..*nfds), the extra ones closed and
 * counted too so the caller sees how many came. */
static ssize_t recv_reply(struct gofer_client *c, int *fds, unsigned max_fds, unsigned *nfds, bool *ctrunc)
{
        struct iovec iov = { .iov_base = c->in, .iov_len = GOFER_MSG_MAX };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * 4)];
        } control;
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = control.buf, .msg_controllen = sizeof(control.buf),
        };
        ssize_t n;

        *nfds = 0;
        do
                n = recvmsg(c->sock, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        *ctrunc = mh.msg_flags & MSG_CTRUNC;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
                if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
                        *ctrunc = true;         /* nothing else belongs here */
                        continue;
                }
                size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                        if (*nfds < max_fds)
                                fds[*nfds] = fd;
                        else
                                close(fd);
                        (*nfds)++;
                }
        }
        return n;
}

int gofer_call_do(struct gofer_client *c, struct gofer_call *call, bool may_fd)
{
        uint32_t len, tag;
        uint16_t type, flags;
        unsigned nfds;
        bool ctrunc = false;
        int fd = -1;

        if (c->broken)
                return -EIO;
        int r = gofer_finish(&call->w);
        if (r < 0)
                return r;       /* ours: a request that does not fit */
        r = send_request(c, (size_t)r);
        if (r < 0) {
                c->broken = true;
                return r;
        }

        ssize_t n = recv_reply(c, &fd, 1, &nfds, &ctrunc);
        if (n < 0) {
                c->broken = true;
                return (int)n;
        }
        if (nfds == 1)
                call->fd = fd;
        if (n == 0) {
                c->broken = true;
                return -ECONNRESET;     /* the gofer hung up */
        }
        if (nfds > 1 || ctrunc || (nfds == 1 && !may_fd) || (size_t)n > GOFER_MSG_MAX)
                return gofer_call_violation(c, call);
        if (gofer_decode_hdr(c->in, (size_t)n, &len, &type, &flags, &tag) < 0 ||
            (size_t)n < GOFER_REPLY_HDR_SIZE || len != (size_t)n || flags != 0 ||
            type != (call->op | GOFER_REPLY) || tag != call->tag)
                return gofer_call_violation(c, call);

        gofer_rbuf_init(&call->r, c->in + GOFER_HDR_SIZE, (size_t)n - GOFER_HDR_SIZE);
        int32_t err = (int32_t)gofer_get_u32(&call->r);
        if (err > 0 || err < -MAX_ERRNO)
                return gofer_call_violation(c, call);
        if (err < 0) {
                /* An error has no body and no fd. */
                if (call->r.left != 0 || call->fd >= 0)
                        return gofer_call_violation(c, call);
                return err;
        }
        return 0;
}
