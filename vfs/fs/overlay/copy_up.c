/* overlay copy-up: a lower file gets its upper copy (parents first) before
 * anything changes it, with its data, mode, owner and times. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vfs/internal.h"
#include "vfs/namei.h"

#define COPY_CHUNK (64 * 1024)

static int copy_data(const struct path *lower, struct file *dst)
{
        struct file *src = NULL;
        char *buf = malloc(COPY_CHUNK);
        int64_t off = 0;
        int r;

        if (!buf)
                return -ENOMEM;
        r = vfs_open_path(lower, &ovl_root_cred, O_RDONLY, &src);
        while (r == 0) {
                struct iovec iov = { buf, COPY_CHUNK };
                struct iov_iter it = { &iov, 1, COPY_CHUNK };
                ssize_t n = vfs_read(src, &it, off), w;

                if (n <= 0) {
                        r = (int)n;
                        break;
                }
                for (ssize_t done = 0; done < n; done += w) {
                        struct iovec wv = { buf + done, (size_t)(n - done) };
                        struct iov_iter wit = { &wv, 1, (size_t)(n - done) };

                        w = vfs_write(dst, &wit, off + done);
                        if (w <= 0) {
                                r = w < 0 ? (int)w : -EIO;
                                break;
                        }
                }
                off += n;
        }
        file_unref(src);
        free(buf);
        return r;
}

/* Make the upper entry of oi in its parent's upper directory. */
static int copy_up_one(struct ovl_inode *oi, const struct stat *st)
{
        struct ovl_inode *dir = oi->parent;
        struct vfs_at at = {
                .fs = OVL_SB(oi->base.sb)->upper_fs,
                .cred = &ovl_root_cred,
                .dir = &dir->upper,
        };
        struct file *f;
        char *target;
        int r;

        switch (st->st_mode & S_IFMT) {
        case S_IFDIR:
                return vfs_mkdir(&at, oi->name, st->st_mode & 07777);
        case S_IFREG:
                r = vfs_open(&at, oi->name, O_CREAT | O_EXCL | O_WRONLY, 0600, &f);
                if (r < 0)
                        return r;
                r = copy_data(&oi->lower, f);
                file_unref(f);
                if (r < 0) {
                        vfs_unlink(&at, oi->name);
                        return r;
                }
                return 0;
        case S_IFLNK:
                target = malloc(VFS_PATH_MAX);
                if (!target)
                        return -ENOMEM;
                r = vfs_readlink(&oi->lower, target, VFS_PATH_MAX - 1);
                if (r >= 0) {
                        target[r] = '\0';
                        r = vfs_symlink(target, &at, oi->name);
                }
                free(target);
                return r;
        default:
                /* Host fifos, sockets and devices: the sentry provides its
                 * own, and has no mknod on the upper for these yet. */
                return -EPERM;
        }
}

int ovl_copy_up(struct ovl_inode *oi)
{
        struct inode *upper;
        struct dentry *d;
        struct stat st;
        struct iattr ia;
        int r;

        if (oi->upper.dentry)
                return 0;
        if (!oi->parent || oi->unlinked)
                return -ENOENT;         /* nothing to copy it under */
        r = ovl_copy_up(oi->parent);
        if (r < 0)
                return r;
        r = vfs_getattr(oi->lower.dentry->inode, &st);
        if (r == 0)
                r = copy_up_one(oi, &st);
        if (r < 0)
                return r;
        r = lookup_child(oi->parent->upper.dentry, oi->name, &d);
        if (r < 0)
                return r;
        upper = d->inode;
        ia = (struct iattr){
                .valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME | ATTR_MTIME,
                .mode = st.st_mode & 07777,
                .uid = st.st_uid,
                .gid = st.st_gid,
                .atime = st.st_atim,
                .mtime = st.st_mtim,
        };
        if (upper->ops->setattr)
                r = upper->ops->setattr(upper, &ia);
        if (r < 0) {
                dentry_unref(d);
                return r;
        }
        pthread_mutex_lock(&oi->base.lock);
        oi->upper = (struct path){ mount_ref(oi->parent->upper.mnt), d };
        pthread_mutex_unlock(&oi->base.lock);
        ovl_copy_attr(oi);
        /* A fresh upper file: nobody else shows it. */
        if (!S_ISDIR(oi->base.mode))
                (void)ovl_icache_add(&OVL_SB(oi->base.sb)->icache, oi);
        return 0;
}
