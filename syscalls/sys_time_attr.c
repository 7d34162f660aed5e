/* File times: utimensat, futimesat, utimes, utime (Linux's fs/utimes.c). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <utime.h>

#include "path.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/file.h"

/* do_utimes(): a NULL name with a real dirfd is that open file (futimens),
 * and then no flag is allowed; otherwise a lookup by name. */
static long do_utimes(struct task *t, int dirfd, guest_ptr_t upath, const struct timespec *times,
                      unsigned flags)
{
        struct vfs_cred cred = task_vfs_cred(t);
        struct at_call c;
        struct path p;
        long r;

        if (upath == 0 && dirfd != AT_FDCWD) {
                struct file *f;

                if (flags)
                        return -EINVAL;
                f = task_fget(t, dirfd);
                if (!f)
                        return -EBADF;
                r = f->path.dentry ? vfs_utimes(&f->path, &cred, times) : -EPERM;
                file_unref(f);
                return r;
        }
        if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
                return -EINVAL;
        r = at_begin(t, dirfd, upath, flags & AT_EMPTY_PATH, &c);
        if (r == 0 && !c.name[0] && c.file && !c.file->path.dentry)
                r = -EPERM;     /* a host passthrough file has no inode here */
        if (r == 0)
                r = vfs_lookup(&c.at, c.name,
                               (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) | LOOKUP_EMPTY, &p);
        if (r == 0) {
                r = vfs_utimes(&p, &c.cred, times);
                path_put(&p);
        }
        at_end(&c);
        return r;
}

long sys_utimensat(struct task *t, const struct syscall_args *a)
{
        struct timespec ts[2];

        if (a->a[2]) {
                int r = mm_copy_in(t->mm, ts, a->a[2], sizeof(ts));

                if (r < 0)
                        return r;
                /* Nothing to do: not even the path is looked at. */
                if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
                        return 0;
        }
        return do_utimes(t, (int)a->a[0], a->a[1], a->a[2] ? ts : NULL, (unsigned)a->a[3]);
}

/* futimesat and utimes: microseconds, checked here so that UTIME_NOW and
 * UTIME_OMIT are invalid too. */
static long do_futimesat(struct task *t, int dirfd, guest_ptr_t upath, guest_ptr_t utv)
{
        struct timeval tv[2];
        struct timespec ts[2];

        if (utv) {
                int r = mm_copy_in(t->mm, tv, utv, sizeof(tv));

                if (r < 0)
                        return r;
                for (int i = 0; i < 2; i++) {
                        if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
                                return -EINVAL;
                        ts[i] = (struct timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
                }
        }
        return do_utimes(t, dirfd, upath, utv ? ts : NULL, 0);
}

long sys_futimesat(struct task *t, const struct syscall_args *a)
{
        return do_futimesat(t, (int)a->a[0], a->a[1], a->a[2]);
}

long sys_utimes(struct task *t, const struct syscall_args *a)
{
        return do_futimesat(t, AT_FDCWD, a->a[0], a->a[1]);
}

long sys_utime(struct task *t, const struct syscall_args *a)
{
        struct timespec ts[2];

        if (a->a[1]) {
                struct utimbuf ub;
                int r = mm_copy_in(t->mm, &ub, a->a[1], sizeof(ub));

                if (r < 0)
                        return r;
                ts[0] = (struct timespec){ ub.actime, 0 };
                ts[1] = (struct timespec){ ub.modtime, 0 };
        }
        return do_utimes(t, AT_FDCWD, a->a[0], a->a[1] ? ts : NULL, 0);
}
