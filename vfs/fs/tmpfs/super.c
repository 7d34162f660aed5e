/* tmpfs: the file system type, superblocks and inodes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tmpfs.h"

static void tmpfs_destroy_inode(struct inode *inode)
{
        struct tmpfs_inode *ti = TMPFS_I(inode);

        if (S_ISREG(inode->mode))
                tmpfs_truncate_locked(ti, 0);
        free(ti->target);
        free(ti);
}

int tmpfs_new_inode(struct super_block *sb, mode_t mode, const struct vfs_cred *c,
                    struct inode **ret)
{
        struct tmpfs_inode *ti = calloc(1, sizeof(*ti));
        const struct inode_ops *ops;

        if (!ti)
                return -ENOMEM;
        switch (mode & S_IFMT) {
        case S_IFDIR:
                ops = &tmpfs_dir_inode_ops;
                break;
        case S_IFREG:
                ops = &tmpfs_file_inode_ops;
                break;
        case S_IFLNK:
                ops = &tmpfs_symlink_inode_ops;
                break;
        default:
                ops = &tmpfs_special_inode_ops;
                break;
        }
        inode_init(&ti->base, sb, ops, mode, c, tmpfs_destroy_inode);
        ti->pages = RB_ROOT;
        if (S_ISDIR(mode)) {
                ti->base.nlink = 2;
                ti->base.size = 2 * BOGO_DIRENT_SIZE;
        }
        *ret = &ti->base;
        return 0;
}

/* Drop the pins of every linked dentry below d (unmount: Linux's
 * d_genocide), deepest first. */
static void tmpfs_unpin_tree(struct super_block *sb, struct dentry *d)
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
                tmpfs_unpin_tree(sb, c);
                pthread_mutex_lock(&sb->lock);
                d_delete(c);            /* we hold a reference: never frees */
                pthread_mutex_unlock(&sb->lock);
                dentry_unref(c);
        }
}

static void tmpfs_put_super(struct super_block *sb)
{
        tmpfs_unpin_tree(sb, sb->root);
}

static int tmpfs_mount(const struct fs_type *type, dev_t dev, const char *options,
                       struct super_block **ret)
{
        struct super_block *sb;
        struct inode *root;
        int r;

        mode_t mode = 01777;

        /* The one option so far: mode=OCTAL for the root directory. */
        if (options && strncmp(options, "mode=", 5) == 0)
                mode = (mode_t)strtoul(options + 5, NULL, 8) & 07777;
        r = sb_create(type, dev, &sb);
        if (r < 0)
                return r;
        r = tmpfs_new_inode(sb, S_IFDIR | mode, NULL, &root);
        if (r < 0)
                goto fail;
        sb->root = d_make_root(sb, root);
        if (!sb->root) {
                r = -ENOMEM;
                goto fail;
        }
        sb->put_super = tmpfs_put_super;
        *ret = sb;
        return 0;
fail:
        sb_unref(sb);
        return r;
}

static const struct fs_type tmpfs_type = {
        .name = "tmpfs",
        .mount = tmpfs_mount,
};

__attribute__((constructor)) static void tmpfs_register(void)
{
        fs_type_register(&tmpfs_type);
}
