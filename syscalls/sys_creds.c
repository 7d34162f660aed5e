/* The guest's credentials as the sentry keeps them. */
#include <errno.h>

#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

long sys_getuid(struct task *t, const struct syscall_args *a)
{
        (void)a;
        return t->creds.ruid;
}

long sys_geteuid(struct task *t, const struct syscall_args *a)
{
        (void)a;
        return t->creds.euid;
}

long sys_getgid(struct task *t, const struct syscall_args *a)
{
        (void)a;
        return t->creds.rgid;
}

long sys_getegid(struct task *t, const struct syscall_args *a)
{
        (void)a;
        return t->creds.egid;
}

long sys_getgroups(struct task *t, const struct syscall_args *a)
{
        int size = (int)a->a[0];
        uint32_t n = t->creds.ngroups;

        if (size < 0)
                return -EINVAL;
        if (size == 0)
                return n;
        if ((uint32_t)size < n)
                return -EINVAL;
        if (n && mm_copy_out(t->mm, a->a[1], t->creds.groups, sizeof(uint32_t) * n) < 0)
                return -EFAULT;
        return n;
}
