/* Address-space calls: brk and the mmap family, anonymous and of files. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

long sys_brk(struct task *t, const struct syscall_args *a)
{
        return (long)mm_brk(t->mm, a->a[0]);
}

long sys_mmap(struct task *t, const struct syscall_args *a)
{
        int flags = (int)a->a[3];
        struct mm_file_args fa = { .off = a->a[5] };
        struct file *f;
        long r;

        if (a->a[5] & 4095ULL)
                return -EINVAL;
        if (flags & MAP_ANONYMOUS)
                return mm_mmap(t->mm, a->a[0], a->a[1], (int)a->a[2], flags);

        f = fdtable_get(t->fdt, (int)a->a[4]);
        if (!f)
                return -EBADF;
        if (f->flags & O_PATH) {       /* fget() does not see O_PATH files */
                file_unref(f);
                return -EBADF;
        }
        fa.vm_file = (struct mm_vm_file){ f, &file_vm_file_ops };
        fa.readable = file_readable(f);
        fa.writable = file_writable(f);
        if (f->ops->mmap) {
                r = f->ops->mmap(f, &fa.m);
                if (r < 0)
                        goto out;
        }
        r = memfd_get_seals(f);
        fa.write_sealed = r > 0 && (r & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE));
        r = mm_mmap_file(t->mm, a->a[0], a->a[1], (int)a->a[2], flags, &fa);
out:
        file_unref(f);
        return r;
}

long sys_munmap(struct task *t, const struct syscall_args *a)
{
        return mm_munmap(t->mm, a->a[0], a->a[1]);
}

long sys_mprotect(struct task *t, const struct syscall_args *a)
{
        return mm_mprotect(t->mm, a->a[0], a->a[1], (int)a->a[2]);
}

long sys_mremap(struct task *t, const struct syscall_args *a)
{
        return mm_mremap(t->mm, a->a[0], a->a[1], a->a[2], (int)a->a[3], a->a[4]);
}

long sys_madvise(struct task *t, const struct syscall_args *a)
{
        return mm_madvise(t->mm, a->a[0], a->a[1], (int)a->a[2]);
}

long sys_msync(struct task *t, const struct syscall_args *a)
{
        return mm_msync(t->mm, a->a[0], a->a[1], (int)a->a[2]);
}
