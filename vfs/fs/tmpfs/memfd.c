/* memfd_create(2) and file seals, as Linux's mm/memfd.c: a memfd is a tmpfs
 * file on the namespace's internal tmpfs (mnt_ns_shm_mount()) with no name
 * anywhere, and every tmpfs regular file carries seals (F_SEAL_SEAL from
 * birth; a memfd made with MFD_ALLOW_SEALING or MFD_NOEXEC_SEAL starts
 * without it). The seals are enforced here and in file.c (write,
 * truncate, chmod) and by mmap (sys_mmap asks memfd_get_seals()). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpfs.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define O_LARGEFILE_KERNEL 0100000
#define F_ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | \
                     F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

size_t tmpfs_seal_write_len(struct tmpfs_inode *ti, uint64_t off, size_t len, int *err)
{
        uint64_t pos = off, end = off + len, size = (uint64_t)ti->base.size;

        if (ti->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) {
                *err = -EPERM;
                return 0;
        }
        if (!(ti->seals & F_SEAL_GROW) || end <= size)
                return len;
        /* Linux checks each page-sized step of the copy (shmem_write_begin):
         * the steps that stay inside the file go, the first past it stops. */
        while (pos < end) {
                uint64_t step_end = MIN(end, (pos / PAGE_SIZE + 1) * PAGE_SIZE);

                if (step_end > size)
                        break;
                pos = step_end;
        }
        if (pos == off)
                *err = -EPERM;
        return (size_t)(pos - off);
}

int tmpfs_seal_setattr(struct tmpfs_inode *ti, const struct iattr *ia)
{
        if (ia->valid & ATTR_SIZE) {
                if (ia->size < ti->base.size && (ti->seals & F_SEAL_SHRINK))
                        return -EPERM;
                if (ia->size > ti->base.size && (ti->seals & F_SEAL_GROW))
                        return -EPERM;
        }
        if ((ia->valid & ATTR_MODE) && (ti->seals & F_SEAL_EXEC) &&
            ((ti->base.mode ^ ia->mode) & 0111))
                return -EPERM;
        return 0;
}

/* The tmpfs inode behind f, if f is an open tmpfs regular file. */
static struct tmpfs_inode *seal_inode(struct file *f)
{
        if (f->ops != &tmpfs_file_ops || !file_inode(f))
                return NULL;
        return TMPFS_I(file_inode(f));
}

int memfd_get_seals(struct file *f)
{
        struct tmpfs_inode *ti = seal_inode(f);
        int seals;

        if (!ti)
                return -EINVAL;
        pthread_mutex_lock(&ti->base.lock);
        seals = (int)ti->seals;
        pthread_mutex_unlock(&ti->base.lock);
        return seals;
}

int memfd_add_seals(struct file *f, unsigned seals)
{
        struct tmpfs_inode *ti;
        int r = 0;

        if (!file_writable(f))
                return -EPERM;
        if (seals & ~(unsigned)F_ALL_SEALS)
                return -EINVAL;
        ti = seal_inode(f);
        if (!ti)
                return -EINVAL;
        pthread_mutex_lock(&ti->base.lock);
        if (ti->seals & F_SEAL_SEAL)
                r = -EPERM;
        /* SEAL_EXEC on an executable file implies the write seals (W^X). */
        if ((seals & F_SEAL_EXEC) && (ti->base.mode & 0111))
                seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
        pthread_mutex_unlock(&ti->base.lock);
        if (r < 0)
                return r;
        /* F_SEAL_WRITE needs no shared mapping that may write (Linux's
         * mapping_deny_writable()). The mms are asked without the inode
         * lock (their lock comes first); a mapping made meanwhile is not
         * seen. */
        if ((seals & F_SEAL_WRITE) && mm_mappable_writably_mapped(&ti->map)) {
                pthread_mutex_lock(&ti->base.lock);
                r = (ti->seals & F_SEAL_WRITE) ? 0 : -EBUSY;
                pthread_mutex_unlock(&ti->base.lock);
                if (r < 0)
                        return r;
        }
        pthread_mutex_lock(&ti->base.lock);
        if (ti->seals & F_SEAL_SEAL)
                r = -EPERM;
        else
                ti->seals |= seals;
        pthread_mutex_unlock(&ti->base.lock);
        return r;
}

int memfd_create_file(struct mnt_namespace *ns, const char *name, unsigned flags,
                      const struct vfs_cred *c, struct file **ret)
{
        struct mount *m = NULL;
        struct dentry *d = NULL;
        struct inode *inode;
        struct file *f;
        char *dname;
        int r;

        if (asprintf(&dname, "memfd:%s", name) < 0)
                return -ENOMEM;
        r = mnt_ns_shm_mount(ns, &m);
        if (r < 0)
                goto out;
        r = tmpfs_new_inode(m->sb, S_IFREG | 0777, c, &inode);
        if (r < 0)
                goto out;
        inode->nlink = 0;               /* it has no name */
        if (flags & MEMFD_NOEXEC_SEAL) {
                inode->mode &= ~(mode_t)0111;
                TMPFS_I(inode)->seals = F_SEAL_EXEC;
        } else if (flags & MEMFD_ALLOW_SEALING) {
                TMPFS_I(inode)->seals = 0;
        }
        r = d_alloc_pseudo(m->sb->root, dname, inode, &d);
        if (r < 0)
                goto out;
        r = file_new(&tmpfs_file_ops, O_RDWR | O_LARGEFILE_KERNEL, &f);
        if (r < 0)
                goto out;
        f->path = (struct path){ mount_ref(m), dentry_ref(d) };
        *ret = f;
out:
        dentry_unref(d);
        mount_unref(m);
        free(dname);
        return r;
}
