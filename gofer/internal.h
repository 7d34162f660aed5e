/*
 * Inside the gofer server: the node table and one handler per op.
 * Single threaded: nothing here is locked.
 */
#ifndef CONTERNEL_GOFER_INTERNAL_H
#define CONTERNEL_GOFER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "gofer/message.h"
#include "gofer/server.h"

#define GOFER_NODES_MAX 16384u          /* nodes one connection may hold */

struct node {
        int fd;                         /* O_PATH|O_NOFOLLOW; -1: free slot */
        int dir_fd;                     /* O_RDONLY|O_DIRECTORY once opened for GETDENTS, else -1 */
        mode_t type;                    /* S_IFMT bits at creation (types never change) */
};

struct gofer_server {
        int root_fd;                    /* O_PATH|O_DIRECTORY on the served tree */
        int proc_fd;                    /* /proc/self/fd, to reopen nodes; -1 if missing */
        bool readonly;
        struct node *nodes;       /* index = handle; 0 unused */
        uint32_t nnodes;                /* allocated slots */
        uint32_t free_hint;
};

/* Node table (node.c). node_add consumes fd and returns the new handle or
 * -ENFILE; node_get returns NULL for a bad handle. */
int node_add(struct gofer_server *s, int fd, mode_t type);
struct node *node_get(struct gofer_server *s, uint32_t handle);
int node_clunk(struct gofer_server *s, uint32_t handle);
void node_free_all(struct gofer_server *s);

/* Reopen a node's O_PATH fd with flags through /proc/self/fd (no follow of
 * anything but that magic link). Returns a new fd or -errno. */
int node_reopen(struct gofer_server *s, const struct node *n, int flags);

/* lstat of an fd (AT_EMPTY_PATH) into the wire form. */
int gofer_fstat(int fd, struct gofer_stat *ret);

/* openat2(dir, name, flags|O_NOFOLLOW|O_CLOEXEC|O_NOCTTY, mode) beneath dir,
 * no symlinks, no magic links: one step of a walk, or a creation. Returns an
 * fd or -errno. */
int gofer_open_beneath(int dir_fd, const char *name, int flags, mode_t mode);

/* Reopen any fd of ours with flags through /proc/self/fd. */
int gofer_fd_reopen(struct gofer_server *s, int fd, int flags);

/* Copy a validated name into a NUL-terminated buffer of GOFER_TARGET_MAX+1. */
void gofer_name_cstr(const struct gofer_name *n, char *buf);

/* Register the entry `name` just made in dir as a node, owned by uid:gid
 * (unless both are (uint32_t)-1), and reply u32 node + stat. If that fails
 * the entry is removed again (isdir: with AT_REMOVEDIR). */
int gofer_reply_new_node(struct gofer_server *s, int dir_fd, const char *name, uint32_t uid,
                         uint32_t gid, bool isdir, struct gofer_wbuf *reply);

/* A handler appends the reply body to reply and returns 0 with, for OPEN and
 * CREATE, *ret_fd set to an fd to donate (consumed by the caller); or
 * returns -errno (no body). */
typedef int (*gofer_handler_t)(struct gofer_server *s, const struct gofer_request *req,
                               struct gofer_wbuf *reply, int *ret_fd);

int gofer_op_attach(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_walk(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_stat(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_readlink(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_statfs(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_clunk(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_open(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_create(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_fsync(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_mkdir(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_mknod(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_symlink(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_link(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_unlink(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_rename(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_getdents(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);
int gofer_op_setattr(struct gofer_server *s, const struct gofer_request *req, struct gofer_wbuf *reply, int *ret_fd);

#endif
