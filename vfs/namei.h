/*
 * Path names: the walk (namei.c) and the operations on names (open.c,
 * dirops.c, attr.c, d_path.c), with Linux's checks and errnos.
 *
 * Names are host strings the caller copied in (at most VFS_PATH_MAX bytes
 * with the NUL). A relative name starts at at->dir, or at the cwd when that
 * is NULL; an absolute one at the root of at->fs; `..` never leaves the root.
 */
#ifndef CONTERNEL_VFS_NAMEI_H
#define CONTERNEL_VFS_NAMEI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "vfs.h"

struct file;

#define LOOKUP_FOLLOW    0x1    /* follow a final symlink */
#define LOOKUP_DIRECTORY 0x2    /* the final must be a directory (ENOTDIR) */
#define LOOKUP_EMPTY     0x4    /* "" is at->dir itself (AT_EMPTY_PATH) */

/* openat2's RESOLVE_* (struct vfs_at.resolve), with Linux's values and
 * errnos: a mount crossed under NO_XDEV is EXDEV; a symlink followed under
 * NO_SYMLINKS, or a magic link (/proc/PID/fd/N) under NO_MAGICLINKS, is
 * ELOOP; BENEATH and IN_ROOT make the starting directory the root (an
 * absolute name, an absolute symlink or `..` leaving it is EXDEV under
 * BENEATH and stays there under IN_ROOT; a magic link is EXDEV under
 * either). CACHED changes nothing here (the caller refuses what would
 * create with EAGAIN). */
#define VFS_RESOLVE_NO_XDEV       0x01u
#define VFS_RESOLVE_NO_MAGICLINKS 0x02u
#define VFS_RESOLVE_NO_SYMLINKS   0x04u
#define VFS_RESOLVE_BENEATH       0x08u
#define VFS_RESOLVE_IN_ROOT       0x10u
#define VFS_RESOLVE_CACHED        0x20u
#define VFS_RESOLVE_SCOPED        (VFS_RESOLVE_BENEATH | VFS_RESOLVE_IN_ROOT)

struct vfs_at {
        struct fs_context *fs;
        const struct vfs_cred *cred;
        const struct path *dir;         /* the dirfd's path; NULL: the cwd */
        unsigned resolve;               /* VFS_RESOLVE_* */
};

/* Resolve name to a new path reference in *ret. */
int vfs_lookup(const struct vfs_at *at, const char *name, unsigned flags, struct path *ret);

/* open(2): flags as the guest passed them (O_CLOEXEC is the caller's).
 * mode for O_CREAT before the umask. A new file in *ret. */
int vfs_open(const struct vfs_at *at, const char *name, unsigned flags, mode_t mode,
             struct file **ret);
/* A file for an inode already found, with the open checks (no O_CREAT). */
int vfs_open_path(const struct path *p, const struct vfs_cred *c, unsigned flags,
                  struct file **ret);

/* execve's open (Linux's do_open_execat): a regular file (else -EACCES)
 * that c may execute (MAY_EXEC), opened for reading whatever its read bits
 * say; -ETXTBSY while it is open for writing, and no open for writing
 * (nor truncate) succeeds while the returned file lives. */
int vfs_open_exec(const struct path *p, const struct vfs_cred *c, struct file **ret);

int vfs_mkdir(const struct vfs_at *at, const char *name, mode_t mode);
int vfs_rmdir(const struct vfs_at *at, const char *name);
int vfs_unlink(const struct vfs_at *at, const char *name);
int vfs_symlink(const char *target, const struct vfs_at *at, const char *name);
/* mknod(2): mode's type S_IFREG (or 0), S_IFIFO, S_IFSOCK, S_IFCHR or
 * S_IFBLK (-EPERM for S_IFDIR, -EINVAL for others), permission bits less
 * the umask; dev is the node's rdev (ignored but for devices). Device nodes
 * are -EPERM (the guest has no CAP_MKNOD over the host's devices) but for a
 * whiteout (character device 0:0). -EEXIST, -ENOENT, -EACCES as mkdir.
 * With ret non-NULL, a new reference to the new name (unix sockets bind
 * with S_IFSOCK and keep it: an existing name is -EEXIST, which bind(2)
 * answers as EADDRINUSE). */
int vfs_mknodat(const struct vfs_at *at, const char *name, mode_t mode, dev_t dev,
                struct path *ret);
/* link(2): old resolved with oflags (LOOKUP_FOLLOW, LOOKUP_EMPTY). */
int vfs_link(const struct vfs_at *oat, const char *oname, unsigned oflags,
             const struct vfs_at *nat, const char *nname);
/* renameat2 flags: RENAME_NOREPLACE, RENAME_EXCHANGE. */
int vfs_rename(const struct vfs_at *oat, const char *oname, const struct vfs_at *nat,
               const char *nname, unsigned flags);

/* On a resolved path. */
int vfs_readlink(const struct path *p, char *buf, size_t size);
int vfs_chmod(const struct path *p, const struct vfs_cred *c, mode_t mode);
/* uid/gid (uint32_t)-1: unchanged. */
int vfs_chown(const struct path *p, const struct vfs_cred *c, uint32_t uid, uint32_t gid);
int vfs_truncate(const struct path *p, const struct vfs_cred *c, int64_t len);
/* access(2) with mode R_OK|W_OK|X_OK or F_OK, c being the ids to check. */
int vfs_access(const struct path *p, const struct vfs_cred *c, int mode);
/* utimensat(2): times[0] atime, times[1] mtime, each a time or UTIME_NOW /
 * UTIME_OMIT in tv_nsec; NULL: both now. Explicit times need the owner or
 * CAP_FOWNER (-EPERM); "both now" also write access (-EACCES). -EINVAL for
 * a bad tv_nsec. (The caller returns early when both are UTIME_OMIT.) */
int vfs_utimes(const struct path *p, const struct vfs_cred *c, const struct timespec *times);
/* Set the size through setattr, no permission check (ftruncate, O_TRUNC). */
int vfs_do_truncate(struct dentry *d, int64_t len);

/* statfs(2) of the file system p is on (statfs.c). -ENOSYS if the fs has
 * none. */
int vfs_statfs(const struct path *p, struct statfs *ret);
/* fstatfs(2): the same, or for a file with no inode here what its kind
 * says (pipefs, sockfs, anon_inodefs). */
int vfs_fstatfs(struct file *f, struct statfs *ret);

/* getcwd(2): the path of p from the root of fs into buf (with its NUL);
 * returns the length with the NUL, -ERANGE if size is too small, -ENOENT if
 * p was removed. */
int vfs_d_path(struct fs_context *fs, const struct path *p, char *buf, size_t size);
/* The same for getcwd(2): a p outside the root (chroot) is named from the
 * namespace's top with "(unreachable)" before it, as Linux does. */
int vfs_getcwd(struct fs_context *fs, const struct path *p, char *buf, size_t size);
/* The same for /proc's links: a removed file's name ends in " (deleted)"
 * (an unlinked file, a memfd, an O_TMPFILE file), as Linux's d_path(). */
int vfs_d_path_any(struct fs_context *fs, const struct path *p, char *buf, size_t size);

#endif
