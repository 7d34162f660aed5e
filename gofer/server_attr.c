/* SETATTR: size, then owner, then mode, then times (so an explicit mtime
 * wins over the one truncation sets). A failure part way leaves the earlier
 * changes made, as a sequence of syscalls would on Linux. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/internal.h"
#include "lib/macro.h"

static int check_time(const struct gofer_timespec *t)
{
        if (t->nsec == UTIME_NOW || t->nsec == UTIME_OMIT)
                return 0;
        return t->nsec < 1000000000u ? 0 : -EINVAL;
}

static struct timespec to_timespec(const struct gofer_timespec *t, bool set)
{
        if (!set)
                return (struct timespec){ .tv_nsec = UTIME_OMIT };
        return (struct timespec){ .tv_sec = t->sec, .tv_nsec = t->nsec };
}

static int set_size(struct gofer_server *s, const struct node *n, uint64_t size)
{
        if (S_ISDIR(n->type))
                return -EISDIR;
        if (!S_ISREG(n->type))
                return -EINVAL;
        if (size > INT64_MAX)
                return -EINVAL;
        _cleanup_close_ int fd = node_reopen(s, n, O_WRONLY);
        if (fd < 0)
                return fd;
        return ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
}

static int set_mode(struct gofer_server *s, const struct node *n, uint32_t mode)
{
        char name[16];

        if (mode & ~07777u)
                return -EINVAL;
        if (S_ISLNK(n->type))
                return -EOPNOTSUPP;     /* as Linux's fchmodat(AT_SYMLINK_NOFOLLOW) */
        if (s->proc_fd < 0)
                return -EOPNOTSUPP;
        /* fchmod() refuses O_PATH fds: go through the magic link. */
        snprintf(name, sizeof(name), "%d", n->fd);
        return fchmodat(s->proc_fd, name, mode, 0) < 0 ? -errno : 0;
}

int gofer_op_setattr(struct gofer_server *s, const struct gofer_request *req,
                     struct gofer_wbuf *reply, int *ret_fd _unused_)
{
        const struct gofer_setattr *a = &req->attr;
        struct gofer_stat st;
        int r;

        struct node *n = node_get(s, req->node);
        if (!n)
                return -EBADF;
        if ((a->mask & GOFER_SETATTR_ATIME) && check_time(&a->atime) < 0)
                return -EINVAL;
        if ((a->mask & GOFER_SETATTR_MTIME) && check_time(&a->mtime) < 0)
                return -EINVAL;

        if (a->mask & GOFER_SETATTR_SIZE) {
                r = set_size(s, n, a->size);
                if (r < 0)
                        return r;
        }
        if (a->mask & (GOFER_SETATTR_UID | GOFER_SETATTR_GID)) {
                uid_t uid = (a->mask & GOFER_SETATTR_UID) ? a->uid : (uid_t)-1;
                gid_t gid = (a->mask & GOFER_SETATTR_GID) ? a->gid : (gid_t)-1;
                if (fchownat(n->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
        }
        if (a->mask & GOFER_SETATTR_MODE) {
                r = set_mode(s, n, a->mode);
                if (r < 0)
                        return r;
        }
        if (a->mask & (GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME)) {
                struct timespec ts[2] = {
                        to_timespec(&a->atime, a->mask & GOFER_SETATTR_ATIME),
                        to_timespec(&a->mtime, a->mask & GOFER_SETATTR_MTIME),
                };
                if (utimensat(n->fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
        }
        r = gofer_fstat(n->fd, &st);
        if (r < 0)
                return r;
        gofer_put_stat(reply, &st);
        return 0;
}
