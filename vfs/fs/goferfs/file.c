/* goferfs regular files and symlinks: data through the host fds the gofer
 * donates (shared per inode), attributes through SETATTR, symlink targets
 * through READLINK. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

int goferfs_inode_fd_locked(struct inode *inode, bool write, int *ret)
{
        struct goferfs_inode *gi = GOFERFS_I(inode);
        int r = 0, fd;

        if (gi->wfd >= 0) {
                *ret = gi->wfd;
        } else if (!write && gi->rfd >= 0) {
                *ret = gi->rfd;
        } else {
                r = gofer_open(goferfs_client(inode), gi->node, write ? O_RDWR : O_RDONLY, &fd);
                if (r == 0) {
                        if (write)
                                gi->wfd = fd;
                        else
                                gi->rfd = fd;
                        *ret = fd;
                }
        }
        return r;
}

/* The same, taking inode->lock. */
static int inode_fd(struct inode *inode, bool write, int *ret)
{
        int r;

        pthread_mutex_lock(&inode->lock);
        r = goferfs_inode_fd_locked(inode, write, ret);
        pthread_mutex_unlock(&inode->lock);
        return r;
}

static int goferfs_file_open(struct inode *inode, unsigned flags, struct file **ret)
{
        unsigned acc = flags & O_ACCMODE;
        bool write = acc == O_WRONLY || acc == O_RDWR;
        int fd, r;

        if (write && (r = goferfs_may_change(inode)) < 0)
                return r;
        r = inode_fd(inode, write, &fd);
        if (r == 0)
                r = file_new(&goferfs_file_ops, flags, ret);
        if (r == 0) {
                pthread_mutex_lock(&inode->lock);
                GOFERFS_I(inode)->nopen++;
                pthread_mutex_unlock(&inode->lock);
        }
        return r;
}

/* The last open file of the inode closes its host fds (a later open asks
 * the gofer again), but for a read-only one kept while the budget lasts. */
static void goferfs_file_release(struct file *f)
{
        struct inode *inode = file_inode(f);
        struct goferfs_inode *gi = GOFERFS_I(inode);
        int rfd = -1, wfd = -1;

        pthread_mutex_lock(&inode->lock);
        if (--gi->nopen == 0) {
                /* What mappings changed goes to the host while the fd is there. */
                (void)goferfs_cache_writeback_locked(gi);
                wfd = gi->wfd;
                gi->wfd = -1;
                /* Keep the read-only fd for the next open, up to a budget. */
                if (!gi->rfd_kept && gi->rfd >= 0 &&
                    atomic_fetch_add(&GOFERFS_SB(inode->sb)->kept_fds, 1) < GOFERFS_KEPT_FDS_MAX)
                        gi->rfd_kept = true;
                else if (!gi->rfd_kept && gi->rfd >= 0)
                        atomic_fetch_sub(&GOFERFS_SB(inode->sb)->kept_fds, 1);
                if (!gi->rfd_kept) {
                        rfd = gi->rfd;
                        gi->rfd = -1;
                }
        }
        pthread_mutex_unlock(&inode->lock);
        if (rfd >= 0)
                close(rfd);
        if (wfd >= 0)
                close(wfd);
        free(f);
}

static ssize_t goferfs_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct inode *inode = file_inode(f);
        ssize_t n;
        int fd, r;

        pthread_mutex_lock(&inode->lock);
        if (goferfs_cache_active(GOFERFS_I(inode))) {
                /* Mapped pages may hold what the host file does not yet. */
                n = goferfs_cache_read_locked(GOFERFS_I(inode), dst, *pos);
                pthread_mutex_unlock(&inode->lock);
                if (n > 0) {
                        *pos += n;
                        inode_touch_atime(inode);
                }
                return n;
        }
        pthread_mutex_unlock(&inode->lock);
        r = inode_fd(inode, false, &fd);
        if (r < 0)
                return r;
        n = preadv(fd, dst->iov, dst->nr, (off_t)*pos);
        if (n < 0)
                return -errno;
        *pos += n;
        if (n > 0)
                inode_touch_atime(inode);
        return n;
}

static ssize_t goferfs_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        struct inode *inode = file_inode(f);
        ssize_t n;
        int fd, r;

        r = inode_fd(inode, true, &fd);
        if (r < 0)
                return r;
        /* inode->lock orders appends and keeps the cached size true. */
        pthread_mutex_lock(&inode->lock);
        if (f->flags & O_APPEND)
                *pos = inode->size;
        n = pwritev(fd, src->iov, src->nr, (off_t)*pos);
        if (n < 0) {
                n = -errno;
        } else {
                /* Write-through: the cached pages (mapped) get it too. */
                if (n > 0 && goferfs_cache_active(GOFERFS_I(inode)))
                        goferfs_cache_wrote_locked(GOFERFS_I(inode), src, *pos, (size_t)n);
                *pos += n;
                if (*pos > inode->size) {
                        inode->size = *pos;
                        inode->blocks = (inode->size + 511) / 512;
                }
                if (n > 0) {
                        vfs_now(&inode->mtime);
                        inode->ctime = inode->mtime;
                }
        }
        pthread_mutex_unlock(&inode->lock);
        return n;
}

static int64_t goferfs_llseek(struct file *f, int64_t offset, int whence)
{
        struct inode *inode = file_inode(f);
        int64_t size, r;
        int fd;

        if (whence == SEEK_DATA || whence == SEEK_HOLE) {
                /* The host file knows its holes. */
                r = inode_fd(inode, false, &fd);
                if (r == 0 && (r = lseek(fd, (off_t)offset, whence)) < 0)
                        r = -errno;
                return r < 0 ? r : generic_llseek_to(f, r);
        }
        pthread_mutex_lock(&inode->lock);
        size = inode->size;
        pthread_mutex_unlock(&inode->lock);
        return generic_llseek(f, offset, whence, size);
}

/* The donated fd is the host file itself: sync and allocate there. */
static int goferfs_fsync(struct file *f, bool datasync)
{
        struct inode *inode = file_inode(f);
        int fd, r;

        pthread_mutex_lock(&inode->lock);
        r = goferfs_cache_writeback_locked(GOFERFS_I(inode));
        if (r == 0)
                r = goferfs_inode_fd_locked(inode, false, &fd);
        pthread_mutex_unlock(&inode->lock);
        if (r < 0)
                return r;
        return (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? -errno : 0;
}

static int goferfs_fallocate(struct file *f, int mode, int64_t offset, int64_t len)
{
        struct inode *inode = file_inode(f);
        struct goferfs_inode *gi = GOFERFS_I(inode);
        int fd, r;

        /* Under inode->lock: cached pages are written back first and read
         * again after (a punched hole, a collapsed range). */
        pthread_mutex_lock(&inode->lock);
        r = goferfs_inode_fd_locked(inode, true, &fd);
        if (r == 0)
                r = goferfs_cache_writeback_locked(gi);
        if (r == 0 && fallocate(fd, mode, (off_t)offset, (off_t)len) < 0)
                r = -errno;
        if (r == 0) {
                struct stat st;

                /* Collapse and insert move the end; the host knows it. */
                if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)) {
                        if (fstat(fd, &st) == 0)
                                inode->size = st.st_size;
                } else if (!(mode & FALLOC_FL_KEEP_SIZE) && offset + len > inode->size) {
                        inode->size = offset + len;
                }
                if (gi->nr_pages)
                        goferfs_cache_reload_locked(gi, offset);
        }
        pthread_mutex_unlock(&inode->lock);
        return r;
}

static int goferfs_mmap(struct file *f, struct mm_mappable **ret)
{
        *ret = &GOFERFS_I(file_inode(f))->map;
        return 0;
}

const struct file_ops goferfs_file_ops = {
        .read = goferfs_read,
        .write = goferfs_write,
        .llseek = goferfs_llseek,
        .mmap = goferfs_mmap,
        .fsync = goferfs_fsync,
        .fallocate = goferfs_fallocate,
        .release = goferfs_file_release,
};

/* ---- attributes ------------------------------------------------------------- */

int goferfs_setattr(struct inode *inode, const struct iattr *ia)
{
        struct gofer_setattr a = { 0 };
        struct gofer_stat st;
        bool shrunk = false;
        int r;

        if ((r = goferfs_may_change(inode)) < 0)
                return r;
        if (ia->valid & ATTR_MODE) {
                a.mask |= GOFER_SETATTR_MODE;
                a.mode = ia->mode & 07777;
        }
        if (ia->valid & ATTR_UID) {
                a.mask |= GOFER_SETATTR_UID;
                a.uid = ia->uid;
        }
        if (ia->valid & ATTR_GID) {
                a.mask |= GOFER_SETATTR_GID;
                a.gid = ia->gid;
        }
        if (ia->valid & ATTR_SIZE) {
                if (!S_ISREG(inode->mode))
                        return -EINVAL;
                a.mask |= GOFER_SETATTR_SIZE;
                a.size = (uint64_t)ia->size;
        }
        if (ia->valid & ATTR_ATIME) {
                a.mask |= GOFER_SETATTR_ATIME;
                a.atime = (struct gofer_timespec){ ia->atime.tv_sec, (uint32_t)ia->atime.tv_nsec };
        }
        if (ia->valid & ATTR_MTIME) {
                a.mask |= GOFER_SETATTR_MTIME;
                a.mtime = (struct gofer_timespec){ ia->mtime.tv_sec, (uint32_t)ia->mtime.tv_nsec };
        }
        if (a.mask == 0) {
                inode_touch_ctime(inode);       /* ATTR_CTIME alone */
                return 0;
        }
        pthread_mutex_lock(&inode->lock);
        struct goferfs_inode *gi = GOFERFS_I(inode);
        int64_t old_size = inode->size;

        /* A size change with cached pages: what mappings wrote goes out
         * first, and the pages from the new end on are read again. */
        r = (ia->valid & ATTR_SIZE) ? goferfs_cache_writeback_locked(gi) : 0;
        if (r == 0)
                r = gofer_setattr(goferfs_client(inode), gi->node, &a, &st);
        if (r == 0) {
                shrunk = (ia->valid & ATTR_SIZE) && ia->size < inode->size;
                goferfs_apply_stat(inode, &st);
                if ((ia->valid & ATTR_SIZE) && gi->nr_pages)
                        goferfs_cache_reload_locked(gi, MIN(old_size, ia->size));
        }
        pthread_mutex_unlock(&inode->lock);
        if (shrunk)
                mm_mappable_unmap_from(&GOFERFS_I(inode)->map, (uint64_t)ia->size);
        return r;
}

const struct inode_ops goferfs_file_inode_ops = {
        .setattr = goferfs_setattr,
        .open = goferfs_file_open,
};

static int goferfs_readlink(struct inode *inode, char *buf, size_t size)
{
        struct goferfs_inode *gi = GOFERFS_I(inode);
        size_t len;
        int r = 0;

        pthread_mutex_lock(&inode->lock);
        if (!gi->target)
                r = gofer_readlink(goferfs_client(inode), gi->node, &gi->target);
        if (r == 0) {
                len = MIN(strlen(gi->target), size);
                memcpy(buf, gi->target, len);
                r = (int)len;
        }
        pthread_mutex_unlock(&inode->lock);
        return r;
}

const struct inode_ops goferfs_symlink_inode_ops = {
        .readlink = goferfs_readlink,
        .setattr = goferfs_setattr,
};

/* Fifos, sockets and devices on the host: attributes only (the sentry
 * provides such files itself; the gofer refuses to open them). */
const struct inode_ops goferfs_special_inode_ops = {
        .setattr = goferfs_setattr,
};
