/* pipe and pipe2. */
#include <errno.h>
#include <fcntl.h>

#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

static long do_pipe2(struct task *t, guest_ptr_t ufds, unsigned flags)
{
        struct file *rf, *wf;
        int fds[2], limit = task_nofile_limit(t);
        long r;

        if (flags & ~(unsigned)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
                return -EINVAL;
        r = pipe_create(flags, &rf, &wf);
        if (r < 0)
                return r;
        fds[0] = fdtable_install(t->fdt, rf, 0, flags & O_CLOEXEC, limit);
        fds[1] = fds[0] < 0 ? fds[0] : fdtable_install(t->fdt, wf, 0, flags & O_CLOEXEC, limit);
        file_unref(rf);
        file_unref(wf);
        if (fds[1] < 0) {
                if (fds[0] >= 0)
                        fdtable_close(t->fdt, fds[0]);
                return fds[1];
        }
        r = mm_copy_out(t->mm, ufds, fds, sizeof(fds));
        if (r < 0) {
                fdtable_close(t->fdt, fds[0]);
                fdtable_close(t->fdt, fds[1]);
        }
        return r;
}

long sys_pipe(struct task *t, const struct syscall_args *a)
{
        return do_pipe2(t, a->a[0], 0);
}

long sys_pipe2(struct task *t, const struct syscall_args *a)
{
        return do_pipe2(t, a->a[0], (unsigned)a->a[1]);
}
