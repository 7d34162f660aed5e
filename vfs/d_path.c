/* getcwd(2) and /proc's links: a path's name from the process root, like
 * Linux's d_path(). */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define DELETED " (deleted)"
#define UNREACHABLE "(unreachable)"

/* What a caller wants said besides the name. */
enum {
        D_PATH_DELETED = 1 << 0,        /* a removed file is named, " (deleted)" after */
        D_PATH_UNREACHABLE = 1 << 1,    /* a path outside the root says so before */
};

/* Prepend name (len bytes) and a '/' before *end in buf. */
static int prepend(char *buf, char **end, const char *name, size_t len)
{
        if ((size_t)(*end - buf) < len + 1)
                return -ENAMETOOLONG;
        *end -= len;
        memcpy(*end, name, len);
        *--*end = '/';
        return 0;
}

static int d_path(struct fs_context *fs, const struct path *p, char *buf, size_t size,
                  unsigned how)
{
        char tmp[VFS_PATH_MAX];
        char *end = tmp + sizeof(tmp) - 1;
        struct mount *mnt = p->mnt;
        struct dentry *d = p->dentry;
        struct path root;
        bool deleted = false, unreachable = false;
        size_t len;
        int r = 0;

        *end = '\0';
        fs_get_root(fs, &root);
        pthread_rwlock_rdlock(&fs->ns->lock);
        /* A removed file has no name (Linux: -ENOENT), unless asked for. */
        pthread_mutex_lock(&d->sb->lock);
        if (d->parent && !d->hashed) {
                deleted = true;
                if (!(how & D_PATH_DELETED))
                        r = -ENOENT;
        }
        pthread_mutex_unlock(&d->sb->lock);
        while (r == 0 && !(mnt == root.mnt && d == root.dentry)) {
                if (d == mnt->root) {
                        if (!mnt->parent) {
                                unreachable = true;     /* outside the root: from the top */
                                break;
                        }
                        d = mnt->mountpoint;
                        mnt = mnt->parent;
                        continue;
                }
                pthread_mutex_lock(&d->sb->lock);
                r = prepend(tmp, &end, d->name, strlen(d->name));
                d = d->parent;
                pthread_mutex_unlock(&d->sb->lock);
        }
        pthread_rwlock_unlock(&fs->ns->lock);
        path_put(&root);
        if (r < 0)
                return r;
        if (!*end)
                *--end = '/';
        if (unreachable && (how & D_PATH_UNREACHABLE)) {
                if ((size_t)(end - tmp) < strlen(UNREACHABLE))
                        return -ENAMETOOLONG;
                end -= strlen(UNREACHABLE);
                memcpy(end, UNREACHABLE, strlen(UNREACHABLE));
        }
        len = strlen(end) + 1;
        if (len + (deleted ? strlen(DELETED) : 0) > size)
                return -ERANGE;
        memcpy(buf, end, len);
        if (deleted) {
                memcpy(buf + len - 1, DELETED, strlen(DELETED) + 1);
                len += strlen(DELETED);
        }
        return (int)len;
}

int vfs_d_path(struct fs_context *fs, const struct path *p, char *buf, size_t size)
{
        return d_path(fs, p, buf, size, 0);
}

int vfs_getcwd(struct fs_context *fs, const struct path *p, char *buf, size_t size)
{
        return d_path(fs, p, buf, size, D_PATH_UNREACHABLE);
}

int vfs_d_path_any(struct fs_context *fs, const struct path *p, char *buf, size_t size)
{
        return d_path(fs, p, buf, size, D_PATH_DELETED);
}
