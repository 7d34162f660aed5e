/* Socket messages: sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg,
 * with Linux's checks in its order, and the control messages (SCM_RIGHTS,
 * SCM_CREDENTIALS) turned into files and credentials for net/ and back. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/macro.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/signal.h"
#include "sentry/mm/mm.h"
#include "sock.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "uio.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

#define OPTMEM_MAX (128 * 1024)         /* net.core.optmem_max: control data */
#ifndef MSG_CMSG_COMPAT
#define MSG_CMSG_COMPAT 0x80000000u     /* the kernel's: never valid from user space */
#endif

/* One send or receive in progress: what sock_wait() calls again. */
struct msg_call {
        struct sock *sk;
        bool send;
        unsigned flags;
        size_t target;
        /* the guest's data: one buffer or an iovec array (host copy) */
        guest_ptr_t buf;
        size_t len;
        struct iovec *gvec;
        long iovcnt;
        struct guest_iov *g;
        struct sock_msg m;
        struct sockaddr_storage name;
        struct sock_ctx ctx;
};

static long msg_attempt(struct task *t, void *arg)
{
        struct msg_call *mc = arg;
        unsigned access = mc->send ? PLATFORM_ACCESS_READ : PLATFORM_ACCESS_WRITE;
        long r;

        mm_lock_read(t->mm);
        if (mc->gvec)
                r = guest_iov_import_vec(t, mc->gvec, mc->iovcnt, access, mc->g);
        else
                r = guest_iov_import_buf(t, mc->buf, mc->len, access, mc->g);
        if (r == 0 && mc->m.done > mc->g->it.count)
                r = -EFAULT;    /* what was accessible is gone */
        if (r == 0) {
                mc->m.iov = &mc->g->it;
                if (mc->send)
                        r = mc->sk->ops->sendmsg(mc->sk, &mc->m, mc->flags, &mc->ctx);
                else
                        r = mc->sk->ops->recvmsg(mc->sk, &mc->m, mc->flags, mc->target);
        }
        mm_unlock_read(t->mm);
        return r;
}

/* SIGPIPE for a stream write to a closed or shut down peer (Linux's
 * unix_stream_sendmsg(); datagrams and seqpacket send none). */
static void maybe_sigpipe(struct task *t, struct sock *sk, unsigned flags, long r)
{
        siginfo_t info = { .si_signo = SIGPIPE, .si_code = SI_USER };

        if (r != -EPIPE || (flags & MSG_NOSIGNAL) || sk->type != SOCK_STREAM)
                return;
        info.si_pid = t->tg->tgid;
        info.si_uid = t->creds.ruid;
        signal_send(t, &info, false);
}

/* Run the call: wait as the file and flags say; a partial transfer
 * interrupted or out of time returns what was done. */
static long msg_run(struct task *t, struct file *f, struct msg_call *mc)
{
        int64_t timeo = atomic_load(mc->send ? &mc->sk->sndtimeo_ns : &mc->sk->rcvtimeo_ns);
        long r;

        r = -ENOMEM;
        mc->g = malloc(sizeof(*mc->g));
        if (!mc->g)
                return r;
        r = sock_wait(t, mc->sk, sock_nonblock(f, mc->flags), timeo, msg_attempt, mc);
        free(mc->g);
        mc->g = NULL;
        if (r < 0 && mc->m.done && (r == -EAGAIN || r == -EINTR || r == -ERESTARTSYS))
                r = (long)mc->m.done;
        if (mc->send)
                maybe_sigpipe(t, mc->sk, mc->flags, r);
        return r;
}

static void msg_call_init(struct msg_call *mc, struct task *t, struct sock *sk, bool send,
                          unsigned flags, struct at_call *c)
{
        memset(mc, 0, sizeof(*mc));
        mc->sk = sk;
        mc->send = send;
        mc->flags = flags;
        mc->target = (flags & MSG_WAITALL) ? SIZE_MAX : 1;
        sock_ctx_init(t, c, &mc->ctx);
}

/* ---- Control messages ----------------------------------------------------- */

/* Linux's scm_check_creds(): a process may claim its own pid and ids; root
 * (CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID) any. */
static int check_creds(struct task *t, const struct ucred *uc)
{
        const struct creds *c = &t->creds;
        bool root = c->euid == 0;

        if ((uc->pid == t->tg->tgid || root) &&
            (uc->uid == c->ruid || uc->uid == c->euid || uc->uid == c->suid || root) &&
            (uc->gid == c->rgid || uc->gid == c->egid || uc->gid == c->sgid || root))
                return 0;
        return -EPERM;
}

/* Linux's __scm_send(): walk the control messages the guest gave. */
static int scm_parse(struct task *t, const unsigned char *ctl, size_t len, struct sock *sk,
                     struct sock_scm *scm)
{
        size_t off = 0;

        while (len - off >= sizeof(struct cmsghdr)) {
                struct cmsghdr h;
                const unsigned char *data = ctl + off + CMSG_ALIGN(sizeof(h));

                memcpy(&h, ctl + off, sizeof(h));
                if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
                        return -EINVAL;
                if (h.cmsg_level == SOL_SOCKET) {
                        switch (h.cmsg_type) {
                        case SCM_RIGHTS: {
                                size_t n = (h.cmsg_len - sizeof(h)) / sizeof(int);
                                struct file **fds;

                                if (sk->family != AF_UNIX)
                                        return -EINVAL;
                                if (n == 0)
                                        break;
                                if (n > SCM_MAX_FD || scm->nfds + n > SCM_MAX_FD)
                                        return -EINVAL;
                                fds = realloc(scm->fds, sizeof(*fds) * (scm->nfds + n));
                                if (!fds)
                                        return -ENOMEM;
                                scm->fds = fds;
                                for (size_t i = 0; i < n; i++) {
                                        int fd;
                                        struct file *f;

                                        memcpy(&fd, data + i * sizeof(int), sizeof(fd));
                                        f = fdtable_get(t->fdt, fd);
                                        if (!f)
                                                return -EBADF;
                                        scm->fds[scm->nfds++] = f;
                                }
                                break;
                        }
                        case SCM_CREDENTIALS: {
                                struct ucred uc;
                                int r;

                                if (h.cmsg_len != CMSG_LEN(sizeof(uc)))
                                        return -EINVAL;
                                memcpy(&uc, data, sizeof(uc));
                                r = check_creds(t, &uc);
                                if (r < 0)
                                        return r;
                                scm->cred = (struct sock_cred){ .pid = uc.pid, .uid = uc.uid,
                                                                .gid = uc.gid };
                                scm->has_cred = true;
                                break;
                        }
                        default:
                                return -EINVAL;
                        }
                }
                /* The next header must fit whole (Linux's __cmsg_nxthdr). */
                off += CMSG_ALIGN(h.cmsg_len);
                if (off > len)
                        break;
        }
        return 0;
}

/* Building the guest's control buffer on the way back (Linux's put_cmsg()
 * and scm_detach_fds()). */
struct cmsg_out {
        unsigned char *buf;             /* host copy, room = the guest's length */
        size_t room, used;
        unsigned flags;                 /* MSG_CTRUNC */
};

static void put_cmsg(struct cmsg_out *o, int level, int type, const void *data, size_t len)
{
        struct cmsghdr h = { .cmsg_level = level, .cmsg_type = type };
        size_t left = o->room - o->used, cmlen = CMSG_LEN(len);

        if (left < sizeof(h)) {
                o->flags |= MSG_CTRUNC;
                return;
        }
        if (left < cmlen) {
                o->flags |= MSG_CTRUNC;
                cmlen = left;
        }
        h.cmsg_len = cmlen;
        memcpy(o->buf + o->used, &h, sizeof(h));
        memcpy(o->buf + o->used + sizeof(h), data, cmlen - sizeof(h));
        o->used += MIN(CMSG_SPACE(len), left);
}

/* Install the received files as new fds (as many as fit), then describe
 * them. The rest are dropped, as Linux does, with MSG_CTRUNC. */
static void put_fds(struct task *t, struct cmsg_out *o, struct sock_scm *scm, bool cloexec)
{
        size_t left = o->room - o->used;
        int fdmax = left > sizeof(struct cmsghdr) ? (int)((left - sizeof(struct cmsghdr)) / sizeof(int)) : 0;
        int n = MIN(fdmax, scm->nfds), i, *fds;

        fds = malloc(sizeof(int) * (size_t)(n ? n : 1));
        if (!fds)
                n = 0;
        for (i = 0; i < n; i++) {
                fds[i] = fdtable_install(t->fdt, scm->fds[i], 0, cloexec, task_nofile_limit(t));
                if (fds[i] < 0)
                        break;
        }
        if (i > 0) {
                struct cmsghdr h = { .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS,
                                     .cmsg_len = CMSG_LEN(sizeof(int) * (size_t)i) };

                memcpy(o->buf + o->used, &h, sizeof(h));
                memcpy(o->buf + o->used + sizeof(h), fds, sizeof(int) * (size_t)i);
                o->used += MIN(CMSG_SPACE(sizeof(int) * (size_t)i), left);
        }
        if (i < scm->nfds)
                o->flags |= MSG_CTRUNC;
        free(fds);
}

/* ---- The calls --------------------------------------------------------------- */

long sys_sendto(struct task *t, const struct syscall_args *a)
{
        guest_ptr_t buf = a->a[1];
        size_t len = MIN((size_t)a->a[2], MAX_RW_COUNT);
        unsigned flags = (unsigned)a->a[3];
        int addrlen = (int)a->a[5];
        struct msg_call mc;
        struct at_call c;
        struct file *f;
        struct sock *sk;
        long r;

        if (!guest_access_ok(buf, len))
                return -EFAULT;
        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        msg_call_init(&mc, t, sk, true, flags, &c);
        mc.buf = buf;
        mc.len = len;
        if (a->a[4]) {
                r = sockaddr_copy_in(t, a->a[4], addrlen, &mc.name);
                if (r < 0)
                        goto out;
                if (addrlen) {
                        mc.m.name = &mc.name;
                        mc.m.name_len = (size_t)addrlen;
                }
        }
        r = msg_run(t, f, &mc);
out:
        at_end(&c);
        file_unref(f);
        return r;
}

long sys_recvfrom(struct task *t, const struct syscall_args *a)
{
        guest_ptr_t buf = a->a[1];
        size_t len = MIN((size_t)a->a[2], MAX_RW_COUNT);
        unsigned flags = (unsigned)a->a[3];
        struct msg_call mc;
        struct at_call c;
        struct file *f;
        struct sock *sk;
        long r;

        if (!guest_access_ok(buf, len))
                return -EFAULT;
        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        msg_call_init(&mc, t, sk, false, flags, &c);
        mc.buf = buf;
        mc.len = len;
        if (a->a[4])
                mc.m.name = &mc.name;
        r = msg_run(t, f, &mc);
        sock_scm_release(&mc.m.scm);
        if (r >= 0 && a->a[4]) {
                long r2 = sockaddr_copy_out(t, &mc.name, (int)mc.m.name_len, a->a[4], a->a[5]);

                if (r2 < 0)
                        r = r2;
        }
        at_end(&c);
        file_unref(f);
        return r;
}

/* One sendmsg on an open socket (Linux's ____sys_sendmsg()). */
static long do_sendmsg(struct task *t, struct file *f, struct sock *sk, guest_ptr_t umsg,
                       unsigned flags)
{
        struct msghdr mh;
        unsigned char *ctl = NULL;
        struct msg_call mc;
        struct at_call c;
        long r;

        r = mm_copy_in(t->mm, &mh, umsg, sizeof(mh));
        if (r < 0)
                return r;
        msg_call_init(&mc, t, sk, true, flags, &c);
        if ((int)mh.msg_namelen < 0) {
                r = -EINVAL;
                goto out;
        }
        if (mh.msg_name && mh.msg_namelen) {
                int nl = (int)MIN((size_t)mh.msg_namelen, sizeof(struct sockaddr_storage));

                r = sockaddr_copy_in(t, (guest_ptr_t)mh.msg_name, nl, &mc.name);
                if (r < 0)
                        goto out;
                mc.m.name = &mc.name;
                mc.m.name_len = (size_t)nl;
        }
        r = -EMSGSIZE;
        if (mh.msg_iovlen > UIO_MAXIOV)
                goto out;
        r = -ENOMEM;
        mc.gvec = calloc(mh.msg_iovlen + 1, sizeof(*mc.gvec));
        if (!mc.gvec)
                goto out;
        mc.iovcnt = (long)mh.msg_iovlen;
        r = guest_iovec_copy_in(t, (guest_ptr_t)mh.msg_iov, mc.iovcnt, mc.gvec);
        if (r < 0)
                goto out;
        if (mh.msg_controllen > INT_MAX || mh.msg_controllen > OPTMEM_MAX) {
                r = -ENOBUFS;
                goto out;
        }
        if (mh.msg_controllen) {
                r = -ENOMEM;
                ctl = malloc(mh.msg_controllen);
                if (!ctl)
                        goto out;
                r = mm_copy_in(t->mm, ctl, (guest_ptr_t)mh.msg_control, mh.msg_controllen);
                if (r == 0)
                        r = scm_parse(t, ctl, mh.msg_controllen, sk, &mc.m.scm);
                if (r < 0)
                        goto out;
        }
        r = msg_run(t, f, &mc);
out:
        sock_scm_release(&mc.m.scm);
        free(ctl);
        free(mc.gvec);
        at_end(&c);
        return r;
}

long sys_sendmsg(struct task *t, const struct syscall_args *a)
{
        struct file *f;
        struct sock *sk;
        long r;

        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        r = do_sendmsg(t, f, sk, a->a[1], (unsigned)a->a[2]);
        file_unref(f);
        return r;
}

/* One recvmsg on an open socket (Linux's ____sys_recvmsg()). */
static long do_recvmsg(struct task *t, struct file *f, struct sock *sk, guest_ptr_t umsg,
                       unsigned flags)
{
        struct cmsg_out co = { 0 };
        struct msghdr mh;
        struct msg_call mc;
        struct at_call c;
        long r, r2;

        r = mm_copy_in(t->mm, &mh, umsg, sizeof(mh));
        if (r < 0)
                return r;
        msg_call_init(&mc, t, sk, false, flags & ~(unsigned)MSG_CMSG_CLOEXEC, &c);
        r = -EINVAL;
        if ((int)mh.msg_namelen < 0)
                goto out;
        r = -EMSGSIZE;
        if (mh.msg_iovlen > UIO_MAXIOV)
                goto out;
        r = -ENOMEM;
        mc.gvec = calloc(mh.msg_iovlen + 1, sizeof(*mc.gvec));
        if (!mc.gvec)
                goto out;
        mc.iovcnt = (long)mh.msg_iovlen;
        r = guest_iovec_copy_in(t, (guest_ptr_t)mh.msg_iov, mc.iovcnt, mc.gvec);
        if (r < 0)
                goto out;
        if (mh.msg_name)
                mc.m.name = &mc.name;
        r = msg_run(t, f, &mc);
        if (r < 0)
                goto out;
        /* The name, at most as long as the guest said, and its full length. */
        if (mh.msg_name) {
                r2 = sockaddr_copy_out(t, &mc.name, (int)mc.m.name_len, (guest_ptr_t)mh.msg_name,
                                       umsg + offsetof(struct msghdr, msg_namelen));
                if (r2 < 0) {
                        r = r2;
                        goto out;
                }
        } else {
                socklen_t zero = 0;

                mm_copy_out(t->mm, umsg + offsetof(struct msghdr, msg_namelen), &zero,
                            sizeof(zero));
        }
        co.room = MIN(mh.msg_controllen, (size_t)OPTMEM_MAX);
        co.buf = co.room ? calloc(1, co.room) : NULL;
        if (co.room && !co.buf)
                co.room = 0;
        if (mc.m.scm.has_cred) {
                struct ucred uc = { .pid = mc.m.scm.cred.pid, .uid = mc.m.scm.cred.uid,
                                    .gid = mc.m.scm.cred.gid };

                put_cmsg(&co, SOL_SOCKET, SCM_CREDENTIALS, &uc, sizeof(uc));
        }
        if (mc.m.scm.nfds)
                put_fds(t, &co, &mc.m.scm, flags & MSG_CMSG_CLOEXEC);
        if (co.used && mm_copy_out(t->mm, (guest_ptr_t)mh.msg_control, co.buf, co.used) < 0)
                r = -EFAULT;
        mh.msg_flags = (int)(mc.m.ret_flags | co.flags);
        mh.msg_controllen = co.used;
        r2 = mm_copy_out(t->mm, umsg + offsetof(struct msghdr, msg_flags), &mh.msg_flags,
                         sizeof(mh.msg_flags));
        if (r2 == 0)
                r2 = mm_copy_out(t->mm, umsg + offsetof(struct msghdr, msg_controllen),
                                 &mh.msg_controllen, sizeof(mh.msg_controllen));
        if (r2 < 0)
                r = r2;
out:
        free(co.buf);
        sock_scm_release(&mc.m.scm);
        free(mc.gvec);
        at_end(&c);
        return r;
}

long sys_recvmsg(struct task *t, const struct syscall_args *a)
{
        unsigned flags = (unsigned)a->a[2];
        struct file *f;
        struct sock *sk;
        long r;

        if (flags & MSG_CMSG_COMPAT)
                return -EINVAL;
        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        r = do_recvmsg(t, f, sk, a->a[1], flags);
        file_unref(f);
        return r;
}

long sys_sendmmsg(struct task *t, const struct syscall_args *a)
{
        guest_ptr_t vec = a->a[1];
        unsigned vlen = MIN((unsigned)a->a[2], (unsigned)UIO_MAXIOV);
        unsigned flags = (unsigned)a->a[3];
        struct file *f;
        struct sock *sk;
        unsigned i;
        long r = 0;

        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        for (i = 0; i < vlen; i++) {
                guest_ptr_t e = vec + i * sizeof(struct mmsghdr);
                unsigned len;

                r = do_sendmsg(t, f, sk, e, flags);
                if (r < 0)
                        break;
                len = (unsigned)r;
                r = mm_copy_out(t->mm, e + offsetof(struct mmsghdr, msg_len), &len, sizeof(len));
                if (r < 0)
                        break;
        }
        file_unref(f);
        return i ? (long)i : r;
}

static int64_t ts_ns(const struct timespec *ts)
{
        return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

long sys_recvmmsg(struct task *t, const struct syscall_args *a)
{
        guest_ptr_t vec = a->a[1], utimeout = a->a[4];
        unsigned vlen = MIN((unsigned)a->a[2], (unsigned)UIO_MAXIOV);
        unsigned flags = (unsigned)a->a[3];
        struct timespec timeout, now, end = { 0 };
        struct file *f;
        struct sock *sk;
        unsigned i;
        long r = 0;

        if (flags & MSG_CMSG_COMPAT)
                return -EINVAL;
        if (utimeout) {
                r = mm_copy_in(t->mm, &timeout, utimeout, sizeof(timeout));
                if (r < 0)
                        return r;
                if (timeout.tv_sec < 0 || timeout.tv_nsec < 0 || timeout.tv_nsec >= 1000000000)
                        return -EINVAL;
                clock_gettime(CLOCK_MONOTONIC, &end);
                end.tv_sec += timeout.tv_sec;
                end.tv_nsec += timeout.tv_nsec;
                if (end.tv_nsec >= 1000000000) {
                        end.tv_sec++;
                        end.tv_nsec -= 1000000000;
                }
        }
        r = sockfd_get(t, (int)a->a[0], &f, &sk);
        if (r < 0)
                return r;
        for (i = 0; i < vlen; i++) {
                guest_ptr_t e = vec + i * sizeof(struct mmsghdr);
                unsigned len;

                r = do_recvmsg(t, f, sk, e, flags & ~(unsigned)MSG_WAITFORONE);
                if (r < 0)
                        break;
                len = (unsigned)r;
                r = mm_copy_out(t->mm, e + offsetof(struct mmsghdr, msg_len), &len, sizeof(len));
                if (r < 0)
                        break;
                if (flags & MSG_WAITFORONE)
                        flags |= MSG_DONTWAIT;
                /* Like Linux, the timeout is looked at between messages only. */
                if (utimeout) {
                        int64_t left;

                        clock_gettime(CLOCK_MONOTONIC, &now);
                        left = ts_ns(&end) - ts_ns(&now);
                        if (left <= 0) {
                                i++;
                                break;
                        }
                }
        }
        file_unref(f);
        if (utimeout) {
                int64_t left;

                clock_gettime(CLOCK_MONOTONIC, &now);
                left = MAX(ts_ns(&end) - ts_ns(&now), (int64_t)0);
                timeout.tv_sec = left / 1000000000;
                timeout.tv_nsec = left % 1000000000;
                if (mm_copy_out(t->mm, utimeout, &timeout, sizeof(timeout)) < 0)
                        return -EFAULT;
        }
        return i ? (long)i : r;
}
