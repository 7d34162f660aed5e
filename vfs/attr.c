/* Attribute changes and queries on resolved paths: readlink, chmod, chown,
 * truncate, access — Linux's notify_change()/setattr_prepare() rules. */
#include <errno.h>
#include <unistd.h>

#include "fsnotify.h"
#include "internal.h"

int vfs_readlink(const struct path *p, char *buf, size_t size)
{
        struct inode *inode = p->dentry->inode;
        int r;

        if (!inode_is_lnk(inode) || !inode->ops->readlink)
                return -EINVAL;
        r = inode->ops->readlink(inode, buf, size);
        if (r >= 0)
                inode_touch_atime(inode);
        return r;
}

static int notify_change(struct dentry *d, struct iattr *ia)
{
        struct inode *inode = d->inode;
        int r;

        vfs_now(&ia->ctime);
        ia->valid |= ATTR_CTIME;
        if (!inode->ops->setattr)
                return -EPERM;
        r = inode->ops->setattr(inode, ia);
        if (r == 0)
                fsnotify_change(d, ia->valid);
        return r;
}

static bool owner_or_capable(struct inode *inode, const struct vfs_cred *c)
{
        return c->uid == inode->uid || vfs_cred_capable(c, CAP_FOWNER);
}

int vfs_chmod(const struct path *p, const struct vfs_cred *c, mode_t mode)
{
        struct inode *inode = p->dentry->inode;
        struct iattr ia = { .valid = ATTR_MODE, .mode = mode & 07777 };

        if (!owner_or_capable(inode, c))
                return -EPERM;
        /* setattr_copy(): no S_ISGID for a group the caller is not in. */
        if (!vfs_cred_in_group(c, inode->gid) && !vfs_cred_capable(c, CAP_FSETID))
                ia.mode &= ~(mode_t)S_ISGID;
        return notify_change(p->dentry, &ia);
}

int vfs_chown(const struct path *p, const struct vfs_cred *c, uint32_t uid, uint32_t gid)
{
        struct inode *inode = p->dentry->inode;
        struct iattr ia = { 0 };
        mode_t mode;

        pthread_mutex_lock(&inode->lock);
        mode = inode->mode;
        pthread_mutex_unlock(&inode->lock);
        if (uid != (uint32_t)-1) {
                /* chown_ok(): only CAP_CHOWN gives a file away. */
                if (!vfs_cred_capable(c, CAP_CHOWN) && !(c->uid == inode->uid && uid == inode->uid))
                        return -EPERM;
                ia.valid |= ATTR_UID;
                ia.uid = uid;
        }
        if (gid != (uint32_t)-1) {
                if (!vfs_cred_capable(c, CAP_CHOWN) &&
                    !(c->uid == inode->uid && (gid == inode->gid || vfs_cred_in_group(c, gid))))
                        return -EPERM;
                ia.valid |= ATTR_GID;
                ia.gid = gid;
        }
        /* ATTR_KILL_SUID / ATTR_KILL_SGID on anything but a directory. */
        if (!S_ISDIR(mode)) {
                mode_t nmode = mode & 07777;

                nmode &= ~(mode_t)S_ISUID;
                if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
                        nmode &= ~(mode_t)S_ISGID;
                if (nmode != (mode & 07777)) {
                        ia.valid |= ATTR_MODE;
                        ia.mode = nmode;
                }
        }
        return notify_change(p->dentry, &ia);
}

int vfs_truncate(const struct path *p, const struct vfs_cred *c, int64_t len)
{
        struct inode *inode = p->dentry->inode;
        struct iattr ia = { .valid = ATTR_SIZE, .size = len };
        int r;

        if (len < 0)
                return -EINVAL;
        if (inode_is_dir(inode))
                return -EISDIR;
        if (!S_ISREG(inode->mode))
                return -EINVAL;
        r = vfs_permission(inode, c, MAY_WRITE);
        if (r < 0)
                return r;
        if (!inode->ops->setattr)
                return -EPERM;
        r = inode_get_write_access(inode);      /* -ETXTBSY while it runs */
        if (r < 0)
                return r;
        /* truncate(2) passes no time attributes: the fs updates the times
         * only when the size changes. */
        r = inode->ops->setattr(inode, &ia);
        inode_put_write_access(inode);
        if (r == 0)
                fsnotify_change(p->dentry, ia.valid);
        return r;
}

int vfs_access(const struct path *p, const struct vfs_cred *c, int mode)
{
        struct inode *inode = p->dentry->inode;
        int mask = 0;

        if (mode == F_OK)
                return 0;
        if (mode & R_OK)
                mask |= MAY_READ;
        if (mode & W_OK)
                mask |= MAY_WRITE;
        if (mode & X_OK)
                mask |= MAY_EXEC;
        return vfs_permission(inode, c, mask);
}
