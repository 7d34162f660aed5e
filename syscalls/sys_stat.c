/* Attributes by name or fd: stat, lstat, fstat, newfstatat, statx, access,
 * faccessat(2), readlink(at). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "path.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

/* Resolve (dirfd, upath) and stat it: with an empty name and AT_EMPTY_PATH,
 * the dirfd's file itself (any file, host passthrough ones included). */
static int stat_at(struct task *t, int dirfd, guest_ptr_t upath, unsigned at_flags,
                   struct stat *st)
{
        struct at_call c;
        struct path p;
        int r;

        r = at_begin(t, dirfd, upath, at_flags & AT_EMPTY_PATH, &c);
        if (r < 0)
                goto out;
        if (!c.name[0] && c.file) {
                r = vfs_stat(c.file, st);
                goto out;
        }
        r = vfs_lookup(&c.at, c.name,
                       (at_flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) | LOOKUP_EMPTY, &p);
        if (r == 0) {
                r = vfs_getattr(p.dentry->inode, st);
                path_put(&p);
        }
out:
        at_end(&c);
        return r;
}

/* glibc's x86_64 struct stat is the kernel's. */
static long stat_out(struct task *t, int dirfd, guest_ptr_t upath, unsigned at_flags,
                     guest_ptr_t ubuf)
{
        struct stat st;
        int r = stat_at(t, dirfd, upath, at_flags, &st);

        return r < 0 ? r : mm_copy_out(t->mm, ubuf, &st, sizeof(st));
}

long sys_stat(struct task *t, const struct syscall_args *a)
{
        return stat_out(t, AT_FDCWD, a->a[0], 0, a->a[1]);
}

long sys_lstat(struct task *t, const struct syscall_args *a)
{
        return stat_out(t, AT_FDCWD, a->a[0], AT_SYMLINK_NOFOLLOW, a->a[1]);
}

long sys_fstat(struct task *t, const struct syscall_args *a)
{
        struct file *f = fdtable_get(t->fdt, (int)a->a[0]);
        struct stat st;
        long r;

        if (!f)
                return -EBADF;
        r = vfs_stat(f, &st);
        file_unref(f);
        return r < 0 ? r : mm_copy_out(t->mm, a->a[1], &st, sizeof(st));
}

#define NEWFSTATAT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)

long sys_newfstatat(struct task *t, const struct syscall_args *a)
{
        if (a->a[3] & ~(uint64_t)NEWFSTATAT_FLAGS)
                return -EINVAL;
        return stat_out(t, (int)a->a[0], a->a[1], (unsigned)a->a[3], a->a[2]);
}

#define STATX_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)

static struct statx_timestamp statx_ts(struct timespec ts)
{
        return (struct statx_timestamp){ .tv_sec = ts.tv_sec, .tv_nsec = (uint32_t)ts.tv_nsec };
}

long sys_statx(struct task *t, const struct syscall_args *a)
{
        unsigned flags = (unsigned)a->a[2];
        struct statx stx;
        struct stat st;
        int r;

        if (flags & ~(unsigned)STATX_FLAGS)
                return -EINVAL;
        if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
                return -EINVAL;
        if ((unsigned)a->a[3] & STATX__RESERVED)
                return -EINVAL;
        if (a->a[1] == 0 && (flags & AT_EMPTY_PATH)) {
                /* Linux 6.11: a NULL name with AT_EMPTY_PATH is the fd. */
                struct file *f = fdtable_get(t->fdt, (int)a->a[0]);

                if (!f)
                        return -EBADF;
                r = vfs_stat(f, &st);
                file_unref(f);
        } else {
                r = stat_at(t, (int)a->a[0], a->a[1], flags, &st);
        }
        if (r < 0)
                return r;
        memset(&stx, 0, sizeof(stx));
        stx.stx_mask = STATX_BASIC_STATS;
        stx.stx_blksize = (uint32_t)st.st_blksize;
        stx.stx_nlink = (uint32_t)st.st_nlink;
        stx.stx_uid = st.st_uid;
        stx.stx_gid = st.st_gid;
        stx.stx_mode = (uint16_t)st.st_mode;
        stx.stx_ino = st.st_ino;
        stx.stx_size = (uint64_t)st.st_size;
        stx.stx_blocks = (uint64_t)st.st_blocks;
        stx.stx_atime = statx_ts(st.st_atim);
        stx.stx_mtime = statx_ts(st.st_mtim);
        stx.stx_ctime = statx_ts(st.st_ctim);
        stx.stx_rdev_major = major(st.st_rdev);
        stx.stx_rdev_minor = minor(st.st_rdev);
        stx.stx_dev_major = major(st.st_dev);
        stx.stx_dev_minor = minor(st.st_dev);
        return mm_copy_out(t->mm, a->a[4], &stx, sizeof(stx));
}

static long do_faccessat(struct task *t, int dirfd, guest_ptr_t upath, int mode, unsigned flags)
{
        struct at_call c;
        struct path p;
        long r;

        if (mode & ~(R_OK | W_OK | X_OK))
                return -EINVAL;
        if (flags & ~(unsigned)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
                return -EINVAL;
        r = at_begin(t, dirfd, upath, flags & AT_EMPTY_PATH, &c);
        if (r == 0 && !(flags & AT_EACCESS))
                c.cred = task_vfs_real_cred(t);
        if (r == 0)
                r = vfs_lookup(&c.at, c.name,
                               (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) | LOOKUP_EMPTY, &p);
        if (r == 0) {
                r = vfs_access(&p, &c.cred, mode);
                path_put(&p);
        }
        at_end(&c);
        return r;
}

long sys_access(struct task *t, const struct syscall_args *a)
{
        return do_faccessat(t, AT_FDCWD, a->a[0], (int)a->a[1], 0);
}

long sys_faccessat(struct task *t, const struct syscall_args *a)
{
        return do_faccessat(t, (int)a->a[0], a->a[1], (int)a->a[2], 0);
}

long sys_faccessat2(struct task *t, const struct syscall_args *a)
{
        return do_faccessat(t, (int)a->a[0], a->a[1], (int)a->a[2], (unsigned)a->a[3]);
}

static long do_readlinkat(struct task *t, int dirfd, guest_ptr_t upath, guest_ptr_t ubuf,
                          int size)
{
        struct at_call c;
        struct path p;
        char *buf = NULL;
        long r;

        if (size <= 0)
                return -EINVAL;
        r = at_begin(t, dirfd, upath, true, &c);
        if (r == 0)
                r = vfs_lookup(&c.at, c.name, LOOKUP_EMPTY, &p);
        if (r == 0) {
                size_t n = (size_t)size < VFS_PATH_MAX ? (size_t)size : VFS_PATH_MAX;

                buf = malloc(n);
                r = buf ? vfs_readlink(&p, buf, n) : -ENOMEM;
                /* Linux: "" naming something that is no symlink is ENOENT. */
                if (r == -EINVAL && !c.name[0])
                        r = -ENOENT;
                path_put(&p);
        }
        at_end(&c);
        if (r > 0) {
                int w = mm_copy_out(t->mm, ubuf, buf, (size_t)r);
                if (w < 0)
                        r = w;
        }
        free(buf);
        return r;
}

long sys_readlink(struct task *t, const struct syscall_args *a)
{
        return do_readlinkat(t, AT_FDCWD, a->a[0], a->a[1], (int)a->a[2]);
}

long sys_readlinkat(struct task *t, const struct syscall_args *a)
{
        return do_readlinkat(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}
