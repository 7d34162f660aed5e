/* open(2): Linux's path_openat() and do_open() — the final component with
 * O_CREAT/O_EXCL, symlinks, O_NOFOLLOW, O_DIRECTORY, O_TRUNC and O_PATH. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include "file.h"
#include "fsnotify.h"
#include "internal.h"
#include "lib/macro.h"

#ifndef O_LARGEFILE_KERNEL
#define O_LARGEFILE_KERNEL 0100000      /* x86_64 open forces O_LARGEFILE */
#endif

/* O_TMPFILE without its O_DIRECTORY (Linux's __O_TMPFILE; glibc's
 * __O_TMPFILE includes O_DIRECTORY). */
#define TMPFILE_BIT 020000000u

static const struct file_ops path_file_ops = { 0 };

/* What the flags ask for (Linux's build_open_flags()). */
static int open_acc_mode(unsigned flags)
{
        static const int acc[4] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE,
                                    MAY_READ | MAY_WRITE };
        int mode = acc[flags & O_ACCMODE];

        if (flags & O_TRUNC)
                mode |= MAY_WRITE;
        return mode;
}

#define TRUNCATE_ATTRS (ATTR_SIZE | ATTR_MTIME | ATTR_CTIME)

/* The truncation without its event. */
static int truncate_inode(struct inode *inode, int64_t len)
{
        struct iattr ia = { .valid = TRUNCATE_ATTRS, .size = len };

        if (!inode->ops->setattr)
                return -EPERM;
        vfs_now(&ia.mtime);
        ia.ctime = ia.mtime;
        return inode->ops->setattr(inode, &ia);
}

int vfs_do_truncate(struct dentry *d, int64_t len)
{
        int r = truncate_inode(d->inode, len);

        if (r == 0)
                fsnotify_change(d, TRUNCATE_ATTRS);
        return r;
}

/* Open what p names; created: this call made it (no permission check, no
 * truncation, as Linux's FMODE_CREATED). */
static int do_open(const struct path *p, const struct vfs_cred *c, unsigned flags,
                   bool created, struct file **ret)
{
        struct inode *inode = p->dentry->inode;
        bool writer, truncated;
        struct file *f;
        int r;

        if (flags & O_PATH) {
                if ((flags & O_DIRECTORY) && !inode_is_dir(inode))
                        return -ENOTDIR;
                /* Only a name: every I/O slot empty, read/write -EBADF. */
                r = file_new(&path_file_ops, flags & ~(unsigned)O_CLOEXEC, &f);
                if (r < 0)
                        return r;
                path_copy(&f->path, p);
                *ret = f;
                return 0;
        }
        if ((flags & O_CREAT) && inode_is_dir(inode))
                return -EISDIR;
        if ((flags & O_DIRECTORY) && !inode_is_dir(inode))
                return -ENOTDIR;
        if (inode_is_lnk(inode))
                return -ELOOP;
        if (!created) {
                int acc = open_acc_mode(flags);

                if (inode_is_dir(inode) && (acc & MAY_WRITE))
                        return -EISDIR;
                r = vfs_permission(inode, c, acc);
                if (r < 0)
                        return r;
        }
        if (!inode->ops->open)
                return -ENXIO;          /* no device or fifo behind it yet */
        /* Writing, or truncating, a regular file takes write access first:
         * -ETXTBSY while it runs (Linux's do_dentry_open, handle_truncate). */
        truncated = (flags & O_TRUNC) && !created && S_ISREG(inode->mode);
        writer = S_ISREG(inode->mode) && ((flags & O_ACCMODE) != O_RDONLY || truncated);
        if (writer) {
                r = inode_get_write_access(inode);
                if (r < 0)
                        return r;
        }
        if (truncated) {
                r = truncate_inode(inode, 0);
                if (r < 0)
                        goto out_put;
        }
        flags &= ~(unsigned)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
        r = inode->ops->open(inode, flags | O_LARGEFILE_KERNEL, &f);
        if (r < 0)
                goto out_put;
        path_copy(&f->path, p);
        if (writer && (flags & O_ACCMODE) != O_RDONLY) {
                f->wc_inode = inode_ref(inode);
                f->wc = 1;
                writer = false;         /* the file holds it now */
        }
        /* Linux truncates after the open, and says so in that order. */
        fsnotify_open(f);
        if (truncated)
                fsnotify_change(p->dentry, TRUNCATE_ATTRS);
        *ret = f;
        r = 0;
out_put:
        if (writer)
                inode_put_write_access(inode);
        return r;
}

int vfs_open_path(const struct path *p, const struct vfs_cred *c, unsigned flags,
                  struct file **ret)
{
        return do_open(p, c, flags & ~(unsigned)O_CREAT, false, ret);
}

int vfs_open_exec(const struct path *p, const struct vfs_cred *c, struct file **ret)
{
        struct inode *inode = p->dentry->inode;
        struct file *f;
        int r;

        if (!S_ISREG(inode->mode))
                return -EACCES;
        r = vfs_permission(inode, c, MAY_EXEC);
        if (r < 0)
                return r;
        if (!inode->ops->open)
                return -EACCES;
        /* No writer while it runs, none now (Linux's deny_write_access). */
        r = inode_deny_write_access(inode);
        if (r < 0)
                return r;
        r = inode->ops->open(inode, O_RDONLY | O_LARGEFILE_KERNEL, &f);
        if (r < 0) {
                inode_allow_write_access(inode);
                return r;
        }
        path_copy(&f->path, p);
        f->wc_inode = inode_ref(inode);
        f->wc = -1;
        fsnotify_open(f);
        *ret = f;
        return 0;
}

/* The final component under O_CREAT: find it or make it. Returns 1 when the
 * walk must go on through a symlink. */
static int open_create(struct nameidata *nd, unsigned flags, mode_t mode, struct path *ret,
                       bool *created)
{
        struct dentry *dir = nd->path.dentry, *d;
        struct super_block *sb = dir->sb;
        struct inode *link = NULL;
        int r = 0;

        if (nd->last_type != LAST_NORM || nd->trailing)
                return -EISDIR;
        pthread_mutex_lock(&sb->lock);
        r = d_lookup_fetch(dir, nd->last, &d);
        if (r == 0) {
                if (flags & O_EXCL) {
                        r = -EEXIST;
                } else if (inode_is_lnk(d->inode)) {
                        if (flags & O_NOFOLLOW)
                                r = -ELOOP;
                        else
                                link = inode_ref(d->inode);
                } else {
                        *ret = (struct path){ mount_ref(nd->path.mnt), TAKE_PTR(d) };
                }
                pthread_mutex_unlock(&sb->lock);
                dentry_unref(d);
                if (link) {
                        r = nd_follow_last(nd, link);
                        inode_unref(link);
                        return r < 0 ? r : 1;
                }
                if (r == 0) {
                        r = nd_follow_mounts(nd, ret);
                        if (r < 0)
                                path_put(ret);
                }
                return r;
        }
        d = NULL;
        if (r != -ENOENT) {
                pthread_mutex_unlock(&sb->lock);
                return r;
        }
        if (dir->inode->nlink == 0) {
                r = -ENOENT;            /* a removed directory */
        } else if ((r = vfs_permission(dir->inode, nd->cred, MAY_WRITE | MAY_EXEC)) == 0) {
                if (!dir->inode->ops->create)
                        r = -EACCES;
                else
                        r = d_alloc(dir, nd->last, &d);
        }
        if (r == 0) {
                r = dir->inode->ops->create(dir->inode, d, S_IFREG | mode, nd->cred);
                if (r < 0)
                        d_delete(d);
        }
        pthread_mutex_unlock(&sb->lock);
        if (r < 0) {
                if (d)
                        dentry_unref(d);
                return r;
        }
        fsnotify_create(dir->inode, nd->last, false);
        *ret = (struct path){ mount_ref(nd->path.mnt), d };
        *created = true;
        return 0;
}

/* O_TMPFILE: an unnamed regular file in the directory name, open for I/O;
 * linkat(2) may give it a name unless O_EXCL (Linux's do_tmpfile()). Its
 * dentry is "#INO" under the directory, in no cache. */
static int open_tmpfile(const struct vfs_at *at, const char *name, unsigned lflags,
                        unsigned flags, mode_t mode, struct file **ret)
{
        struct dentry *d = NULL;
        struct inode *dir, *inode;
        char dname[32];
        struct path p;
        struct file *f;
        int r;

        r = vfs_lookup(at, name, lflags | LOOKUP_DIRECTORY, &p);
        if (r < 0)
                return r;
        dir = p.dentry->inode;
        r = vfs_permission(dir, at->cred, MAY_WRITE | MAY_EXEC);
        if (r == 0 && !dir->ops->tmpfile)
                r = -EOPNOTSUPP;
        if (r == 0) {
                pthread_mutex_lock(&p.dentry->sb->lock);
                r = dir->ops->tmpfile(dir, S_IFREG | mode, at->cred, &inode);
                pthread_mutex_unlock(&p.dentry->sb->lock);
        }
        if (r < 0)
                goto out;
        inode->linkable = !(flags & O_EXCL);
        snprintf(dname, sizeof(dname), "#%llu", (unsigned long long)inode->ino);
        r = d_alloc_pseudo(p.dentry, dname, inode_ref(inode), &d);
        /* Open for writing (O_TMPFILE needs it): a writer of its inode, as
         * Linux's finish_open() makes it, so it cannot run meanwhile. */
        if (r == 0)
                r = inode_get_write_access(inode);
        if (r == 0) {
                flags &= ~(unsigned)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
                r = inode->ops->open(inode, flags | O_LARGEFILE_KERNEL, &f);
                if (r < 0)
                        inode_put_write_access(inode);
        }
        if (r < 0) {
                inode_unref(inode);
                goto out;
        }
        f->wc_inode = inode;            /* the tmpfile reference, now the file's */
        f->wc = 1;
        f->path = (struct path){ mount_ref(p.mnt), dentry_ref(d) };
        fsnotify_open(f);
        *ret = f;
out:
        dentry_unref(d);
        path_put(&p);
        return r;
}

int vfs_open(const struct vfs_at *at, const char *name, unsigned flags, mode_t mode,
             struct file **ret)
{
        unsigned lflags = 0;
        struct nameidata nd;
        bool created = false;
        struct path p;
        int r;

        if (flags & O_PATH)
                flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
        /* Linux 6.4 on: O_DIRECTORY|O_CREAT never made anything but trouble. */
        if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
                return -EINVAL;
        if (flags & TMPFILE_BIT) {
                /* O_TMPFILE is that bit and O_DIRECTORY, without O_CREAT,
                 * and needs write access (Linux's build_open_flags()). */
                if ((flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE)
                        return -EINVAL;
                if ((flags & O_ACCMODE) == O_RDONLY)
                        return -EINVAL;
        }
        if (!(flags & O_NOFOLLOW))
                lflags |= LOOKUP_FOLLOW;
        if (flags & O_DIRECTORY)
                lflags |= LOOKUP_DIRECTORY;
        mode = (mode & 07777) & ~fs_umask(at->fs, 0, false);
        if (flags & TMPFILE_BIT)
                return open_tmpfile(at, name, lflags, flags, mode, ret);

        r = nd_init(&nd, at, name, 0);
        if (r < 0)
                goto out;
        if (!(flags & O_CREAT)) {
                r = nd_lookup_last(&nd, lflags & ~LOOKUP_DIRECTORY, &p);
        } else {
                do {
                        r = nd_walk_parent(&nd);
                        if (r == 0)
                                r = open_create(&nd, flags, mode, &p, &created);
                } while (r == 1);
        }
        if (r == 0) {
                r = do_open(&p, at->cred, flags, created, ret);
                path_put(&p);
        }
out:
        nd_release(&nd);
        return r;
}
