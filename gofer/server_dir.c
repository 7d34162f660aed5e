/* Changing and listing directories: MKDIR, MKNOD, SYMLINK, LINK, UNLINK,
 * RENAME, GETDENTS. Every name is one validated component (no '/', no "."
 * or "..") taken relative to a directory node's fd, and nothing is followed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/internal.h"
#include "lib/macro.h"

/* The directory node a creation or removal happens in. */
static int dir_node_fd(struct gofer_server *s, uint32_t handle)
{
        struct node *n = node_get(s, handle);

        if (!n)
                return -EBADF;
        if (!S_ISDIR(n->type))
                return -ENOTDIR;
        return n->fd;
}

int gofer_op_mkdir(struct gofer_server *s, const struct gofer_request *req,
                   struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        char name[GOFER_NAME_MAX + 1];

        if (req->mode & ~07777u)
                return -EINVAL;
        int dir = dir_node_fd(s, req->node);
        if (dir < 0)
                return dir;
        gofer_name_cstr(&req->name, name);
        if (mkdirat(dir, name, req->mode) < 0)
                return -errno;
        return gofer_reply_new_node(s, dir, name, req->uid, req->gid, true, reply);
}

int gofer_op_mknod(struct gofer_server *s, const struct gofer_request *req,
                   struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        char name[GOFER_NAME_MAX + 1];
        mode_t type = req->mode & S_IFMT;

        if (req->mode & ~(07777u | S_IFMT))
                return -EINVAL;
        if (type == 0)
                type = S_IFREG;
        if (type == S_IFCHR || type == S_IFBLK)
                return -EPERM;          /* no devices from the sandbox */
        if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
                return -EINVAL;
        int dir = dir_node_fd(s, req->node);
        if (dir < 0)
                return dir;
        gofer_name_cstr(&req->name, name);
        if (mknodat(dir, name, type | (req->mode & 07777u), 0) < 0)
                return -errno;
        return gofer_reply_new_node(s, dir, name, req->uid, req->gid, false, reply);
}

int gofer_op_symlink(struct gofer_server *s, const struct gofer_request *req,
                     struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        char name[GOFER_NAME_MAX + 1];
        char target[GOFER_TARGET_MAX + 1];

        int dir = dir_node_fd(s, req->node);
        if (dir < 0)
                return dir;
        gofer_name_cstr(&req->name, name);
        gofer_name_cstr(&req->name2, target);
        /* The target is only text here: the gofer never follows it. */
        if (symlinkat(target, dir, name) < 0)
                return -errno;
        return gofer_reply_new_node(s, dir, name, req->uid, req->gid, false, reply);
}

int gofer_op_link(struct gofer_server *s, const struct gofer_request *req,
                  struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        char name[GOFER_NAME_MAX + 1];
        char proc_name[16];

        int dir = dir_node_fd(s, req->node);
        if (dir < 0)
                return dir;
        struct node *target = node_get(s, req->node2);
        if (!target)
                return -EBADF;
        if (S_ISDIR(target->type))
                return -EPERM;
        int target_fd = target->fd;
        gofer_name_cstr(&req->name, name);
        if (linkat(target_fd, "", dir, name, AT_EMPTY_PATH) < 0) {
                /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not. */
                if (errno != ENOENT || s->proc_fd < 0)
                        return -errno;
                snprintf(proc_name, sizeof(proc_name), "%d", target_fd);
                if (linkat(s->proc_fd, proc_name, dir, name, AT_SYMLINK_FOLLOW) < 0)
                        return -errno;
        }
        return gofer_reply_new_node(s, dir, name, (uint32_t)-1, (uint32_t)-1, false, reply);
}

int gofer_op_unlink(struct gofer_server *s, const struct gofer_request *req,
                    struct gofer_wbuf *reply _unused_, int *ret_fd _unused_)
{
        char name[GOFER_NAME_MAX + 1];

        if (req->flags & ~(uint32_t)AT_REMOVEDIR)
                return -EINVAL;
        int dir = dir_node_fd(s, req->node);
        if (dir < 0)
                return dir;
        gofer_name_cstr(&req->name, name);
        return unlinkat(dir, name, (int)req->flags) < 0 ? -errno : 0;
}

int gofer_op_rename(struct gofer_server *s, const struct gofer_request *req,
                    struct gofer_wbuf *reply _unused_, int *ret_fd _unused_)
{
        char oldname[GOFER_NAME_MAX + 1], newname[GOFER_NAME_MAX + 1];

        /* RENAME_WHITEOUT is the sentry overlay's business, not the host's. */
        if (req->flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE))
                return -EINVAL;
        int olddir = dir_node_fd(s, req->node);
        if (olddir < 0)
                return olddir;
        int newdir = dir_node_fd(s, req->node2);
        if (newdir < 0)
                return newdir;
        gofer_name_cstr(&req->name, oldname);
        gofer_name_cstr(&req->name2, newname);
        return renameat2(olddir, oldname, newdir, newname, req->flags) < 0 ? -errno : 0;
}

/* Bytes one dirent takes in a GETDENTS reply. */
static size_t dirent_wire_size(size_t namelen)
{
        return 8 + 8 + 1 + 2 + namelen;
}

int gofer_op_getdents(struct gofer_server *s, const struct gofer_request *req,
                      struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        _cleanup_free_ uint8_t *buf = NULL;
        const size_t bufsize = 32768;
        size_t budget = req->count, used = 0;
        uint16_t n = 0;

        struct node *node = node_get(s, req->node);
        if (!node)
                return -EBADF;
        if (!S_ISDIR(node->type))
                return -ENOTDIR;
        if (node->dir_fd < 0) {
                int fd = node_reopen(s, node, O_RDONLY | O_DIRECTORY);
                if (fd < 0)
                        return fd;
                node->dir_fd = fd;
        }
        if (req->offset > INT64_MAX)
                return -EINVAL;
        budget = MIN(budget, reply->cap - reply->len - 2);
        if (budget < dirent_wire_size(GOFER_NAME_MAX))
                return -EINVAL;         /* like getdents with a too-small buffer */
        buf = malloc(bufsize);
        if (!buf)
                return -ENOMEM;
        if (lseek(node->dir_fd, (off_t)req->offset, SEEK_SET) < 0)
                return -errno;

        size_t count_pos = reply->len;
        gofer_put_u16(reply, 0);                /* n, patched below */
        for (bool full = false; !full && n < UINT16_MAX;) {
                ssize_t got = getdents64(node->dir_fd, buf, bufsize);
                if (got < 0)
                        return -errno;
                if (got == 0)
                        break;
                for (ssize_t pos = 0; pos < got;) {
                        struct dirent64 *d = (struct dirent64 *)(buf + pos);
                        size_t len = strlen(d->d_name);
                        pos += d->d_reclen;
                        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
                                continue;
                        if (used + dirent_wire_size(len) > budget || n == UINT16_MAX) {
                                full = true;
                                break;
                        }
                        gofer_put_u64(reply, d->d_ino);
                        gofer_put_u64(reply, (uint64_t)d->d_off);
                        gofer_put_u8(reply, d->d_type);
                        gofer_put_str(reply, d->d_name, len);
                        used += dirent_wire_size(len);
                        n++;
                }
        }
        memcpy(reply->buf + count_pos, &n, sizeof(n));
        return 0;
}
