/* The gofer's request loop: receive, decode, check, dispatch, reply. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "gofer/internal.h"
#include "lib/macro.h"

static const gofer_handler_t handlers[_GOFER_OP_MAX] = {
        [GOFER_ATTACH] = gofer_op_attach,
        [GOFER_WALK] = gofer_op_walk,
        [GOFER_STAT] = gofer_op_stat,
        [GOFER_OPEN] = gofer_op_open,
        [GOFER_CREATE] = gofer_op_create,
        [GOFER_MKDIR] = gofer_op_mkdir,
        [GOFER_MKNOD] = gofer_op_mknod,
        [GOFER_SYMLINK] = gofer_op_symlink,
        [GOFER_LINK] = gofer_op_link,
        [GOFER_UNLINK] = gofer_op_unlink,
        [GOFER_RENAME] = gofer_op_rename,
        [GOFER_READLINK] = gofer_op_readlink,
        [GOFER_GETDENTS] = gofer_op_getdents,
        [GOFER_SETATTR] = gofer_op_setattr,
        [GOFER_STATFS] = gofer_op_statfs,
        [GOFER_FSYNC] = gofer_op_fsync,
        [GOFER_CLUNK] = gofer_op_clunk,
};

int gofer_server_create(int root_fd, unsigned flags, struct gofer_server **ret)
{
        struct gofer_server *s;
        struct stat st;

        if (fstat(root_fd, &st) < 0) {
                int r = -errno;
                close(root_fd);
                return r;
        }
        if (!S_ISDIR(st.st_mode)) {
                close(root_fd);
                return -ENOTDIR;
        }
        s = calloc(1, sizeof(*s));
        if (!s) {
                close(root_fd);
                return -ENOMEM;
        }
        s->root_fd = root_fd;
        s->readonly = flags & GOFER_SERVER_READONLY;
        s->proc_fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        *ret = s;
        return 0;
}

struct gofer_server *gofer_server_free(struct gofer_server *s)
{
        if (!s)
                return NULL;
        node_free_all(s);
        close(s->root_fd);
        if (s->proc_fd >= 0)
                close(s->proc_fd);
        free(s);
        return NULL;
}

/* Whether an OPEN could change the file: write access or truncation. */
static bool open_mutates(uint32_t flags)
{
        return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* Decode and run one request; the reply body goes to reply. */
static int handle(struct gofer_server *s, const uint8_t *msg, size_t len,
                  struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd)
{
        int r = gofer_decode_request(msg, len, req);
        if (r < 0)
                return r;
        if (s->readonly && (gofer_op_mutates(req->op) ||
                            ((req->op == GOFER_OPEN) && open_mutates(req->flags))))
                return -EROFS;
        return handlers[req->op](s, req, reply, ret_fd);
}

static int send_reply(int sock, const void *buf, size_t len, int fd)
{
        struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                memset(&control, 0, sizeof(control));
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        for (;;) {
                ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
                if (n >= 0)
                        return 0;
                if (errno != EINTR)
                        return -errno;
        }
}

/* Receive one request. Any fds the client sends are closed unread. Returns
 * the datagram's full length (may exceed cap: MSG_TRUNC), 0 at hang-up, or
 * -errno. */
static ssize_t recv_request(int sock, uint8_t *buf, size_t cap)
{
        struct iovec iov = { .iov_base = buf, .iov_len = cap };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * 8)];
        } control;
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = control.buf, .msg_controllen = sizeof(control.buf),
        };
        ssize_t n;

        do
                n = recvmsg(sock, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < nfds; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        close(fd);
                }
        }
        return n;
}

int gofer_server_serve(struct gofer_server *s, int sock)
{
        _cleanup_free_ uint8_t *in = malloc(GOFER_MSG_MAX);
        _cleanup_free_ uint8_t *out = malloc(GOFER_MSG_MAX);
        _cleanup_free_ struct gofer_request *req = malloc(sizeof(*req));

        if (!in || !out || !req)
                return -ENOMEM;
        for (;;) {
                struct gofer_wbuf reply;
                uint32_t tag = 0;
                uint16_t op = 0;
                int fd = -1, r;

                ssize_t n = recv_request(sock, in, GOFER_MSG_MAX);
                if (n == 0)
                        return 0;
                if (n < 0)
                        return (int)n;

                gofer_wbuf_init(&reply, out, GOFER_MSG_MAX);
                gofer_put_hdr(&reply, 0, 0);
                gofer_put_u32(&reply, 0);               /* error, patched below */
                if ((size_t)n > GOFER_MSG_MAX) {
                        uint32_t l;
                        uint16_t f;
                        gofer_decode_hdr(in, GOFER_MSG_MAX, &l, &op, &f, &tag);
                        r = -EMSGSIZE;
                } else {
                        r = handle(s, in, (size_t)n, req, &reply, &fd);
                        tag = req->tag;
                        op = req->op;
                }
                if (r == 0 && reply.err) {
                        /* A body that does not fit: nothing the client can use. */
                        r = reply.err;
                        if (fd >= 0)
                                close(TAKE_FD(fd));
                }
                if (r < 0)
                        reply.len = GOFER_REPLY_HDR_SIZE;
                reply.err = 0;

                /* Patch the header: echo type and tag, set the error. */
                uint16_t rtype = (uint16_t)(op | GOFER_REPLY);
                int32_t err = r;
                memcpy(out + 4, &rtype, sizeof(rtype));
                memcpy(out + 8, &tag, sizeof(tag));
                memcpy(out + GOFER_HDR_SIZE, &err, sizeof(err));
                int len = gofer_finish(&reply);

                r = send_reply(sock, out, (size_t)len, fd);
                if (fd >= 0)
                        close(fd);
                if (r < 0)
                        return r;
        }
}
