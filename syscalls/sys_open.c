/* Opening files by name: open, openat, creat. */
#include <errno.h>
#include <fcntl.h>

#include "path.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

static long do_openat(struct task *t, int dirfd, guest_ptr_t upath, unsigned flags,
                      mode_t mode)
{
        struct at_call c;
        struct file *f = NULL;
        int fd;
        long r;

        /* The fd first, as Linux: no free fd is EMFILE whatever the name. */
        fd = fdtable_reserve(t->fdt, task_nofile_limit(t));
        if (fd < 0)
                return fd;
        r = at_begin(t, dirfd, upath, false, &c);
        if (r == 0)
                r = vfs_open(&c.at, c.name, flags, mode, &f);
        at_end(&c);
        if (r < 0) {
                fdtable_unreserve(t->fdt, fd);
                return r;
        }
        fdtable_install_reserved(t->fdt, fd, f, flags & O_CLOEXEC);
        file_unref(f);
        return fd;
}

long sys_open(struct task *t, const struct syscall_args *a)
{
        return do_openat(t, AT_FDCWD, a->a[0], (unsigned)a->a[1], (mode_t)a->a[2]);
}

long sys_openat(struct task *t, const struct syscall_args *a)
{
        return do_openat(t, (int)a->a[0], a->a[1], (unsigned)a->a[2], (mode_t)a->a[3]);
}

long sys_creat(struct task *t, const struct syscall_args *a)
{
        return do_openat(t, AT_FDCWD, a->a[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a->a[1]);
}
