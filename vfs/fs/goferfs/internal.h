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

/* Pages of files kept in the memory file (the page cache, cache.c), per
 * superblock, by default: past it, the least recently used pages no
 * mapping holds go. Mount option cache_pages=N changes it. */
#define GOFERFS_CACHE_PAGES_DEFAULT (256u * 1024 * 1024 / 4096)

struct goferfs_sb {
        struct gofer_client *client;    /* owned; immutable */
        bool ro;                        /* immutable */
        /* The page cache's LRU (cache.c): every cached page of every inode,
         * least recently used first. Lock order: inode->lock → cache_lock;
         * evicting another inode's page only trylocks its inode. */
        pthread_mutex_t cache_lock;
        struct goferfs_lru { struct goferfs_lru *prev, *next; } lru;   /* protected by cache_lock */
        uint64_t cache_pages;           /* protected by cache_lock */
        uint64_t cache_max;             /* immutable after mount */
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
        /* The file's pages mapped so far, in the sandbox's memory file (a
         * page cache: mappings share them, MAP_PRIVATE copy-on-write; on a
         * writable mount read and write go through them too, and
         * cache_dirty says a shared mapping may have written them since
         * they were last written back). Protected by base.lock. */
        struct rb_root pages;
        uint64_t nr_pages;
        bool cache_dirty;
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
void goferfs_cache_init(struct goferfs_sb *info, uint64_t max_pages);
/* Whether read and write must go through the cache: a writable mount's
 * inode with cached pages. inode->lock held. */
static inline bool goferfs_cache_active(struct goferfs_inode *gi)
{
        return gi->nr_pages && !GOFERFS_SB(gi->base.sb)->ro;
}
/* Write the pages a shared mapping may have changed back to the host file
 * (every cached page before EOF, when cache_dirty). inode->lock held; may
 * open the file through the gofer. -errno of the host write. */
int goferfs_cache_writeback_locked(struct goferfs_inode *gi);
/* read(2) and write(2) of a file whose pages are cached (file.c calls these
 * when goferfs_cache_active()): read from the cached pages and the host
 * file for the rest; write through to the host file, then into the cached
 * pages. inode->lock held; they move the bytes and return the count or
 * -errno. */
ssize_t goferfs_cache_read_locked(struct goferfs_inode *gi, const struct iov_iter *dst,
                                  int64_t pos);
void goferfs_cache_wrote_locked(struct goferfs_inode *gi, const struct iov_iter *src,
                                int64_t pos, size_t n);
/* The host file changed under the cache (fallocate, truncate): pages from
 * byte from on are read again (mappings keep their pages), those at or
 * past size are dropped, the tail of the page size ends in is zeroed.
 * inode->lock held. */
void goferfs_cache_reload_locked(struct goferfs_inode *gi, int64_t from);
/* The host fd for reading (any) or writing (wfd), opened on first use;
 * inode->lock held (file.c). */
int goferfs_inode_fd_locked(struct inode *inode, bool write, int *ret);

#endif
