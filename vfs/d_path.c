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

int vfs_d_path(struct fs_context *fs, const struct path *p, char *buf, size_t size)
{
        char tmp[VFS_PATH_MAX];
        char *end = tmp + sizeof(tmp) - 1;
        struct mount *mnt = p->mnt;
        struct dentry *d = p->dentry;
        struct path root;
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
                        if (!mnt->parent)
                                break;          /* outside the root: print from the top */
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
        len = strlen(end) + 1;
        if (len > size)
                return -ERANGE;
        memcpy(buf, end, len);
        return (int)len;
}
