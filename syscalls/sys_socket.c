/* Sockets: socket, socketpair, bind, listen, connect, accept, accept4,
 * shutdown, getsockname, getpeername, setsockopt, getsockopt. Messages are
 * in sys_sockmsg.c; the sockets themselves in net/. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "lib/macro.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/mm/mm.h"
#include "sock.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

#define SOCK_TYPE_MASK 0xf

int sockfd_get(struct task *t, int fd, struct file **ret_file, struct sock **ret_sk)
{
        struct file *f = task_fget(t, fd);
        struct sock *sk;

        if (!f)
                return -EBADF;
        sk = sock_from_file(f);
        if (!sk) {
                file_unref(f);
                return -ENOTSOCK;
        }
        *ret_file = f;
        *ret_sk = sk;
        return 0;
}

void sock_ctx_init(struct task *t, struct at_call *c, struct sock_ctx *ctx)
{
        at_cwd(t, c);
        ctx->cred = (struct sock_cred){ .pid = t->tg->tgid, .uid = t->creds.ruid,
                                        .gid = t->creds.rgid };
        ctx->ecred = (struct sock_cred){ .pid = t->tg->tgid, .uid = t->creds.euid,
                                         .gid = t->creds.egid };
        ctx->at = &c->at;
        ctx->net_admin = creds_has_cap(&t->creds, CREDS_CAP_NET_ADMIN);
}

long sock_wait(struct task *t, struct sock *sk, bool nonblock, int64_t timeout_ns,
               long (*attempt)(struct task *t, void *arg), void *arg)
{
        struct timespec deadline, *dl = NULL;
        long r;

        if (timeout_ns > 0) {
                clock_gettime(CLOCK_MONOTONIC, &deadline);
                deadline.tv_sec += timeout_ns / 1000000000;
                deadline.tv_nsec += timeout_ns % 1000000000;
                if (deadline.tv_nsec >= 1000000000) {
                        deadline.tv_sec++;
                        deadline.tv_nsec -= 1000000000;
                }
                dl = &deadline;
        }
        r = task_wait_event(t, &sk->wq, ~0u, nonblock, dl, attempt, arg);
        /* SO_RCVTIMEO/SO_SNDTIMEO: a signal is EINTR, the timeout EAGAIN. */
        if (r == -EINTR)
                return dl ? -EINTR : -ERESTARTSYS;
        return r == -ETIMEDOUT ? -EAGAIN : r;
}

int sockaddr_copy_in(struct task *t, guest_ptr_t uaddr, int len, struct sockaddr_storage *ret)
{
        memset(ret, 0, sizeof(*ret));
        if (len < 0 || (size_t)len > sizeof(*ret))
                return -EINVAL;
        if (len == 0)
                return 0;
        return mm_copy_in(t->mm, ret, uaddr, (size_t)len);
}

int sockaddr_copy_out(struct task *t, const void *addr, int len, guest_ptr_t uaddr,
                      guest_ptr_t ulen)
{
        int ulen_v, r;

        r = mm_copy_in(t->mm, &ulen_v, ulen, sizeof(ulen_v));
        if (r < 0)
                return r;
        if (ulen_v > len)
                ulen_v = len;
        if (ulen_v < 0)
                return -EINVAL;
        if (ulen_v) {
                r = mm_copy_out(t->mm, uaddr, addr, (size_t)ulen_v);
                if (r < 0)
                        return r;
        }
        return mm_copy_out(t->mm, ulen, &len, sizeof(len));
}

/* socket(2) and socketpair(2) flags: SOCK_NONBLOCK and SOCK_CLOEXEC. */
static int split_type(int type, int *ret_type, unsigned *ret_flags)
{
        int flags = type & ~SOCK_TYPE_MASK;

        if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
                return -EINVAL;
        *ret_type = type & SOCK_TYPE_MASK;
        *ret_flags = (unsigned)flags;
        return 0;
}

long sys_socket(struct task *t, const struct syscall_args *a)
{
        struct sock_ctx ctx;
        struct at_call c;
        struct file *f;
        struct sock *sk;
        unsigned flags;
        int type;
        long r;

        r = split_type((int)a->a[1], &type, &flags);
        if (r < 0)
                return r;
        sock_ctx_init(t, &c, &ctx);
        r = sock_create(t->kernel->net, (int)a->a[0], type, (int)a->a[2], &ctx.ecred, &sk);
        at_end(&c);
        if (r < 0)
                return r;
        r = socket_file_create(sk, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0, &f);
        if (r < 0)
                return r;
        r = fdtable_install(t->fdt, f, 0, flags & SOCK_CLOEXEC, task_nofile_limit(t));
        file_unref(f);
        return r;
}

long sys_socketpair(struct task *t, const struct syscall_args *a)
{
        struct file *fa = NULL, *fb = NULL;
        struct sock_ctx ctx;
        struct sock *ska, *skb;
        struct at_call c;
        int type, fds[2], limit = task_nofile_limit(t);
        unsigned flags;
        bool cloexec;
        long r;

        r = split_type((int)a->a[1], &type, &flags);
        if (r < 0)
                return r;
        sock_ctx_init(t, &c, &ctx);
        r = sock_create_pair(t->kernel->net, (int)a->a[0], type, (int)a->a[2], &ctx.ecred,
                             &ska, &skb);
        at_end(&c);
        if (r < 0)
                return r;
        r = socket_file_create(ska, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0, &fa);
        if (r < 0) {
                skb->ops->release(skb);
                sock_unref(skb);
                return r;
        }
        r = socket_file_create(skb, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0, &fb);
        if (r < 0) {
                file_unref(fa);
                return r;
        }
        cloexec = flags & SOCK_CLOEXEC;
        fds[0] = fdtable_install(t->fdt, fa, 0, cloexec, limit);
        fds[1] = fds[0] < 0 ? fds[0] : fdtable_install(t->fdt, fb, 0, cloexec, limit);
        file_unref(fa);
        file_unref(fb);
        if (fds[1] < 0) {
                if (fds[0] >= 0)
                        fdtable_close(t->fdt, fds[0]);
                return fds[1];
        }
        r = mm_copy_out(t->mm, a->a[3], fds, sizeof(fds));
        if (r < 0) {
                fdtable_close(t->fdt, fds[0]);
                fdtable_close(t->fdt, fds[1]);
        }
        return r;
}

long sys_bind(struct task *t, const struct syscall_args *a)
{
        struct sockaddr_storage addr;
        struct sock_ctx ctx;
        struct at_call c;
        struct file *f;
        struct sock *sk;
        long r;

        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        r = sockaddr_copy_in(t, a->a[1], (int)a->a[2], &addr);
        if (r == 0) {
                sock_ctx_init(t, &c, &ctx);
                r = sk->ops->bind(sk, &addr, (size_t)(int)a->a[2], &ctx);
                at_end(&c);
        }
        file_unref(f);
        return r;
}

long sys_listen(struct task *t, const struct syscall_args *a)
{
        struct sock_ctx ctx;
        struct at_call c;
        struct file *f;
        struct sock *sk;
        long r;

        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        sock_ctx_init(t, &c, &ctx);
        r = sk->ops->listen(sk, (int)a->a[1], &ctx);
        at_end(&c);
        file_unref(f);
        return r;
}

struct connect_call {
        struct sock *sk;
        struct sockaddr_storage addr;
        size_t len;
        struct sock_ctx ctx;
};

static long connect_attempt(struct task *t, void *arg)
{
        struct connect_call *cc = arg;

        (void)t;
        return cc->sk->ops->connect(cc->sk, &cc->addr, cc->len, &cc->ctx);
}

long sys_connect(struct task *t, const struct syscall_args *a)
{
        struct connect_call cc;
        struct at_call c;
        struct file *f;
        long r;

        r = sockfd_get(t, (int)a->a[0], &f, &cc.sk);
        if (r < 0)
                return r;
        r = sockaddr_copy_in(t, a->a[1], (int)a->a[2], &cc.addr);
        if (r == 0) {
                cc.len = (size_t)(int)a->a[2];
                sock_ctx_init(t, &c, &cc.ctx);
                r = sock_wait(t, cc.sk, sock_nonblock(f, 0), atomic_load(&cc.sk->sndtimeo_ns),
                              connect_attempt, &cc);
                at_end(&c);
        }
        file_unref(f);
        return r;
}

struct accept_call {
        struct sock *sk;
        struct sock *newsk;
};

static long accept_attempt(struct task *t, void *arg)
{
        struct accept_call *ac = arg;

        (void)t;
        return ac->sk->ops->accept(ac->sk, &ac->newsk);
}

static long do_accept4(struct task *t, int fd, guest_ptr_t uaddr, guest_ptr_t ulen, int flags)
{
        struct sockaddr_storage addr;
        struct accept_call ac;
        struct file *f, *nf;
        long r;
        int nfd;

        if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
                return -EINVAL;
        r = sockfd_get(t, fd, &f, &ac.sk);
        if (r < 0)
                return r;
        r = sock_wait(t, ac.sk, sock_nonblock(f, 0), atomic_load(&ac.sk->rcvtimeo_ns),
                      accept_attempt, &ac);
        file_unref(f);
        if (r < 0)
                return r;
        r = socket_file_create(ac.newsk, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0, &nf);
        if (r < 0)
                return r;
        if (uaddr) {
                int len = ac.newsk->ops->getname(ac.newsk, &addr, true);    /* nf's */

                r = len < 0 ? -ECONNABORTED : sockaddr_copy_out(t, &addr, len, uaddr, ulen);
                if (r < 0) {
                        file_unref(nf);
                        return r;
                }
        }
        nfd = fdtable_install(t->fdt, nf, 0, flags & SOCK_CLOEXEC, task_nofile_limit(t));
        file_unref(nf);
        return nfd;
}

long sys_accept(struct task *t, const struct syscall_args *a)
{
        return do_accept4(t, (int)a->a[0], a->a[1], a->a[2], 0);
}

long sys_accept4(struct task *t, const struct syscall_args *a)
{
        return do_accept4(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}

long sys_shutdown(struct task *t, const struct syscall_args *a)
{
        struct file *f;
        struct sock *sk;
        long r;

        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        r = sk->ops->shutdown(sk, (int)a->a[1]);
        file_unref(f);
        return r;
}

static long do_getname(struct task *t, const struct syscall_args *a, bool peer)
{
        struct sockaddr_storage addr;
        struct file *f;
        struct sock *sk;
        long r;

        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        memset(&addr, 0, sizeof(addr));
        r = sk->ops->getname(sk, &addr, peer);
        if (r >= 0)
                r = sockaddr_copy_out(t, &addr, (int)r, a->a[1], a->a[2]);
        file_unref(f);
        return r;
}

long sys_getsockname(struct task *t, const struct syscall_args *a)
{
        return do_getname(t, a, false);
}

long sys_getpeername(struct task *t, const struct syscall_args *a)
{
        return do_getname(t, a, true);
}

/* Options are small: the largest is struct linger/timeval/ucred. */
#define SOCKOPT_MAX 64

long sys_setsockopt(struct task *t, const struct syscall_args *a)
{
        int len = (int)a->a[4];
        unsigned char val[SOCKOPT_MAX];
        struct file *f;
        struct sock *sk;
        long r;

        if (len < 0)
                return -EINVAL;
        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        memset(val, 0, sizeof(val));
        r = mm_copy_in(t->mm, val, a->a[3], MIN((size_t)len, sizeof(val)));
        if (r == 0)
                r = sock_setsockopt(sk, (int)a->a[1], (int)a->a[2], val, (size_t)len);
        file_unref(f);
        return r;
}

long sys_getsockopt(struct task *t, const struct syscall_args *a)
{
        unsigned char val[SOCKOPT_MAX];
        size_t vlen = sizeof(val);
        struct file *f;
        struct sock *sk;
        int len;
        long r;

        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        r = mm_copy_in(t->mm, &len, a->a[4], sizeof(len));
        if (r == 0 && len < 0)
                r = -EINVAL;
        /* The family sees the guest's room (netlink: EINVAL below an int). */
        if (r == 0)
                vlen = MIN((size_t)len, sizeof(val));
        if (r == 0)
                r = sock_getsockopt(sk, (int)a->a[1], (int)a->a[2], val, &vlen);
        file_unref(f);
        if (r < 0)
                return r;
        if ((size_t)len > vlen)
                len = (int)vlen;
        r = mm_copy_out(t->mm, a->a[3], val, (size_t)len);
        if (r == 0)
                r = mm_copy_out(t->mm, a->a[4], &len, sizeof(len));
        return r;
}
