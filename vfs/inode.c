/* Inodes: references, timestamps, permission checks and generic attributes. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "lock.h"
#include "vfs.h"

bool vfs_cred_in_group(const struct vfs_cred *c, uint32_t gid)
{
        if (c->gid == gid)
                return true;
        for (uint32_t i = 0; i < c->ngroups; i++)
                if (c->groups[i] == gid)
                        return true;
        return false;
}

void vfs_now(struct timespec *ret)
{
        clock_gettime(CLOCK_REALTIME, ret);
}

void inode_init(struct inode *inode, struct super_block *sb, const struct inode_ops *ops,
                mode_t mode, const struct vfs_cred *c, void (*destroy)(struct inode *))
{
        atomic_init(&inode->refcount, 1);
        inode->ops = ops;
        inode->sb = sb;
        inode->ino = sb_next_ino(sb);
        inode->rdev = 0;
        pthread_mutex_init(&inode->lock, NULL);
        inode->mode = mode;
        inode->uid = c ? c->uid : 0;
        inode->gid = c ? c->gid : 0;
        inode->nlink = 1;
        inode->linkable = false;
        inode->flctx = NULL;
        atomic_init(&inode->writecount, 0);
        inode->fsn_marks = NULL;
        atomic_init(&inode->fsn_opens, 0);
        inode->size = 0;
        inode->blocks = 0;
        inode->pipe = NULL;
        vfs_now(&inode->atime);
        inode->mtime = inode->ctime = inode->btime = inode->atime;
        inode->destroy = destroy;
}

struct inode *inode_ref(struct inode *inode)
{
        atomic_fetch_add_explicit(&inode->refcount, 1, memory_order_relaxed);
        return inode;
}

struct inode *inode_unref(struct inode *inode)
{
        if (inode && atomic_fetch_sub_explicit(&inode->refcount, 1, memory_order_acq_rel) == 1) {
                locks_free_context(inode);
                pthread_mutex_destroy(&inode->lock);
                inode->destroy(inode);
        }
        return NULL;
}

int inode_get_write_access(struct inode *inode)
{
        int n = atomic_load(&inode->writecount);

        do {
                if (n < 0)
                        return -ETXTBSY;
        } while (!atomic_compare_exchange_weak(&inode->writecount, &n, n + 1));
        return 0;
}

void inode_put_write_access(struct inode *inode)
{
        atomic_fetch_sub(&inode->writecount, 1);
}

int inode_deny_write_access(struct inode *inode)
{
        int n = atomic_load(&inode->writecount);

        do {
                if (n > 0)
                        return -ETXTBSY;
        } while (!atomic_compare_exchange_weak(&inode->writecount, &n, n - 1));
        return 0;
}

void inode_allow_write_access(struct inode *inode)
{
        atomic_fetch_add(&inode->writecount, 1);
}

void inode_touch_ctime(struct inode *inode)
{
        pthread_mutex_lock(&inode->lock);
        vfs_now(&inode->ctime);
        pthread_mutex_unlock(&inode->lock);
}

void inode_touch_mtime(struct inode *inode)
{
        pthread_mutex_lock(&inode->lock);
        vfs_now(&inode->mtime);
        inode->ctime = inode->mtime;
        pthread_mutex_unlock(&inode->lock);
}

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
        if (a->tv_sec != b->tv_sec)
                return a->tv_sec < b->tv_sec ? -1 : 1;
        if (a->tv_nsec != b->tv_nsec)
                return a->tv_nsec < b->tv_nsec ? -1 : 1;
        return 0;
}

/* Linux's relatime: update atime when it is not newer than mtime or ctime,
 * or more than a day old. */
void inode_touch_atime(struct inode *inode)
{
        struct timespec now;

        vfs_now(&now);
        pthread_mutex_lock(&inode->lock);
        if (ts_cmp(&inode->atime, &inode->mtime) <= 0 || ts_cmp(&inode->atime, &inode->ctime) <= 0 ||
            now.tv_sec - inode->atime.tv_sec >= 24 * 60 * 60)
                inode->atime = now;
        pthread_mutex_unlock(&inode->lock);
}

int vfs_permission(struct inode *inode, const struct vfs_cred *c, int mask)
{
        mode_t mode;
        uint32_t uid, gid;
        unsigned bits;

        mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
        pthread_mutex_lock(&inode->lock);
        mode = inode->mode;
        uid = inode->uid;
        gid = inode->gid;
        pthread_mutex_unlock(&inode->lock);

        if (c->uid == uid)
                bits = (mode >> 6) & 7;
        else if (vfs_cred_in_group(c, gid))
                bits = (mode >> 3) & 7;
        else
                bits = mode & 7;
        if (!((unsigned)mask & ~bits))
                return 0;
        /* generic_permission()'s capability overrides. */
        if (S_ISDIR(mode)) {
                if (!(mask & MAY_WRITE) && vfs_cred_capable(c, CAP_DAC_READ_SEARCH))
                        return 0;
                return vfs_cred_capable(c, CAP_DAC_OVERRIDE) ? 0 : -EACCES;
        }
        if (mask == MAY_READ && vfs_cred_capable(c, CAP_DAC_READ_SEARCH))
                return 0;
        /* Exec needs at least one x bit even with CAP_DAC_OVERRIDE. */
        if ((!(mask & MAY_EXEC) || (mode & 0111)) && vfs_cred_capable(c, CAP_DAC_OVERRIDE))
                return 0;
        return -EACCES;
}

int generic_getattr(struct inode *inode, struct stat *st)
{
        memset(st, 0, sizeof(*st));
        pthread_mutex_lock(&inode->lock);
        st->st_dev = inode->sb->dev;
        st->st_ino = inode->ino;
        st->st_mode = inode->mode;
        st->st_nlink = inode->nlink;
        st->st_uid = inode->uid;
        st->st_gid = inode->gid;
        st->st_rdev = inode->rdev;
        st->st_size = inode->size;
        st->st_blksize = 4096;
        st->st_blocks = inode->blocks;
        st->st_atim = inode->atime;
        st->st_mtim = inode->mtime;
        st->st_ctim = inode->ctime;
        pthread_mutex_unlock(&inode->lock);
        return 0;
}

int vfs_getattr(struct inode *inode, struct stat *ret)
{
        if (inode->ops->getattr)
                return inode->ops->getattr(inode, ret);
        return generic_getattr(inode, ret);
}

void setattr_copy(struct inode *inode, const struct iattr *ia)
{
        pthread_mutex_lock(&inode->lock);
        if (ia->valid & ATTR_MODE)
                inode->mode = (inode->mode & S_IFMT) | (ia->mode & 07777);
        if (ia->valid & ATTR_UID)
                inode->uid = ia->uid;
        if (ia->valid & ATTR_GID)
                inode->gid = ia->gid;
        if (ia->valid & ATTR_ATIME)
                inode->atime = ia->atime;
        if (ia->valid & ATTR_MTIME)
                inode->mtime = ia->mtime;
        if (ia->valid & ATTR_CTIME)
                inode->ctime = ia->ctime;
        pthread_mutex_unlock(&inode->lock);
}
