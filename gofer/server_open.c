/* Opening files: OPEN, CREATE, FSYNC. Regular files are answered with a
 * donated fd; directories are never donated (an fd on a directory would let
 * its holder openat("..") above the root), they are read here by GETDENTS. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "gofer/internal.h"
#include "lib/macro.h"

static int check_open_flags(uint32_t flags)
{
        if (flags & ~(uint32_t)GOFER_OPEN_FLAGS_ALLOWED)
                return -EINVAL;
        if ((flags & O_ACCMODE) == O_ACCMODE)
                return -EINVAL;
        return 0;
}

int gofer_op_open(struct gofer_server *s, const struct gofer_request *req,
                  struct gofer_wbuf *reply, int *ret_fd)
{
        int r = check_open_flags(req->flags);
        if (r < 0)
                return r;
        struct node *n = node_get(s, req->node);
        if (!n)
                return -EBADF;

        switch (n->type) {
        case S_IFDIR:
                if ((req->flags & O_ACCMODE) != O_RDONLY || (req->flags & O_TRUNC))
                        return -EISDIR;
                if (n->dir_fd < 0) {
                        int fd = node_reopen(s, n, O_RDONLY | O_DIRECTORY);
                        if (fd < 0)
                                return fd;
                        n->dir_fd = fd;
                }
                gofer_put_u32(reply, 0);
                return 0;
        case S_IFREG: {
                if (req->flags & O_DIRECTORY)
                        return -ENOTDIR;
                int fd = node_reopen(s, n, (int)req->flags);
                if (fd < 0)
                        return fd;
                gofer_put_u32(reply, 1);
                *ret_fd = fd;
                return 0;
        }
        case S_IFLNK:
                return -ELOOP;          /* as open(O_NOFOLLOW); the client follows */
        default:
                /* Fifos, sockets and devices are the sentry's own business. */
                return (req->flags & O_DIRECTORY) ? -ENOTDIR : -ENXIO;
        }
}

int gofer_op_create(struct gofer_server *s, const struct gofer_request *req,
                    struct gofer_wbuf *reply, int *ret_fd)
{
        char name[GOFER_NAME_MAX + 1];
        struct gofer_stat st;

        int r = check_open_flags(req->flags);
        if (r < 0)
                return r;
        if ((req->flags & O_DIRECTORY) || (req->mode & ~07777u))
                return -EINVAL;
        struct node *dir = node_get(s, req->node);
        if (!dir)
                return -EBADF;
        if (!S_ISDIR(dir->type))
                return -ENOTDIR;
        int dir_fd = dir->fd;

        gofer_name_cstr(&req->name, name);
        int fd = gofer_open_beneath(dir_fd, name, (int)req->flags | O_CREAT | O_EXCL, req->mode);
        if (fd < 0)
                return fd;
        if ((req->uid != (uint32_t)-1 || req->gid != (uint32_t)-1) &&
            fchown(fd, req->uid, req->gid) < 0) {
                r = -errno;
                goto undo;
        }
        /* The node is this very file, not whatever the name means by now. */
        int path_fd = gofer_fd_reopen(s, fd, O_PATH);
        if (path_fd < 0) {
                r = path_fd;
                goto undo;
        }
        r = gofer_fstat(path_fd, &st);
        if (r < 0) {
                close(path_fd);
                goto undo;
        }
        int h = node_add(s, path_fd, st.mode);
        if (h < 0) {
                r = h;
                goto undo;
        }
        gofer_put_u32(reply, (uint32_t)h);
        gofer_put_stat(reply, &st);
        *ret_fd = fd;
        return 0;
undo:
        close(fd);
        unlinkat(dir_fd, name, 0);
        return r;
}

int gofer_op_fsync(struct gofer_server *s, const struct gofer_request *req,
                   struct gofer_wbuf *reply _unused_, int *ret_fd _unused_)
{
        _cleanup_close_ int fd = -1;

        struct node *n = node_get(s, req->node);
        if (!n)
                return -EBADF;
        if (S_ISREG(n->type))
                fd = node_reopen(s, n, O_RDONLY);
        else if (S_ISDIR(n->type))
                fd = node_reopen(s, n, O_RDONLY | O_DIRECTORY);
        else
                return -EINVAL;
        if (fd < 0)
                return fd;
        int r = (req->flags & GOFER_FSYNC_DATASYNC) ? fdatasync(fd) : fsync(fd);
        return r < 0 ? -errno : 0;
}
