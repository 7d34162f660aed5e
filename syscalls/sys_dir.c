/* Directories: mkdir(at), rmdir, getdents64, chdir, fchdir, getcwd. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

static long do_mkdirat(struct task *t, int dirfd, guest_ptr_t upath, mode_t mode)
{
        struct at_call c;
        long r = at_begin(t, dirfd, upath, false, &c);

        if (r == 0)
                r = vfs_mkdir(&c.at, c.name, mode);
        at_end(&c);
        return r;
}

long sys_mkdir(struct task *t, const struct syscall_args *a)
{
        return do_mkdirat(t, AT_FDCWD, a->a[0], (mode_t)a->a[1]);
}

long sys_mkdirat(struct task *t, const struct syscall_args *a)
{
        return do_mkdirat(t, (int)a->a[0], a->a[1], (mode_t)a->a[2]);
}

long sys_rmdir(struct task *t, const struct syscall_args *a)
{
        struct at_call c;
        long r = at_begin(t, AT_FDCWD, a->a[0], false, &c);

        if (r == 0)
                r = vfs_rmdir(&c.at, c.name);
        at_end(&c);
        return r;
}

/* struct linux_dirent64 records into a host buffer. */
struct dirent_buf {
        char *buf;
        size_t size, used;
        bool full;                      /* an entry did not fit */
};

#define DIRENT64_NAME_OFF 19    /* offsetof(struct linux_dirent64, d_name) */

static bool dirent_emit(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type,
                        uint64_t next_off)
{
        struct dirent_buf *b = ctx;
        size_t reclen = (DIRENT64_NAME_OFF + len + 1 + 7) & ~(size_t)7;
        char *p = b->buf + b->used;
        uint16_t rl = (uint16_t)reclen;
        int64_t off = (int64_t)next_off;
        uint8_t ty = (uint8_t)type;

        if (reclen > b->size - b->used) {
                b->full = true;
                return false;
        }
        memset(p, 0, reclen);
        memcpy(p, &ino, 8);
        memcpy(p + 8, &off, 8);
        memcpy(p + 16, &rl, 2);
        memcpy(p + 18, &ty, 1);
        memcpy(p + DIRENT64_NAME_OFF, name, len);
        b->used += reclen;
        return true;
}

long sys_getdents64(struct task *t, const struct syscall_args *a)
{
        size_t count = (size_t)(unsigned)a->a[2];
        struct dirent_buf b = { 0 };
        struct file *f;
        long r;

        f = task_fget(t, (int)a->a[0]);
        if (!f)
                return -EBADF;
        b.size = count < 65536 ? count : 65536;
        b.buf = malloc(b.size ? b.size : 1);
        if (!b.buf) {
                file_unref(f);
                return -ENOMEM;
        }
        r = vfs_iterate(f, dirent_emit, &b);
        file_unref(f);
        /* Not even the first entry fit: EINVAL (at the end: 0). */
        if (r == 0 && b.used == 0 && b.full)
                r = -EINVAL;
        if (r == 0 && b.used)
                r = mm_copy_out(t->mm, a->a[1], b.buf, b.used);
        free(b.buf);
        return r < 0 ? r : (long)b.used;
}

static long chdir_path(struct task *t, const struct path *p, const struct vfs_cred *c)
{
        long r;

        if (!S_ISDIR(p->dentry->inode->mode))
                return -ENOTDIR;
        r = vfs_permission(p->dentry->inode, c, MAY_EXEC);
        if (r == 0)
                fs_set_cwd(t->fs, p);
        return r;
}

long sys_chdir(struct task *t, const struct syscall_args *a)
{
        struct at_call c;
        struct path p;
        long r = at_begin(t, AT_FDCWD, a->a[0], false, &c);

        if (r == 0)
                r = vfs_lookup(&c.at, c.name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
        if (r == 0) {
                r = chdir_path(t, &p, &c.cred);
                path_put(&p);
        }
        at_end(&c);
        return r;
}

long sys_fchdir(struct task *t, const struct syscall_args *a)
{
        struct file *f = fdtable_get(t->fdt, (int)a->a[0]);
        struct vfs_cred c = task_vfs_cred(t);
        long r;

        if (!f)
                return -EBADF;
        r = f->path.dentry ? chdir_path(t, &f->path, &c) : -ENOTDIR;
        file_unref(f);
        return r;
}

/* chroot(2): a directory the caller may search (EACCES), and then
 * CAP_SYS_CHROOT (EPERM), which the guest's root holds. */
long sys_chroot(struct task *t, const struct syscall_args *a)
{
        struct at_call c;
        struct path p;
        long r = at_begin(t, AT_FDCWD, a->a[0], false, &c);

        if (r == 0)
                r = vfs_lookup(&c.at, c.name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
        if (r == 0) {
                r = vfs_permission(p.dentry->inode, &c.cred, MAY_EXEC);
                if (r == 0 && !task_has_cap(t, CREDS_CAP_SYS_CHROOT))
                        r = -EPERM;
                if (r == 0)
                        fs_set_root(t->fs, &p);
                path_put(&p);
        }
        at_end(&c);
        return r;
}

long sys_getcwd(struct task *t, const struct syscall_args *a)
{
        struct path cwd;
        char *buf = malloc(VFS_PATH_MAX);
        long r;

        if (!buf)
                return -ENOMEM;
        fs_get_cwd(t->fs, &cwd);
        r = vfs_getcwd(t->fs, &cwd, buf, VFS_PATH_MAX);
        path_put(&cwd);
        if (r > 0 && (size_t)r > a->a[1])
                r = -ERANGE;
        if (r > 0) {
                int w = mm_copy_out(t->mm, a->a[0], buf, (size_t)r);
                if (w < 0)
                        r = w;
        }
        free(buf);
        return r;
}
