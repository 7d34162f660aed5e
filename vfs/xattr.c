/* Extended attributes: the namespace rules of Linux's xattr_permission(),
 * cap_inode_setxattr() and xattr_resolve_name(), then the inode ops. */
#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/xattr.h>

#include "file.h"
#include "fsnotify.h"
#include "xattr.h"

enum xattr_ns { XNS_USER, XNS_TRUSTED, XNS_SECURITY, XNS_SYSTEM, XNS_UNKNOWN };

static const struct {
        const char *prefix;
        size_t len;
} prefixes[] = {
        [XNS_USER] = { "user.", 5 },
        [XNS_TRUSTED] = { "trusted.", 8 },
        [XNS_SECURITY] = { "security.", 9 },
        [XNS_SYSTEM] = { "system.", 7 },
};

static enum xattr_ns xattr_ns(const char *name)
{
        for (int i = 0; i < XNS_UNKNOWN; i++)
                if (strncmp(name, prefixes[i].prefix, prefixes[i].len) == 0)
                        return i;
        return XNS_UNKNOWN;
}

/* What the type and owner of the file say, before the fs is asked
 * (xattr_permission() and the security hook). inode may be NULL: a file
 * with no inode here, whose mode is given. */
static int xattr_permission(struct inode *inode, mode_t mode, uint32_t uid,
                            const struct vfs_cred *c, const char *name, int mask)
{
        bool write = mask & MAY_WRITE;

        switch (xattr_ns(name)) {
        case XNS_SECURITY:
                /* cap_inode_setxattr(): CAP_SYS_ADMIN over the fs's user
                 * namespace (the sandbox's own) to change; reads are free. */
                return write && !vfs_cred_capable(c, CAP_SYS_ADMIN) ? -EPERM : 0;
        case XNS_SYSTEM:
                return 0;
        case XNS_TRUSTED:
                /* capable(CAP_SYS_ADMIN) in the initial namespace: never. */
                return write ? -EPERM : -ENODATA;
        case XNS_USER:
                if (!S_ISREG(mode) && !S_ISDIR(mode))
                        return write ? -EPERM : -ENODATA;
                if (S_ISDIR(mode) && (mode & S_ISVTX) && write && c->uid != uid &&
                    !vfs_cred_capable(c, CAP_FOWNER))
                        return -EPERM;
                break;
        case XNS_UNKNOWN:
                break;
        }
        return inode ? vfs_permission(inode, c, mask) : 0;
}

/* xattr_resolve_name(): a known prefix with a name after it. */
static int xattr_resolve(const char *name)
{
        enum xattr_ns ns = xattr_ns(name);

        if (ns == XNS_UNKNOWN || ns == XNS_SYSTEM)
                return -EOPNOTSUPP;     /* system.*: no POSIX ACLs here */
        return name[prefixes[ns].len] ? 0 : -EINVAL;
}

static void inode_mode_uid(struct inode *inode, mode_t *mode, uint32_t *uid)
{
        pthread_mutex_lock(&inode->lock);
        *mode = inode->mode;
        *uid = inode->uid;
        pthread_mutex_unlock(&inode->lock);
}

int vfs_setxattr(struct inode *inode, const struct vfs_cred *c, const char *name,
                 const void *value, size_t size, int flags)
{
        mode_t mode;
        uint32_t uid;
        int r;

        inode_mode_uid(inode, &mode, &uid);
        r = xattr_permission(inode, mode, uid, c, name, MAY_WRITE);
        if (r == 0)
                r = xattr_resolve(name);
        if (r == 0)
                r = inode->ops->setxattr ? inode->ops->setxattr(inode, name, value, size, flags)
                                         : -EOPNOTSUPP;
        if (r == 0)
                fsnotify_inode(inode, IN_ATTRIB);
        return r;
}

ssize_t vfs_getxattr(struct inode *inode, const struct vfs_cred *c, const char *name, void *buf,
                     size_t size)
{
        mode_t mode;
        uint32_t uid;
        int r;

        inode_mode_uid(inode, &mode, &uid);
        r = xattr_permission(inode, mode, uid, c, name, MAY_READ);
        if (r == 0)
                r = xattr_resolve(name);
        if (r < 0)
                return r;
        if (!inode->ops->getxattr)
                return -EOPNOTSUPP;
        return inode->ops->getxattr(inode, name, buf, size > XATTR_SIZE_MAX ? XATTR_SIZE_MAX : size);
}

ssize_t vfs_listxattr(struct inode *inode, char *buf, size_t size)
{
        if (!inode->ops->listxattr)
                return 0;
        return inode->ops->listxattr(inode, buf, size > XATTR_LIST_MAX ? XATTR_LIST_MAX : size);
}

int vfs_removexattr(struct inode *inode, const struct vfs_cred *c, const char *name)
{
        mode_t mode;
        uint32_t uid;
        int r;

        inode_mode_uid(inode, &mode, &uid);
        r = xattr_permission(inode, mode, uid, c, name, MAY_WRITE);
        if (r == 0)
                r = xattr_resolve(name);
        if (r == 0)
                r = inode->ops->removexattr ? inode->ops->removexattr(inode, name) : -EOPNOTSUPP;
        if (r == 0)
                fsnotify_inode(inode, IN_ATTRIB);
        return r;
}

/* A file with no inode: the namespace rules on its type, then nothing. */
static int no_inode_xattr(struct file *f, const struct vfs_cred *c, const char *name, int mask)
{
        struct stat st;
        int r = vfs_stat(f, &st);

        if (r == 0)
                r = xattr_permission(NULL, st.st_mode, st.st_uid, c, name, mask);
        if (r == 0)
                r = xattr_resolve(name);
        return r < 0 ? r : -EOPNOTSUPP;
}

int vfs_fsetxattr(struct file *f, const struct vfs_cred *c, const char *name, const void *value,
                  size_t size, int flags)
{
        if (!file_inode(f))
                return no_inode_xattr(f, c, name, MAY_WRITE);
        return vfs_setxattr(file_inode(f), c, name, value, size, flags);
}

ssize_t vfs_fgetxattr(struct file *f, const struct vfs_cred *c, const char *name, void *buf,
                      size_t size)
{
        if (!file_inode(f))
                return no_inode_xattr(f, c, name, MAY_READ);
        return vfs_getxattr(file_inode(f), c, name, buf, size);
}

ssize_t vfs_flistxattr(struct file *f, char *buf, size_t size)
{
        return file_inode(f) ? vfs_listxattr(file_inode(f), buf, size) : 0;
}

int vfs_fremovexattr(struct file *f, const struct vfs_cred *c, const char *name)
{
        if (!file_inode(f))
                return no_inode_xattr(f, c, name, MAY_WRITE);
        return vfs_removexattr(file_inode(f), c, name);
}
