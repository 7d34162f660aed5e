/* Extended attributes: Linux's fs/xattr.c checks above the inode ops.
 *
 * Namespaces: user.* (regular files and directories only: -EPERM to set,
 * -ENODATA to get on anything else; sticky directories only for their
 * owner; mode bits decide), security.* (anyone reads; setting and removing
 * need the guest's root, CAP_SYS_ADMIN over the sandbox's own mounts),
 * trusted.* (CAP_SYS_ADMIN in the initial user namespace, which no guest
 * holds: -EPERM to set, -ENODATA to get, as for root in a user namespace),
 * system.* (POSIX ACLs: not supported, -EOPNOTSUPP). Any other prefix, or a
 * known one with nothing after it, is -EOPNOTSUPP / -EINVAL.
 *
 * Names are host strings of 1..XATTR_NAME_MAX bytes (the syscall layer
 * returns -ERANGE for others); values at most XATTR_SIZE_MAX bytes. */
#ifndef CONTERNEL_VFS_XATTR_H
#define CONTERNEL_VFS_XATTR_H

#include <stddef.h>
#include <sys/types.h>

#include "vfs.h"

#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define XATTR_LIST_MAX 65536

struct file;

/* On a resolved inode. */
int vfs_setxattr(struct inode *inode, const struct vfs_cred *c, const char *name,
                 const void *value, size_t size, int flags);
/* size 0: only the length. size is clamped to XATTR_SIZE_MAX. */
ssize_t vfs_getxattr(struct inode *inode, const struct vfs_cred *c, const char *name, void *buf,
                     size_t size);
ssize_t vfs_listxattr(struct inode *inode, char *buf, size_t size);
int vfs_removexattr(struct inode *inode, const struct vfs_cred *c, const char *name);

/* The same on an open file, which may have no inode here (pipes, anonymous
 * files, host passthrough files): its type from vfs_stat() then decides
 * user.*, and there is nothing else to find. */
int vfs_fsetxattr(struct file *f, const struct vfs_cred *c, const char *name, const void *value,
                  size_t size, int flags);
ssize_t vfs_fgetxattr(struct file *f, const struct vfs_cred *c, const char *name, void *buf,
                      size_t size);
ssize_t vfs_flistxattr(struct file *f, char *buf, size_t size);
int vfs_fremovexattr(struct file *f, const struct vfs_cred *c, const char *name);

#endif
