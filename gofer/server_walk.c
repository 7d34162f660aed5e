/* Reaching and describing nodes: ATTACH, WALK, STAT, READLINK, STATFS, CLUNK. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "gofer/internal.h"
#include "lib/macro.h"

int gofer_op_attach(struct gofer_server *s, const struct gofer_request *req _unused_,
                    struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        struct gofer_stat st;

        int fd = fcntl(s->root_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        int r = gofer_fstat(fd, &st);
        if (r < 0) {
                close(fd);
                return r;
        }
        int h = node_add(s, fd, st.mode);
        if (h < 0)
                return h;
        gofer_put_u32(reply, (uint32_t)h);
        gofer_put_stat(reply, &st);
        return 0;
}

int gofer_op_walk(struct gofer_server *s, const struct gofer_request *req,
                  struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        char name[GOFER_NAME_MAX + 1];
        struct gofer_node_reached {
                int handle;
                struct gofer_stat st;
        } reached[GOFER_WALK_MAX];
        unsigned m = 0;
        int stop = 0;

        struct node *n = node_get(s, req->node);
        if (!n)
                return -EBADF;
        int dir = n->fd;
        mode_t type = n->type;

        for (unsigned i = 0; i < req->nnames; i++) {
                if (!S_ISDIR(type)) {
                        stop = -ENOTDIR;
                        break;
                }
                gofer_name_cstr(&req->names[i], name);
                int fd = gofer_open_beneath(dir, name, O_PATH, 0);
                if (fd < 0) {
                        stop = fd;
                        break;
                }
                int r = gofer_fstat(fd, &reached[m].st);
                if (r < 0) {
                        close(fd);
                        stop = r;
                        break;
                }
                int h = node_add(s, fd, reached[m].st.mode);
                if (h < 0) {
                        stop = h;
                        break;
                }
                reached[m++].handle = h;
                /* node_add may move the table: look the new node up again. */
                dir = s->nodes[h].fd;
                type = s->nodes[h].type;
        }
        if (m == 0)
                return stop;
        gofer_put_u32(reply, (uint32_t)stop);
        gofer_put_u16(reply, (uint16_t)m);
        for (unsigned i = 0; i < m; i++) {
                gofer_put_u32(reply, (uint32_t)reached[i].handle);
                gofer_put_stat(reply, &reached[i].st);
        }
        return 0;
}

int gofer_op_stat(struct gofer_server *s, const struct gofer_request *req,
                  struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        struct gofer_stat st;

        struct node *n = node_get(s, req->node);
        if (!n)
                return -EBADF;
        int r = gofer_fstat(n->fd, &st);
        if (r < 0)
                return r;
        gofer_put_stat(reply, &st);
        return 0;
}

int gofer_op_readlink(struct gofer_server *s, const struct gofer_request *req,
                      struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        char buf[GOFER_TARGET_MAX + 1];

        struct node *n = node_get(s, req->node);
        if (!n)
                return -EBADF;
        if (!S_ISLNK(n->type))
                return -EINVAL;
        ssize_t len = readlinkat(n->fd, "", buf, sizeof(buf));
        if (len < 0)
                return -errno;
        if (len == 0 || (size_t)len > GOFER_TARGET_MAX)
                return -ENAMETOOLONG;
        gofer_put_str(reply, buf, (size_t)len);
        return 0;
}

int gofer_op_statfs(struct gofer_server *s, const struct gofer_request *req,
                    struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        struct statfs sf;

        struct node *n = node_get(s, req->node);
        if (!n)
                return -EBADF;
        if (fstatfs(n->fd, &sf) < 0)
                return -errno;
        struct gofer_statfs g = {
                .type = (uint64_t)sf.f_type, .bsize = (uint64_t)sf.f_bsize,
                .blocks = sf.f_blocks, .bfree = sf.f_bfree, .bavail = sf.f_bavail,
                .files = sf.f_files, .ffree = sf.f_ffree,
                .namelen = (uint64_t)sf.f_namelen, .frsize = (uint64_t)sf.f_frsize,
                .flags = (uint64_t)sf.f_flags,
        };
        gofer_put_statfs(reply, &g);
        return 0;
}

int gofer_op_clunk(struct gofer_server *s, const struct gofer_request *req,
                   struct gofer_wbuf *reply _unused_, int *ret_fd _unused_)
{
        int ret = 0;

        /* Release every valid node even if some are bad; report -EBADF then. */
        for (unsigned i = 0; i < req->nnodes; i++)
                if (node_clunk(s, gofer_request_clunk_node(req, i)) < 0)
                        ret = -EBADF;
        return ret;
}
