/* statfs and fstatfs (fstatfs takes O_PATH fds, as Linux's fdget_raw()). */
#include <errno.h>
#include <fcntl.h>
#include <sys/statfs.h>

#include "path.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

long sys_statfs(struct task *t, const struct syscall_args *a)
{
        struct statfs st;
        struct at_call c;
        struct path p;
        long r;

        r = at_begin(t, AT_FDCWD, a->a[0], false, &c);
        if (r == 0)
                r = vfs_lookup(&c.at, c.name, LOOKUP_FOLLOW, &p);
        if (r == 0) {
                r = vfs_statfs(&p, &st);
                path_put(&p);
        }
        at_end(&c);
        return r < 0 ? r : mm_copy_out(t->mm, a->a[1], &st, sizeof(st));
}

long sys_fstatfs(struct task *t, const struct syscall_args *a)
{
        struct file *f = fdtable_get(t->fdt, (int)a->a[0]);
        struct statfs st;
        long r;

        if (!f)
                return -EBADF;
        r = vfs_fstatfs(f, &st);
        file_unref(f);
        return r < 0 ? r : mm_copy_out(t->mm, a->a[1], &st, sizeof(st));
}
