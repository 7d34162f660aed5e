/*
 * Sockets: the generic layer (Linux's net/socket.c and struct proto_ops).
 *
 * A socket is two objects, as in Linux: the open file (struct socket_file,
 * what fd tables hold) and the endpoint (struct sock, refcounted, what peers,
 * queued messages and waiters hold). Closing the last file reference calls
 * the family's release; the sock lives on while anything else refers to it.
 *
 * The families are a const table (socket.c): AF_UNIX (net/unix/) and
 * AF_NETLINK (net/netlink/); the rest are EAFNOSUPPORT until netstack/ comes.
 *
 * Nothing here blocks: an operation that would wait returns -EAGAIN, and the
 * syscall layer waits on the sock's own wait queue (f->wq) and calls again,
 * as for pipes. Each family wakes that queue when the operation may succeed.
 *
 * Per-sandbox state lives in struct net (one per struct kernel); net/ may use
 * lib/ and vfs/ (names bound in the file system, files passed in messages),
 * never sentry/kernel/ or syscalls/: the caller's identity comes in as a
 * struct sock_ctx.
 */
#ifndef CONTERNEL_NET_SOCKET_H
#define CONTERNEL_NET_SOCKET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/socket.h>

#include "lib/waitqueue.h"
#include "vfs/file.h"
#include "vfs/namei.h"

struct sock;
struct unix_net;
struct netlink_net;

/* Linux's sysctl defaults (net.core.*mem_*, net.core.somaxconn). */
#define SOCK_WMEM_DEFAULT 212992
#define SOCK_RMEM_DEFAULT 212992
#define SOCK_WMEM_MAX 212992
#define SOCK_RMEM_MAX 212992
#define SOCK_MIN_SNDBUF 4608            /* 2 * (2048 + sizeof(struct sk_buff)) */
#define SOCK_MIN_RCVBUF 2304
#define SOCK_SOMAXCONN 4096
#define SCM_MAX_FD 253                  /* fds in one SCM_RIGHTS message */

struct sock_cred;

/* Per sandbox: each family's shared state. */
struct net {
        atomic_uint_fast64_t next_ino;  /* socket inode numbers (st_ino, socket:[N]) */
        struct unix_net *af_unix;        /* owned */
        struct netlink_net *af_netlink;  /* owned */
        /* The credentials of the task calling in (read(2)/write(2) on a
         * socket reach the family with no caller: Linux's current_cred()).
         * Immutable; supplied by the kernel. */
        void (*current_cred)(struct sock_cred *ret);
};

int net_create(void (*current_cred)(struct sock_cred *ret), struct net **ret);
void net_destroy(struct net *net);

/* Who makes a call: SO_PEERCRED and SCM_CREDENTIALS take it, binding and
 * connecting to a path walk and check permissions with `at`. */
struct sock_cred {
        int32_t pid;                    /* thread group id in the sandbox */
        uint32_t uid, gid;
};

struct sock_ctx {
        struct sock_cred cred;          /* real ids: SCM_CREDENTIALS */
        struct sock_cred ecred;         /* effective ids: SO_PEERCRED */
        const struct vfs_at *at;        /* for names in the file system; borrowed */
        bool net_admin;                 /* CAP_NET_ADMIN (netlink's privileged sends) */
};

/* What travels beside the data (Linux's struct scm_cookie). Sending: the
 * files (references owned by the scm) and the credentials to attach.
 * Receiving: what came with the message. */
struct sock_scm {
        struct file **fds;              /* owned: nfds references; malloc'd */
        int nfds;
        struct sock_cred cred;
        bool has_cred;                  /* receiving: SO_PASSCRED was on */
};

void sock_scm_release(struct sock_scm *scm);

/* One sendmsg/recvmsg. */
struct sock_msg {
        const struct iov_iter *iov;     /* the data, host addresses */
        /* send: the destination (NULL: the peer); recv: filled with the
         * source, name_len set to its full length (0: none). */
        void *name;
        size_t name_len;
        struct sock_scm scm;
        unsigned ret_flags;             /* recv: MSG_TRUNC, MSG_CTRUNC, MSG_EOR */
        /* Bytes of iov already moved by earlier calls for the same system
         * call: an operation that had to wait (-EAGAIN) is called again,
         * with the same iov, and goes on from there. */
        size_t done;
};

/* The family's operations (Linux's proto_ops). Addresses are host copies
 * already length-checked against struct sockaddr_storage. All return 0, a
 * count or -errno; -EAGAIN means "would wait" (see the top). */
struct sock_ops {
        int (*bind)(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx);
        int (*connect)(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx);
        int (*listen)(struct sock *sk, int backlog, const struct sock_ctx *ctx);
        /* A new connected sock in *ret. */
        int (*accept)(struct sock *sk, struct sock **ret);
        /* The bound (peer: the peer's) address into addr (room for a
         * sockaddr_storage); returns its length. */
        int (*getname)(struct sock *sk, void *addr, bool peer);
        /* flags are MSG_*. Both return the total moved (m->done), or
         * -EAGAIN to wait and be called again, or -errno when nothing was
         * moved. recvmsg returns once target bytes are there (stream) or a
         * message was taken. */
        ssize_t (*sendmsg)(struct sock *sk, struct sock_msg *m, unsigned flags,
                           const struct sock_ctx *ctx);
        ssize_t (*recvmsg)(struct sock *sk, struct sock_msg *m, unsigned flags, size_t target);
        int (*shutdown)(struct sock *sk, int how);
        /* Family options at SOL_SOCKET the generic layer leaves to it (for
         * AF_UNIX: SO_PEERCRED, SO_PASSCRED...). Returns -ENOPROTOOPT for
         * what it does not know. val is len bytes (len >= sizeof(int)). */
        int (*setsockopt)(struct sock *sk, int level, int name, const void *val, size_t len);
        /* *len in: room in val; out: the option's length. */
        int (*getsockopt)(struct sock *sk, int level, int name, void *val, size_t *len);
        unsigned (*poll)(struct sock *sk);
        int (*ioctl)(struct sock *sk, unsigned cmd, void *arg);
        /* The file's last reference is gone. */
        void (*release)(struct sock *sk);
        /* The sock's last reference is gone: free it. */
        void (*destroy)(struct sock *sk);
};

struct sock {
        atomic_int refcount;
        const struct sock_ops *ops;     /* immutable */
        struct net *net;                /* immutable, borrowed (outlives every sock) */
        int family, type, protocol;     /* immutable */
        uint64_t ino;                   /* immutable */
        uint32_t uid, gid;              /* immutable: the creator's (fstat) */
        struct file *file;              /* weak: set once by socket_file_create() */
        struct waitqueue wq;            /* readiness of this sock */
        /* SOL_SOCKET state the generic layer keeps; the family's lock (or
         * atomics) protect it. */
        _Atomic int sndbuf, rcvbuf;
        _Atomic int64_t rcvtimeo_ns, sndtimeo_ns;       /* 0: none */
        atomic_uint bool_opts;          /* bit (1 << SO_x) for plain boolean options */
        _Atomic int linger_onoff, linger_secs;
};

struct sock *sock_ref(struct sock *sk);
struct sock *sock_unref(struct sock *sk);               /* accepts NULL, returns NULL */
/* The generic part of a new sock; refcount 1. */
void sock_init(struct sock *sk, const struct sock_ops *ops, struct net *net, int family,
               int type, int protocol, const struct sock_cred *cred);

/* socket(2)/socketpair(2): type without SOCK_NONBLOCK|SOCK_CLOEXEC (checked
 * by the caller). -EAFNOSUPPORT, -EINVAL, -EPROTONOSUPPORT, -ESOCKTNOSUPPORT
 * as Linux, -EOPNOTSUPP for a family with no pairs. */
int sock_create(struct net *net, int family, int type, int protocol,
                const struct sock_cred *cred, struct sock **ret);
int sock_create_pair(struct net *net, int family, int type, int protocol,
                     const struct sock_cred *cred, struct sock **ret_a, struct sock **ret_b);

/* The open file of a sock (consumes the sock reference). flags: O_NONBLOCK. */
int socket_file_create(struct sock *sk, unsigned flags, struct file **ret);
/* The sock of a socket file (borrowed from f), or NULL: not a socket. */
struct sock *sock_from_file(const struct file *f);

/* SOL_SOCKET options (sockopt.c): the generic ones, then the family's. */
int sock_setsockopt(struct sock *sk, int level, int name, const void *val, size_t len);
int sock_getsockopt(struct sock *sk, int level, int name, void *val, size_t *len);

/* Whether the operation must not wait: O_NONBLOCK on the file or
 * MSG_DONTWAIT. */
static inline bool sock_nonblock(const struct file *f, unsigned msg_flags)
{
        return (f->flags & O_NONBLOCK) || (msg_flags & MSG_DONTWAIT);
}

/* The families (family.c). */
struct net_family {
        int family;
        int (*create)(struct net *net, int type, int protocol, const struct sock_cred *cred,
                      struct sock **ret);
        /* NULL: socketpair is -EOPNOTSUPP. */
        int (*create_pair)(struct net *net, int type, int protocol,
                           const struct sock_cred *cred, struct sock **ret_a,
                           struct sock **ret_b);
        int (*net_init)(struct net *net);
        void (*net_exit)(struct net *net);
};

extern const struct net_family unix_family;
extern const struct net_family netlink_family;

#endif
