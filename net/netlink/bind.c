/* AF_NETLINK names: port ids (unique per protocol in the sandbox), bind,
 * autobind, connect and getsockname (Linux's netlink_bind(),
 * netlink_autobind(), netlink_connect(), netlink_getname()). */
#include <errno.h>
#include <string.h>

#include "internal.h"

bool netlink_allowed(const struct netlink_sock *nlk, unsigned flag, const struct sock_ctx *ctx)
{
        return (nlk->proto->cfg_flags & flag) || ctx->net_admin;
}

struct netlink_sock *netlink_lookup_locked(struct netlink_net *nn, int protocol, uint32_t portid)
{
        for (struct netlink_sock *n = nn->bound[protocol]; n; n = n->bound_next)
                if (n->portid == portid)
                        return n;
        return NULL;
}

/* Linux's netlink_insert(): the id stays the socket's name even when it
 * is taken (getsockname shows it, unbound). */
static int insert_locked(struct netlink_sock *nlk, uint32_t portid)
{
        struct netlink_net *nn = nlk->nn;
        int protocol = nlk->sk.protocol;

        if (nlk->bound)
                return nlk->portid == portid ? 0 : -EBUSY;
        nlk->portid = portid;
        if (netlink_lookup_locked(nn, protocol, portid))
                return -EADDRINUSE;
        nlk->bound = true;
        nlk->bound_next = nn->bound[protocol];
        nn->bound[protocol] = nlk;
        return 0;
}

void netlink_unbind_locked(struct netlink_sock *nlk)
{
        struct netlink_sock **pp = &nlk->nn->bound[nlk->sk.protocol];

        if (!nlk->bound)
                return;
        for (; *pp; pp = &(*pp)->bound_next)
                if (*pp == nlk) {
                        *pp = nlk->bound_next;
                        break;
                }
        nlk->bound_next = NULL;
}

int netlink_autobind_locked(struct netlink_sock *nlk, int32_t tgid)
{
        struct netlink_net *nn = nlk->nn;
        int32_t portid = tgid;

        if (nlk->bound)
                return 0;
        /* The tgid first, then negative ids below -4096 (Linux starts
         * those at a random one). */
        while (netlink_lookup_locked(nn, nlk->sk.protocol, (uint32_t)portid)) {
                portid = nn->rover;
                nn->rover = nn->rover == INT32_MIN ? -4097 : nn->rover - 1;
        }
        return insert_locked(nlk, (uint32_t)portid);
}

int netlink_bind(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx)
{
        struct netlink_sock *nlk = nl_sk(sk);
        struct netlink_net *nn = nlk->nn;
        struct sockaddr_nl nl;
        uint64_t groups;
        int r = 0;

        if (len < sizeof(nl))
                return -EINVAL;
        memcpy(&nl, addr, sizeof(nl));
        if (nl.nl_family != AF_NETLINK)
                return -EINVAL;
        groups = nl.nl_groups;
        if (groups && !netlink_allowed(nlk, NL_CFG_F_NONROOT_RECV, ctx))
                return -EPERM;
        if (nlk->proto->ngroups < 64)
                groups &= (UINT64_C(1) << nlk->proto->ngroups) - 1;
        pthread_mutex_lock(&nn->lock);
        if (nlk->bound && nl.nl_pid != nlk->portid) {
                r = -EINVAL;
        } else if (!nlk->bound) {
                r = nl.nl_pid ? insert_locked(nlk, nl.nl_pid)
                              : netlink_autobind_locked(nlk, ctx->cred.pid);
        }
        /* nl_groups replaces the first 32 groups. */
        if (r == 0)
                nlk->groups = (nlk->groups & ~UINT64_C(0xffffffff)) | groups;
        pthread_mutex_unlock(&nn->lock);
        return r;
}

int netlink_connect(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx)
{
        struct netlink_sock *nlk = nl_sk(sk);
        struct netlink_net *nn = nlk->nn;
        struct sockaddr_nl nl;
        sa_family_t family;
        int r = 0;

        if (len < sizeof(family))
                return -EINVAL;
        memcpy(&family, addr, sizeof(family));
        if (family == AF_UNSPEC) {
                pthread_mutex_lock(&nn->lock);
                nlk->connected = false;
                nlk->dst_portid = 0;
                nlk->dst_group = 0;
                pthread_mutex_unlock(&nn->lock);
                return 0;
        }
        if (family != AF_NETLINK || len < sizeof(nl))
                return -EINVAL;
        memcpy(&nl, addr, sizeof(nl));
        if ((nl.nl_groups || nl.nl_pid) && !netlink_allowed(nlk, NL_CFG_F_NONROOT_SEND, ctx))
                return -EPERM;
        pthread_mutex_lock(&nn->lock);
        r = netlink_autobind_locked(nlk, ctx->cred.pid);
        if (r == 0) {
                nlk->connected = true;
                nlk->dst_portid = nl.nl_pid;
                nlk->dst_group = (uint32_t)__builtin_ffs((int)nl.nl_groups);
        }
        pthread_mutex_unlock(&nn->lock);
        return r;
}

int netlink_getname(struct sock *sk, void *addr, bool peer)
{
        struct netlink_sock *nlk = nl_sk(sk);
        struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

        pthread_mutex_lock(&nlk->nn->lock);
        if (peer) {
                nl.nl_pid = nlk->dst_portid;
                nl.nl_groups = nlk->dst_group ? 1u << (nlk->dst_group - 1) : 0;
        } else {
                nl.nl_pid = nlk->portid;
                nl.nl_groups = (uint32_t)nlk->groups;
        }
        pthread_mutex_unlock(&nlk->nn->lock);
        memcpy(addr, &nl, sizeof(nl));
        return sizeof(nl);
}
