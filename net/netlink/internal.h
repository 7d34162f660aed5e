/*
 * AF_NETLINK inside: the sock, its receive queue, port ids and the
 * protocols' kernel sides.
 *
 * Locking: one mutex per sandbox, netlink_net.lock, guards every field
 * marked "nn" below, the port id tables and every netlink sock's queue
 * (the paths are short: a request to the kernel side is answered under it).
 * Lock order: mm lock (the caller's, for guest buffers) → ns->mq_lock
 * (mq_notify's cookies) → netlink_net.lock → wait queue locks (socks are
 * notified with it held; wait callbacks never come back here). destroy
 * never takes it.
 */
#ifndef CONTERNEL_NET_NETLINK_INTERNAL_H
#define CONTERNEL_NET_NETLINK_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "lib/macro.h"
#include "net/netlink/netlink.h"
#include "net/netlink/nlmsg.h"
#include "net/socket.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#define NL_SKB_OVERHEAD 576             /* roughly Linux's sk_buff + shared info */
#define NL_RECV_MAX 32768               /* the largest message one send makes */

/* Linux's nl_table[].flags: what needs no CAP_NET_ADMIN. */
#define NL_CFG_F_NONROOT_RECV (1u << 0)
#define NL_CFG_F_NONROOT_SEND (1u << 1)

/* One message (Linux's sk_buff with NETLINK_CB). */
struct nl_skb {
        struct nl_skb *next;
        struct netlink_sock *owner;     /* attached, not queued: a reference */
        size_t len, truesize;
        uint32_t portid;                /* the sender's: 0 for the kernel */
        uint32_t dst_group;
        struct sock_cred cred;
        _Alignas(8) unsigned char data[];
};

/* A protocol (Linux's nl_table entry and its kernel socket's input). */
struct netlink_proto {
        int protocol;
        unsigned cfg_flags;             /* NL_CFG_F_* */
        unsigned ngroups;               /* multicast groups (at most 64) */
        void (*input)(const struct nl_request *req, const unsigned char *data, size_t len);
};

struct netlink_net {
        pthread_mutex_t lock;
        struct netlink_sock *bound[MAX_LINKS];  /* nn: by protocol, via bound_next */
        int32_t rover;                  /* nn: the next port id after a collision */
};

struct netlink_sock {
        struct sock sk;
        struct netlink_net *nn;         /* immutable */
        const struct netlink_proto *proto;      /* immutable */
        /* protected by nn->lock: */
        bool bound, dead;
        uint32_t portid;
        uint64_t groups;                /* multicast groups 1..64 (bit n-1) */
        bool connected;                 /* connect(): takes messages from dst_portid only */
        uint32_t dst_portid, dst_group; /* connect(): the default destination */
        unsigned flags;                 /* NL_F_* */
        int err;                        /* pending error (SO_ERROR), positive */
        bool congested;                 /* overrun: nothing from the kernel until emptied */
        struct nl_skb *head, *tail;     /* the receive queue */
        /* Truesize queued or attached; atomic so that mq_notify's cookie
         * can be dropped without the lock (even after the net is gone). */
        _Atomic size_t rmem;
        struct netlink_sock *bound_next;
        /* A sender waiting for room in another sock's queue hangs on its
         * waiters (no references: each side unhooks at release). */
        struct netlink_sock *waiting_on, *wait_next, *waiters;
};

static inline struct netlink_sock *nl_sk(struct sock *sk)
{
        return container_of(sk, struct netlink_sock, sk);
}

/* af_netlink.c */
void nl_wake(struct netlink_sock *nlk, unsigned events);

/* bind.c, nn->lock held unless said otherwise */
int netlink_bind(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx);
int netlink_connect(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx);
int netlink_getname(struct sock *sk, void *addr, bool peer);
/* Linux's netlink_autobind(): the caller's tgid, else a negative id. */
int netlink_autobind_locked(struct netlink_sock *nlk, int32_t tgid);
struct netlink_sock *netlink_lookup_locked(struct netlink_net *nn, int protocol, uint32_t portid);
void netlink_unbind_locked(struct netlink_sock *nlk);
/* Linux's netlink_allowed(). */
bool netlink_allowed(const struct netlink_sock *nlk, unsigned flag, const struct sock_ctx *ctx);

/* msg.c */
ssize_t netlink_sendmsg(struct sock *sk, struct sock_msg *m, unsigned flags,
                        const struct sock_ctx *ctx);
ssize_t netlink_recvmsg(struct sock *sk, struct sock_msg *m, unsigned flags, size_t target);
/* Empty the queue and unhook waiters. nn->lock held. */
void netlink_purge_locked(struct netlink_sock *nlk);

#endif
