/* goferfs inside: inodes naming gofer nodes. */
#ifndef CONTERNEL_VFS_GOFERFS_INTERNAL_H
#define CONTERNEL_VFS_GOFERFS_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "gofer/client.h"
#include "lib/strset.h"
#include "lib/macro.h"
#include "sentry/mm/mm.h"
#include "vfs/file.h"
#include "vfs/vfs.h"

/* Non-directory, non-symlink dentries kept cached per superblock: each
 * holds a node (an fd) in the gofer. */
#define GOFERFS_CACHED_MAX 8192
/* Host fds kept open after the last close (a file opened again needs no
 * round trip), per superblock. */
#define GOFERFS_KEPT_FDS_MAX 1024
/* Missing names remembered per directory of a read-only mount. */
#define GOFERFS_NEGATIVE_MAX 4096

struct goferfs_sb {
        struct gofer_client *client;    /* owned; immutable */
        bool ro;                        /* immutable */
        atomic_uint cached;             /* leaf dentries pinned so far */
        atomic_int kept_fds;            /* rfds kept open by closed inodes */
};

static inline struct goferfs_sb *GOFERFS_SB(struct super_block *sb)
{
        return sb->fs_info;
}

static inline struct gofer_client *goferfs_client(struct inode *inode)
{
        return GOFERFS_SB(inode->sb)->client;
}

struct goferfs_inode {
        struct inode base;
        uint32_t node;                  /* immutable: clunked when the inode goes */
        /* Host fds on the file (regular files), opened on first use and
         * shared by every open file description, as gVisor does: rfd
         * O_RDONLY, wfd O_RDWR. -1 until then; closed again when the last
         * open file of the inode goes (nopen), so cached inodes hold no
         * host fds. Protected by base.lock. */
        int rfd, wfd;
        unsigned nopen;                 /* protected by base.lock */
        bool rfd_kept;                  /* rfd counts in kept_fds; protected by base.lock */
        /* Directories of a read-only mount: names the gofer said do not
         * exist (nothing can create them). Protected by sb->lock. */
        struct strset negative;
        char *target;                   /* symlinks: read once, protected by base.lock */
        struct mm_mappable map;         /* regular files: what mmap maps (cache.c) */
        /* Read-only mounts: the file's pages read so far, in the sandbox's
         * memory file (a page cache: mappings share them, MAP_PRIVATE
         * copy-on-write). Protected by base.lock. */
        struct rb_root pages;
        uint64_t nr_pages;
};

static inline struct goferfs_inode *GOFERFS_I(struct inode *inode)
{
        return container_of(inode, struct goferfs_inode, base);
}

extern const struct inode_ops goferfs_dir_inode_ops;
extern const struct inode_ops goferfs_file_inode_ops;
extern const struct inode_ops goferfs_symlink_inode_ops;
extern const struct inode_ops goferfs_special_inode_ops;
extern const struct file_ops goferfs_dir_file_ops;
extern const struct file_ops goferfs_file_ops;

/* A new inode for a node the gofer answered (consumed: clunked on failure
 * too), with its attributes from e->stat. -ENOMEM. */
int goferfs_new_inode(struct super_block *sb, const struct gofer_entry *e, struct inode **ret);
/* Copy a gofer stat into the inode's cached attributes (inode->lock held). */
void goferfs_apply_stat(struct inode *inode, const struct gofer_stat *st);
/* EROFS on a read-only mount. */
static inline int goferfs_may_change(struct inode *inode)
{
        return GOFERFS_SB(inode->sb)->ro ? -EROFS : 0;
}
int goferfs_setattr(struct inode *inode, const struct iattr *ia);
/* cache.c: the mappable's ops; dropping the cached pages. */
extern const struct mm_mappable_ops goferfs_mappable_ops;
void goferfs_cache_drop(struct goferfs_inode *gi);
/* The host fd for reading (any) or writing (wfd), opened on first use;
 * inode->lock held (file.c). */
int goferfs_inode_fd_locked(struct inode *inode, bool write, int *ret);

#endif
