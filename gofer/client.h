/*
 * The gofer client: what vfs/fs/goferfs calls to reach host files through a
 * gofer (protocol.h). Uses nothing of the sentry.
 *
 * Nodes: a node (u32, never GOFER_NODE_NONE) is the gofer's handle for a
 * file it has reached. Every node a call returns is a new handle the caller
 * owns and releases with gofer_clunk(); goferfs keeps one per dentry. The
 * stat returned with a node is the file's state at that moment.
 *
 * Locking: each call holds the client's mutex for one round trip (send the
 * request, read its reply), so calls from several threads are safe and are
 * answered one at a time. The caller must hold no lock another gofer caller
 * could need. For more parallelism, open several sockets, one client each.
 *
 * Permissions: the gofer runs with CAP_DAC_OVERRIDE and CAP_FOWNER and
 * does not know the guest's credentials; goferfs checks the guest's access
 * from the stats (like Linux's generic_permission) before calling, and
 * passes the guest's fsuid/fsgid as the owner of what it creates.
 *
 * Errors: -errno. Errors from the gofer are Linux's for the same host call
 * (ENOENT, EEXIST, ENOTEMPTY, EROFS on a read-only gofer, ...); the client
 * refuses bad arguments itself (-EINVAL for a name with '/' or equal to "."
 * or "..", -ENAMETOOLONG over GOFER_NAME_MAX). The gofer is not trusted: a
 * reply that breaks the protocol (wrong tag or length, a bad name or count,
 * an fd where none belongs, an fd that is not a regular file opened as
 * asked) is -EPROTO, the fds that came with it are closed, and the client
 * is then broken: every later call returns -EIO.
 */
#ifndef CONTERNEL_GOFER_CLIENT_H
#define CONTERNEL_GOFER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gofer/protocol.h"

struct gofer_client;

/* A node and its stat when reached. */
struct gofer_entry {
        uint32_t node;
        struct gofer_stat stat;
};

struct gofer_walk_result {
        unsigned n;             /* nodes reached, 1..names: new handles to clunk */
        int error;              /* 0: every name walked; else why the walk stopped
                                 * after n (-ENOTDIR: nodes[n-1] is not a directory,
                                 * maybe a symlink to resolve and walk on from) */
        struct gofer_entry nodes[GOFER_WALK_MAX];
};

struct gofer_dirent {
        uint64_t ino;
        uint64_t next_offset;   /* offset to list on from, after this entry */
        uint8_t type;           /* DT_* */
        uint16_t namelen;
        const char *name;       /* NUL-terminated, inside the batch */
};

struct gofer_dirents {
        unsigned n;             /* 0: end of directory */
        struct gofer_dirent ents[];
};

/* Talk to a gofer over sock, a SOCK_SEQPACKET socket (consumed, closed on
 * failure too). Returns 0 or -ENOMEM. */
int gofer_client_create(int sock, struct gofer_client **ret);

/* Close the socket: the gofer then drops every node of this connection.
 * Accepts NULL; returns NULL. No call may be in progress. */
struct gofer_client *gofer_client_free(struct gofer_client *c);

/* How many requests c has sent (round trips begun): for tests and
 * benchmarks that count them. */
uint64_t gofer_client_calls(struct gofer_client *c);

/* A new node for the served root. */
int gofer_attach(struct gofer_client *c, struct gofer_entry *ret);

/* Walk names[0..n) (1..GOFER_WALK_MAX single components, no "." or "..")
 * from node in one round trip; symlinks are not followed. Returns 0 when at
 * least the first name was reached (see ret->error for the rest), or the
 * first name's -errno (-ENOENT, -ENOTDIR, -EACCES, ...). */
int gofer_walk(struct gofer_client *c, uint32_t node, const char *const *names, unsigned n,
               struct gofer_walk_result *ret);

int gofer_stat(struct gofer_client *c, uint32_t node, struct gofer_stat *ret);

/* Open node with flags (an access mode plus GOFER_OPEN_FLAGS_ALLOWED).
 * A regular file gives *ret_fd, a host fd (O_CLOEXEC) the caller owns and
 * reads and writes directly. A directory is opened inside the gofer for
 * gofer_getdents() and gives *ret_fd = -1. A symlink is -ELOOP; fifos,
 * sockets and devices are -ENXIO (the sentry provides those itself). */
int gofer_open(struct gofer_client *c, uint32_t node, int flags, int *ret_fd);

/* Create and open the regular file name in dir (O_CREAT|O_EXCL implied),
 * owned by uid:gid ((uid_t)-1 and (gid_t)-1: the gofer's own). mode is
 * the final permission bits (umask already applied). */
int gofer_create(struct gofer_client *c, uint32_t dir, const char *name, int flags, mode_t mode,
                 uid_t uid, gid_t gid, struct gofer_entry *ret, int *ret_fd);

int gofer_mkdir(struct gofer_client *c, uint32_t dir, const char *name, mode_t mode,
                uid_t uid, gid_t gid, struct gofer_entry *ret);

/* mode carries the type: S_IFREG (or 0), S_IFIFO or S_IFSOCK; devices are
 * -EPERM. */
int gofer_mknod(struct gofer_client *c, uint32_t dir, const char *name, mode_t mode,
                uid_t uid, gid_t gid, struct gofer_entry *ret);

/* target: 1..GOFER_TARGET_MAX bytes, stored as text, never followed by the
 * gofer. */
int gofer_symlink(struct gofer_client *c, uint32_t dir, const char *name, const char *target,
                  uid_t uid, gid_t gid, struct gofer_entry *ret);

/* A new hard link name in dir to the file of node target. */
int gofer_link(struct gofer_client *c, uint32_t dir, const char *name, uint32_t target,
               struct gofer_entry *ret);

/* flags: 0 or AT_REMOVEDIR. Nodes on the removed file stay valid. */
int gofer_unlink(struct gofer_client *c, uint32_t dir, const char *name, int flags);

/* flags: 0, RENAME_NOREPLACE or RENAME_EXCHANGE. Nodes follow their files. */
int gofer_rename(struct gofer_client *c, uint32_t olddir, const char *oldname, uint32_t newdir,
                 const char *newname, unsigned flags);

/* The target of a symlink node, malloc'd and NUL-terminated (-EINVAL if
 * node is not a symlink). */
int gofer_readlink(struct gofer_client *c, uint32_t node, char **ret_target);

/* List a directory node from offset (0 or an entry's next_offset), at most
 * about count bytes' worth of entries (0: as many as one reply holds).
 * "." and ".." are never listed. *ret is one malloc'd block for free();
 * (*ret)->n == 0 at the end. -EINVAL if count cannot hold an entry with a
 * longest name (274 bytes), as getdents64 with a too-small buffer. */
int gofer_getdents(struct gofer_client *c, uint32_t node, uint64_t offset, size_t count,
                   struct gofer_dirents **ret);

/* Change what a->mask says; returns the stat after (ret may be NULL). */
int gofer_setattr(struct gofer_client *c, uint32_t node, const struct gofer_setattr *a,
                  struct gofer_stat *ret);

int gofer_statfs(struct gofer_client *c, uint32_t node, struct gofer_statfs *ret);

/* For directories (and files the sentry holds no fd of): a donated fd is
 * better synced by the sentry itself. */
int gofer_fsync(struct gofer_client *c, uint32_t node, bool datasync);

/* Release n nodes (1..GOFER_CLUNK_MAX). On -EBADF (some were not nodes)
 * the valid ones are released all the same. */
int gofer_clunk(struct gofer_client *c, const uint32_t *nodes, unsigned n);

#endif
