/* The guest's credentials as the sentry keeps them: ids, groups and
 * capabilities (sentry/kernel/creds.h has the rules). */
#include <errno.h>
#include <stdlib.h>

#include "sentry/kernel/creds.h"
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

/* A change of credentials: work on a copy, install it if the rule allows. */
static int creds_begin(struct task *t, struct creds *n)
{
        return creds_copy(n, &t->creds);
}

static long creds_end(struct task *t, struct creds *n, int r)
{
        if (r == 0)
                task_creds_commit(t, n);
        else
                creds_release(n);
        return r;
}

#define ID(i) ((uint32_t)a->a[i])

long sys_setuid(struct task *t, const struct syscall_args *a)
{
        struct creds n;
        int r = creds_begin(t, &n);

        return r < 0 ? r : creds_end(t, &n, creds_setuid(&n, ID(0)));
}

long sys_setgid(struct task *t, const struct syscall_args *a)
{
        struct creds n;
        int r = creds_begin(t, &n);

        return r < 0 ? r : creds_end(t, &n, creds_setgid(&n, ID(0)));
}

long sys_setreuid(struct task *t, const struct syscall_args *a)
{
        struct creds n;
        int r = creds_begin(t, &n);

        return r < 0 ? r : creds_end(t, &n, creds_setreuid(&n, ID(0), ID(1)));
}

long sys_setregid(struct task *t, const struct syscall_args *a)
{
        struct creds n;
        int r = creds_begin(t, &n);

        return r < 0 ? r : creds_end(t, &n, creds_setregid(&n, ID(0), ID(1)));
}

long sys_setresuid(struct task *t, const struct syscall_args *a)
{
        struct creds n;
        int r = creds_begin(t, &n);

        return r < 0 ? r : creds_end(t, &n, creds_setresuid(&n, ID(0), ID(1), ID(2)));
}

long sys_setresgid(struct task *t, const struct syscall_args *a)
{
        struct creds n;
        int r = creds_begin(t, &n);

        return r < 0 ? r : creds_end(t, &n, creds_setresgid(&n, ID(0), ID(1), ID(2)));
}

long sys_setfsuid(struct task *t, const struct syscall_args *a)
{
        struct creds n;
        uint32_t old;
        int r = creds_begin(t, &n);

        if (r < 0)
                return t->creds.fsuid;
        old = creds_setfsuid(&n, ID(0));
        creds_end(t, &n, 0);
        return old;
}

long sys_setfsgid(struct task *t, const struct syscall_args *a)
{
        struct creds n;
        uint32_t old;
        int r = creds_begin(t, &n);

        if (r < 0)
                return t->creds.fsgid;
        old = creds_setfsgid(&n, ID(0));
        creds_end(t, &n, 0);
        return old;
}

/* getresuid/getresgid: each id written in turn, the first fault ends it. */
static long put_three(struct task *t, const struct syscall_args *a, const uint32_t ids[3])
{
        for (int i = 0; i < 3; i++) {
                int r = mm_copy_out(t->mm, a->a[i], &ids[i], sizeof(ids[i]));

                if (r < 0)
                        return r;
        }
        return 0;
}

long sys_getresuid(struct task *t, const struct syscall_args *a)
{
        const uint32_t ids[3] = { t->creds.ruid, t->creds.euid, t->creds.suid };

        return put_three(t, a, ids);
}

long sys_getresgid(struct task *t, const struct syscall_args *a)
{
        const uint32_t ids[3] = { t->creds.rgid, t->creds.egid, t->creds.sgid };

        return put_three(t, a, ids);
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

long sys_setgroups(struct task *t, const struct syscall_args *a)
{
        int size = (int)a->a[0];
        uint32_t *groups = NULL;
        struct creds n;
        int r;

        /* may_setgroups() comes before the size check. */
        if (!task_has_cap(t, CREDS_CAP_SETGID))
                return -EPERM;
        if ((unsigned)size > CREDS_NGROUPS_MAX)
                return -EINVAL;
        if (size) {
                groups = malloc(sizeof(*groups) * (size_t)size);
                if (!groups)
                        return -ENOMEM;
                r = mm_copy_in(t->mm, groups, a->a[1], sizeof(*groups) * (size_t)size);
                if (r < 0) {
                        free(groups);
                        return r;
                }
        }
        r = creds_begin(t, &n);
        if (r < 0) {
                free(groups);
                return r;
        }
        return creds_end(t, &n, creds_setgroups(&n, groups, (uint32_t)size));
}

/* capget/capset: <linux/capability.h>'s ABI. */
#define CAP_VERSION_1 0x19980330        /* 32-bit sets: one data struct */
#define CAP_VERSION_2 0x20071026        /* deprecated, as 3 */
#define CAP_VERSION_3 0x20080522        /* 64-bit sets: two data structs */

struct cap_data {
        uint32_t effective, permitted, inheritable;
};

/* cap_validate_magic(): how many data structs the version takes. An
 * unknown version is answered with the kernel's in the header and EINVAL. */
static int cap_version(struct task *t, guest_ptr_t header, unsigned *ret_n)
{
        uint32_t version, mine = CAP_VERSION_3;
        int r = mm_copy_in(t->mm, &version, header, sizeof(version));

        if (r < 0)
                return r;
        switch (version) {
        case CAP_VERSION_1:
                *ret_n = 1;
                return 0;
        case CAP_VERSION_2:
        case CAP_VERSION_3:
                *ret_n = 2;
                return 0;
        default:
                r = mm_copy_out(t->mm, header, &mine, sizeof(mine));
                return r < 0 ? r : -EINVAL;
        }
}

static int cap_pid(struct task *t, guest_ptr_t header, int32_t *ret)
{
        return mm_copy_in(t->mm, ret, header + 4, sizeof(*ret));
}

long sys_capget(struct task *t, const struct syscall_args *a)
{
        struct cap_data d[2];
        struct creds c;
        unsigned n;
        int32_t pid;
        int r = cap_version(t, a->a[0], &n);

        if (!a->a[1] || r < 0)
                return !a->a[1] && r == -EINVAL ? 0 : r;
        r = cap_pid(t, a->a[0], &pid);
        if (r < 0)
                return r;
        if (pid < 0)
                return -EINVAL;
        if (pid && pid != t->tid) {
                struct task *o = kernel_find_task(t->kernel, pid);

                if (!o)
                        return -ESRCH;
                r = task_creds_get(o, &c);
                task_unref(o);
                if (r < 0)
                        return r;
        } else {
                c = t->creds;           /* borrowed: only the caps are read */
                c.groups = NULL;
        }
        for (int i = 0; i < 2; i++) {
                d[i].effective = (uint32_t)(c.cap_effective >> (32 * i));
                d[i].permitted = (uint32_t)(c.cap_permitted >> (32 * i));
                d[i].inheritable = (uint32_t)(c.cap_inheritable >> (32 * i));
        }
        creds_release(&c);
        return mm_copy_out(t->mm, a->a[1], d, sizeof(d[0]) * n);
}

long sys_capset(struct task *t, const struct syscall_args *a)
{
        struct cap_data d[2] = { 0 };
        struct creds c;
        unsigned n;
        int32_t pid;
        int r = cap_version(t, a->a[0], &n);

        if (r < 0)
                return r;
        r = cap_pid(t, a->a[0], &pid);
        if (r < 0)
                return r;
        if (pid != 0 && pid != t->tid)
                return -EPERM;
        r = mm_copy_in(t->mm, d, a->a[1], sizeof(d[0]) * n);
        if (r < 0)
                return r;
        r = creds_begin(t, &c);
        if (r < 0)
                return r;
        r = creds_capset(&c, d[0].effective | (uint64_t)d[1].effective << 32,
                         d[0].permitted | (uint64_t)d[1].permitted << 32,
                         d[0].inheritable | (uint64_t)d[1].inheritable << 32);
        return creds_end(t, &c, r);
}
