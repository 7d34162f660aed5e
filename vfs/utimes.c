/* utimensat(2) and its older forms on a resolved path: Linux's vfs_utimes()
 * and the time rules of may_setattr()/setattr_prepare(). */
#include <errno.h>
#include <sys/stat.h>

#include "fsnotify.h"
#include "internal.h"

static bool nsec_valid(long nsec)
{
        return nsec == UTIME_OMIT || nsec == UTIME_NOW || (nsec >= 0 && nsec <= 999999999);
}

int vfs_utimes(const struct path *p, const struct vfs_cred *c, const struct timespec *times)
{
        struct inode *inode = p->dentry->inode;
        struct iattr ia = { .valid = ATTR_ATIME | ATTR_MTIME | ATTR_CTIME };
        bool explicit = false;
        uint32_t uid;
        int r;

        if (times) {
                if (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec))
                        return -EINVAL;
                if (times[0].tv_nsec == UTIME_NOW && times[1].tv_nsec == UTIME_NOW)
                        times = NULL;
        }
        vfs_now(&ia.ctime);
        ia.atime = ia.mtime = ia.ctime;
        if (times) {
                /* Anything but "both now" is an explicit change (ATTR_TIMES_SET). */
                explicit = true;
                if (times[0].tv_nsec == UTIME_OMIT)
                        ia.valid &= ~ATTR_ATIME;
                else if (times[0].tv_nsec != UTIME_NOW)
                        ia.atime = times[0];
                if (times[1].tv_nsec == UTIME_OMIT)
                        ia.valid &= ~ATTR_MTIME;
                else if (times[1].tv_nsec != UTIME_NOW)
                        ia.mtime = times[1];
        }
        pthread_mutex_lock(&inode->lock);
        uid = inode->uid;
        pthread_mutex_unlock(&inode->lock);
        /* inode_owner_or_capable(): the owner or CAP_FOWNER; "now" also
         * lets anyone who may write the file. */
        if (c->uid != uid && !vfs_cred_capable(c, CAP_FOWNER)) {
                if (explicit)
                        return -EPERM;
                r = vfs_permission(inode, c, MAY_WRITE);
                if (r < 0)
                        return r;
        }
        if (!inode->ops->setattr)
                return -EPERM;
        r = inode->ops->setattr(inode, &ia);
        if (r == 0)
                fsnotify_change(p->dentry, ia.valid);
        return r;
}
