/* getcwd(2): a path's name from the process root, like Linux's d_path(). */
#include <errno.h>
#include <string.h>

#include "internal.h"

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

/* unreachable: p is not below the root, and getcwd wants that said. */
static int d_path(struct fs_context *fs, const struct path *p, char *buf, size_t size,
                  bool mark_unreachable)
{
        char tmp[VFS_PATH_MAX];
        char *end = tmp + sizeof(tmp) - 1;
        struct mount *mnt = p->mnt;
        struct dentry *d = p->dentry;
        struct path root;
        bool unreachable = false;
        size_t len;
        int r = 0;

        *end = '\0';
        fs_get_root(fs, &root);
        pthread_rwlock_rdlock(&fs->ns->lock);
        /* A removed directory has no name (Linux: -ENOENT). */
        pthread_mutex_lock(&d->sb->lock);
        if (d->parent && !d->hashed)
                r = -ENOENT;
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
        if (unreachable && mark_unreachable) {
                static const char mark[] = "(unreachable)";

                if ((size_t)(end - tmp) < sizeof(mark) - 1)
                        return -ENAMETOOLONG;
                end -= sizeof(mark) - 1;
                memcpy(end, mark, sizeof(mark) - 1);
        }
        len = strlen(end) + 1;
        if (len > size)
                return -ERANGE;
        memcpy(buf, end, len);
        return (int)len;
}

int vfs_d_path(struct fs_context *fs, const struct path *p, char *buf, size_t size)
{
        return d_path(fs, p, buf, size, false);
}

int vfs_getcwd(struct fs_context *fs, const struct path *p, char *buf, size_t size)
{
        return d_path(fs, p, buf, size, true);
}
