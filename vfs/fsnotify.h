/*
 * fsnotify: watches on inodes, and the hooks the VFS's generic paths call
 * when something happens to a file (Linux's fs/notify/ shape). A group (an
 * inotify instance) owns marks; a mark sits on one inode and says which
 * events the group wants. A hook finds the marks of the inode concerned,
 * and of its parent directory (with the child's name), and hands matching
 * events to the mark's group. The hooks live in the generic layer (open,
 * read, write, close, setattr, the name operations), not in the file
 * systems, so watches work alike on tmpfs, goferfs and the overlay (where
 * the overlay's inodes are the ones watched).
 *
 * Event and flag bits are inotify's IN_* (<sys/inotify.h>), as Linux's FS_*.
 *
 * Lock order: sb->lock → fsnotify lock (one per sentry, i.e. per sandbox:
 * every inode's and group's mark lists and the marks' masks) → the group's
 * own lock (taken by its ops, which run under the fsnotify lock) →
 * waitqueue locks. The hooks must be called with no sb->lock held:
 * fsnotify_dentry() takes it to find the parent, and a dropped mark drops
 * a dentry reference. The fast path, with no mark on the superblock, takes
 * no lock at all.
 */
#ifndef CONTERNEL_VFS_FSNOTIFY_H
#define CONTERNEL_VFS_FSNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct dentry;
struct file;
struct fsnotify_group;
struct inode;

struct fsnotify_mark {
        struct fsnotify_group *group;   /* immutable; the group outlives its marks */
        struct dentry *dentry;          /* immutable, a reference: keeps the name cached
                                         * (goferfs, overlay), so a later walk finds
                                         * this very inode */
        struct inode *inode;            /* immutable, a reference */
        int wd;                         /* immutable */
        uint32_t mask;                  /* protected by the fsnotify lock: IN_* */
        struct fsnotify_mark *i_next;   /* protected by the fsnotify lock: the inode's */
        struct fsnotify_mark *g_next;   /* protected by the fsnotify lock: the group's */
};

struct fsnotify_ops {
        /* Queue an event for m. name: the child's name for an event a
         * directory sees about an entry, else NULL. Called with the fsnotify
         * lock held; must not block. */
        void (*handle_event)(struct fsnotify_group *g, struct fsnotify_mark *m, uint32_t mask,
                             uint32_t cookie, const char *name);
        /* m leaves its inode (removed, oneshot, inode deleted): IN_IGNORED.
         * Called with the fsnotify lock held. */
        void (*freeing_mark)(struct fsnotify_group *g, struct fsnotify_mark *m);
};

struct fsnotify_group {
        const struct fsnotify_ops *ops; /* immutable */
        struct fsnotify_mark *marks;    /* protected by the fsnotify lock */
        unsigned nmarks;                /* protected by the fsnotify lock */
};

void fsnotify_lock(void);
void fsnotify_unlock(void);
/* With the lock held: g's mark on inode, or on wd; NULL if none. */
struct fsnotify_mark *fsnotify_find_mark(struct fsnotify_group *g, const struct inode *inode);
struct fsnotify_mark *fsnotify_find_wd(struct fsnotify_group *g, int wd);
/* With the lock held: put m (group, dentry, inode, wd, mask set; consumes
 * its references) on its inode and in its group. */
void fsnotify_attach_mark(struct fsnotify_mark *m);
/* With the lock held: take m off its inode and group (telling the group
 * when notify) and chain it on *freelist, to free with
 * fsnotify_free_marks() once the lock is dropped. */
void fsnotify_detach_mark(struct fsnotify_mark *m, bool notify, struct fsnotify_mark **freelist);
/* Without the lock: drop the references of detached marks, free them. */
void fsnotify_free_marks(struct fsnotify_mark *list);
/* The group goes: every mark detached (no IN_IGNORED) and freed; returns
 * how many there were. */
unsigned fsnotify_group_clear(struct fsnotify_group *g);
/* A fresh rename cookie (never 0 until it wraps). */
uint32_t fsnotify_get_cookie(void);

/* ---- Hooks (no sb->lock held) ------------------------------------------ */

/* mask happened to d's inode: its marks see it, and its parent's with the
 * name. IN_ISDIR added for directories. from_file: the event came through
 * an open file (IN_EXCL_UNLINK applies once d is unlinked). */
void fsnotify_dentry(struct dentry *d, uint32_t mask, bool from_file);
/* Through an open file with a path (not O_PATH). */
void fsnotify_file(struct file *f, uint32_t mask);
/* IN_OPEN; the file counts in its inode's fsn_opens until
 * fsnotify_close(), which sends IN_CLOSE_* and, for the last file of an
 * inode whose last name went meanwhile, IN_DELETE_SELF. */
void fsnotify_open(struct file *f);
void fsnotify_close(struct file *f);
/* notify_change(): the events for the ATTR_* bits in ia_valid. */
void fsnotify_change(struct dentry *d, unsigned ia_valid);
/* Only inode's own marks (xattr changes made through an inode). */
void fsnotify_inode(struct inode *inode, uint32_t mask);
/* Name operations, after the fact. */
void fsnotify_create(struct inode *dir, const char *name, bool isdir);
void fsnotify_link(struct inode *dir, struct inode *inode, const char *name);
/* victim lost the name in dir (unlink, rmdir). */
void fsnotify_delete(struct inode *dir, struct inode *victim, const char *name);
/* A rename of moved from odir/oname to ndir/nname, over target (or NULL). */
void fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
                   struct inode *moved, struct inode *target);

#endif
