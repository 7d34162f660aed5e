/* overlay: the file system type, superblocks over two layers, inodes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include "internal.h"
#include "overlay.h"
#include "vfs/libfs.h"
#include "vfs/namei.h"

const struct vfs_cred ovl_root_cred = { 0 };

void ovl_copy_attr(struct ovl_inode *oi)
{
        struct path p;
        struct inode *real;

        ovl_real_get(oi, &p);
        real = p.dentry->inode;
        pthread_mutex_lock(&real->lock);
        mode_t mode = real->mode;
        uint32_t uid = real->uid, gid = real->gid;
        unsigned nlink = real->nlink;
        pthread_mutex_unlock(&real->lock);
        path_put(&p);
        pthread_mutex_lock(&oi->base.lock);
        oi->base.mode = mode;
        oi->base.uid = uid;
        oi->base.gid = gid;
        oi->base.nlink = nlink;
        pthread_mutex_unlock(&oi->base.lock);
}

static void ovl_destroy_inode(struct inode *inode)
{
        struct ovl_inode *oi = OVL_I(inode);

        ovl_icache_remove(&OVL_SB(inode->sb)->icache, oi);
        if (oi->upper.dentry)
                path_put(&oi->upper);
        if (oi->lower.dentry)
                path_put(&oi->lower);
        if (oi->parent)
                inode_unref(&oi->parent->base);
        free(oi->name);
        free(oi);
}

int ovl_new_inode(struct super_block *sb, struct ovl_inode *parent, const char *name,
                  const struct path *upper, const struct path *lower, bool opaque,
                  struct inode **ret)
{
        struct ovl_inode *oi = calloc(1, sizeof(*oi));
        const struct path *real = upper->dentry ? upper : lower;
        const struct inode_ops *ops;
        mode_t mode = real->dentry->inode->mode;

        if (!oi || !(oi->name = strdup(name))) {
                free(oi);
                return -ENOMEM;
        }
        switch (mode & S_IFMT) {
        case S_IFDIR:
                ops = &ovl_dir_inode_ops;
                break;
        case S_IFREG:
                ops = &ovl_file_inode_ops;
                break;
        case S_IFLNK:
                ops = &ovl_symlink_inode_ops;
                break;
        default:
                ops = &ovl_special_inode_ops;
                break;
        }
        inode_init(&oi->base, sb, ops, mode, NULL, ovl_destroy_inode);
        /* Stable and unique across the layers: the lower file's number
         * (a copy-up keeps it), else the upper's in a range of its own. */
        oi->base.ino = lower->dentry ? lower->dentry->inode->ino :
                       upper->dentry->inode->ino | (1ULL << 62);
        if (upper->dentry)
                path_copy(&oi->upper, upper);
        if (lower->dentry)
                path_copy(&oi->lower, lower);
        oi->opaque = opaque;
        oi->parent = parent ? OVL_I(inode_ref(&parent->base)) : NULL;
        ovl_copy_attr(oi);
        /* Another name of a file already shown: that inode. */
        if (upper->dentry && !S_ISDIR(mode)) {
                struct ovl_inode *e = ovl_icache_add(&OVL_SB(sb)->icache, oi);

                if (e) {
                        inode_unref(&oi->base);
                        ovl_copy_attr(e);       /* its link count changed */
                        oi = e;
                }
        }
        *ret = &oi->base;
        return 0;
}

int ovl_getattr(struct inode *inode, struct stat *ret)
{
        struct path real;
        int r;

        ovl_real_get(OVL_I(inode), &real);
        r = vfs_getattr(real.dentry->inode, ret);
        path_put(&real);
        /* One device for the whole overlay, inode numbers of its own. */
        if (r == 0) {
                ret->st_dev = inode->sb->dev;
                ret->st_ino = inode->ino;
        }
        return r;
}

static void ovl_put_super(struct super_block *sb)
{
        struct ovl_sb *info = OVL_SB(sb);

        if (sb->root) {
                simple_unpin_tree(sb, sb->root);
                sb->root = dentry_unref(sb->root);
        }
        fs_context_unref(info->upper_fs);
        ovl_icache_destroy(&info->icache);
        if (info->lower_root.dentry)
                path_put(&info->lower_root);
        if (info->upper_root.dentry)
                path_put(&info->upper_root);
        free(info);
}

/* Keep directories and symlinks cached, as their layers do. */
static bool ovl_cache_lookup(struct super_block *sb, struct inode *inode)
{
        (void)sb;
        return S_ISDIR(inode->mode) || S_ISLNK(inode->mode);
}

static int ovl_mount_data(const struct fs_type *type, dev_t dev, const char *options,
                          const void *data, struct super_block **ret)
{
        const struct ovl_mount_data *md = data;
        struct super_block *sb;
        struct ovl_sb *info;
        struct inode *root;
        int r;

        if (!md || !md->lower || !md->upper || (options && *options))
                return -EINVAL;
        if (!S_ISDIR(md->lower->root->root->inode->mode) ||
            !S_ISDIR(md->upper->root->root->inode->mode))
                return -ENOTDIR;
        info = calloc(1, sizeof(*info));
        if (!info)
                return -ENOMEM;
        ovl_icache_init(&info->icache);
        r = sb_create(type, dev, &sb);
        if (r < 0) {
                free(info);
                return r;
        }
        sb->fs_info = info;
        sb->put_super = ovl_put_super;
        sb->cache_lookup = ovl_cache_lookup;
        info->lower_root = (struct path){ mount_ref(md->lower->root),
                                          dentry_ref(md->lower->root->root) };
        info->upper_root = (struct path){ mount_ref(md->upper->root),
                                          dentry_ref(md->upper->root->root) };
        r = fs_context_create(md->upper, &info->upper_fs);
        if (r == 0) {
                fs_umask(info->upper_fs, 0, true);
                r = ovl_new_inode(sb, NULL, "/", &info->upper_root, &info->lower_root, false,
                                  &root);
        }
        if (r == 0 && !(sb->root = d_make_root(sb, root)))
                r = -ENOMEM;
        if (r < 0) {
                sb_unref(sb);
                return r;
        }
        *ret = sb;
        return 0;
}

/* The upper layer's room, as Linux's ovl_statfs(). */
static void ovl_statfs(struct super_block *sb, struct statfs *ret)
{
        struct statfs up;

        if (vfs_statfs(&OVL_SB(sb)->upper_root, &up) < 0)
                return;
        ret->f_blocks = up.f_blocks;
        ret->f_bfree = up.f_bfree;
        ret->f_bavail = up.f_bavail;
        ret->f_files = up.f_files;
        ret->f_ffree = up.f_ffree;
}

static const struct fs_type ovl_type = {
        .name = "overlay",
        .magic = 0x794c7630,    /* OVERLAYFS_SUPER_MAGIC */
        .statfs = ovl_statfs,
        .mount_data = ovl_mount_data,
};

static void __attribute__((constructor)) ovl_register(void)
{
        fs_type_register(&ovl_type);
}
