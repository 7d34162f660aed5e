/* Names: unlink(at), rename(at,at2), link(at), symlink(at). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "path.h"
#include "syscall.h"
#include "syscalls/sys.h"

static long do_unlinkat(struct task *t, int dirfd, guest_ptr_t upath, unsigned flags)
{
        struct at_call c;
        long r;

        if (flags & ~(unsigned)AT_REMOVEDIR)
                return -EINVAL;
        r = at_begin(t, dirfd, upath, false, &c);
        if (r == 0)
                r = (flags & AT_REMOVEDIR) ? vfs_rmdir(&c.at, c.name) : vfs_unlink(&c.at, c.name);
        at_end(&c);
        return r;
}

long sys_unlink(struct task *t, const struct syscall_args *a)
{
        return do_unlinkat(t, AT_FDCWD, a->a[0], 0);
}

long sys_unlinkat(struct task *t, const struct syscall_args *a)
{
        return do_unlinkat(t, (int)a->a[0], a->a[1], (unsigned)a->a[2]);
}

static long do_renameat2(struct task *t, int odfd, guest_ptr_t oname, int ndfd,
                         guest_ptr_t nname, unsigned flags)
{
        struct at_call oc, nc;
        long r;

        r = at_begin(t, odfd, oname, false, &oc);
        if (r == 0) {
                r = at_begin(t, ndfd, nname, false, &nc);
                if (r == 0)
                        r = vfs_rename(&oc.at, oc.name, &nc.at, nc.name, flags);
                at_end(&nc);
        }
        at_end(&oc);
        return r;
}

long sys_rename(struct task *t, const struct syscall_args *a)
{
        return do_renameat2(t, AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0);
}

long sys_renameat(struct task *t, const struct syscall_args *a)
{
        return do_renameat2(t, (int)a->a[0], a->a[1], (int)a->a[2], a->a[3], 0);
}

long sys_renameat2(struct task *t, const struct syscall_args *a)
{
        return do_renameat2(t, (int)a->a[0], a->a[1], (int)a->a[2], a->a[3], (unsigned)a->a[4]);
}

static long do_linkat(struct task *t, int odfd, guest_ptr_t oname, int ndfd, guest_ptr_t nname,
                      unsigned flags)
{
        struct at_call oc, nc;
        unsigned lflags = 0;
        long r;

        if (flags & ~(unsigned)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
                return -EINVAL;
        if (flags & AT_SYMLINK_FOLLOW)
                lflags |= LOOKUP_FOLLOW;
        r = at_begin(t, odfd, oname, flags & AT_EMPTY_PATH, &oc);
        /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH: ENOENT without it. */
        if (r == 0 && !oc.name[0] && !vfs_cred_capable(&oc.cred, CAP_DAC_READ_SEARCH))
                r = -ENOENT;
        if (r == 0) {
                lflags |= oc.name[0] ? 0 : LOOKUP_EMPTY;
                r = at_begin(t, ndfd, nname, false, &nc);
                if (r == 0)
                        r = vfs_link(&oc.at, oc.name, lflags, &nc.at, nc.name);
                at_end(&nc);
        }
        at_end(&oc);
        return r;
}

long sys_link(struct task *t, const struct syscall_args *a)
{
        return do_linkat(t, AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0);
}

long sys_linkat(struct task *t, const struct syscall_args *a)
{
        return do_linkat(t, (int)a->a[0], a->a[1], (int)a->a[2], a->a[3], (unsigned)a->a[4]);
}

static long do_symlinkat(struct task *t, guest_ptr_t utarget, int dirfd, guest_ptr_t upath)
{
        struct at_call c;
        char *target;
        long r;

        r = path_copy_in(t, utarget, &target);
        if (r < 0)
                return r;
        r = at_begin(t, dirfd, upath, false, &c);
        if (r == 0)
                r = vfs_symlink(target, &c.at, c.name);
        at_end(&c);
        free(target);
        return r;
}

long sys_symlink(struct task *t, const struct syscall_args *a)
{
        return do_symlinkat(t, a->a[0], AT_FDCWD, a->a[1]);
}

long sys_symlinkat(struct task *t, const struct syscall_args *a)
{
        return do_symlinkat(t, a->a[0], (int)a->a[1], a->a[2]);
}
