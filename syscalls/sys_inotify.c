/* inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch: the
 * checks of Linux's fs/notify/inotify/inotify_user.c in its order; the
 * instance and its watches are vfs/inotify.c's. */
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>

#include "path.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "vfs/inotify.h"

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif

/* Linux's ALL_INOTIFY_BITS: every bit a watch mask may hold. */
#define ALL_INOTIFY_BITS (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | \
                          IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD | IN_MASK_CREATE | \
                          IN_ISDIR | IN_ONESHOT)

static long do_inotify_init(struct task *t, unsigned flags)
{
        struct file *f;
        long r;

        if (flags & ~(unsigned)(IN_CLOEXEC | IN_NONBLOCK))
                return -EINVAL;
        r = inotify_create_file(flags & IN_NONBLOCK, &f);
        if (r < 0)
                return r;
        r = fdtable_install(t->fdt, f, 0, flags & IN_CLOEXEC, task_nofile_limit(t));
        file_unref(f);
        return r;
}

long sys_inotify_init(struct task *t, const struct syscall_args *a)
{
        (void)a;
        return do_inotify_init(t, 0);
}

long sys_inotify_init1(struct task *t, const struct syscall_args *a)
{
        return do_inotify_init(t, (unsigned)a->a[0]);
}

/* The inotify instance at fd: -EBADF, or -EINVAL for another file. */
static long inotify_fget(struct task *t, int fd, struct file **ret)
{
        struct file *f = task_fget(t, fd);

        if (!f)
                return -EBADF;
        if (!file_is_inotify(f)) {
                file_unref(f);
                return -EINVAL;
        }
        *ret = f;
        return 0;
}

long sys_inotify_add_watch(struct task *t, const struct syscall_args *a)
{
        uint32_t mask = (uint32_t)a->a[2];
        struct at_call c;
        struct file *f;
        struct path p;
        long r;

        if ((mask & ~(uint32_t)ALL_INOTIFY_BITS) || !(mask & ALL_INOTIFY_BITS))
                return -EINVAL;
        f = task_fget(t, (int)a->a[0]);
        if (!f)
                return -EBADF;
        if (((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)) || !file_is_inotify(f)) {
                file_unref(f);
                return -EINVAL;
        }
        r = at_begin(t, AT_FDCWD, a->a[1], false, &c);
        if (r == 0)
                r = vfs_lookup(&c.at, c.name,
                               (mask & IN_DONT_FOLLOW ? 0 : LOOKUP_FOLLOW) |
                               (mask & IN_ONLYDIR ? LOOKUP_DIRECTORY : 0), &p);
        if (r == 0) {
                /* You can only watch what you may read. */
                r = vfs_permission(p.dentry->inode, &c.cred, MAY_READ);
                if (r == 0)
                        r = inotify_add_watch_file(f, &p, mask);
                path_put(&p);
        }
        at_end(&c);
        file_unref(f);
        return r;
}

long sys_inotify_rm_watch(struct task *t, const struct syscall_args *a)
{
        struct file *f;
        long r = inotify_fget(t, (int)a->a[0], &f);

        if (r < 0)
                return r;
        r = inotify_rm_watch_file(f, (int)a->a[1]);
        file_unref(f);
        return r;
}
