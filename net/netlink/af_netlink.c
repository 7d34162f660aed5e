/* AF_NETLINK: creating, releasing and polling socks, the SOL_NETLINK
 * options, the protocols and the per-sandbox state (Linux's
 * net/netlink/af_netlink.c, the parts that are not names or messages). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <linux/rtnetlink.h>

#include "internal.h"

/* The protocols there are; the rest are EPROTONOSUPPORT, as on a Linux
 * without their modules. */
static const struct netlink_proto netlink_protos[] = {
        { .protocol = NETLINK_ROUTE, .cfg_flags = NL_CFG_F_NONROOT_RECV,
          .ngroups = RTNLGRP_MAX, .input = rtnl_input },
};

void nl_wake(struct netlink_sock *nlk, unsigned events)
{
        waitqueue_notify(&nlk->sk.wq, events);
}

bool netlink_sock_is(const struct sock *sk)
{
        return sk->family == AF_NETLINK;
}

static void netlink_release(struct sock *sk)
{
        struct netlink_sock *nlk = nl_sk(sk);
        struct netlink_net *nn = nlk->nn;

        pthread_mutex_lock(&nn->lock);
        nlk->dead = true;
        netlink_unbind_locked(nlk);
        netlink_purge_locked(nlk);
        pthread_mutex_unlock(&nn->lock);
        nl_wake(nlk, EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLERR);
}

static void netlink_destroy(struct sock *sk)
{
        free(nl_sk(sk));
}

/* Linux's datagram_poll(): a netlink sock never fills its send buffer
 * (what it sends is consumed at once). */
static unsigned netlink_poll(struct sock *sk)
{
        struct netlink_sock *nlk = nl_sk(sk);
        unsigned mask = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;

        pthread_mutex_lock(&nlk->nn->lock);
        if (nlk->err)
                mask |= EPOLLERR;
        if (nlk->head)
                mask |= EPOLLIN | EPOLLRDNORM;
        pthread_mutex_unlock(&nlk->nn->lock);
        return mask;
}

static int netlink_no_listen(struct sock *sk, int backlog, const struct sock_ctx *ctx)
{
        (void)sk;
        (void)backlog;
        (void)ctx;
        return -EOPNOTSUPP;
}

static int netlink_no_accept(struct sock *sk, struct sock **ret)
{
        (void)sk;
        (void)ret;
        return -EOPNOTSUPP;
}

static int netlink_no_shutdown(struct sock *sk, int how)
{
        (void)sk;
        (void)how;
        return -EOPNOTSUPP;
}

static int opt_flag(int name)
{
        switch (name) {
        case NETLINK_PKTINFO:
                return NL_F_PKTINFO;
        case NETLINK_BROADCAST_ERROR:
                return NL_F_BROADCAST_ERROR;
        case NETLINK_NO_ENOBUFS:
                return NL_F_NO_ENOBUFS;
        case NETLINK_CAP_ACK:
                return NL_F_CAP_ACK;
        case NETLINK_EXT_ACK:
                return NL_F_EXT_ACK;
        case NETLINK_GET_STRICT_CHK:
                return NL_F_STRICT_CHK;
        default:
                return 0;
        }
}

/* Linux's netlink_setsockopt(): a value shorter than an int reads as 0. */
static int netlink_setsockopt(struct sock *sk, int level, int name, const void *val, size_t len)
{
        struct netlink_sock *nlk = nl_sk(sk);
        unsigned v = 0;
        int flag;

        if (level != SOL_NETLINK)
                return -ENOPROTOOPT;
        if (len >= sizeof(int))
                memcpy(&v, val, sizeof(v));
        if (name == NETLINK_ADD_MEMBERSHIP || name == NETLINK_DROP_MEMBERSHIP) {
                if (!v || v - 1 >= nlk->proto->ngroups)
                        return -EINVAL;
                pthread_mutex_lock(&nlk->nn->lock);
                if (name == NETLINK_ADD_MEMBERSHIP)
                        nlk->groups |= UINT64_C(1) << (v - 1);
                else
                        nlk->groups &= ~(UINT64_C(1) << (v - 1));
                pthread_mutex_unlock(&nlk->nn->lock);
                return 0;
        }
        flag = opt_flag(name);
        if (!flag)
                return -ENOPROTOOPT;
        pthread_mutex_lock(&nlk->nn->lock);
        if (v)
                nlk->flags |= (unsigned)flag;
        else
                nlk->flags &= ~(unsigned)flag;
        pthread_mutex_unlock(&nlk->nn->lock);
        return 0;
}

/* Linux's netlink_getsockopt(): the on/off options are ints; a shorter
 * room is EINVAL. */
static int netlink_getsockopt(struct sock *sk, int level, int name, void *val, size_t *len)
{
        struct netlink_sock *nlk = nl_sk(sk);
        int flag = opt_flag(name), v;

        if (level == SOL_SOCKET) {
                if (name != SO_ERROR)
                        return -ENOPROTOOPT;
                pthread_mutex_lock(&nlk->nn->lock);
                v = nlk->err;
                nlk->err = 0;
                pthread_mutex_unlock(&nlk->nn->lock);
                goto out;
        }
        if (level != SOL_NETLINK)
                return -ENOPROTOOPT;
        if (name == NETLINK_LIST_MEMBERSHIPS) {
                size_t need = (nlk->proto->ngroups + 31) / 32 * sizeof(uint32_t), pos;
                uint64_t groups;

                pthread_mutex_lock(&nlk->nn->lock);
                groups = nlk->groups;
                pthread_mutex_unlock(&nlk->nn->lock);
                /* The bitmap in u32 words, as many as fit; the length it
                 * needs in *len. */
                for (pos = 0; pos < need && *len - pos >= sizeof(uint32_t); pos += sizeof(uint32_t)) {
                        uint32_t w = (uint32_t)(groups >> (pos * 8));

                        memcpy((unsigned char *)val + pos, &w, sizeof(w));
                }
                *len = need;
                return 0;
        }
        if (!flag)
                return -ENOPROTOOPT;
        if (*len < sizeof(int))
                return -EINVAL;
        pthread_mutex_lock(&nlk->nn->lock);
        v = (nlk->flags & (unsigned)flag) != 0;
        pthread_mutex_unlock(&nlk->nn->lock);
out:
        memcpy(val, &v, sizeof(v));
        *len = sizeof(v);
        return 0;
}

static const struct sock_ops netlink_ops = {
        .bind = netlink_bind,
        .connect = netlink_connect,
        .listen = netlink_no_listen,
        .accept = netlink_no_accept,
        .getname = netlink_getname,
        .sendmsg = netlink_sendmsg,
        .recvmsg = netlink_recvmsg,
        .shutdown = netlink_no_shutdown,
        .setsockopt = netlink_setsockopt,
        .getsockopt = netlink_getsockopt,
        .poll = netlink_poll,
        .release = netlink_release,
        .destroy = netlink_destroy,
};

/* Linux's netlink_create(). */
static int netlink_create(struct net *net, int type, int protocol, const struct sock_cred *cred,
                          struct sock **ret)
{
        const struct netlink_proto *proto = NULL;
        struct netlink_sock *nlk;

        if (type != SOCK_RAW && type != SOCK_DGRAM)
                return -ESOCKTNOSUPPORT;
        for (size_t i = 0; i < ARRAY_SIZE(netlink_protos); i++)
                if (netlink_protos[i].protocol == protocol)
                        proto = &netlink_protos[i];
        if (!proto)
                return -EPROTONOSUPPORT;
        nlk = calloc(1, sizeof(*nlk));
        if (!nlk)
                return -ENOMEM;
        sock_init(&nlk->sk, &netlink_ops, net, AF_NETLINK, type, protocol, cred);
        nlk->nn = net->af_netlink;
        nlk->proto = proto;
        *ret = &nlk->sk;
        return 0;
}

static int netlink_net_init(struct net *net)
{
        struct netlink_net *nn = calloc(1, sizeof(*nn));

        if (!nn)
                return -ENOMEM;
        pthread_mutex_init(&nn->lock, NULL);
        nn->rover = -4097;
        net->af_netlink = nn;
        return 0;
}

static void netlink_net_exit(struct net *net)
{
        pthread_mutex_destroy(&net->af_netlink->lock);
        free(net->af_netlink);
        net->af_netlink = NULL;
}

const struct net_family netlink_family = {
        .family = AF_NETLINK,
        .create = netlink_create,
        .net_init = netlink_net_init,
        .net_exit = netlink_net_exit,
};
