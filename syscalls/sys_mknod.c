/* mknod and mknodat: regular files, FIFOs and sockets (device nodes are
 * refused as in a user namespace). */
#include <errno.h>
#include <fcntl.h>
#include <sys/sysmacros.h>

#include "path.h"
#include "syscall.h"
#include "syscalls/sys.h"

static long do_mknodat(struct task *t, int dirfd, guest_ptr_t upath, mode_t mode, unsigned dev)
{
        struct at_call c;
        long r;

        /* Linux's new_decode_dev() of the 32-bit argument. */
        dev_t kdev = makedev((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));

        r = at_begin(t, dirfd, upath, false, &c);
        if (r == 0)
                r = vfs_mknodat(&c.at, c.name, mode, kdev, NULL);
        at_end(&c);
        return r;
}

long sys_mknod(struct task *t, const struct syscall_args *a)
{
        return do_mknodat(t, AT_FDCWD, a->a[0], (mode_t)a->a[1], (unsigned)a->a[2]);
}

long sys_mknodat(struct task *t, const struct syscall_args *a)
{
        return do_mknodat(t, (int)a->a[0], a->a[1], (mode_t)a->a[2], (unsigned)a->a[3]);
}
