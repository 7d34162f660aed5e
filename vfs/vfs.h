/*
 * The VFS in Linux's shape: mount → dentry → inode, file system types in a
 * registry, and the path walk (namei.c) over them.
 *
 * Lock order:
 *   ns->lock (rwlock: the mount tree)
 *     → sb->lock (mutex: the directory tree of one superblock — dentry names,
 *                 parents, children, positive/negative, nlink; held across the
 *                 inode ops that change it, like i_rwsem plus s_vfs_rename_mutex)
 *       → inode->lock (mutex: attributes and file data)
 *         → file->pos_lock is taken before inode->lock by read/write paths and
 *           never while holding sb->lock.
 * fs_context->lock is a leaf. Reference counts are atomics and need no lock.
 *
 * For now sb->lock is held across the directory inode ops. tmpfs never
 * sleeps in them; goferfs will need finer locking before a round trip may
 * happen under it.
 *
 * Every function returns 0 or -errno with Linux's values; a function that
 * returns a pointer returns a new reference; arguments are borrowed.
 */
#ifndef CONTERNEL_VFS_VFS_H
#define CONTERNEL_VFS_VFS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <linux/capability.h>

#include "lib/rbtree.h"

struct dentry;
struct file;
struct file_lock_context;
struct fsnotify_mark;
struct memfile;
struct inode;
struct mount;
struct pipe;
struct path;
struct super_block;

#define VFS_PATH_MAX 4096       /* with its NUL, like Linux's PATH_MAX */
#define VFS_NAME_MAX 255
#define VFS_MAXSYMLINKS 40
#define VFS_LOOKUP_AHEAD_MAX 32         /* names offered to inode_ops.lookup_ahead */
#define VFS_MAX_FILESIZE INT64_MAX      /* MAX_LFS_FILESIZE */

/* The credentials a check runs with (the task's fs ids and effective
 * capabilities, or real ids for access(2)). Borrowed for the call. */
struct vfs_cred {
        uint32_t uid, gid;
        uint32_t ngroups;
        const uint32_t *groups;
        /* The effective capabilities (bit CAP_x of <linux/capability.h>)
         * when caps_set; without it, uid 0 holds them all and any other uid
         * none, so that `{ 0 }` is root (the launcher, unit tests). */
        bool caps_set;
        uint64_t caps;
};

bool vfs_cred_in_group(const struct vfs_cred *c, uint32_t gid);
static inline bool vfs_cred_capable(const struct vfs_cred *c, int cap)
{
        return c->caps_set ? (c->caps >> cap) & 1 : c->uid == 0;
}
/* Deprecated: name the capability with vfs_cred_capable(). */
static inline bool vfs_cred_is_root(const struct vfs_cred *c)
{
        return vfs_cred_capable(c, CAP_DAC_OVERRIDE);
}

/* ---- Inodes --------------------------------------------------------------- */

/* Access masks for vfs_permission(), as Linux's MAY_*. */
#define MAY_EXEC   0x1
#define MAY_WRITE  0x2
#define MAY_READ   0x4
#define MAY_APPEND 0x8
#define MAY_ACCESS 0x10         /* access(2): root's X_OK still needs an x bit */

/* setattr: which fields of struct iattr apply (Linux's ATTR_*). */
#define ATTR_MODE  (1u << 0)
#define ATTR_UID   (1u << 1)
#define ATTR_GID   (1u << 2)
#define ATTR_SIZE  (1u << 3)
#define ATTR_ATIME (1u << 4)
#define ATTR_MTIME (1u << 5)
#define ATTR_CTIME (1u << 6)

struct iattr {
        unsigned valid;
        mode_t mode;                    /* permission bits and S_ISUID... only */
        uint32_t uid, gid;
        int64_t size;
        struct timespec atime, mtime, ctime;
};

struct inode_ops {
        /* Directories. Called with sb->lock held; dentry is the negative child
         * to fill (d_instantiate()) or the child to remove. Permission checks,
         * EEXIST/ENOENT and file type checks are done by the caller. */
        /* Find name on a dentry cache miss: a new inode reference in *ret, or
         * -ENOENT. NULL slot: every miss is -ENOENT (the cache is the
         * directory, as for tmpfs). */
        int (*lookup)(struct inode *dir, const char *name, struct inode **ret);
        /* Optional: a dentry cache miss on names[0] in dir while the walk
         * goes on through names[1..n) (2 <= n <= VFS_LOOKUP_AHEAD_MAX, plain
         * names: no "." or "..", none empty). Like lookup for names[0], but
         * the fs may also cache the children the names after it lead to, in
         * the same go (goferfs: one multi-component WALK round trip instead
         * of one per name): each d_alloc()ed under the previous one,
         * d_instantiate()d and d_pin()ned when sb->cache_lookup says so;
         * it stops at whatever is not a directory. Returns names[0]'s dentry
         * (a new reference, cached as d_lookup_fetch() caches) or -errno as
         * lookup. Nothing but the cache changes: the walk still checks
         * permissions, mounts and symlinks on each of them. NULL slot: the
         * walk calls lookup one name at a time. */
        int (*lookup_ahead)(struct dentry *dir, const char *const *names, unsigned n,
                            struct dentry **ret);
        int (*create)(struct inode *dir, struct dentry *d, mode_t mode, const struct vfs_cred *c);
        int (*mkdir)(struct inode *dir, struct dentry *d, mode_t mode, const struct vfs_cred *c);
        int (*symlink)(struct inode *dir, struct dentry *d, const char *target,
                       const struct vfs_cred *c);
        /* A FIFO, socket or device node (mode has its type; dev is rdev,
         * 0 but for devices). The caller checked CAP_MKNOD for devices.
         * NULL slot: -EPERM. The entry point is vfs_mknodat() (namei.h),
         * which unix sockets bind through with S_IFSOCK. */
        int (*mknod)(struct inode *dir, struct dentry *d, mode_t mode, dev_t dev,
                     const struct vfs_cred *c);
        /* old is positive and not a directory. */
        int (*link)(struct dentry *old, struct inode *dir, struct dentry *d);
        int (*unlink)(struct inode *dir, struct dentry *d);
        /* The fs checks emptiness (-ENOTEMPTY). */
        int (*rmdir)(struct inode *dir, struct dentry *d);
        /* The caller checked types (EISDIR/ENOTDIR), loops (EINVAL) and
         * RENAME_NOREPLACE; nd may be positive (replaced) unless
         * RENAME_EXCHANGE, when both are positive. The fs checks a replaced
         * directory is empty. The caller moves the dentries (d_move()).
         * nd is NULL when newname does not exist (yet). */
        int (*rename)(struct inode *odir, struct dentry *od, struct inode *ndir,
                      struct dentry *nd, const char *newname, unsigned flags);
        /* Symlinks: copy the target (no NUL) into buf; returns its length. */
        int (*readlink)(struct inode *inode, char *buf, size_t size);
        /* Magic links (/proc/PID/fd/N): the path the link stands for, a new
         * reference, which the walk jumps to instead of reading the text
         * (Linux's nd_jump_link()). -ENOENT: none (a pipe), the text is
         * walked. NULL slot: an ordinary symlink. */
        int (*get_link_path)(struct inode *inode, struct path *ret);
        /* Any inode, called without sb->lock. The caller checked permission. */
        int (*setattr)(struct inode *inode, const struct iattr *ia);
        /* NULL slot: generic_getattr() from the inode fields. */
        int (*getattr)(struct inode *inode, struct stat *ret);
        /* O_TMPFILE: a new regular inode of mode (type included) owned by c,
         * with no link (nlink 0), for dir's file system. Called with
         * sb->lock held; the caller checked permission. NULL slot:
         * -EOPNOTSUPP. */
        int (*tmpfile)(struct inode *dir, mode_t mode, const struct vfs_cred *c,
                       struct inode **ret);
        /* Open a file on it. flags are the open flags with O_CREAT, O_EXCL,
         * O_NOCTTY and O_TRUNC already handled. The caller sets the file's
         * path. */
        int (*open)(struct inode *inode, unsigned flags, struct file **ret);
        /* Extended attributes, by full name ("user.x"). Called without
         * sb->lock; the caller checked permission and the namespace
         * (vfs_setxattr() and friends). NULL slots: -EOPNOTSUPP, and an
         * empty list for listxattr (Linux with no xattr handler). */
        /* flags XATTR_CREATE (-EEXIST) / XATTR_REPLACE (-ENODATA); size may
         * be 0 (an empty value). -ENOSPC past the fs's limit. */
        int (*setxattr)(struct inode *inode, const char *name, const void *value, size_t size,
                        int flags);
        /* The value's length; with size > 0 also the value (-ERANGE if it
         * does not fit). -ENODATA. */
        ssize_t (*getxattr)(struct inode *inode, const char *name, void *buf, size_t size);
        /* The names, each with its NUL; size 0: the length needed. -ERANGE. */
        ssize_t (*listxattr)(struct inode *inode, char *buf, size_t size);
        /* -ENODATA. */
        int (*removexattr)(struct inode *inode, const char *name);
};

struct inode {
        atomic_int refcount;
        const struct inode_ops *ops;    /* immutable */
        struct super_block *sb;         /* immutable, borrowed (the sb outlives its inodes) */
        uint64_t ino;                   /* immutable */
        dev_t rdev;                     /* immutable */
        pthread_mutex_t lock;
        /* protected by lock (nlink also changes only under sb->lock) */
        mode_t mode;
        uint32_t uid, gid;
        unsigned nlink;
        bool linkable;                  /* nlink 0 yet linkat may name it (an O_TMPFILE
                                         * file without O_EXCL: Linux's I_LINKABLE) */
        int64_t size;
        int64_t blocks;                 /* 512-byte units */
        struct timespec atime, mtime, ctime, btime;
        /* FIFOs: the pipe while an end is open (vfs/pipe.c); protected by lock. */
        struct pipe *pipe;
        /* Called when the last reference goes: free the fs part. */
        void (*destroy)(struct inode *inode);
        /* flock and record locks (lock.h): made on first use under lock,
         * then immutable until the inode goes. */
        struct file_lock_context *flctx;
        /* Linux's i_writecount: > 0 the open files (and truncations) that
         * may write it, < 0 the programs running it (exec denies writes:
         * ETXTBSY). Changed only by the inode_*_write_access() below. */
        atomic_int writecount;
        /* inotify watches on this inode (fsnotify.h); protected by the
         * fsnotify lock. */
        struct fsnotify_mark *fsn_marks;
        /* Files open on it that fsnotify_open() counted: IN_DELETE_SELF
         * waits for the last one to close. */
        atomic_int fsn_opens;
};

void inode_init(struct inode *inode, struct super_block *sb, const struct inode_ops *ops,
                mode_t mode, const struct vfs_cred *c, void (*destroy)(struct inode *));
struct inode *inode_ref(struct inode *inode);
struct inode *inode_unref(struct inode *inode);         /* accepts NULL, returns NULL */

/* Linux's get_write_access()/put_write_access() (a writer: -ETXTBSY while
 * the file is being executed) and deny_write_access()/allow_write_access()
 * (an execution: -ETXTBSY while it is open for writing). */
int inode_get_write_access(struct inode *inode);
void inode_put_write_access(struct inode *inode);
int inode_deny_write_access(struct inode *inode);
void inode_allow_write_access(struct inode *inode);

void vfs_now(struct timespec *ret);
/* Timestamps after a change: ctime, or mtime and ctime. Takes inode->lock. */
void inode_touch_ctime(struct inode *inode);
void inode_touch_mtime(struct inode *inode);
/* After a read: atime under relatime rules. Takes inode->lock. */
void inode_touch_atime(struct inode *inode);

/* Linux's generic_permission(): mode bits against c; root passes except exec
 * of a non-directory with no x bit at all. -EACCES. */
int vfs_permission(struct inode *inode, const struct vfs_cred *c, int mask);
int generic_getattr(struct inode *inode, struct stat *ret);
/* Apply ia to the inode's fields (not ATTR_SIZE), under inode->lock. */
void setattr_copy(struct inode *inode, const struct iattr *ia);
/* getattr through the ops. */
int vfs_getattr(struct inode *inode, struct stat *ret);

/* ---- Dentries ------------------------------------------------------------- */

struct dentry {
        atomic_int refcount;
        struct super_block *sb;         /* immutable, borrowed */
        /* protected by sb->lock */
        char *name;
        struct dentry *parent;          /* a reference; NULL only at the sb root */
        struct inode *inode;            /* a reference; NULL: negative */
        struct rb_root children;        /* the dentry cache of this directory, by name */
        struct rb_node node;            /* in parent->children */
        struct dentry *next, *prev;     /* parent's children in creation order */
        struct dentry *first, *last;    /* own children in creation order */
        uint64_t dir_offset;            /* position in the parent's readdir (>= 2) */
        uint64_t next_offset;           /* for own children */
        bool hashed;                    /* in its parent's cache */
        bool pinned;                    /* the fs holds a reference (tmpfs: the link itself) */
        atomic_int mounted;             /* mounts on this dentry */
};

/* The root dentry of a new superblock, with inode (consumed). */
struct dentry *d_make_root(struct super_block *sb, struct inode *inode);
struct dentry *dentry_ref(struct dentry *d);
struct dentry *dentry_unref(struct dentry *d);          /* accepts NULL, returns NULL */

/* The child named name of dir in the cache, or NULL. sb->lock held. */
struct dentry *d_lookup(struct dentry *dir, const char *name);
/* A new negative child of dir, hashed. sb->lock held. -ENOMEM. */
int d_alloc(struct dentry *dir, const char *name, struct dentry **ret);
/* A positive child of dir in no cache, for an inode no name leads to
 * (memfd, O_TMPFILE: Linux's d_alloc_pseudo and d_tmpfile). Its path shows
 * as removed. Consumes inode. -ENOMEM. */
int d_alloc_pseudo(struct dentry *dir, const char *name, struct inode *inode,
                   struct dentry **ret);
/* Make d positive with inode (consumed). sb->lock held. */
void d_instantiate(struct dentry *d, struct inode *inode);
/* Take d out of its parent's cache and drop its inode (unlink/rmdir done).
 * Drops the fs pin. sb->lock held. */
void d_delete(struct dentry *d);
/* The fs keeps d alive while it names its inode (tmpfs). sb->lock held. */
void d_pin(struct dentry *d);
/* Move d to newdir under newname (rename). A positive target must have been
 * d_delete()d first. sb->lock held. -ENOMEM. */
int d_move(struct dentry *d, struct dentry *newdir, const char *newname);
/* Swap two dentries' places (RENAME_EXCHANGE). sb->lock held. */
int d_exchange(struct dentry *a, struct dentry *b);
/* Is anc an ancestor of (or equal to) d? sb->lock held. */
bool d_is_ancestor(struct dentry *anc, struct dentry *d);

/* Readdir over the cache (tmpfs: the cache is the directory). Calls emit for
 * each child with dir_offset >= *pos, in creation order, setting *pos past
 * the entry after each successful emit; stops when emit returns false.
 * Takes sb->lock. */
typedef bool (*d_emit_fn)(void *ctx, const char *name, size_t len, uint64_t ino,
                          unsigned type, uint64_t next_off);
void dcache_readdir(struct dentry *dir, uint64_t *pos, d_emit_fn emit, void *ctx);

/* ---- Superblocks, mounts and file system types ---------------------------- */

struct super_block {
        atomic_int refcount;
        const struct fs_type *type;     /* immutable */
        dev_t dev;                      /* immutable: st_dev of its inodes */
        pthread_mutex_t lock;           /* the directory tree; see the lock order */
        struct dentry *root;            /* immutable after mount */
        atomic_uint_fast64_t next_ino;
        void *fs_info;                  /* the fs's own */
        /* Where file data lives when the fs keeps it in memory (tmpfs), so
         * that MAP_SHARED maps the file's own pages: the namespace's memory
         * file, set right after ->mount and immutable; NULL if the namespace
         * has none (the fs then makes its own). Borrowed. */
        struct memfile *mf;
        void (*put_super)(struct super_block *sb);
        /* Whether a dentry ->lookup() just made stays cached after its last
         * reference (pinned, like a tmpfs link) so the next walk needs no
         * ->lookup. NULL: never (procfs: its entries come and go); goferfs
         * keeps what the gofer answered. Immutable after mount. */
        bool (*cache_lookup)(struct super_block *sb, struct inode *inode);
        /* Marks on this superblock's inodes (fsnotify.h): 0 lets every hook
         * return at once. */
        atomic_int fsn_marks;
};

int sb_create(const struct fs_type *type, dev_t dev, struct super_block **ret);
struct super_block *sb_ref(struct super_block *sb);
struct super_block *sb_unref(struct super_block *sb);  /* accepts NULL, returns NULL */
uint64_t sb_next_ino(struct super_block *sb);

struct statfs;

struct fs_type {
        const char *name;
        /* statfs(2): f_type (Linux's s_magic); 0: the fs has no statfs
         * (-ENOSYS, as a NULL s_op->statfs). */
        long magic;
        /* Fill in the counts (f_blocks, f_bfree, f_bavail, f_files,
         * f_ffree) over what vfs_statfs() set: f_type, f_bsize 4096,
         * f_namelen 255, f_fsid from the device, f_flags. NULL slot: no
         * counts (Linux's simple_statfs()). */
        void (*statfs)(struct super_block *sb, struct statfs *ret);
        /* A new superblock with its root dentry set. */
        int (*mount)(const struct fs_type *type, dev_t dev, const char *options,
                     struct super_block **ret);
        /* The same for a mount that hands the fs an object from inside the
         * sentry (procfs: its source of process data), like the data
         * argument of Linux's mount(2). NULL slot: only mount() is used, and
         * data must be NULL (-EINVAL). A NULL mount() slot: the fs cannot be
         * mounted without data (-EINVAL). */
        int (*mount_data)(const struct fs_type *type, dev_t dev, const char *options,
                          const void *data, struct super_block **ret);
};

/* Registry, filled from constructors before main (like platform_register()). */
void fs_type_register(const struct fs_type *type);
const struct fs_type *fs_type_find(const char *name);
/* The i-th registered type (0-based, registration order), NULL past the end. */
const struct fs_type *fs_type_nth(int i);

struct mount {
        atomic_int refcount;
        struct super_block *sb;         /* a reference; immutable */
        struct dentry *root;            /* a reference; immutable */
        int id;                         /* immutable: mountinfo's mount ID, unique in its ns */
        /* protected by ns->lock */
        struct mount *parent;           /* NULL for the namespace root */
        struct dentry *mountpoint;      /* a reference, in parent */
        struct mount *next_sibling;     /* the namespace's list */
        /* MS_NOSUID: exec ignores set-id bits here. Set once, just after
         * the mount is made (before anyone execs from it). */
        bool nosuid;
};

struct mount *mount_ref(struct mount *m);
struct mount *mount_unref(struct mount *m);     /* accepts NULL, returns NULL */

struct path {
        struct mount *mnt;
        struct dentry *dentry;
};

void path_get(const struct path *p);
void path_put(struct path *p);                  /* and clears it */
/* *dst = a new reference to src. */
void path_copy(struct path *dst, const struct path *src);
static inline bool path_equal(const struct path *a, const struct path *b)
{
        return a->mnt == b->mnt && a->dentry == b->dentry;
}

/* A mount namespace: the tree of mounts. */
struct mnt_namespace {
        atomic_int refcount;
        pthread_rwlock_t lock;
        struct mount *root;             /* immutable */
        struct mount *mounts;           /* protected by lock; all but the root */
        atomic_uint next_dev;           /* anonymous device minors */
        atomic_int next_mnt_id;         /* mount IDs */
        struct memfile *mf;             /* immutable, borrowed; may be NULL */
        struct mount *shm_mnt;          /* protected by lock: mnt_ns_shm_mount() */
};

/* A namespace whose root is a new mount of fs type `type`. -ENODEV, or
 * the fs's error for bad options (-EINVAL). */
int mnt_ns_create(const char *type, const char *options, struct mnt_namespace **ret);
/* The same, with the sandbox's memory file (borrowed: outlives the
 * namespace): every superblock mounted in it keeps in-memory file data there
 * (super_block.mf), so guest mappings can share those pages. */
int mnt_ns_create_memfile(const char *type, const char *options, struct memfile *mf,
                          struct mnt_namespace **ret);
/* The same, with data for the root fs's mount_data() (goferfs: its gofer). */
int mnt_ns_create_data(const char *type, const char *options, const void *data,
                       struct memfile *mf, struct mnt_namespace **ret);
struct mnt_namespace *mnt_ns_ref(struct mnt_namespace *ns);
struct mnt_namespace *mnt_ns_unref(struct mnt_namespace *ns);
/* Mount a new instance of type on the directory at *at. -ENODEV, -ENOTDIR. */
int vfs_mount(struct mnt_namespace *ns, const struct path *at, const char *type,
              const char *options);
/* Mark the mount on top of *at MS_NOSUID (just after mounting it). */
void vfs_mount_set_nosuid(struct mnt_namespace *ns, const struct path *at);
/* vfs_mount() with data for the fs's mount_data() (borrowed for the call). */
int vfs_mount_data(struct mnt_namespace *ns, const struct path *at, const char *type,
                   const char *options, const void *data);
/* mount --bind: what src names (its superblock, from its dentry) also at
 * at. -ENOTDIR/-EISDIR when a directory would cover a file or the other way. */
int vfs_bind_mount(struct mnt_namespace *ns, const struct path *at, const struct path *src);
/* umount(2) of the mount whose root p is: -EINVAL (not a mount point, the
 * namespace's root), -EBUSY (mounts below it, or in use unless detach). */
int vfs_umount(struct mnt_namespace *ns, const struct path *p, bool detach);
/* The namespace's internal tmpfs, in no tree (Linux's shm_mnt): where
 * memfd files live. Made on first use; a new reference. -ENOMEM. */
int mnt_ns_shm_mount(struct mnt_namespace *ns, struct mount **ret);
/* The mount on (mnt, d), or NULL. Takes ns->lock. */
struct mount *mnt_lookup_child(struct mnt_namespace *ns, struct mount *mnt, struct dentry *d);

/* ---- Per-process file system state ---------------------------------------- */

struct fs_context {
        atomic_int refcount;
        struct mnt_namespace *ns;       /* a reference, immutable */
        pthread_mutex_t lock;
        /* protected by lock */
        struct path root, cwd;
        mode_t umask;
};

int fs_context_create(struct mnt_namespace *ns, struct fs_context **ret);
/* A copy for fork without CLONE_FS: same namespace, root, cwd and umask. */
int fs_context_dup(struct fs_context *fs, struct fs_context **ret);
struct fs_context *fs_context_ref(struct fs_context *fs);
struct fs_context *fs_context_unref(struct fs_context *fs);
/* New references to the root and cwd. */
void fs_get_root(struct fs_context *fs, struct path *ret);
void fs_get_cwd(struct fs_context *fs, struct path *ret);
void fs_set_cwd(struct fs_context *fs, const struct path *p);
/* chroot(2): the walk's "/" and the top that ".." never leaves (the cwd
 * stays where it is, as on Linux). */
void fs_set_root(struct fs_context *fs, const struct path *p);
mode_t fs_umask(struct fs_context *fs, mode_t mask, bool set);

#endif
