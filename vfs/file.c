/* The generic layer of open files: references and access-mode checks. */
#include "file.h"
#include "fsnotify.h"
#include "lib/macro.h"
#include "lock.h"
#include "sentry/mm/mm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <sys/inotify.h>
#include <stdlib.h>
#include <string.h>

void file_init(struct file *f, const struct file_ops *ops, unsigned flags, bool stream)
{
        f->ops = ops;
        atomic_init(&f->refcount, 1);
        f->flags = flags;
        pthread_mutex_init(&f->pos_lock, NULL);
        f->pos = 0;
        f->stream = stream;
        f->backend_pos = false;
        f->nowait = false;
        f->wq = NULL;
        pthread_mutex_init(&f->ep_lock, NULL);
        f->ep_links = NULL;
        f->path = (struct path){ 0 };
        f->wc_inode = NULL;
        f->wc = 0;
        f->fsn_counted = false;
}

int file_new(const struct file_ops *ops, unsigned flags, struct file **ret)
{
        struct file *f = malloc(sizeof(*f));

        if (!f)
                return -ENOMEM;
        file_init(f, ops, flags, false);
        *ret = f;
        return 0;
}

struct file *file_ref(struct file *f)
{
        atomic_fetch_add_explicit(&f->refcount, 1, memory_order_relaxed);
        return f;
}

struct file *file_unref(struct file *f)
{
        if (f && atomic_fetch_sub_explicit(&f->refcount, 1, memory_order_acq_rel) == 1) {
                struct path p = f->path;
                struct inode *wc_inode = f->wc_inode;
                int wc = f->wc;

                fsnotify_close(f);
                if (f->ep_links)
                        eventpoll_release(f);
                if (file_inode(f))
                        locks_remove_file(f);
                pthread_mutex_destroy(&f->ep_lock);
                pthread_mutex_destroy(&f->pos_lock);
                if (f->ops->release)
                        f->ops->release(f);
                else
                        free(f);
                if (wc_inode) {
                        if (wc > 0)
                                inode_put_write_access(wc_inode);
                        else
                                inode_allow_write_access(wc_inode);
                        inode_unref(wc_inode);
                }
                path_put(&p);
        }
        return NULL;
}

const struct mm_vm_file_ops file_vm_file_ops = {
        .ref = file_ref,
        .unref = file_unref,
};

void file_allow_write_access(struct file *f)
{
        if (f->wc_inode && f->wc < 0) {
                inode_allow_write_access(f->wc_inode);
                f->wc_inode = inode_unref(f->wc_inode);
                f->wc = 0;
        }
}

bool file_readable(const struct file *f)
{
        unsigned mode = f->flags & O_ACCMODE;
        return !(f->flags & O_PATH) && (mode == O_RDONLY || mode == O_RDWR);
}

bool file_writable(const struct file *f)
{
        unsigned mode = f->flags & O_ACCMODE;
        return !(f->flags & O_PATH) && (mode == O_WRONLY || mode == O_RDWR);
}

/* Run op at pos, or at (and advancing) the file position when pos < 0. */
static ssize_t file_rw(struct file *f, const struct iov_iter *it, int64_t pos,
                       ssize_t (*op)(struct file *, const struct iov_iter *, int64_t *))
{
        ssize_t n;

        if (pos >= 0)
                return f->stream ? -ESPIPE : op(f, it, &pos);
        if (f->stream || f->backend_pos)
                return op(f, it, NULL);
        pthread_mutex_lock(&f->pos_lock);
        n = op(f, it, &f->pos);
        pthread_mutex_unlock(&f->pos_lock);
        return n;
}

int vfs_may_read(const struct file *f)
{
        if (!file_readable(f))
                return -EBADF;
        return f->ops->read ? 0 : -EINVAL;
}

int vfs_may_write(const struct file *f)
{
        if (!file_writable(f))
                return -EBADF;
        return f->ops->write ? 0 : -EINVAL;
}

ssize_t vfs_read(struct file *f, const struct iov_iter *dst, int64_t pos)
{
        ssize_t r = vfs_may_read(f);

        if (r == 0)
                r = file_rw(f, dst, pos, f->ops->read);
        if (r > 0)
                fsnotify_file(f, IN_ACCESS);
        return r;
}

ssize_t vfs_write(struct file *f, const struct iov_iter *src, int64_t pos)
{
        ssize_t r = vfs_may_write(f);

        if (r == 0)
                r = file_rw(f, src, pos, f->ops->write);
        if (r > 0)
                fsnotify_file(f, IN_MODIFY);
        return r;
}

int vfs_stat(struct file *f, struct stat *ret)
{
        if (f->ops->stat)
                return f->ops->stat(f, ret);
        if (file_inode(f))
                return vfs_getattr(file_inode(f), ret);
        return -EINVAL;
}

int vfs_iterate(struct file *f, d_emit_fn emit, void *ctx)
{
        struct inode *inode = file_inode(f);
        uint64_t pos;
        int r;

        if (f->flags & O_PATH)
                return -EBADF;
        if (!f->ops->iterate)
                return -ENOTDIR;
        if (inode && inode->nlink == 0)
                return -ENOENT;         /* IS_DEADDIR */
        pthread_mutex_lock(&f->pos_lock);
        pos = (uint64_t)f->pos;
        r = f->ops->iterate(f, &pos, emit, ctx);
        f->pos = (int64_t)pos;
        pthread_mutex_unlock(&f->pos_lock);
        fsnotify_file(f, IN_ACCESS);
        if (inode)
                inode_touch_atime(inode);
        return r;
}

void iov_cursor_init(struct iov_cursor *c, const struct iov_iter *it)
{
        *c = (struct iov_cursor){ .it = it };
}

/* Move up to len bytes between buf and the iovecs; zero fills when buf is
 * NULL and to_iov, skips when buf is NULL and !to_iov. */
static size_t iov_cursor_move(struct iov_cursor *c, void *buf, size_t len, bool to_iov)
{
        size_t done = 0;

        while (done < len && c->idx < c->it->nr) {
                const struct iovec *v = &c->it->iov[c->idx];
                size_t n = MIN(len - done, v->iov_len - c->off);
                char *p = (char *)v->iov_base + c->off;

                if (to_iov && buf)
                        memcpy(p, (const char *)buf + done, n);
                else if (to_iov)
                        memset(p, 0, n);
                else if (buf)
                        memcpy((char *)buf + done, p, n);
                done += n;
                c->off += n;
                if (c->off == v->iov_len) {
                        c->idx++;
                        c->off = 0;
                }
        }
        return done;
}

size_t iov_cursor_copy_to(struct iov_cursor *c, const void *src, size_t len)
{
        return iov_cursor_move(c, (void *)src, len, true);
}

size_t iov_cursor_zero(struct iov_cursor *c, size_t len)
{
        return iov_cursor_move(c, NULL, len, true);
}

size_t iov_cursor_copy_from(struct iov_cursor *c, void *dst, size_t len)
{
        return iov_cursor_move(c, dst, len, false);
}

size_t iov_cursor_skip(struct iov_cursor *c, size_t len)
{
        return iov_cursor_move(c, NULL, len, false);
}

/* Up to IOV_CURSOR_BATCH iovecs per host call. */
#define IOV_CURSOR_BATCH 64

static ssize_t iov_cursor_host_io(struct iov_cursor *c, int fd, int64_t off, size_t len,
                                  bool to_fd)
{
        size_t done = 0;

        while (done < len && c->idx < c->it->nr) {
                struct iovec v[IOV_CURSOR_BATCH];
                size_t want = 0, moved;     /* a short transfer goes on */
                int n = 0, idx = c->idx;
                size_t in = c->off;
                ssize_t r;

                /* The next iovecs from the cursor, up to len - done bytes. */
                while (n < IOV_CURSOR_BATCH && idx < c->it->nr && want < len - done) {
                        const struct iovec *src = &c->it->iov[idx];
                        size_t take = MIN(src->iov_len - in, len - done - want);

                        if (take) {
                                v[n].iov_base = (char *)src->iov_base + in;
                                v[n].iov_len = take;
                                n++;
                                want += take;
                        }
                        idx++;
                        in = 0;
                }
                if (!n) {
                        /* Only empty iovecs left: step over them. */
                        c->idx = idx;
                        c->off = 0;
                        continue;
                }
                do {
                        r = to_fd ? pwritev(fd, v, n, (off_t)(off + (int64_t)done))
                                  : preadv(fd, v, n, (off_t)(off + (int64_t)done));
                } while (r < 0 && errno == EINTR);
                if (r < 0)
                        return done ? (ssize_t)done : -errno;
                moved = (size_t)r;
                /* Advance the cursor by what moved. */
                for (size_t left = moved; left;) {
                        const struct iovec *src = &c->it->iov[c->idx];
                        size_t step = MIN(left, src->iov_len - c->off);

                        c->off += step;
                        left -= step;
                        if (c->off == src->iov_len) {
                                c->idx++;
                                c->off = 0;
                        }
                }
                done += moved;
                if (moved == 0)         /* the end of the host file */
                        break;
        }
        return (ssize_t)done;
}

ssize_t iov_cursor_pwrite(struct iov_cursor *c, int fd, int64_t off, size_t len)
{
        return iov_cursor_host_io(c, fd, off, len, true);
}

ssize_t iov_cursor_pread(struct iov_cursor *c, int fd, int64_t off, size_t len)
{
        return iov_cursor_host_io(c, fd, off, len, false);
}

int vfs_ioctl(struct file *f, unsigned cmd, void *arg)
{
        if (!f->ops->ioctl)
                return -ENOTTY;
        return f->ops->ioctl(f, cmd, arg);
}

int64_t generic_llseek(struct file *f, int64_t offset, int whence, int64_t size)
{
        int64_t r;

        pthread_mutex_lock(&f->pos_lock);
        switch (whence) {
        case SEEK_SET:
                r = offset;
                break;
        case SEEK_CUR:
                r = __builtin_add_overflow(f->pos, offset, &r) ? -1 : r;
                break;
        case SEEK_END:
                r = __builtin_add_overflow(size, offset, &r) ? -1 : r;
                break;
        default:
                r = -1;
                break;
        }
        if (r < 0)
                r = -EINVAL;
        else
                f->pos = r;
        pthread_mutex_unlock(&f->pos_lock);
        return r;
}

int64_t generic_llseek_to(struct file *f, int64_t pos)
{
        pthread_mutex_lock(&f->pos_lock);
        f->pos = pos;
        pthread_mutex_unlock(&f->pos_lock);
        return pos;
}

int64_t vfs_llseek(struct file *f, int64_t offset, int whence)
{
        if (!f->ops->llseek)
                return -ESPIPE;
        return f->ops->llseek(f, offset, whence);
}

unsigned vfs_poll(struct file *f)
{
        if (!f->ops->poll)
                return EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;
        return f->ops->poll(f);
}

#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80        /* Linux 6.17 */
#endif
#define FALLOC_MODES (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | \
                      FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES)

int vfs_fallocate(struct file *f, int mode, int64_t offset, int64_t len)
{
        struct stat st;
        int64_t end;
        int r;

        if (offset < 0 || len <= 0)
                return -EINVAL;
        if (mode & ~(FALLOC_MODES | FALLOC_FL_KEEP_SIZE))
                return -EOPNOTSUPP;
        /* The modes exclude each other; KEEP_SIZE goes with some only. */
        switch (mode & FALLOC_MODES) {
        case 0:                                 /* FALLOC_FL_ALLOCATE_RANGE */
        case FALLOC_FL_UNSHARE_RANGE:
        case FALLOC_FL_ZERO_RANGE:
                break;
        case FALLOC_FL_PUNCH_HOLE:
                if (!(mode & FALLOC_FL_KEEP_SIZE))
                        return -EOPNOTSUPP;
                break;
        case FALLOC_FL_COLLAPSE_RANGE:
        case FALLOC_FL_INSERT_RANGE:
        case FALLOC_FL_WRITE_ZEROES:
                if (mode & FALLOC_FL_KEEP_SIZE)
                        return -EOPNOTSUPP;
                break;
        default:
                return -EOPNOTSUPP;
        }
        if (!file_writable(f))
                return -EBADF;
        r = vfs_stat(f, &st);
        if (r < 0)
                return r;
        if (S_ISFIFO(st.st_mode))
                return -ESPIPE;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
                return -ENODEV;
        if (__builtin_add_overflow(offset, len, &end) || end > VFS_MAX_FILESIZE)
                return -EFBIG;
        if (!f->ops->fallocate)
                return -EOPNOTSUPP;
        r = f->ops->fallocate(f, mode, offset, len);
        if (r == 0)
                fsnotify_file(f, IN_MODIFY);
        return r;
}

void iov_iter_advance(struct iov_iter *it, struct iovec *storage, size_t n)
{
        int i = 0, out = 0;

        if (n > it->count)
                n = it->count;
        it->count -= n;
        while (i < it->nr && n >= it->iov[i].iov_len)
                n -= it->iov[i++].iov_len;
        for (; i < it->nr; i++, out++) {
                storage[out] = it->iov[i];
                if (n) {
                        storage[out].iov_base = (char *)storage[out].iov_base + n;
                        storage[out].iov_len -= n;
                        n = 0;
                }
        }
        it->iov = storage;
        it->nr = out;
}

int vfs_anon_stat(struct file *f, struct stat *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->st_mode = 0600;
        ret->st_nlink = 1;
        ret->st_blksize = 4096;
        ret->st_ino = (ino_t)(uintptr_t)f >> 4;
        return 0;
}
