/*
 * The gofer: serves one directory tree over a SOCK_SEQPACKET socket
 * (protocol.h). Runs in its own process (`conternel gofer`), single
 * threaded: one request at a time, answered before the next is read.
 *
 * Every path operation resolves beneath a node's O_PATH fd with openat2()
 * RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_SYMLINKS and one
 * component at a time, so no request reaches outside the root: ".." is
 * refused by the decoder, symlinks are handed to the client as symlink
 * nodes and never followed here.
 *
 * Not covered: a host process renaming a directory out from under the root
 * while the gofer holds a node inside it (the node then sits outside the
 * root; RESOLVE_BENEATH still keeps walks below that node). Containers do
 * not share their rootfs with hostile host processes; document, don't
 * pretend.
 */
#ifndef CONTERNEL_GOFER_SERVER_H
#define CONTERNEL_GOFER_SERVER_H

#include <stdbool.h>

struct gofer_server;

enum {
        GOFER_SERVER_READONLY = 1 << 0, /* every mutation is EROFS; fds donated read-only */
};

/* Serve the directory root_fd (any fd on a directory; consumed). Opens
 * /proc/self/fd, which the gofer needs to reopen nodes, so call it before
 * gofer_confine(). Returns 0 or -errno. */
int gofer_server_create(int root_fd, unsigned flags, struct gofer_server **ret);

/* Answer requests on sock (borrowed) until the peer hangs up (returns 0) or
 * the socket fails (-errno). Malformed requests get error replies. */
int gofer_server_serve(struct gofer_server *s, int sock);

/* Closes every node. Accepts NULL; returns NULL. */
struct gofer_server *gofer_server_free(struct gofer_server *s);

enum {
        GOFER_CONFINE_NO_SECCOMP = 1 << 0,      /* for tests under sanitizers */
};

/* Confine the calling process to serving s: new mount, net, ipc and uts
 * namespaces where permitted; pivot_root into the served tree (read-only
 * there if s is; only the tree's own mount, nodev, nosuid); capabilities trimmed to CAP_CHOWN, CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID; no_new_privs; a seccomp
 * allow-list of the calls serving makes, anything else kills the process
 * (and the kernel logs the call: dmesg / audit type=1326). Call once, after
 * gofer_server_create() and before serving, single threaded; the caller
 * closes every fd but the socket (and stdio) first. Returns 0
 * or -errno; on error the process is half confined and should exit. */
int gofer_confine(struct gofer_server *s, unsigned flags);

#endif
