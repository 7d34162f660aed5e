/* Operations on names in directories: mkdir, rmdir, unlink, symlink, link,
 * rename. Each walks to the parent, then works on the final component under
 * sb->lock, with the checks of Linux's fs/namei.c in its order. */
#include <errno.h>
#include <stdio.h>              /* RENAME_* */
#include <string.h>

#include "fsnotify.h"
#include "internal.h"

static int nd_parent(struct nameidata *nd, const struct vfs_at *at, const char *name)
{
        int r = nd_init(nd, at, name, 0);

        return r < 0 ? r : nd_walk_parent(nd);
}

/* Linux's may_create(): the directory is alive and writable. */
static int may_create(struct inode *dir, const struct vfs_cred *c)
{
        if (dir->nlink == 0)
                return -ENOENT;
        return vfs_permission(dir, c, MAY_WRITE | MAY_EXEC);
}

/* Linux's may_delete(), sticky bit included. */
static int may_delete(struct inode *dir, struct dentry *victim, bool isdir,
                      const struct vfs_cred *c)
{
        struct inode *inode = victim->inode;
        int r = vfs_permission(dir, c, MAY_WRITE | MAY_EXEC);

        if (r < 0)
                return r;
        if ((dir->mode & S_ISVTX) && c->uid != inode->uid && c->uid != dir->uid &&
            !vfs_cred_capable(c, CAP_FOWNER))
                return -EPERM;
        if (isdir) {
                if (!inode_is_dir(inode))
                        return -ENOTDIR;
        } else if (inode_is_dir(inode)) {
                return -EISDIR;
        }
        if (dir->nlink == 0)
                return -ENOENT;
        return 0;
}

/* Common to mkdir and symlink: a new name (Linux's filename_create()). */
typedef int (*make_fn)(struct inode *dir, struct dentry *d, const void *arg,
                       const struct vfs_cred *c);

static int do_make(const struct vfs_at *at, const char *name, bool is_dir, make_fn make,
                   const void *arg, struct path *ret)
{
        struct nameidata nd;
        struct dentry *dir, *d = NULL;
        struct super_block *sb;
        int r;

        r = nd_parent(&nd, at, name);
        if (r < 0)
                goto out;
        if (nd.last_type != LAST_NORM) {
                r = -EEXIST;
                goto out;
        }
        dir = nd.path.dentry;
        sb = dir->sb;
        pthread_mutex_lock(&sb->lock);
        r = d_lookup_fetch(dir, nd.last, &d);
        if (r == 0)
                r = -EEXIST;
        else if (r != -ENOENT)
                ;
        else if (nd.trailing && !is_dir)
                r = -ENOENT;
        else
                r = may_create(dir->inode, at->cred);
        if (r == 0)
                r = d_alloc(dir, nd.last, &d);
        if (r == 0) {
                r = make(dir->inode, d, arg, at->cred);
                if (r < 0)
                        d_delete(d);
        }
        pthread_mutex_unlock(&sb->lock);
        if (r == 0)
                fsnotify_create(dir->inode, nd.last, is_dir);
        if (r == 0 && ret)
                *ret = (struct path){ mount_ref(nd.path.mnt), dentry_ref(d) };
        dentry_unref(d);
out:
        nd_release(&nd);
        return r;
}

static int make_dir(struct inode *dir, struct dentry *d, const void *arg,
                    const struct vfs_cred *c)
{
        if (!dir->ops->mkdir)
                return -EPERM;
        return dir->ops->mkdir(dir, d, *(const mode_t *)arg, c);
}

int vfs_mkdir(const struct vfs_at *at, const char *name, mode_t mode)
{
        mode = mode & (07777 & ~(mode_t)(S_ISUID | S_ISGID)) & ~fs_umask(at->fs, 0, false);
        return do_make(at, name, true, make_dir, &mode, NULL);
}

static int make_symlink(struct inode *dir, struct dentry *d, const void *arg,
                        const struct vfs_cred *c)
{
        if (!dir->ops->symlink)
                return -EPERM;
        return dir->ops->symlink(dir, d, arg, c);
}

int vfs_symlink(const char *target, const struct vfs_at *at, const char *name)
{
        if (!*target)
                return -ENOENT;
        return do_make(at, name, false, make_symlink, target, NULL);
}

struct mknod_args {
        mode_t mode;
        dev_t dev;
};

/* Linux's vfs_mknod() after may_create(), or vfs_create() for a regular
 * file. Device nodes need CAP_MKNOD in the initial user namespace, which no
 * guest holds: only a whiteout (a character device 0:0) may be made. */
static int make_node(struct inode *dir, struct dentry *d, const void *arg,
                     const struct vfs_cred *c)
{
        const struct mknod_args *m = arg;

        if (S_ISREG(m->mode))
                return dir->ops->create ? dir->ops->create(dir, d, m->mode, c) : -EACCES;
        if ((S_ISCHR(m->mode) || S_ISBLK(m->mode)) && !(S_ISCHR(m->mode) && m->dev == 0))
                return -EPERM;
        if (!dir->ops->mknod)
                return -EPERM;
        return dir->ops->mknod(dir, d, m->mode, m->dev, c);
}

int vfs_mknodat(const struct vfs_at *at, const char *name, mode_t mode, dev_t dev,
                struct path *ret)
{
        struct mknod_args m = { .dev = dev };

        /* may_mknod(). */
        switch (mode & S_IFMT) {
        case 0:
                mode |= S_IFREG;
                break;
        case S_IFREG:
        case S_IFCHR:
        case S_IFBLK:
        case S_IFIFO:
        case S_IFSOCK:
                break;
        case S_IFDIR:
                return -EPERM;
        default:
                return -EINVAL;
        }
        if (!S_ISCHR(mode) && !S_ISBLK(mode))
                m.dev = 0;
        m.mode = (mode & S_IFMT) | ((mode & 07777) & ~fs_umask(at->fs, 0, false));
        return do_make(at, name, false, make_node, &m, ret);
}

static int do_remove(const struct vfs_at *at, const char *name, bool is_dir)
{
        struct nameidata nd;
        struct dentry *dir, *d = NULL;
        struct inode *victim = NULL;
        struct super_block *sb;
        int r;

        r = nd_parent(&nd, at, name);
        if (r < 0)
                goto out;
        switch (nd.last_type) {
        case LAST_NORM:
                break;
        case LAST_DOTDOT:
                r = is_dir ? -ENOTEMPTY : -EISDIR;
                goto out;
        case LAST_DOT:
                r = is_dir ? -EINVAL : -EISDIR;
                goto out;
        case LAST_ROOT:
                r = is_dir ? -EBUSY : -EISDIR;
                goto out;
        }
        dir = nd.path.dentry;
        sb = dir->sb;
        pthread_mutex_lock(&sb->lock);
        r = d_lookup_fetch(dir, nd.last, &d);
        if (r == 0) {
                if (!is_dir && nd.trailing)
                        r = inode_is_dir(d->inode) ? -EISDIR : -ENOTDIR;
                else
                        r = may_delete(dir->inode, d, is_dir, at->cred);
        }
        if (r == 0 && atomic_load(&d->mounted))
                r = -EBUSY;
        if (r == 0) {
                if (is_dir)
                        r = dir->inode->ops->rmdir ? dir->inode->ops->rmdir(dir->inode, d) : -EPERM;
                else
                        r = dir->inode->ops->unlink ? dir->inode->ops->unlink(dir->inode, d) : -EPERM;
                if (r == 0) {
                        victim = inode_ref(d->inode);
                        d_delete(d);
                }
        }
        pthread_mutex_unlock(&sb->lock);
        if (victim) {
                fsnotify_delete(dir->inode, victim, nd.last);
                inode_unref(victim);
        }
        dentry_unref(d);
out:
        nd_release(&nd);
        return r;
}

int vfs_rmdir(const struct vfs_at *at, const char *name)
{
        return do_remove(at, name, true);
}

int vfs_unlink(const struct vfs_at *at, const char *name)
{
        return do_remove(at, name, false);
}

/* Linux's may_linkat() with fs.protected_hardlinks = 1, the default. */
static int may_linkat(struct inode *inode, const struct vfs_cred *c)
{
        mode_t mode = inode->mode;

        if (c->uid == inode->uid || vfs_cred_capable(c, CAP_FOWNER))
                return 0;
        if (!S_ISREG(mode) || (mode & S_ISUID) ||
            ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) ||
            vfs_permission(inode, c, MAY_READ | MAY_WRITE) < 0)
                return -EPERM;
        return 0;
}

int vfs_link(const struct vfs_at *oat, const char *oname, unsigned oflags,
             const struct vfs_at *nat, const char *nname)
{
        struct nameidata nd = { 0 };
        struct path old = { 0 };
        struct dentry *dir, *d = NULL;
        struct inode *inode;
        struct super_block *sb;
        int r;

        r = vfs_lookup(oat, oname, oflags, &old);
        if (r < 0)
                return r;
        r = nd_parent(&nd, nat, nname);
        if (r < 0)
                goto out;
        if (nd.last_type != LAST_NORM) {
                r = -EEXIST;
                goto out;
        }
        dir = nd.path.dentry;
        sb = dir->sb;
        inode = old.dentry->inode;
        pthread_mutex_lock(&sb->lock);
        r = d_lookup_fetch(dir, nd.last, &d);
        if (r == 0)
                r = -EEXIST;
        else if (r != -ENOENT)
                ;
        else if (nd.trailing)
                r = -ENOENT;
        else if (old.mnt != nd.path.mnt)
                r = -EXDEV;
        else if ((r = may_linkat(inode, nat->cred)) < 0)
                ;
        else if ((r = may_create(dir->inode, nat->cred)) < 0)
                ;
        else if (!dir->inode->ops->link)
                r = -EPERM;
        else if (inode_is_dir(inode))
                r = -EPERM;
        else if (inode->nlink == 0 && !inode->linkable)
                r = -ENOENT;
        else
                r = d_alloc(dir, nd.last, &d);
        if (r == 0) {
                r = dir->inode->ops->link(old.dentry, dir->inode, d);
                if (r < 0)
                        d_delete(d);
                else
                        inode->linkable = false;
        }
        pthread_mutex_unlock(&sb->lock);
        if (r == 0)
                fsnotify_link(dir->inode, inode, nd.last);
        dentry_unref(d);
out:
        nd_release(&nd);
        path_put(&old);
        return r;
}

/* Both parents walked: the checks and the move, under the one sb->lock.
 * What moved (and what it replaced or was exchanged with) for the events
 * goes to *ret_moved and *ret_target: new references, NULL when nothing
 * happened. */
static int rename_locked(struct nameidata *on, struct nameidata *nn, unsigned flags,
                         const struct vfs_cred *c, struct dentry **ret_od, struct dentry **ret_nd,
                         struct inode **ret_moved, struct inode **ret_target)
{
        struct dentry *odir = on->path.dentry, *ndir = nn->path.dentry;
        struct dentry *od, *nd;
        bool isdir;
        int r;

        r = d_lookup_fetch(odir, on->last, &od);
        if (r < 0)
                return r;
        *ret_od = od;
        r = d_lookup_fetch(ndir, nn->last, &nd);
        if (r == 0)
                *ret_nd = nd;
        else if (r == -ENOENT)
                nd = NULL;
        else
                return r;
        if ((flags & RENAME_NOREPLACE) && nd)
                return -EEXIST;
        if ((flags & RENAME_EXCHANGE) && !nd)
                return -ENOENT;
        isdir = inode_is_dir(od->inode);
        if (!isdir && (on->trailing || (!(flags & RENAME_EXCHANGE) && nn->trailing)))
                return -ENOTDIR;
        if ((flags & RENAME_EXCHANGE) && !inode_is_dir(nd->inode) && nn->trailing)
                return -ENOTDIR;
        /* Linux's lock_rename() traps: a directory into itself. */
        if (d_is_ancestor(od, ndir))
                return -EINVAL;
        if (nd && d_is_ancestor(nd, odir))
                return (flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
        if (nd && od->inode == nd->inode)
                return 0;
        r = may_delete(odir->inode, od, isdir, c);
        if (r < 0)
                return r;
        if (!nd)
                r = may_create(ndir->inode, c);
        else
                r = may_delete(ndir->inode, nd,
                               (flags & RENAME_EXCHANGE) ? inode_is_dir(nd->inode) : isdir, c);
        if (r < 0)
                return r;
        /* Moving a directory rewrites its "..". */
        if (odir != ndir) {
                if (isdir && (r = vfs_permission(od->inode, c, MAY_WRITE)) < 0)
                        return r;
                if ((flags & RENAME_EXCHANGE) && nd && inode_is_dir(nd->inode) &&
                    (r = vfs_permission(nd->inode, c, MAY_WRITE)) < 0)
                        return r;
        }
        if (atomic_load(&od->mounted) || (nd && atomic_load(&nd->mounted)))
                return -EBUSY;
        if (!odir->inode->ops->rename)
                return -EPERM;
        r = odir->inode->ops->rename(odir->inode, od, ndir->inode, nd, nn->last, flags);
        if (r < 0)
                return r;
        *ret_moved = inode_ref(od->inode);
        *ret_target = nd ? inode_ref(nd->inode) : NULL;
        if (flags & RENAME_EXCHANGE)
                return d_exchange(od, nd);
        if (nd)
                d_delete(nd);
        return d_move(od, ndir, nn->last);
}

int vfs_rename(const struct vfs_at *oat, const char *oname, const struct vfs_at *nat,
               const char *nname, unsigned flags)
{
        struct nameidata on = { 0 }, nn = { 0 };
        struct dentry *od = NULL, *nd = NULL;
        struct inode *moved = NULL, *target = NULL;
        struct super_block *sb;
        int r;

        if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
                return -EINVAL;
        if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
                return -EINVAL;
        r = nd_parent(&on, oat, oname);
        if (r < 0)
                goto out;
        r = nd_parent(&nn, nat, nname);
        if (r < 0)
                goto out;
        if (on.path.mnt != nn.path.mnt) {
                r = -EXDEV;
                goto out;
        }
        if (on.last_type != LAST_NORM) {
                r = -EBUSY;
                goto out;
        }
        if (nn.last_type != LAST_NORM) {
                r = (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
                goto out;
        }
        sb = on.path.dentry->sb;
        pthread_mutex_lock(&sb->lock);
        r = rename_locked(&on, &nn, flags, oat->cred, &od, &nd, &moved, &target);
        pthread_mutex_unlock(&sb->lock);
        if (moved && (flags & RENAME_EXCHANGE)) {
                struct inode *odir = on.path.dentry->inode, *ndir = nn.path.dentry->inode;

                fsnotify_move(odir, on.last, ndir, nn.last, moved, NULL);
                fsnotify_move(ndir, nn.last, odir, on.last, target, NULL);
        } else if (moved) {
                fsnotify_move(on.path.dentry->inode, on.last, nn.path.dentry->inode, nn.last,
                              moved, target);
        }
        inode_unref(target);
        inode_unref(moved);
        dentry_unref(nd);
        dentry_unref(od);
out:
        nd_release(&nn);
        nd_release(&on);
        return r;
}
