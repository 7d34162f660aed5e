/* Pseudo file system helpers (see libfs.h). */
#include "libfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"

void simple_inode_init(struct inode *inode, struct super_block *sb,
                       const struct inode_ops *ops, mode_t mode,
                       void (*destroy)(struct inode *))
{
        inode_init(inode, sb, ops, mode, NULL, destroy);
        if (S_ISDIR(mode))
                inode->nlink = 2;
}

static void simple_free_inode(struct inode *inode)
{
        free(inode);
}

int simple_dir_new(struct super_block *sb, mode_t mode, struct inode **ret)
{
        struct inode *inode = calloc(1, sizeof(*inode));

        if (!inode)
                return -ENOMEM;
        simple_inode_init(inode, sb, &simple_dir_inode_ops, S_IFDIR | (mode & 07777),
                          simple_free_inode);
        *ret = inode;
        return 0;
}

struct simple_symlink {
        struct inode base;
        char target[];
};

int simple_symlink_new(struct super_block *sb, const char *target, struct inode **ret)
{
        size_t len = strlen(target);
        struct simple_symlink *s = calloc(1, sizeof(*s) + len + 1);

        if (!s)
                return -ENOMEM;
        simple_inode_init(&s->base, sb, &simple_symlink_inode_ops, S_IFLNK | 0777,
                          simple_free_inode);
        memcpy(s->target, target, len + 1);
        s->base.size = (int64_t)len;
        *ret = &s->base;
        return 0;
}

static int simple_readlink(struct inode *inode, char *buf, size_t size)
{
        const char *t = container_of(inode, struct simple_symlink, base)->target;
        size_t len = MIN(strlen(t), size);

        memcpy(buf, t, len);
        return (int)len;
}

const struct inode_ops simple_symlink_inode_ops = {
        .readlink = simple_readlink,
};

int simple_add(struct dentry *dir, const char *name, struct inode *inode,
               struct dentry **ret)
{
        struct super_block *sb = dir->sb;
        struct dentry *d;
        int r = 0;

        pthread_mutex_lock(&sb->lock);
        if (d_lookup(dir, name))
                r = -EEXIST;
        else
                r = d_alloc(dir, name, &d);
        if (r < 0) {
                pthread_mutex_unlock(&sb->lock);
                inode_unref(inode);
                return r;
        }
        if (S_ISDIR(inode->mode)) {
                pthread_mutex_lock(&dir->inode->lock);
                dir->inode->nlink++;
                pthread_mutex_unlock(&dir->inode->lock);
        }
        d_instantiate(d, inode);
        d_pin(d);
        pthread_mutex_unlock(&sb->lock);
        dentry_unref(d);                /* the pin holds it */
        if (ret)
                *ret = d;
        return 0;
}

int simple_mkdir(struct dentry *dir, const char *name, mode_t mode, struct dentry **ret)
{
        struct inode *inode;
        int r = simple_dir_new(dir->sb, mode, &inode);

        return r < 0 ? r : simple_add(dir, name, inode, ret);
}

void simple_unpin_tree(struct super_block *sb, struct dentry *d)
{
        for (;;) {
                struct dentry *c;

                pthread_mutex_lock(&sb->lock);
                c = d->first;
                if (c)
                        dentry_ref(c);
                pthread_mutex_unlock(&sb->lock);
                if (!c)
                        return;
                simple_unpin_tree(sb, c);
                pthread_mutex_lock(&sb->lock);
                d_delete(c);            /* we hold a reference: never frees */
                pthread_mutex_unlock(&sb->lock);
                dentry_unref(c);
        }
}

static void simple_put_super(struct super_block *sb)
{
        simple_unpin_tree(sb, sb->root);
}

int simple_sb_create(const struct fs_type *type, dev_t dev, mode_t mode,
                     struct super_block **ret)
{
        struct super_block *sb;
        struct inode *root;
        int r;

        r = sb_create(type, dev, &sb);
        if (r < 0)
                return r;
        r = simple_dir_new(sb, mode, &root);
        if (r < 0) {
                sb_unref(sb);
                return r;
        }
        sb->root = d_make_root(sb, root);
        if (!sb->root) {
                sb_unref(sb);
                return -ENOMEM;
        }
        sb->put_super = simple_put_super;
        *ret = sb;
        return 0;
}

static int simple_dir_open(struct inode *inode, unsigned flags, struct file **ret)
{
        (void)inode;
        return file_new(&simple_dir_file_ops, flags, ret);
}

const struct inode_ops simple_dir_inode_ops = {
        .open = simple_dir_open,
};

ssize_t simple_dir_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        (void)f, (void)dst, (void)pos;
        return -EISDIR;
}

static int simple_dir_iterate(struct file *f, uint64_t *pos, d_emit_fn emit, void *ctx)
{
        dcache_readdir(f->path.dentry, pos, emit, ctx);
        return 0;
}

/* Linux's dcache_dir_lseek: SEEK_SET and SEEK_CUR to any offset >= 0. */
int64_t simple_dir_llseek(struct file *f, int64_t offset, int whence)
{
        int64_t r = -EINVAL;

        pthread_mutex_lock(&f->pos_lock);
        if (whence == SEEK_CUR && __builtin_add_overflow(offset, f->pos, &offset))
                offset = -1;
        if ((whence == SEEK_SET || whence == SEEK_CUR) && offset >= 0)
                r = f->pos = offset;
        pthread_mutex_unlock(&f->pos_lock);
        return r;
}

const struct file_ops simple_dir_file_ops = {
        .read = simple_dir_read,
        .iterate = simple_dir_iterate,
        .llseek = simple_dir_llseek,
};
