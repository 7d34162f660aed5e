/* tmpfs directories: the inode ops that change names, and readdir over the
 * dentry cache. Called with sb->lock held (see vfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>             /* RENAME_* */
#include <stdlib.h>
#include <string.h>

#include "tmpfs.h"

/* nlink and size of a directory change under sb->lock, written under
 * inode->lock so getattr reads them consistently. */
static void dir_adjust(struct inode *dir, int dlink, int dentries)
{
        pthread_mutex_lock(&dir->lock);
        dir->nlink = (unsigned)((int)dir->nlink + dlink);
        dir->size += dentries * BOGO_DIRENT_SIZE;
        vfs_now(&dir->mtime);
        dir->ctime = dir->mtime;
        pthread_mutex_unlock(&dir->lock);
}

static void nlink_add(struct inode *inode, int n)
{
        pthread_mutex_lock(&inode->lock);
        inode->nlink = (unsigned)((int)inode->nlink + n);
        vfs_now(&inode->ctime);
        pthread_mutex_unlock(&inode->lock);
}

/* Linux: a new inode's group is the directory's when it is setgid, and a
 * new directory inherits S_ISGID. */
static int make_inode(struct inode *dir, mode_t mode, const struct vfs_cred *c,
                      struct inode **ret)
{
        int r = tmpfs_new_inode(dir->sb, mode, c, ret);

        if (r == 0 && (dir->mode & S_ISGID)) {
                (*ret)->gid = dir->gid;
                if (S_ISDIR(mode))
                        (*ret)->mode |= S_ISGID;
        }
        return r;
}

static int tmpfs_create(struct inode *dir, struct dentry *d, mode_t mode,
                        const struct vfs_cred *c)
{
        struct inode *inode;
        int r = make_inode(dir, mode, c, &inode);

        if (r < 0)
                return r;
        d_instantiate(d, inode);
        d_pin(d);
        dir_adjust(dir, 0, 1);
        return 0;
}

static int tmpfs_mkdir(struct inode *dir, struct dentry *d, mode_t mode,
                       const struct vfs_cred *c)
{
        struct inode *inode;
        int r = make_inode(dir, S_IFDIR | mode, c, &inode);

        if (r < 0)
                return r;
        d_instantiate(d, inode);
        d_pin(d);
        dir_adjust(dir, 1, 1);
        return 0;
}

static int tmpfs_symlink(struct inode *dir, struct dentry *d, const char *target,
                         const struct vfs_cred *c)
{
        struct inode *inode;
        char *t = strdup(target);
        int r;

        if (!t)
                return -ENOMEM;
        r = make_inode(dir, S_IFLNK | 0777, c, &inode);
        if (r < 0) {
                free(t);
                return r;
        }
        TMPFS_I(inode)->target = t;
        inode->size = (int64_t)strlen(t);
        d_instantiate(d, inode);
        d_pin(d);
        dir_adjust(dir, 0, 1);
        return 0;
}

static int tmpfs_mknod(struct inode *dir, struct dentry *d, mode_t mode, dev_t dev,
                       const struct vfs_cred *c)
{
        struct inode *inode;
        int r = make_inode(dir, mode, c, &inode);

        if (r < 0)
                return r;
        inode->rdev = dev;
        d_instantiate(d, inode);
        d_pin(d);
        dir_adjust(dir, 0, 1);
        return 0;
}

static int tmpfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
        struct inode *inode = old->inode;

        nlink_add(inode, 1);
        d_instantiate(d, inode_ref(inode));
        d_pin(d);
        dir_adjust(dir, 0, 1);
        return 0;
}

static int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
        nlink_add(d->inode, -1);
        dir_adjust(dir, 0, -1);
        return 0;
}

static bool dir_empty(const struct dentry *d)
{
        for (const struct dentry *c = d->first; c; c = c->next)
                if (c->inode)
                        return false;
        return true;
}

static int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
        if (!dir_empty(d))
                return -ENOTEMPTY;
        pthread_mutex_lock(&d->inode->lock);
        d->inode->nlink = 0;
        vfs_now(&d->inode->ctime);
        pthread_mutex_unlock(&d->inode->lock);
        dir_adjust(dir, -1, -1);
        return 0;
}

static int tmpfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
                        struct dentry *nd, const char *newname, unsigned flags)
{
        (void)newname;          /* the caller moves the dentry: the cache is the directory */
        bool odirent = S_ISDIR(od->inode->mode);

        if (flags & RENAME_EXCHANGE) {
                bool ndirent = S_ISDIR(nd->inode->mode);

                if (odir != ndir && odirent != ndirent) {
                        dir_adjust(odir, odirent ? -1 : 1, 0);
                        dir_adjust(ndir, odirent ? 1 : -1, 0);
                } else {
                        dir_adjust(odir, 0, 0);
                        if (ndir != odir)
                                dir_adjust(ndir, 0, 0);
                }
                inode_touch_ctime(od->inode);
                inode_touch_ctime(nd->inode);
                return 0;
        }
        if (nd && nd->inode) {
                if (S_ISDIR(nd->inode->mode)) {
                        if (!dir_empty(nd))
                                return -ENOTEMPTY;
                        pthread_mutex_lock(&nd->inode->lock);
                        nd->inode->nlink = 0;
                        pthread_mutex_unlock(&nd->inode->lock);
                        dir_adjust(ndir, -1, -1);
                } else {
                        nlink_add(nd->inode, -1);
                        dir_adjust(ndir, 0, -1);
                }
        }
        dir_adjust(odir, odirent ? -1 : 0, -1);
        dir_adjust(ndir, odirent ? 1 : 0, 1);
        inode_touch_ctime(od->inode);
        return 0;
}

static int tmpfs_dir_open(struct inode *inode, unsigned flags, struct file **ret)
{
        (void)inode;
        return file_new(&tmpfs_dir_file_ops, flags, ret);
}

const struct inode_ops tmpfs_dir_inode_ops = {
        .create = tmpfs_create,
        .mkdir = tmpfs_mkdir,
        .symlink = tmpfs_symlink,
        .mknod = tmpfs_mknod,
        .link = tmpfs_link,
        .unlink = tmpfs_unlink,
        .rmdir = tmpfs_rmdir,
        .rename = tmpfs_rename,
        .setattr = tmpfs_setattr,
        .open = tmpfs_dir_open,
        .setxattr = tmpfs_setxattr,
        .getxattr = tmpfs_getxattr,
        .listxattr = tmpfs_listxattr,
        .removexattr = tmpfs_removexattr,
};

static ssize_t tmpfs_dir_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        (void)f, (void)dst, (void)pos;
        return -EISDIR;
}

static int tmpfs_dir_iterate(struct file *f, uint64_t *pos, d_emit_fn emit, void *ctx)
{
        dcache_readdir(f->path.dentry, pos, emit, ctx);
        return 0;
}

/* Linux's dcache_dir_lseek: SEEK_SET and SEEK_CUR to any offset >= 0. */
static int64_t tmpfs_dir_llseek(struct file *f, int64_t offset, int whence)
{
        int64_t r;

        pthread_mutex_lock(&f->pos_lock);
        switch (whence) {
        case SEEK_CUR:
                offset += f->pos;
                /* fall through */
        case SEEK_SET:
                if (offset >= 0) {
                        f->pos = offset;
                        r = offset;
                        break;
                }
                /* fall through */
        default:
                r = -EINVAL;
        }
        pthread_mutex_unlock(&f->pos_lock);
        return r;
}

const struct file_ops tmpfs_dir_file_ops = {
        .read = tmpfs_dir_read,
        .iterate = tmpfs_dir_iterate,
        .llseek = tmpfs_dir_llseek,
        .fsync = noop_fsync,
};
