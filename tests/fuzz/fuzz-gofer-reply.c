/* libFuzzer target: a hostile gofer. Any bytes as the reply to one client
 * call (gofer/client*.c): byte 0 picks the op and whether a regular-file fd
 * rides along; the header (length, type, tag) is made right so that the
 * body checks get exercised; the rest is error + body as sent. The client
 * must answer 0, the gofer's -errno or -EPROTO, and leak no fd. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/client.h"
#include "gofer/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void send_reply(int sock, const uint8_t *msg, size_t len, int fd)
{
        struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
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
        assert(sendmsg(sock, &mh, 0) == (ssize_t)len);
}

static int call(struct gofer_client *c, uint16_t op)
{
        static const char *const names[] = { "a", "b", "c" };
        struct gofer_walk_result w;
        struct gofer_entry e;
        struct gofer_stat st;
        struct gofer_statfs sf;
        struct gofer_dirents *d = NULL;
        struct gofer_setattr a = { .mask = GOFER_SETATTR_SIZE };
        uint32_t nodes[2] = { 1, 2 };
        char *t = NULL;
        int fd = -1, r;

        switch (op) {
        case GOFER_ATTACH: return gofer_attach(c, &e);
        case GOFER_WALK:
                r = gofer_walk(c, 1, names, 3, &w);
                assert(r < 0 || (w.n >= 1 && w.n <= 3 && (w.n == 3) == (w.error == 0)));
                return r;
        case GOFER_STAT: return gofer_stat(c, 1, &st);
        case GOFER_OPEN:
                r = gofer_open(c, 1, O_RDONLY, &fd);
                if (fd >= 0)
                        close(fd);
                return r;
        case GOFER_CREATE:
                r = gofer_create(c, 1, "n", O_RDWR, 0600, 0, 0, &e, &fd);
                if (fd >= 0)
                        close(fd);
                return r;
        case GOFER_MKDIR: return gofer_mkdir(c, 1, "n", 0700, 0, 0, &e);
        case GOFER_MKNOD: return gofer_mknod(c, 1, "n", S_IFIFO | 0600, 0, 0, &e);
        case GOFER_SYMLINK: return gofer_symlink(c, 1, "n", "t", 0, 0, &e);
        case GOFER_LINK: return gofer_link(c, 1, "n", 2, &e);
        case GOFER_UNLINK: return gofer_unlink(c, 1, "n", 0);
        case GOFER_RENAME: return gofer_rename(c, 1, "a", 2, "b", 0);
        case GOFER_READLINK:
                r = gofer_readlink(c, 1, &t);
                assert(r < 0 || (t && strlen(t) >= 1));
                free(t);
                return r;
        case GOFER_GETDENTS:
                r = gofer_getdents(c, 1, 0, 0, &d);
                if (r == 0)
                        for (unsigned i = 0; i < d->n; i++)
                                assert(gofer_name_check(d->ents[i].name, strlen(d->ents[i].name)) == 0);
                free(d);
                return r;
        case GOFER_SETATTR: return gofer_setattr(c, 1, &a, &st);
        case GOFER_STATFS: return gofer_statfs(c, 1, &sf);
        case GOFER_FSYNC: return gofer_fsync(c, 1, false);
        default: return gofer_clunk(c, nodes, 2);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static uint8_t msg[GOFER_MSG_MAX];
        static int file = -1;
        struct gofer_client *c;
        int sv[2];

        if (size < 1 || size - 1 > GOFER_MSG_MAX - GOFER_HDR_SIZE)
                return 0;
        if (file < 0) {
                file = memfd_create("fuzz-gofer-reply", MFD_CLOEXEC);  /* O_RDWR: matches O_RDWR asks */
                assert(file >= 0);
        }
        uint16_t op = (uint16_t)(1 + (data[0] & 0x1f) % (_GOFER_OP_MAX - 1));
        bool with_fd = data[0] & 0x80;

        assert(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
        int before = fcntl(sv[1], F_DUPFD_CLOEXEC, 0);  /* the lowest free fd, to spot leaks */
        close(before);
        assert(gofer_client_create(sv[0], &c) == 0);

        /* The client's first call uses tag 1. */
        struct gofer_wbuf w;
        gofer_wbuf_init(&w, msg, sizeof(msg));
        gofer_put_hdr(&w, (uint16_t)(op | GOFER_REPLY), 1);
        gofer_put_bytes(&w, data + 1, size - 1);
        int len = gofer_finish(&w);
        assert(len > 0);
        send_reply(sv[1], msg, (size_t)len, with_fd ? file : -1);

        int r = call(c, op);
        assert(r <= 0 && r >= -4095);
        gofer_client_free(c);
        close(sv[1]);
        /* Everything the call received was closed or handed out and closed. */
        int after = fcntl(0, F_DUPFD_CLOEXEC, 0);
        assert(after <= before);
        close(after);
        return 0;
}
