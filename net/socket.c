/* The generic socket layer: socks, the socket file and the family table
 * (Linux's net/socket.c). */
#include "socket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include "lib/macro.h"

struct socket_file {
        struct file base;
        struct sock *sk;                /* a reference; immutable */
};

static const struct file_ops socket_file_ops;

static const struct net_family *const families[] = {
        &unix_family,
        &netlink_family,
};

static const struct net_family *family_find(int family)
{
        for (size_t i = 0; i < ARRAY_SIZE(families); i++)
                if (families[i]->family == family)
                        return families[i];
        return NULL;
}

int net_create(void (*current_cred)(struct sock_cred *ret), struct net **ret)
{
        struct net *net = calloc(1, sizeof(*net));
        int r;

        if (!net)
                return -ENOMEM;
        net->current_cred = current_cred;
        atomic_init(&net->next_ino, 1);
        for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
                if (!families[i]->net_init)
                        continue;
                r = families[i]->net_init(net);
                if (r < 0) {
                        while (i-- > 0)
                                if (families[i]->net_exit)
                                        families[i]->net_exit(net);
                        free(net);
                        return r;
                }
        }
        *ret = net;
        return 0;
}

void net_destroy(struct net *net)
{
        if (!net)
                return;
        for (size_t i = ARRAY_SIZE(families); i-- > 0;)
                if (families[i]->net_exit)
                        families[i]->net_exit(net);
        free(net);
}

void sock_scm_release(struct sock_scm *scm)
{
        for (int i = 0; i < scm->nfds; i++)
                file_unref(scm->fds[i]);
        free(scm->fds);
        scm->fds = NULL;
        scm->nfds = 0;
}

struct sock *sock_ref(struct sock *sk)
{
        atomic_fetch_add_explicit(&sk->refcount, 1, memory_order_relaxed);
        return sk;
}

struct sock *sock_unref(struct sock *sk)
{
        if (sk && atomic_fetch_sub_explicit(&sk->refcount, 1, memory_order_acq_rel) == 1) {
                waitqueue_destroy(&sk->wq);
                sk->ops->destroy(sk);
        }
        return NULL;
}

void sock_init(struct sock *sk, const struct sock_ops *ops, struct net *net, int family,
               int type, int protocol, const struct sock_cred *cred)
{
        atomic_init(&sk->refcount, 1);
        sk->ops = ops;
        sk->net = net;
        sk->family = family;
        sk->type = type;
        sk->protocol = protocol;
        sk->ino = atomic_fetch_add(&net->next_ino, 1);
        sk->uid = cred->uid;
        sk->gid = cred->gid;
        waitqueue_init(&sk->wq);
        atomic_init(&sk->sndbuf, SOCK_WMEM_DEFAULT);
        atomic_init(&sk->rcvbuf, SOCK_RMEM_DEFAULT);
        atomic_init(&sk->rcvtimeo_ns, 0);
        atomic_init(&sk->sndtimeo_ns, 0);
        atomic_init(&sk->bool_opts, 0);
        atomic_init(&sk->linger_onoff, 0);
        atomic_init(&sk->linger_secs, 0);
}

/* Linux's __sock_create() checks, in its order. */
static int check_create(int family, int type, const struct net_family **ret)
{
        if (family < 0 || family >= AF_MAX)
                return -EAFNOSUPPORT;
        if (type < 0 || type >= 11)     /* SOCK_MAX */
                return -EINVAL;
        *ret = family_find(family);
        return *ret ? 0 : -EAFNOSUPPORT;
}

int sock_create(struct net *net, int family, int type, int protocol,
                const struct sock_cred *cred, struct sock **ret)
{
        const struct net_family *fam;
        int r = check_create(family, type, &fam);

        if (r < 0)
                return r;
        return fam->create(net, type, protocol, cred, ret);
}

int sock_create_pair(struct net *net, int family, int type, int protocol,
                     const struct sock_cred *cred, struct sock **ret_a, struct sock **ret_b)
{
        const struct net_family *fam;
        int r = check_create(family, type, &fam);

        if (r < 0)
                return r;
        if (!fam->create_pair)
                return -EOPNOTSUPP;
        return fam->create_pair(net, type, protocol, cred, ret_a, ret_b);
}

static struct sock *file_sock(struct file *f)
{
        return container_of(f, struct socket_file, base)->sk;
}

struct sock *sock_from_file(const struct file *f)
{
        if (f->ops != &socket_file_ops)
                return NULL;
        return container_of(f, struct socket_file, base)->sk;
}

/* read(2) and write(2) are recvmsg and sendmsg without flags or names. */
static ssize_t socket_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct sock *sk = file_sock(f);
        struct sock_msg m = { .iov = dst };
        ssize_t r;

        (void)pos;
        r = sk->ops->recvmsg(sk, &m, 0, 1);
        sock_scm_release(&m.scm);
        return r;
}

static ssize_t socket_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        struct sock *sk = file_sock(f);
        struct sock_msg m = { .iov = src };
        struct sock_ctx ctx = { 0 };
        ssize_t r;

        (void)pos;
        sk->net->current_cred(&ctx.cred);
        r = sk->ops->sendmsg(sk, &m, 0, &ctx);
        /* do_rw() goes on after a partial write itself. */
        return r == -EAGAIN && m.done ? (ssize_t)m.done : r;
}

static unsigned socket_poll(struct file *f)
{
        struct sock *sk = file_sock(f);

        return sk->ops->poll(sk);
}

/* Linux's sockfs inode: S_IFSOCK | 0777, owned by the creator. */
static int socket_stat(struct file *f, struct stat *ret)
{
        struct sock *sk = file_sock(f);

        memset(ret, 0, sizeof(*ret));
        ret->st_mode = S_IFSOCK | 0777;
        ret->st_nlink = 1;
        ret->st_uid = sk->uid;
        ret->st_gid = sk->gid;
        ret->st_blksize = 4096;
        ret->st_ino = sk->ino;
        ret->st_dev = makedev(0, 8);
        return 0;
}

static int socket_ioctl(struct file *f, unsigned cmd, void *arg)
{
        struct sock *sk = file_sock(f);

        if (!sk->ops->ioctl)
                return -ENOTTY;
        return sk->ops->ioctl(sk, cmd, arg);
}

static void socket_release(struct file *f)
{
        struct socket_file *sf = container_of(f, struct socket_file, base);

        sf->sk->ops->release(sf->sk);
        sock_unref(sf->sk);
        free(sf);
}

static const struct file_ops socket_file_ops = {
        .read = socket_read,
        .write = socket_write,
        .stat = socket_stat,
        .ioctl = socket_ioctl,
        .poll = socket_poll,
        .release = socket_release,
};

int socket_file_create(struct sock *sk, unsigned flags, struct file **ret)
{
        struct socket_file *sf = calloc(1, sizeof(*sf));

        if (!sf) {
                sk->ops->release(sk);
                sock_unref(sk);
                return -ENOMEM;
        }
        file_init(&sf->base, &socket_file_ops, O_RDWR | (flags & O_NONBLOCK), true);
        sf->base.wq = &sk->wq;
        sf->sk = sk;
        sk->file = &sf->base;
        *ret = &sf->base;
        return 0;
}
