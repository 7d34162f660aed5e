/*
 * procfs inside: every directory is a const table of entries (like Linux's
 * pid_entry arrays) plus, for some, children by number (pids, tids, fds).
 * Nothing is pinned: a lookup makes a fresh inode, which the dentry cache
 * keeps only while someone holds it, so a reaped process's directory goes
 * away with its last user.
 */
#ifndef CONTERNEL_VFS_PROCFS_INTERNAL_H
#define CONTERNEL_VFS_PROCFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/macro.h"
#include "procfs.h"
#include "vfs/file.h"
#include "vfs/vfs.h"

/* Per superblock (sb->fs_info); immutable after mount. */
struct procfs_info {
        struct procfs_source *source;   /* a reference */
        char *cpuinfo;
        unsigned ncpus;
};

/* Where an entry is: which process, thread and fd it describes (0: none). */
struct proc_ctx {
        struct procfs_info *info;
        int tgid;
        int tid;                        /* the thread a /proc/PID/task/TID entry is for; else tgid */
        int fd;
};

static inline struct procfs_source *proc_src(const struct proc_ctx *c)
{
        return c->info->source;
}

enum proc_dyn {
        PROC_DYN_NONE,
        PROC_DYN_PIDS,                  /* /proc: one directory per tgid */
        PROC_DYN_TIDS,                  /* /proc/PID/task: one per thread */
        PROC_DYN_FDS,                   /* /proc/PID/fd: a symlink per fd */
        PROC_DYN_FDINFO,                /* /proc/PID/fdinfo: a file per fd */
};

struct proc_dir;

struct proc_entry {
        const char *name;
        mode_t mode;                    /* type and permissions */
        /* Regular files: the contents, generated at open. */
        int (*show)(const struct proc_ctx *c, struct seqbuf *b);
        /* Writable files: data written at pos (all of it in one call). */
        ssize_t (*write)(const struct proc_ctx *c, const char *data, size_t len, int64_t pos);
        /* Symlinks: the target (no NUL). */
        int (*link)(const struct proc_ctx *c, struct seqbuf *b);
        /* Magic links: the path itself (see inode_ops.get_link_path). */
        int (*link_path)(const struct proc_ctx *c, struct path *ret);
        /* Directories. */
        const struct proc_dir *dir;
};

struct proc_dir {
        const struct proc_entry *entries;
        size_t nr;
        enum proc_dyn dyn;
};

struct proc_inode {
        struct inode base;
        const struct proc_entry *entry; /* immutable */
        struct proc_ctx ctx;            /* immutable */
};

static inline struct proc_inode *PROC_I(struct inode *inode)
{
        return container_of(inode, struct proc_inode, base);
}

/* The tables (root.c, pid.c, sys.c). */
extern const struct proc_dir proc_root_dir;
extern const struct proc_dir proc_pid_dir;      /* /proc/PID and /proc/PID/task/TID */
extern const struct proc_dir proc_sys_dir;
extern const struct proc_entry proc_pid_entry, proc_tid_entry;
extern const struct proc_entry proc_fd_entry, proc_fdinfo_entry;

/* inode.c: an inode for entry e at ctx. */
int proc_inode_new(struct super_block *sb, const struct proc_entry *e,
                   const struct proc_ctx *ctx, struct inode **ret);
extern const struct inode_ops proc_dir_inode_ops;

/* fd.c: the children of fd/ and fdinfo/. */
int proc_fd_next(const struct proc_ctx *c, int from, int *ret_fd);
bool proc_fd_exists(const struct proc_ctx *c, int fd);
mode_t proc_fd_mode(const struct proc_ctx *c, int fd);

/* mounts.c: /proc/PID/mounts and mountinfo for the process's namespace. */
int proc_show_mounts(const struct proc_ctx *c, struct seqbuf *b);
/* maps.c: /proc/PID/maps and smaps. */
int proc_show_maps(const struct proc_ctx *c, struct seqbuf *b);
int proc_show_smaps(const struct proc_ctx *c, struct seqbuf *b);
int proc_show_mountinfo(const struct proc_ctx *c, struct seqbuf *b);

/* Parse a decimal pid or fd name (no sign, no leading zero); -1 if not one. */
int proc_parse_num(const char *name);

#endif
