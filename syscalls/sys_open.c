/* Opening files by name: open, openat, creat, openat2. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "path.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

/* A FIFO end opened for reading or writing alone waits for its partner,
 * interruptibly (Linux's wait_for_partner(): -ERESTARTSYS). */
static long fifo_attempt(struct task *t, void *f)
{
        (void)t;
        return fifo_open_ready(f);
}

static long fifo_wait(struct task *t, struct file *f)
{
        long r = task_wait_event(t, f->wq, EPOLLIN | EPOLLOUT, false, NULL, fifo_attempt, f);

        return r == -EINTR ? -ERESTARTSYS : r;
}

/* In Linux's order: the name (EFAULT, ENAMETOOLONG, ENOENT for ""), a free
 * fd (EMFILE), then the dirfd and the walk. resolve: VFS_RESOLVE_*. */
static long do_openat(struct task *t, int dirfd, guest_ptr_t upath, unsigned flags,
                      mode_t mode, unsigned resolve)
{
        struct at_call c;
        struct file *f = NULL;
        char *name;
        int fd;
        long r;

        r = path_copy_in(t, upath, &name);
        if (r < 0)
                return r;
        if (!name[0]) {
                free(name);
                return -ENOENT;
        }
        fd = fdtable_reserve(t->fdt, task_nofile_limit(t));
        if (fd < 0) {
                free(name);
                return fd;
        }
        r = at_begin_name(t, dirfd, name, false, resolve & VFS_RESOLVE_IN_ROOT, &c);
        if (r == 0) {
                c.at.resolve = resolve;
                r = vfs_open(&c.at, c.name, flags, mode, &f);
        }
        at_end(&c);
        if (r == 0 && (r = fifo_wait(t, f)) < 0)
                file_unref(f);
        if (r < 0) {
                fdtable_unreserve(t->fdt, fd);
                return r;
        }
        fdtable_install_reserved(t->fdt, fd, f, flags & O_CLOEXEC);
        file_unref(f);
        return fd;
}

long sys_open(struct task *t, const struct syscall_args *a)
{
        return do_openat(t, AT_FDCWD, a->a[0], (unsigned)a->a[1], (mode_t)a->a[2], 0);
}

long sys_openat(struct task *t, const struct syscall_args *a)
{
        return do_openat(t, (int)a->a[0], a->a[1], (unsigned)a->a[2], (mode_t)a->a[3], 0);
}

long sys_creat(struct task *t, const struct syscall_args *a)
{
        return do_openat(t, AT_FDCWD, a->a[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a->a[1], 0);
}

/* ---- openat2 ------------------------------------------------------------- */

struct open_how_k {
        uint64_t flags, mode, resolve;
};

#define OPEN_HOW_SIZE_VER0 24
#define TMPFILE_BIT 020000000u
#define O_LARGEFILE_K 0100000u
/* Linux's VALID_OPEN_FLAGS (x86_64 values), VALID_RESOLVE_FLAGS. */
#define VALID_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | \
                          O_NONBLOCK | O_SYNC | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE_K | \
                          O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | TMPFILE_BIT)
#define VALID_RESOLVE_FLAGS (VFS_RESOLVE_NO_XDEV | VFS_RESOLVE_NO_MAGICLINKS | \
                             VFS_RESOLVE_NO_SYMLINKS | VFS_RESOLVE_BENEATH | \
                             VFS_RESOLVE_IN_ROOT | VFS_RESOLVE_CACHED)
#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)

/* Linux's copy_struct_from_user(): a larger struct is fine if what we do
 * not know is zero (else E2BIG), a smaller one is zero-extended. */
static int copy_open_how(struct task *t, guest_ptr_t uhow, size_t usize, struct open_how_k *how)
{
        unsigned char rest[64];
        size_t off;
        int r;

        *how = (struct open_how_k){ 0 };
        r = mm_copy_in(t->mm, how, uhow, sizeof(*how));
        if (r < 0)
                return r;
        for (off = sizeof(*how); off < usize; off += sizeof(rest)) {
                size_t n = usize - off < sizeof(rest) ? usize - off : sizeof(rest);

                r = mm_copy_in(t->mm, rest, uhow + off, n);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++)
                        if (rest[i])
                                return -E2BIG;
        }
        return 0;
}

/* Linux's build_open_flags(): openat2 checks what open(2) silently drops. */
static int check_open_how(const struct open_how_k *how)
{
        uint64_t flags = how->flags & ~(uint64_t)O_CLOEXEC;

        if (flags & ~(uint64_t)VALID_OPEN_FLAGS)
                return -EINVAL;
        if (how->resolve & ~(uint64_t)VALID_RESOLVE_FLAGS)
                return -EINVAL;
        if ((how->resolve & VFS_RESOLVE_BENEATH) && (how->resolve & VFS_RESOLVE_IN_ROOT))
                return -EINVAL;
        if (flags & (O_CREAT | TMPFILE_BIT)) {
                if (how->mode & ~(uint64_t)07777)
                        return -EINVAL;
        } else if (how->mode) {
                return -EINVAL;
        }
        if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
                return -EINVAL;
        if (flags & TMPFILE_BIT) {
                if (!(flags & O_DIRECTORY))
                        return -EINVAL;
                if ((flags & O_ACCMODE) == O_RDONLY)
                        return -EINVAL;
        }
        if ((flags & O_PATH) && (flags & ~(uint64_t)O_PATH_FLAGS))
                return -EINVAL;
        if ((how->resolve & VFS_RESOLVE_CACHED) && (flags & (O_TRUNC | O_CREAT | TMPFILE_BIT)))
                return -EAGAIN;
        return 0;
}

long sys_openat2(struct task *t, const struct syscall_args *a)
{
        size_t usize = a->a[3];
        struct open_how_k how;
        unsigned flags;
        int r;

        if (usize < OPEN_HOW_SIZE_VER0)
                return -EINVAL;
        if (usize > 4096)
                return -E2BIG;
        r = copy_open_how(t, a->a[2], usize, &how);
        if (r == 0)
                r = check_open_how(&how);
        if (r < 0)
                return r;
        flags = (unsigned)how.flags;
        /* x86_64 forces O_LARGEFILE, except on O_PATH. */
        if (!(flags & O_PATH))
                flags |= O_LARGEFILE_K;
        return do_openat(t, (int)a->a[0], a->a[1], flags, (mode_t)how.mode,
                         (unsigned)how.resolve);
}
