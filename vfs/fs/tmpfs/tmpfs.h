/* tmpfs inside: inodes with their data in sentry memory. The dentry cache is
 * the directory (every linked dentry is pinned), as Linux's libfs. */
#ifndef CONTERNEL_VFS_TMPFS_H
#define CONTERNEL_VFS_TMPFS_H

#include "lib/rbtree.h"
#include "vfs/file.h"
#include "vfs/vfs.h"

#define BOGO_DIRENT_SIZE 20     /* Linux's tmpfs counts 20 bytes per entry */

struct tmpfs_page {
        struct rb_node node;            /* in tmpfs_inode->pages */
        uint64_t index;
        unsigned char data[];           /* PAGE_SIZE bytes */
};

struct tmpfs_inode {
        struct inode base;
        char *target;                   /* symlinks: immutable */
        struct rb_root pages;           /* regular files: protected by base.lock */
        uint64_t nr_pages;              /* protected by base.lock */
};

static inline struct tmpfs_inode *TMPFS_I(struct inode *inode)
{
        return container_of(inode, struct tmpfs_inode, base);
}

extern const struct inode_ops tmpfs_dir_inode_ops;
extern const struct inode_ops tmpfs_file_inode_ops;
extern const struct inode_ops tmpfs_symlink_inode_ops;
extern const struct inode_ops tmpfs_special_inode_ops;
extern const struct file_ops tmpfs_dir_file_ops;
extern const struct file_ops tmpfs_file_ops;

/* A new inode of mode (type included) owned by c (root when NULL). */
int tmpfs_new_inode(struct super_block *sb, mode_t mode, const struct vfs_cred *c,
                    struct inode **ret);
/* Regular files: change the size, dropping pages past it. inode->lock held. */
void tmpfs_truncate_locked(struct tmpfs_inode *ti, int64_t size);
int tmpfs_setattr(struct inode *inode, const struct iattr *ia);

#endif
