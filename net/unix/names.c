/* AF_UNIX names: binding to a path (an S_IFSOCK node in the sandbox's file
 * system, found again by its inode) or to an abstract name (a leading NUL;
 * the sandbox's own namespace), autobind, and finding a peer by name
 * (Linux's unix_bind(), unix_autobind(), unix_find_other()). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)

int unix_addr_parse(const void *addr, size_t len, struct unix_address *ret)
{
        const struct sockaddr_un *sun = addr;

        if (len <= SUN_OFF || len > sizeof(struct sockaddr_un) || sun->sun_family != AF_UNIX)
                return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        memcpy(&ret->sun, addr, len);
        if (ret->sun.sun_path[0]) {
                /* A path ends at its first NUL (or at len); the name keeps
                 * the NUL, as Linux's unix_mkname_bsd(). The storage has room
                 * for it past sockaddr_un. */
                ret->len = strnlen(ret->sun.sun_path, len - SUN_OFF) + SUN_OFF + 1;
        } else {
                ret->len = len;
        }
        return 0;
}

static bool addr_equal(const struct unix_address *a, const struct unix_address *b)
{
        return a->len == b->len && memcmp(&a->sun, &b->sun, a->len) == 0;
}

static struct unix_sock *find_abstract_locked(struct unix_net *un, const struct unix_address *a)
{
        for (struct ulist *l = un->bound.next; l != &un->bound; l = l->next) {
                struct unix_sock *u = container_of(l, struct unix_sock, bound_link);

                if (unix_addr_abstract(u->addr) && addr_equal(u->addr, a))
                        return u;
        }
        return NULL;
}

static struct unix_sock *find_inode_locked(struct unix_net *un, const struct inode *inode)
{
        for (struct ulist *l = un->bound.next; l != &un->bound; l = l->next) {
                struct unix_sock *u = container_of(l, struct unix_sock, bound_link);

                if (u->path.dentry && u->path.dentry->inode == inode)
                        return u;
        }
        return NULL;
}

/* Take name a (consumed on success). un->lock held. */
static void set_addr_locked(struct unix_sock *u, struct unix_address *a)
{
        u->addr = a;
        ulist_add(&u->un->bound, &u->bound_link);
}

int unix_autobind_locked(struct unix_sock *u)
{
        struct unix_net *un = u->un;
        struct unix_address *a;

        if (u->addr)
                return 0;
        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->sun.sun_family = AF_UNIX;
        a->len = SUN_OFF + 6;
        for (unsigned tries = 0; tries <= 0xfffff; tries++) {
                char name[8];

                snprintf(name, sizeof(name), "%05x", un->autobind_next & 0xfffff);
                un->autobind_next++;
                memcpy(a->sun.sun_path + 1, name, 5);
                if (!find_abstract_locked(un, a)) {
                        set_addr_locked(u, a);
                        return 0;
                }
        }
        free(a);
        return -ENOSPC;
}

static int bind_abstract(struct unix_sock *u, struct unix_address *a)
{
        struct unix_net *un = u->un;
        int r = 0;

        unix_lock(un);
        if (u->addr)
                r = -EINVAL;
        else if (find_abstract_locked(un, a))
                r = -EADDRINUSE;
        else
                set_addr_locked(u, a);
        unix_unlock(un);
        return r;
}

/* Linux's unix_bind_bsd(): make the node (EADDRINUSE if the name exists),
 * then take it, or remove it again if the sock has a name already. */
static int bind_path(struct unix_sock *u, struct unix_address *a, const struct sock_ctx *ctx)
{
        struct unix_net *un = u->un;
        struct path p = { 0 };
        int r;

        r = vfs_mknodat(ctx->at, a->sun.sun_path, S_IFSOCK | 0777, 0, NULL);
        if (r == -EEXIST)
                return -EADDRINUSE;
        if (r < 0)
                return r;
        r = vfs_lookup(ctx->at, a->sun.sun_path, 0, &p);
        if (r < 0)
                return r;
        unix_lock(un);
        if (u->addr) {
                r = -EINVAL;
        } else {
                u->path = p;
                p = (struct path){ 0 };
                set_addr_locked(u, a);
        }
        unix_unlock(un);
        if (r < 0) {
                vfs_unlink(ctx->at, a->sun.sun_path);
                path_put(&p);
        }
        return r;
}

int unix_bind(struct sock *sk, const void *addr, size_t len, const struct sock_ctx *ctx)
{
        struct unix_sock *u = unix_sk(sk);
        struct unix_address *a;
        int r;

        if (len == SUN_OFF && ((const struct sockaddr_un *)addr)->sun_family == AF_UNIX) {
                unix_lock(u->un);
                r = unix_autobind_locked(u);
                unix_unlock(u->un);
                return r;
        }
        a = malloc(sizeof(*a));
        if (!a)
                return -ENOMEM;
        r = unix_addr_parse(addr, len, a);
        if (r == 0)
                r = unix_addr_abstract(a) ? bind_abstract(u, a) : bind_path(u, a, ctx);
        if (r < 0)
                free(a);
        return r;
}

int unix_find_other(struct unix_net *un, const struct unix_address *a, int type,
                    const struct sock_ctx *ctx, struct unix_sock **ret)
{
        struct unix_sock *u;
        struct path p = { 0 };
        int r;

        if (unix_addr_abstract(a)) {
                unix_lock(un);
                u = find_abstract_locked(un, a);
        } else {
                r = vfs_lookup(ctx->at, a->sun.sun_path, LOOKUP_FOLLOW, &p);
                if (r < 0)
                        return r;
                r = vfs_permission(p.dentry->inode, ctx->at->cred, MAY_WRITE);
                if (r == 0 && !S_ISSOCK(p.dentry->inode->mode))
                        r = -ECONNREFUSED;
                if (r < 0) {
                        path_put(&p);
                        return r;
                }
                unix_lock(un);
                u = find_inode_locked(un, p.dentry->inode);
                /* Checked before the path goes: the inode cannot be reused. */
        }
        if (!u)
                r = -ECONNREFUSED;
        else if (u->sk.type != type)
                r = -EPROTOTYPE;
        else
                r = 0;
        if (r == 0)
                *ret = unix_sk(sock_ref(&u->sk));
        unix_unlock(un);
        path_put(&p);
        return r;
}

int unix_getname(struct sock *sk, void *addr, bool peer)
{
        struct unix_sock *u = unix_sk(sk);
        struct unix_net *un = u->un;
        struct sockaddr_un *sun = addr;
        int r;

        unix_lock(un);
        if (peer) {
                u = u->peer;
                if (!u) {
                        unix_unlock(un);
                        return -ENOTCONN;
                }
        }
        if (u->addr) {
                memcpy(addr, &u->addr->sun, u->addr->len);
                r = (int)u->addr->len;
        } else {
                sun->sun_family = AF_UNIX;
                r = (int)SUN_OFF;
        }
        unix_unlock(un);
        return r;
}
