/* The gofer's node table: handle -> O_PATH fd. Handles are small integers
 * reused after a clunk; 0 is never a handle. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "gofer/internal.h"
#include "lib/macro.h"

static int grow(struct gofer_server *s)
{
        uint32_t n = s->nnodes ? s->nnodes * 2 : 64;

        if (n > GOFER_NODES_MAX + 1)
                n = GOFER_NODES_MAX + 1;
        if (n <= s->nnodes)
                return -ENFILE;
        struct node *t = reallocarray(s->nodes, n, sizeof(*t));
        if (!t)
                return -ENOMEM;
        for (uint32_t i = s->nnodes; i < n; i++)
                t[i] = (struct node){ .fd = -1, .dir_fd = -1 };
        s->nodes = t;
        s->free_hint = s->nnodes ? s->nnodes : 1;
        s->nnodes = n;
        return 0;
}

int node_add(struct gofer_server *s, int fd, mode_t type)
{
        for (;;) {
                for (uint32_t i = s->free_hint; i < s->nnodes; i++)
                        if (s->nodes[i].fd < 0) {
                                s->nodes[i] = (struct node){ .fd = fd, .dir_fd = -1,
                                                             .type = type & S_IFMT };
                                s->free_hint = i + 1;
                                return (int)i;
                        }
                /* Nothing free above the hint: rescan from 1 once, then grow. */
                if (s->free_hint > 1) {
                        s->free_hint = 1;
                        continue;
                }
                int r = grow(s);
                if (r < 0) {
                        close(fd);
                        return r;
                }
        }
}

struct node *node_get(struct gofer_server *s, uint32_t handle)
{
        if (handle == GOFER_NODE_NONE || handle >= s->nnodes || s->nodes[handle].fd < 0)
                return NULL;
        return &s->nodes[handle];
}

int node_clunk(struct gofer_server *s, uint32_t handle)
{
        struct node *n = node_get(s, handle);

        if (!n)
                return -EBADF;
        close(n->fd);
        if (n->dir_fd >= 0)
                close(n->dir_fd);
        *n = (struct node){ .fd = -1, .dir_fd = -1 };
        if (handle < s->free_hint)
                s->free_hint = handle;
        return 0;
}

void node_free_all(struct gofer_server *s)
{
        for (uint32_t i = 1; i < s->nnodes; i++)
                if (s->nodes[i].fd >= 0)
                        node_clunk(s, i);
        free(s->nodes);
        s->nodes = NULL;
        s->nnodes = 0;
}

int gofer_fd_reopen(struct gofer_server *s, int fd, int flags)
{
        char name[16];

        if (s->proc_fd < 0)
                return -EOPNOTSUPP;
        snprintf(name, sizeof(name), "%d", fd);
        int r = openat(s->proc_fd, name, flags | O_CLOEXEC | O_NOCTTY);
        return r < 0 ? -errno : r;
}

int node_reopen(struct gofer_server *s, const struct node *n, int flags)
{
        return gofer_fd_reopen(s, n->fd, flags);
}

int gofer_open_beneath(int dir_fd, const char *name, int flags, mode_t mode)
{
        /* openat2() refuses O_NOCTTY next to O_PATH. */
        int extra = (flags & O_PATH) ? 0 : O_NOCTTY;
        struct open_how how = {
                .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC | extra),
                .mode = (flags & O_CREAT) ? mode : 0,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
        };
        long fd = syscall(SYS_openat2, dir_fd, name, &how, sizeof(how));
        return fd < 0 ? -errno : (int)fd;
}

void gofer_name_cstr(const struct gofer_name *n, char *buf)
{
        memcpy(buf, n->ptr, n->len);
        buf[n->len] = '\0';
}

int gofer_fstat(int fd, struct gofer_stat *ret)
{
        struct stat st;

        if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        *ret = (struct gofer_stat){
                .ino = st.st_ino, .dev = st.st_dev, .rdev = st.st_rdev,
                .size = (uint64_t)st.st_size, .blocks = (uint64_t)st.st_blocks,
                .mode = st.st_mode, .nlink = (uint32_t)st.st_nlink,
                .uid = st.st_uid, .gid = st.st_gid, .blksize = (uint32_t)st.st_blksize,
                .atime = { st.st_atim.tv_sec, (uint32_t)st.st_atim.tv_nsec },
                .mtime = { st.st_mtim.tv_sec, (uint32_t)st.st_mtim.tv_nsec },
                .ctime = { st.st_ctim.tv_sec, (uint32_t)st.st_ctim.tv_nsec },
        };
        return 0;
}

int gofer_reply_new_node(struct gofer_server *s, int dir_fd, const char *name, uint32_t uid,
                         uint32_t gid, bool isdir, struct gofer_wbuf *reply)
{
        struct gofer_stat st;
        int r;

        int fd = gofer_open_beneath(dir_fd, name, O_PATH, 0);
        if (fd < 0)
                return fd;
        if ((uid != (uint32_t)-1 || gid != (uint32_t)-1) &&
            fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
                r = -errno;
                goto undo;
        }
        r = gofer_fstat(fd, &st);
        if (r < 0)
                goto undo;
        int h = node_add(s, fd, st.mode);
        if (h < 0) {
                unlinkat(dir_fd, name, isdir ? AT_REMOVEDIR : 0);      /* fd consumed */
                return h;
        }
        gofer_put_u32(reply, (uint32_t)h);
        gofer_put_stat(reply, &st);
        return 0;
undo:
        close(fd);
        unlinkat(dir_fd, name, isdir ? AT_REMOVEDIR : 0);
        return r;
}
