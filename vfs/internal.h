/* Inside vfs/: the path walk's state, shared by namei.c and the name
 * operations built on it. */
#ifndef CONTERNEL_VFS_INTERNAL_H
#define CONTERNEL_VFS_INTERNAL_H

#include "namei.h"
#include "vfs.h"

enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };

struct nameidata {
        const struct vfs_cred *cred;
        struct mnt_namespace *ns;       /* borrowed from the fs_context */
        struct path root;               /* a reference */
        struct path path;               /* a reference: where the walk is */
        char *buf;                      /* owned: what is left to walk */
        const char *last;               /* the final component, in buf */
        enum last_type last_type;
        bool trailing;                  /* the name ended in '/' */
        int nlinks;                     /* symlinks followed so far */
        unsigned resolve;               /* VFS_RESOLVE_* */
};

/* Start a walk of name (copied) from at. Empty name: -ENOENT unless
 * LOOKUP_EMPTY. */
int nd_init(struct nameidata *nd, const struct vfs_at *at, const char *name, unsigned flags);
void nd_release(struct nameidata *nd);
/* Walk all but the final component: nd->path is its directory. */
int nd_walk_parent(struct nameidata *nd);
/* Continue the walk through the symlink inode at the final component: the
 * next nd_walk_parent() walks its target (plus a trailing '/'). -ELOOP
 * after VFS_MAXSYMLINKS. */
int nd_follow_last(struct nameidata *nd, struct inode *link);
/* If link is a magic link, its path in *ret (a new reference, counted as a
 * link followed) and 1; 0 for an ordinary symlink; -ELOOP, or the link's
 * error. */
int nd_magic_link(struct nameidata *nd, struct inode *link, struct path *ret);
/* Resolve the final component after nd_walk_parent(); with follow loops. */
int nd_lookup_last(struct nameidata *nd, unsigned flags, struct path *ret);
/* A new reference to the child of dir named name: from the dentry cache,
 * or on a miss from the fs's ->lookup (then cached: hashed, and pinned when
 * sb->cache_lookup says so). -ENOENT, or the fs's error. d_lookup_fetch()
 * is the same with sb->lock held (the fs may do a round trip under it). */
int lookup_child(struct dentry *dir, const char *name, struct dentry **ret);
int d_lookup_fetch(struct dentry *dir, const char *name, struct dentry **ret);
/* The same for names[0], the walk going on through names[1..n) (see
 * inode_ops.lookup_ahead): on a miss, a dir with ->lookup_ahead may cache
 * the children those lead to in the same go. */
int lookup_child_ahead(struct dentry *dir, const char *const *names, unsigned n,
                       struct dentry **ret);
int d_lookup_fetch_ahead(struct dentry *dir, const char *const *names, unsigned n,
                         struct dentry **ret);
/* Replace *p by what is mounted on it, repeatedly. */
void follow_mounts(struct mnt_namespace *ns, struct path *p);
/* The same within a walk: -EXDEV instead under VFS_RESOLVE_NO_XDEV. */
int nd_follow_mounts(struct nameidata *nd, struct path *p);

static inline bool inode_is_dir(const struct inode *i) { return S_ISDIR(i->mode); }
static inline bool inode_is_lnk(const struct inode *i) { return S_ISLNK(i->mode); }

#endif
