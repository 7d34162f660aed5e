/* mount and umount2 inside the sandbox's mount namespace: new tmpfs
 * instances, bind mounts, and the propagation flags (accepted: the sandbox
 * has one namespace, nothing to propagate to). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "sentry/kernel/creds.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/path.h"
#include "syscalls/sys.h"
#include "vfs/vfs.h"

#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)
/* Per-mount flags this sentry has no mount flags for yet; harmless to take
 * for a tmpfs (they restrict, and the sandbox has no devices or set-id
 * programs of its own) but MS_RDONLY, which would be a lie. */
#define MS_ACCEPTED (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | \
                     MS_RELATIME | MS_STRICTATIME | MS_SILENT | MS_REC)

/* A guest string of at most max bytes (NULL pointer: NULL). */
static int string_in(struct task *t, guest_ptr_t p, size_t max, char **ret)
{
        ssize_t n;

        *ret = NULL;
        if (!p)
                return 0;
        *ret = malloc(max);
        if (!*ret)
                return -ENOMEM;
        n = mm_strncpy_in(t->mm, *ret, p, max);
        if (n < 0) {
                free(*ret);
                *ret = NULL;
                return n == -ENAMETOOLONG ? -EINVAL : (int)n;
        }
        return 0;
}

long sys_mount(struct task *t, const struct syscall_args *a)
{
        unsigned long flags = a->a[3];
        _cleanup_free_ char *type = NULL, *data = NULL;
        struct at_call target, source;
        struct path tp;
        long r;

        if (!task_has_cap(t, CREDS_CAP_SYS_ADMIN))
                return -EPERM;
        if ((flags & 0xffff0000UL) == MS_MGC_VAL)
                flags &= 0xffff;
        r = at_begin(t, AT_FDCWD, a->a[1], false, &target);
        if (r == 0)
                r = vfs_lookup(&target.at, target.name, LOOKUP_FOLLOW, &tp);
        at_end(&target);
        if (r < 0)
                return r;
        if (flags & MS_PROPAGATION) {
                r = (flags & ~(unsigned long)(MS_PROPAGATION | MS_REC | MS_SILENT)) ? -EINVAL : 0;
        } else if (flags & MS_BIND) {
                r = at_begin(t, AT_FDCWD, a->a[0], false, &source);
                if (r == 0) {
                        struct path src;

                        r = vfs_lookup(&source.at, source.name, LOOKUP_FOLLOW, &src);
                        if (r == 0) {
                                r = vfs_bind_mount(t->fs->ns, &tp, &src);
                                path_put(&src);
                        }
                }
                at_end(&source);
        } else if (flags & (MS_REMOUNT | MS_MOVE)) {
                r = -EINVAL;            /* not built: no mount flags to change, no moves */
        } else if (flags & ~(unsigned long)MS_ACCEPTED) {
                r = -EINVAL;
        } else {
                r = string_in(t, a->a[2], 256, &type);
                if (r == 0 && !type)
                        r = -EFAULT;
                if (r == 0)
                        r = string_in(t, a->a[4], 4096, &data);
                /* Only what needs nothing from the kernel: tmpfs. */
                if (r == 0 && strcmp(type, "tmpfs") != 0)
                        r = -ENODEV;
                if (r == 0)
                        r = vfs_mount(t->fs->ns, &tp, type, data);
        }
        /* The one per-mount flag kept: exec ignores set-id bits there. */
        if (r == 0 && (flags & MS_NOSUID) && !(flags & MS_PROPAGATION))
                vfs_mount_set_nosuid(t->fs->ns, &tp);
        path_put(&tp);
        return r;
}

long sys_umount2(struct task *t, const struct syscall_args *a)
{
        int flags = (int)a->a[1];
        struct at_call c;
        struct path p;
        long r;

        if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
                return -EINVAL;
        if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
                return -EINVAL;
        if (!task_has_cap(t, CREDS_CAP_SYS_ADMIN))
                return -EPERM;
        r = at_begin(t, AT_FDCWD, a->a[0], false, &c);
        if (r == 0)
                r = vfs_lookup(&c.at, c.name, (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
        if (r == 0) {
                r = (flags & MNT_EXPIRE) ? -EAGAIN : vfs_umount(t->fs->ns, &p, flags & MNT_DETACH);
                path_put(&p);
        }
        at_end(&c);
        return r;
}
