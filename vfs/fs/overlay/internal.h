/* overlay inside: inodes naming an upper and/or a lower file.
 *
 * Lock order: the overlay's sb->lock → the layers' locks (an overlay op
 * calls into the upper and lower file systems, never the other way). The
 * directory ops run under sb->lock (vfs.h); setattr and open take it for a
 * copy-up. The inode cache's lock (icache.c) is a leaf. */
#ifndef CONTERNEL_VFS_OVERLAY_INTERNAL_H
#define CONTERNEL_VFS_OVERLAY_INTERNAL_H

#include <stdbool.h>

#include "lib/macro.h"
#include "vfs/file.h"
#include "vfs/vfs.h"

#define OVL_WH_PREFIX ".wh."
#define OVL_WH_PREFIX_LEN 4
#define OVL_OPAQUE ".wh..wh..opq"

/* The live non-directories that have an upper file, by that file's inode,
 * so that every name of a hard link shows one overlay inode, as Linux's
 * ovl_get_inode() finds it by the real inode: watches, locks and link
 * counts see one file. Borrowed pointers: an inode leaves as it dies. */
#define OVL_ICACHE_BUCKETS 1024
struct ovl_inode;
struct ovl_icache {
        pthread_mutex_t lock;
        struct ovl_inode *buckets[OVL_ICACHE_BUCKETS];  /* protected by lock */
};

struct ovl_sb {
        struct path lower_root, upper_root;     /* references, immutable */
        struct fs_context *upper_fs;            /* for name ops on the upper; umask 0 */
        struct ovl_icache icache;
};

static inline struct ovl_sb *OVL_SB(struct super_block *sb)
{
        return sb->fs_info;
}

struct ovl_inode {
        struct inode base;              /* mode, uid, gid mirror the real file's */
        /* Set once (copy-up) under sb->lock and base.lock; read under
         * either (getattr and open take only base.lock, so a stat does not
         * wait behind a directory op's gofer round trip). */
        struct path upper;              /* a reference, or empty until copied up */
        /* protected by sb->lock: */
        struct path lower;              /* a reference, or empty; immutable */
        bool opaque;                    /* a directory whose lower is not merged */
        /* Where it is, for copying up its parents: the parent directory (a
         * reference; NULL at the root) and the name in it. */
        struct ovl_inode *parent;
        char *name;
        bool unlinked;
        /* In the sb's icache (keyed by icache_key, its upper inode):
         * protected by the icache's lock. */
        bool in_icache;
        const struct inode *icache_key;
        struct ovl_inode *icache_next;
};

static inline struct ovl_inode *OVL_I(struct inode *inode)
{
        return container_of(inode, struct ovl_inode, base);
}

/* The file that shows: the upper one if there is one. */
static inline const struct path *ovl_real(struct ovl_inode *oi)
{
        return oi->upper.dentry ? &oi->upper : &oi->lower;
}

/* A new reference to the real file's path, under base.lock. */
static inline void ovl_real_get(struct ovl_inode *oi, struct path *ret)
{
        pthread_mutex_lock(&oi->base.lock);
        path_copy(ret, ovl_real(oi));
        pthread_mutex_unlock(&oi->base.lock);
}

extern const struct inode_ops ovl_dir_inode_ops;
extern const struct inode_ops ovl_file_inode_ops;
extern const struct inode_ops ovl_symlink_inode_ops;
extern const struct inode_ops ovl_special_inode_ops;

/* A new inode for name in parent (NULL: the root) over upper and lower
 * (borrowed; either may be empty, not both). */
int ovl_new_inode(struct super_block *sb, struct ovl_inode *parent, const char *name,
                  const struct path *upper, const struct path *lower, bool opaque,
                  struct inode **ret);
/* icache.c. ovl_icache_add: oi (a non-directory with an upper file) goes
 * in, unless another live one is there for the same upper file: then that
 * one comes back, with a new reference, and oi stays out (NULL: oi is in).
 * ovl_icache_remove: oi leaves (as it dies), if it was in. */
void ovl_icache_init(struct ovl_icache *c);
void ovl_icache_destroy(struct ovl_icache *c);
struct ovl_inode *ovl_icache_add(struct ovl_icache *c, struct ovl_inode *oi);
void ovl_icache_remove(struct ovl_icache *c, struct ovl_inode *oi);

/* Refresh the mirrored attributes from the real file. */
void ovl_copy_attr(struct ovl_inode *oi);
/* Give oi (and its parents first) an upper file: copy-up. sb->lock held. */
int ovl_copy_up(struct ovl_inode *oi);
/* Root's credentials for the operations on the layers (the overlay checked
 * the caller's). */
extern const struct vfs_cred ovl_root_cred;

/* The merged listing of a directory (file.c): 1 if it shows no entry, 0 if
 * it does, or -errno. */
int ovl_dir_is_empty(struct ovl_inode *oi);
/* Remove the whiteouts and the opaque mark in oi's upper directory (the
 * overlay shows it empty; it is about to go). */
int ovl_dir_clear_markers(struct ovl_inode *oi);

int ovl_open(struct inode *inode, unsigned flags, struct file **ret);
int ovl_dir_open(struct inode *inode, unsigned flags, struct file **ret);
int ovl_getattr(struct inode *inode, struct stat *ret);
int ovl_setattr(struct inode *inode, const struct iattr *ia);

#endif
