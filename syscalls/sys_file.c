/* I/O on open files: read/write and their vector and positional forms, lseek,
 * ioctl. Calls on names are in sys_open.c, sys_stat.c, sys_dir.c, sys_link.c and
 * sys_attr.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "uio.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

/* Move data between the file at fd and guest memory described by (buf, len)
 * or, when vec is non-NULL, by vec[iovcnt]. */
static long do_rw(struct task *t, int fd, bool write, guest_ptr_t buf, size_t len,
                  const struct iovec *vec, long iovcnt, int64_t pos)
{
        /* Reading from a file writes guest memory and vice versa. */
        unsigned access = write ? PLATFORM_ACCESS_READ : PLATFORM_ACCESS_WRITE;
        struct guest_iov *g;
        struct file *f;
        long r;

        f = fdtable_get(t->fdt, fd);
        if (!f)
                return -EBADF;
        g = malloc(sizeof(*g));
        if (!g) {
                file_unref(f);
                return -ENOMEM;
        }
        mm_lock_read(t->mm);
        if (vec)
                r = guest_iov_import_vec(t, vec, iovcnt, access, g);
        else
                r = guest_iov_import_buf(t, buf, len, access, g);
        if (r == 0)
                r = write ? vfs_write(f, &g->it, pos) : vfs_read(f, &g->it, pos);
        mm_unlock_read(t->mm);
        free(g);
        file_unref(f);
        return r;
}

static long do_rwv(struct task *t, int fd, bool write, guest_ptr_t uvec, long iovcnt,
                   int64_t pos)
{
        struct iovec *vec;
        long r;

        if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
                return -EINVAL;
        vec = calloc((size_t)iovcnt + 1, sizeof(*vec));
        if (!vec)
                return -ENOMEM;
        r = guest_iovec_copy_in(t, uvec, iovcnt, vec);
        if (r == 0)
                r = do_rw(t, fd, write, 0, 0, vec, iovcnt, pos);
        free(vec);
        return r;
}

long sys_read(struct task *t, const struct syscall_args *a)
{
        return do_rw(t, (int)a->a[0], false, a->a[1], a->a[2], NULL, 0, -1);
}

long sys_write(struct task *t, const struct syscall_args *a)
{
        return do_rw(t, (int)a->a[0], true, a->a[1], a->a[2], NULL, 0, -1);
}

long sys_pread64(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < 0)
                return -EINVAL;
        return do_rw(t, (int)a->a[0], false, a->a[1], a->a[2], NULL, 0, (int64_t)a->a[3]);
}

long sys_pwrite64(struct task *t, const struct syscall_args *a)
{
        if ((int64_t)a->a[3] < 0)
                return -EINVAL;
        return do_rw(t, (int)a->a[0], true, a->a[1], a->a[2], NULL, 0, (int64_t)a->a[3]);
}

long sys_readv(struct task *t, const struct syscall_args *a)
{
        return do_rwv(t, (int)a->a[0], false, a->a[1], (long)a->a[2], -1);
}

long sys_writev(struct task *t, const struct syscall_args *a)
{
        return do_rwv(t, (int)a->a[0], true, a->a[1], (long)a->a[2], -1);
}

long sys_lseek(struct task *t, const struct syscall_args *a)
{
        struct file *f = fdtable_get(t->fdt, (int)a->a[0]);
        long r;

        if (!f)
                return -EBADF;
        r = vfs_llseek(f, (int64_t)a->a[1], (int)a->a[2]);
        file_unref(f);
        return r;
}

/* The argument size of the ioctls any file here answers. */
static size_t ioctl_arg_size(unsigned cmd)
{
        switch (cmd) {
        case TCGETS:
                return sizeof(struct termios);
        case TIOCGWINSZ:
                return sizeof(struct winsize);
        default:
                return 0;
        }
}

long sys_ioctl(struct task *t, const struct syscall_args *a)
{
        unsigned cmd = (unsigned)a->a[1];
        size_t size = ioctl_arg_size(cmd);
        struct file *f = fdtable_get(t->fdt, (int)a->a[0]);
        unsigned char arg[64];
        long r;

        if (!f)
                return -EBADF;
        if (size == 0) {
                file_unref(f);
                return -ENOTTY;
        }
        r = vfs_ioctl(f, cmd, arg);
        file_unref(f);
        if (r < 0)
                return r;
        return mm_copy_out(t->mm, a->a[2], arg, size);
}
