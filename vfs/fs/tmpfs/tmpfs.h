/* tmpfs inside: inodes whose data lives in the memory file (like gVisor's
 * tmpfs on its MemoryFile), so a MAP_SHARED mapping maps the file's own
 * pages. The dentry cache is the directory (every linked dentry is pinned),
 * as Linux's libfs.
 *
 * Lock order: inode->lock → tmpfs_sb.lock (the page budget) → memfile->lock. */
#ifndef CONTERNEL_VFS_TMPFS_H
#define CONTERNEL_VFS_TMPFS_H

#include "lib/rbtree.h"
#include "sentry/mm/mm.h"
#include "vfs/file.h"
#include "vfs/vfs.h"

#define BOGO_DIRENT_SIZE 20     /* Linux's tmpfs counts 20 bytes per entry */

/* One page of a regular file: a memory-file page holding one reference of
 * its own (mappings of the file take more). */
struct tmpfs_page {
        struct rb_node node;            /* in tmpfs_inode->pages */
        uint64_t index;
        uint64_t off;                   /* memory-file offset */
};

/* Per superblock: where data goes and how much of it may. */
struct tmpfs_sb {
        pthread_mutex_t lock;
        struct memfile *own_mf;         /* protected by lock: made on first use when sb->mf is NULL */
        uint64_t max_pages;             /* immutable after mount; 0: from size_percent */
        unsigned size_percent;          /* immutable after mount */
        uint64_t used_pages;            /* protected by lock */
};

static inline struct tmpfs_sb *TMPFS_SB(struct super_block *sb)
{
        return sb->fs_info;
}

/* The memory file data of sb goes to (the namespace's, or the fs's own,
 * made on first use). -ENOMEM. */
int tmpfs_memfile(struct super_block *sb, struct memfile **ret);
/* Take n pages from sb's budget (-ENOSPC past size=), give them back. */
int tmpfs_charge(struct super_block *sb, uint64_t n);
void tmpfs_uncharge(struct super_block *sb, uint64_t n);
/* The page limit in force (size= resolved against the memory file). */
uint64_t tmpfs_max_pages(struct super_block *sb);

struct tmpfs_xattr;

struct tmpfs_inode {
        struct inode base;
        char *target;                   /* symlinks: immutable */
        struct rb_root pages;           /* regular files: protected by base.lock */
        struct memfile *mf;             /* set with the first page (base.lock), then immutable */
        struct mm_mappable map;         /* regular files: what mmap maps */
        uint64_t nr_pages;              /* protected by base.lock */
        struct tmpfs_xattr *xattrs;     /* protected by base.lock, creation order */
        size_t xattr_bytes;             /* protected by base.lock: names and values */
        unsigned seals;                 /* regular files: F_SEAL_*, protected by base.lock (memfd.c) */
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
extern const struct mm_mappable_ops tmpfs_mappable_ops;

/* A new inode of mode (type included) owned by c (root when NULL). */
int tmpfs_new_inode(struct super_block *sb, mode_t mode, const struct vfs_cred *c,
                    struct inode **ret);
/* The page at index, or the first at or after it; NULL if none.
 * inode->lock held. */
struct tmpfs_page *tmpfs_page_find(struct tmpfs_inode *ti, uint64_t index);
struct tmpfs_page *tmpfs_page_find_ge(struct tmpfs_inode *ti, uint64_t index);
/* Where the sentry sees a page's bytes. */
void *tmpfs_page_data(struct tmpfs_inode *ti, const struct tmpfs_page *pg);
/* The page at index, allocated (zeroed) if missing. inode->lock held.
 * -ENOSPC past the size= budget or when the memory file is full, -ENOMEM. */
int tmpfs_page_get(struct tmpfs_inode *ti, uint64_t index, struct tmpfs_page **ret);
/* Allocate the missing pages of [first, first + count) in runs: one
 * charge and one contiguous memory-file range per run, so a sequential
 * write allocates once per TMPFS_PREFILL_PAGES, not once per page. The
 * pages are not populated: the host kernel does that as it writes them
 * (tmpfs_write moves data with pwritev on the memory file). Best effort:
 * stops at the first failure, which tmpfs_page_get() then reports page by
 * page. inode->lock held. */
#define TMPFS_PREFILL_PAGES 512         /* 2 MiB */
void tmpfs_pages_prefill(struct tmpfs_inode *ti, uint64_t first, uint64_t count);
/* Take a page out of the file and give it back to the budget (mappings
 * keep their own references). inode->lock held. */
void tmpfs_page_drop(struct tmpfs_inode *ti, struct tmpfs_page *pg);
/* Regular files: change the size, dropping pages past it. inode->lock held. */
void tmpfs_truncate_locked(struct tmpfs_inode *ti, int64_t size);
int tmpfs_setattr(struct inode *inode, const struct iattr *ia);
/* Extended attributes (xattr.c): the inode ops of every tmpfs inode. */
int tmpfs_setxattr(struct inode *inode, const char *name, const void *value, size_t size,
                   int flags);
ssize_t tmpfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size);
ssize_t tmpfs_listxattr(struct inode *inode, char *buf, size_t size);
int tmpfs_removexattr(struct inode *inode, const char *name);
void tmpfs_xattrs_destroy(struct tmpfs_inode *ti);
/* file_ops.fallocate (fallocate.c). */
int tmpfs_fallocate(struct file *f, int mode, int64_t offset, int64_t len);

/* Seals (memfd.c), checked with base.lock held: may this write of len bytes
 * at off go ahead (returns how many bytes may, 0 with -EPERM in *err when
 * none), may the size change to size, the mode to mode. */
size_t tmpfs_seal_write_len(struct tmpfs_inode *ti, uint64_t off, size_t len, int *err);
int tmpfs_seal_setattr(struct tmpfs_inode *ti, const struct iattr *ia);

#endif
