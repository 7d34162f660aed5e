/*
 * AF_UNIX inside: the sock, its message queue, names and the in-flight
 * file accounting the garbage collector reads.
 *
 * Locking: one mutex per sandbox, unix_net.lock, guards every field of every
 * unix sock marked "un" below, the name list and the in-flight list (gVisor
 * and Linux lock per sock; one lock is simpler and these paths are short).
 * Lock order: mm lock (the caller's, for the guest buffers) → unix_net.lock →
 * wait queue locks (socks are notified with it held; wait callbacks never
 * come back here). Files are never released under the lock: freed messages
 * go on a per-thread list that unix_unlock() drains (file_unref() of a
 * passed unix socket re-enters release, and draining iteratively keeps a
 * long chain of sockets inside sockets off the stack). A sock's destroy
 * never takes the lock, so sock_unref() may run under it.
 */
#ifndef CONTERNEL_NET_UNIX_INTERNAL_H
#define CONTERNEL_NET_UNIX_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lib/macro.h"
#include "net/socket.h"

#define UNIX_MAX_DGRAM_QLEN 10          /* net.unix.max_dgram_qlen */
#define UNIX_SKB_OVERHEAD 576           /* roughly Linux's sk_buff + shared info */
#define UNIX_STREAM_CHUNK 32768         /* the largest stream skb (UNIX_SKB_FRAGS_SZ) */

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* An intrusive doubly linked list. */
struct ulist {
        struct ulist *prev, *next;
};

static inline void ulist_init(struct ulist *l) { l->prev = l->next = l; }
static inline bool ulist_empty(const struct ulist *l) { return l->next == l; }
static inline void ulist_add(struct ulist *head, struct ulist *n)
{
        n->next = head;
        n->prev = head->prev;
        head->prev->next = n;
        head->prev = n;
}
static inline void ulist_del(struct ulist *n)
{
        n->prev->next = n->next;
        n->next->prev = n->prev;
        ulist_init(n);
}

/* A bound name: sun_family and sun_path, len bytes of it (Linux's
 * unix_address). Path names keep their NUL (len counts it), and may be
 * longer than struct sockaddr_un by it. */
struct unix_address {
        size_t len;
        union {
                struct sockaddr_un sun;
                struct sockaddr_storage storage;
        };
};

static inline bool unix_addr_abstract(const struct unix_address *a)
{
        return a->len > offsetof(struct sockaddr_un, sun_path) && a->sun.sun_path[0] == '\0';
}

/* One message (Linux's sk_buff with UNIXCB). */
struct unix_skb {
        struct unix_skb *next;
        struct unix_sock *sender;       /* a reference: wmem is charged there */
        size_t truesize;
        size_t len, consumed;           /* stream: consumed bytes are gone */
        struct unix_address addr;       /* the sender's name when sent (len 0: none) */
        struct sock_cred cred;
        struct file **fds;              /* in flight: references */
        int nfds;
        unsigned char data[];
};

struct unix_queue {
        struct unix_skb *head, *tail;
        size_t len;                     /* messages */
        /* Streams: the message holding the urgent byte (MSG_OOB) until it is
         * read or passed, or NULL (Linux's oob_skb). Popping it clears it. */
        struct unix_skb *oob;
};

enum unix_state { UNIX_CLOSE, UNIX_LISTEN, UNIX_ESTABLISHED };

struct unix_net {
        pthread_mutex_t lock;
        struct ulist bound;             /* un: socks with a name (unix_sock.bound_link) */
        struct ulist inflight;          /* un: socks whose file is in a message */
        size_t tot_inflight;            /* un: unix files in flight, all told */
        unsigned autobind_next;         /* un */
};

struct unix_sock {
        struct sock sk;
        struct unix_net *un;            /* immutable */
        /* protected by un->lock: */
        enum unix_state state;
        bool dead;                      /* released: no file, no name, no peer */
        unsigned shutdown;              /* RCV_SHUTDOWN | SEND_SHUTDOWN */
        int err;                        /* pending error (SO_ERROR), positive */
        struct unix_sock *peer;         /* a reference */
        struct unix_address *addr;      /* owned; NULL: unbound */
        struct path path;               /* a reference, for names in the file system */
        struct ulist bound_link;        /* in un->bound while addr is set */
        struct unix_queue rq;           /* what it receives */
        size_t wmem;                    /* truesize of what it sent, not yet consumed */
        /* Listeners: connections not yet accepted (references). */
        struct ulist acceptq;
        size_t acceptq_len;
        int backlog;
        struct ulist accept_link;       /* embryos: in the listener's acceptq */
        bool embryo;                    /* made by connect, not accepted yet */
        struct sock_cred peercred;      /* SO_PEERCRED */
        bool has_peercred;
        /* A sender waiting for room in another sock's queue (or a connector
         * for room in a backlog) hangs here on that sock's `waiters`; the
         * other wakes and unhooks all of them when room comes or it dies.
         * No reference: each side unhooks at release. */
        struct unix_sock *waiting_on;
        struct ulist wait_link;
        struct ulist waiters;
        /* The garbage collector (gc.c). */
        size_t inflight;                /* messages holding this sock's file */
        struct ulist inflight_link;     /* in un->inflight while inflight > 0 */
        size_t gc_refs;
        bool gc_candidate, gc_reachable;
        struct unix_sock *gc_next;      /* the work stack */
};

static inline struct unix_sock *unix_sk(struct sock *sk)
{
        return container_of(sk, struct unix_sock, sk);
}

static inline struct sock_cred *unix_cred_none(struct sock_cred *c)
{
        *c = (struct sock_cred){ .pid = 0, .uid = (uint32_t)-1, .gid = (uint32_t)-1 };
        return c;
}

static inline bool unix_passcred(struct unix_sock *u)
{
        return atomic_load(&u->sk.bool_opts) & (1u << SO_PASSCRED);
}

/* af_unix.c */
void unix_lock(struct unix_net *un);
/* Unlock, then drop the files of the messages freed meanwhile. */
void unix_unlock(struct unix_net *un);
/* A new sock of type (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET). */
int unix_sock_new(struct net *net, int type, const struct sock_cred *cred,
                  struct unix_sock **ret);
void unix_wake(struct unix_sock *u, unsigned events);
/* Hang u on other's waiters; wake and unhook all of other's. un->lock held. */
void unix_wait_on(struct unix_sock *u, struct unix_sock *other);
void unix_wake_waiters(struct unix_sock *other);
/* The release of a sock (file closed, or an embryo dropped). un->lock held. */
void unix_release_locked(struct unix_sock *u);
/* The unix sock of a file, or NULL. */
struct unix_sock *unix_sock_of_file(const struct file *f);
/* Linux's unix_writable(): a quarter of the send buffer or less in use. */
bool unix_writable(const struct unix_sock *u);

/* skb.c: messages. un->lock held unless said otherwise. */
/* A message of len bytes from sender (referenced), copying its data from it
 * (at offset `skip`), taking the files out of scm. -ENOMEM. */
int unix_skb_new(struct unix_sock *sender, const struct iov_iter *it, size_t skip, size_t len,
                 struct sock_scm *scm, const struct sock_cred *cred, struct unix_skb **ret);
void unix_queue_add(struct unix_sock *to, struct unix_skb *skb);
struct unix_skb *unix_queue_pop(struct unix_queue *q);
/* Free a message: uncharge the sender, end the files' flight (their
 * references go when the lock is dropped). */
void unix_skb_free(struct unix_skb *skb);
void unix_queue_purge(struct unix_queue *q);
/* Received: the message's files move into scm (peek: new references). */
int unix_skb_take_fds(struct unix_skb *skb, struct sock_scm *scm, bool peek);
/* Drop the files of freed messages (called by unix_unlock, not locked). */
void unix_skb_drain(void);
/* Copy between an iov_iter at offset skip and memory. */
size_t unix_iov_copy(const struct iov_iter *it, size_t skip, void *mem, size_t n, bool to_iov);

/* names.c */
/* Check and copy a sockaddr_un (Linux's unix_validate_addr + mkname). */
int unix_addr_parse(const void *addr, size_t len, struct unix_address *ret);
int unix_bind(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx);
/* Give u an abstract name of five hex digits. un->lock held. */
int unix_autobind_locked(struct unix_sock *u);
/* The sock bound to a name, with a reference; the lock is dropped for a
 * walk of the file system and taken again. -ECONNREFUSED, -EPROTOTYPE, or
 * the walk's error. un->lock held. */
int unix_find_other(struct unix_net *un, const struct unix_address *a, int type,
                    const struct sock_ctx *ctx, struct unix_sock **ret);
int unix_getname(struct sock *sk, void *addr, bool peer);

/* connect.c */
int unix_stream_connect(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx);
int unix_dgram_connect(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx);
int unix_listen(struct sock *sk, int backlog, const struct sock_ctx *ctx);
int unix_accept(struct sock *sk, struct sock **ret);
int unix_no_listen(struct sock *sk, int backlog, const struct sock_ctx *ctx);
int unix_no_accept(struct sock *sk, struct sock **ret);

/* stream.c, dgram.c */
ssize_t unix_stream_sendmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                            const struct sock_ctx *ctx);
ssize_t unix_stream_recvmsg(struct sock *sk, struct sock_msg *m, unsigned flags, size_t target);
ssize_t unix_dgram_sendmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                           const struct sock_ctx *ctx);
ssize_t unix_dgram_recvmsg(struct sock *sk, struct sock_msg *m, unsigned flags, size_t target);
ssize_t unix_seqpacket_sendmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                               const struct sock_ctx *ctx);
ssize_t unix_seqpacket_recvmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                               size_t target);

/* gc.c */
void unix_inflight_add(struct unix_sock *u);
void unix_inflight_del(struct unix_sock *u);
/* Free the queues of sockets only messages in flight keep, in cycles. */
void unix_gc_locked(struct unix_net *un);

#endif
