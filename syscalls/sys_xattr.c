/* Extended attributes: setxattr, getxattr, listxattr, removexattr and their
 * l* (no symlink following) and f* (open file) forms. Arguments are checked
 * in Linux's order: flags, the name (-ERANGE when empty or longer than
 * XATTR_NAME_MAX), the value's size (-E2BIG) and bytes, then the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/xattr.h>

#include "path.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/file.h"
#include "vfs/xattr.h"

/* What a call works on: a name looked up (follow or not), or an open fd. */
struct xattr_target {
        bool by_fd;
        int fd;
        guest_ptr_t upath;
        bool follow;
};

/* One operation on an inode or on a file. */
struct xattr_op {
        ssize_t (*on_inode)(struct inode *inode, const struct vfs_cred *c, void *arg);
        ssize_t (*on_file)(struct file *f, const struct vfs_cred *c, void *arg);
};

static ssize_t xattr_run(struct task *t, const struct xattr_target *tg, const struct xattr_op *op,
                         void *arg)
{
        struct at_call c;
        struct path p;
        ssize_t r;

        if (tg->by_fd) {
                struct vfs_cred cred = task_vfs_cred(t);
                struct file *f = task_fget(t, tg->fd);

                if (!f)
                        return -EBADF;
                r = op->on_file(f, &cred, arg);
                file_unref(f);
                return r;
        }
        r = at_begin(t, AT_FDCWD, tg->upath, false, &c);
        if (r == 0)
                r = vfs_lookup(&c.at, c.name, tg->follow ? LOOKUP_FOLLOW : 0, &p);
        if (r == 0) {
                r = op->on_inode(p.dentry->inode, &c.cred, arg);
                path_put(&p);
        }
        at_end(&c);
        return r;
}

static int xattr_name_in(struct task *t, guest_ptr_t uname, char name[XATTR_NAME_MAX + 1])
{
        ssize_t n = mm_strncpy_in(t->mm, name, uname, XATTR_NAME_MAX + 1);

        if (n == 0 || n == -ENAMETOOLONG)
                return -ERANGE;
        return n < 0 ? (int)n : 0;
}

/* ---- set ------------------------------------------------------------------- */

struct set_args {
        char name[XATTR_NAME_MAX + 1];
        void *value;
        size_t size;
        int flags;
};

static ssize_t set_inode(struct inode *inode, const struct vfs_cred *c, void *arg)
{
        struct set_args *s = arg;

        return vfs_setxattr(inode, c, s->name, s->value, s->size, s->flags);
}

static ssize_t set_file(struct file *f, const struct vfs_cred *c, void *arg)
{
        struct set_args *s = arg;

        return vfs_fsetxattr(f, c, s->name, s->value, s->size, s->flags);
}

static long do_setxattr(struct task *t, const struct xattr_target *tg, guest_ptr_t uname,
                        guest_ptr_t uvalue, size_t size, int flags)
{
        static const struct xattr_op op = { set_inode, set_file };
        struct set_args s = { .size = size, .flags = flags };
        long r;

        if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
                return -EINVAL;
        r = xattr_name_in(t, uname, s.name);
        if (r < 0)
                return r;
        if (size > XATTR_SIZE_MAX)
                return -E2BIG;
        s.value = malloc(size ? size : 1);
        if (!s.value)
                return -ENOMEM;
        r = size ? mm_copy_in(t->mm, s.value, uvalue, size) : 0;
        if (r == 0)
                r = xattr_run(t, tg, &op, &s);
        free(s.value);
        return r;
}

long sys_setxattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .upath = a->a[0], .follow = true };

        return do_setxattr(t, &tg, a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}

long sys_lsetxattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .upath = a->a[0] };

        return do_setxattr(t, &tg, a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}

long sys_fsetxattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .by_fd = true, .fd = (int)a->a[0] };

        return do_setxattr(t, &tg, a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}

/* ---- get ------------------------------------------------------------------- */

struct get_args {
        char name[XATTR_NAME_MAX + 1];
        void *buf;
        size_t size;
};

static ssize_t get_inode(struct inode *inode, const struct vfs_cred *c, void *arg)
{
        struct get_args *g = arg;

        return vfs_getxattr(inode, c, g->name, g->buf, g->size);
}

static ssize_t get_file(struct file *f, const struct vfs_cred *c, void *arg)
{
        struct get_args *g = arg;

        return vfs_fgetxattr(f, c, g->name, g->buf, g->size);
}

static long do_getxattr(struct task *t, const struct xattr_target *tg, guest_ptr_t uname,
                        guest_ptr_t ubuf, size_t size)
{
        static const struct xattr_op op = { get_inode, get_file };
        struct get_args g = { .size = size > XATTR_SIZE_MAX ? XATTR_SIZE_MAX : size };
        long r;

        r = xattr_name_in(t, uname, g.name);
        if (r < 0)
                return r;
        g.buf = malloc(g.size ? g.size : 1);
        if (!g.buf)
                return -ENOMEM;
        r = xattr_run(t, tg, &op, &g);
        if (r > 0 && g.size) {
                int w = mm_copy_out(t->mm, ubuf, g.buf, (size_t)r);

                if (w < 0)
                        r = w;
        }
        free(g.buf);
        return r;
}

long sys_getxattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .upath = a->a[0], .follow = true };

        return do_getxattr(t, &tg, a->a[1], a->a[2], a->a[3]);
}

long sys_lgetxattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .upath = a->a[0] };

        return do_getxattr(t, &tg, a->a[1], a->a[2], a->a[3]);
}

long sys_fgetxattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .by_fd = true, .fd = (int)a->a[0] };

        return do_getxattr(t, &tg, a->a[1], a->a[2], a->a[3]);
}

/* ---- list ------------------------------------------------------------------ */

struct list_args {
        char *buf;
        size_t size;
};

static ssize_t list_inode(struct inode *inode, const struct vfs_cred *c, void *arg)
{
        struct list_args *l = arg;

        (void)c;
        return vfs_listxattr(inode, l->buf, l->size);
}

static ssize_t list_file(struct file *f, const struct vfs_cred *c, void *arg)
{
        struct list_args *l = arg;

        (void)c;
        return vfs_flistxattr(f, l->buf, l->size);
}

static long do_listxattr(struct task *t, const struct xattr_target *tg, guest_ptr_t ubuf,
                         size_t size)
{
        static const struct xattr_op op = { list_inode, list_file };
        struct list_args l = { .size = size > XATTR_LIST_MAX ? XATTR_LIST_MAX : size };
        long r;

        l.buf = malloc(l.size ? l.size : 1);
        if (!l.buf)
                return -ENOMEM;
        r = xattr_run(t, tg, &op, &l);
        if (r > 0 && l.size) {
                int w = mm_copy_out(t->mm, ubuf, l.buf, (size_t)r);

                if (w < 0)
                        r = w;
        }
        free(l.buf);
        return r;
}

long sys_listxattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .upath = a->a[0], .follow = true };

        return do_listxattr(t, &tg, a->a[1], a->a[2]);
}

long sys_llistxattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .upath = a->a[0] };

        return do_listxattr(t, &tg, a->a[1], a->a[2]);
}

long sys_flistxattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .by_fd = true, .fd = (int)a->a[0] };

        return do_listxattr(t, &tg, a->a[1], a->a[2]);
}

/* ---- remove ---------------------------------------------------------------- */

static ssize_t remove_inode(struct inode *inode, const struct vfs_cred *c, void *arg)
{
        return vfs_removexattr(inode, c, arg);
}

static ssize_t remove_file(struct file *f, const struct vfs_cred *c, void *arg)
{
        return vfs_fremovexattr(f, c, arg);
}

static long do_removexattr(struct task *t, const struct xattr_target *tg, guest_ptr_t uname)
{
        static const struct xattr_op op = { remove_inode, remove_file };
        char name[XATTR_NAME_MAX + 1];
        long r = xattr_name_in(t, uname, name);

        return r < 0 ? r : xattr_run(t, tg, &op, name);
}

long sys_removexattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .upath = a->a[0], .follow = true };

        return do_removexattr(t, &tg, a->a[1]);
}

long sys_lremovexattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .upath = a->a[0] };

        return do_removexattr(t, &tg, a->a[1]);
}

long sys_fremovexattr(struct task *t, const struct syscall_args *a)
{
        struct xattr_target tg = { .by_fd = true, .fd = (int)a->a[0] };

        return do_removexattr(t, &tg, a->a[1]);
}
