/*
 * Helpers for pseudo file systems (devfs, procfs, sysfs), like Linux's
 * fs/libfs.c: inodes owned by root, static directory trees whose dentries
 * the fs pins (the dentry cache is the directory, as for tmpfs), and
 * symlinks with a fixed target.
 */
#ifndef CONTERNEL_VFS_LIBFS_H
#define CONTERNEL_VFS_LIBFS_H

#include "vfs/file.h"
#include "vfs/vfs.h"

/* inode_init() for a root-owned inode; directories start with nlink 2. */
void simple_inode_init(struct inode *inode, struct super_block *sb,
                       const struct inode_ops *ops, mode_t mode,
                       void (*destroy)(struct inode *));

/* A plain directory inode (simple_dir_inode_ops), freed with free(). */
int simple_dir_new(struct super_block *sb, mode_t mode, struct inode **ret);
/* A symlink to target (copied), mode 0777. */
int simple_symlink_new(struct super_block *sb, const char *target, struct inode **ret);

/* Link inode (consumed) into dir as name, pinned; a directory raises dir's
 * nlink. *ret (may be NULL) is the new dentry, borrowed: the pin keeps it.
 * Takes sb->lock. -EEXIST, -ENOMEM. */
int simple_add(struct dentry *dir, const char *name, struct inode *inode,
               struct dentry **ret);
/* A new plain directory under dir (simple_dir_new + simple_add). */
int simple_mkdir(struct dentry *dir, const char *name, mode_t mode, struct dentry **ret);

/* A superblock with a plain directory root of mode; put_super unpins the
 * tree. */
int simple_sb_create(const struct fs_type *type, dev_t dev, mode_t mode,
                     struct super_block **ret);
/* Drop every pin below d (unmount), deepest first. */
void simple_unpin_tree(struct super_block *sb, struct dentry *d);

/* Directories whose children are the dentry cache: open, readdir, lseek. */
extern const struct inode_ops simple_dir_inode_ops;
extern const struct file_ops simple_dir_file_ops;
/* Symlinks made by simple_symlink_new(). */
extern const struct inode_ops simple_symlink_inode_ops;

/* Directory file ops for fs's that fill the slots themselves. */
ssize_t simple_dir_read(struct file *f, const struct iov_iter *dst, int64_t *pos);
int64_t simple_dir_llseek(struct file *f, int64_t offset, int whence);

#endif
