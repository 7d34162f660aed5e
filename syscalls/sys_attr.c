/* Changing attributes: chmod, chown and truncate families, umask. */
#include <errno.h>
#include <fcntl.h>

#include "path.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

typedef int (*path_op)(const struct path *p, const struct vfs_cred *c, const uint64_t *args);

/* Resolve (dirfd, upath) and run op on it. */
static long at_path_op(struct task *t, int dirfd, guest_ptr_t upath, unsigned at_flags,
                       path_op op, const uint64_t *args)
{
        struct at_call c;
        struct path p;
        long r;

        r = at_begin(t, dirfd, upath, at_flags & AT_EMPTY_PATH, &c);
        if (r == 0 && !c.name[0] && c.file && !c.file->path.dentry)
                r = -EPERM;     /* a host passthrough file has no inode here */
        if (r == 0)
                r = vfs_lookup(&c.at, c.name,
                               (at_flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) | LOOKUP_EMPTY, &p);
        if (r == 0) {
                r = op(&p, &c.cred, args);
                path_put(&p);
        }
        at_end(&c);
        return r;
}

/* Run op on the file at fd (no O_PATH). */
static long fd_path_op(struct task *t, int fd, path_op op, const uint64_t *args)
{
        struct file *f = task_fget(t, fd);
        struct vfs_cred c = task_vfs_cred(t);
        long r;

        if (!f)
                return -EBADF;
        r = f->path.dentry ? op(&f->path, &c, args) : -EPERM;
        file_unref(f);
        return r;
}

static int op_chmod(const struct path *p, const struct vfs_cred *c, const uint64_t *args)
{
        return vfs_chmod(p, c, (mode_t)args[0]);
}

static int op_chown(const struct path *p, const struct vfs_cred *c, const uint64_t *args)
{
        return vfs_chown(p, c, (uint32_t)args[0], (uint32_t)args[1]);
}

static int op_truncate(const struct path *p, const struct vfs_cred *c, const uint64_t *args)
{
        return vfs_truncate(p, c, (int64_t)args[0]);
}

long sys_chmod(struct task *t, const struct syscall_args *a)
{
        return at_path_op(t, AT_FDCWD, a->a[0], 0, op_chmod, &a->a[1]);
}

long sys_fchmodat(struct task *t, const struct syscall_args *a)
{
        return at_path_op(t, (int)a->a[0], a->a[1], 0, op_chmod, &a->a[2]);
}

long sys_fchmod(struct task *t, const struct syscall_args *a)
{
        return fd_path_op(t, (int)a->a[0], op_chmod, &a->a[1]);
}

long sys_chown(struct task *t, const struct syscall_args *a)
{
        return at_path_op(t, AT_FDCWD, a->a[0], 0, op_chown, &a->a[1]);
}

long sys_lchown(struct task *t, const struct syscall_args *a)
{
        return at_path_op(t, AT_FDCWD, a->a[0], AT_SYMLINK_NOFOLLOW, op_chown, &a->a[1]);
}

long sys_fchown(struct task *t, const struct syscall_args *a)
{
        return fd_path_op(t, (int)a->a[0], op_chown, &a->a[1]);
}

long sys_fchownat(struct task *t, const struct syscall_args *a)
{
        unsigned flags = (unsigned)a->a[4];

        if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
                return -EINVAL;
        return at_path_op(t, (int)a->a[0], a->a[1], flags, op_chown, &a->a[2]);
}

long sys_truncate(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[1] < 0)
                return -EINVAL;
        return at_path_op(t, AT_FDCWD, a->a[0], 0, op_truncate, &a->a[1]);
}

long sys_ftruncate(struct task *t, const struct syscall_args *a)
{
        int64_t len = (int64_t)a->a[1];
        struct file *f;
        struct inode *inode;
        long r;

        if (len < 0)
                return -EINVAL;
        f = task_fget(t, (int)a->a[0]);
        if (!f)
                return -EBADF;
        inode = file_inode(f);
        if (!inode || !S_ISREG(inode->mode) || !file_writable(f))
                r = -EINVAL;
        else
                r = vfs_do_truncate(f->path.dentry, len);
        file_unref(f);
        return r;
}

long sys_umask(struct task *t, const struct syscall_args *a)
{
        return fs_umask(t->fs, (mode_t)a->a[0], true);
}
