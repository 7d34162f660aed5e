/*
 * AF_NETLINK (net/netlink/): sockets that talk to the sandbox's kernel
 * (NETLINK_ROUTE, answered by rtnetlink.c) and to each other. What the rest
 * of the sentry uses besides the socket calls: mq_notify(SIGEV_THREAD)
 * queues a cookie on a netlink socket (Linux's netlink_attachskb(),
 * netlink_sendskb(), netlink_detachskb()).
 */
#ifndef CONTERNEL_NET_NETLINK_NETLINK_H
#define CONTERNEL_NET_NETLINK_NETLINK_H

#include <stddef.h>

#include "net/socket.h"

/* A message charged to a socket's receive buffer, not queued yet. */
struct nl_skb;

/* Whether sk is a netlink socket (Linux's netlink_getsockbyfd(): -EINVAL
 * for any other socket). */
bool netlink_sock_is(const struct sock *sk);
/* A message of len bytes of data for sk, charged to its receive buffer
 * now (it holds a reference to sk). -EAGAIN: the buffer is full (wait on
 * sk->wq and try again); -ENOMEM. */
int netlink_attachskb(struct sock *sk, const void *data, size_t len, struct nl_skb **ret);
/* Its bytes, to change before sending. */
unsigned char *netlink_skb_data(struct nl_skb *skb);
/* Queue it to its socket as a message from the kernel (port 0) (consumes;
 * a released socket just drops it). */
void netlink_sendskb(struct nl_skb *skb);
/* Uncharge and free it without queueing (consumes; accepts NULL). */
void netlink_detachskb(struct nl_skb *skb);

#endif
