/*
 * POSIX message queues (Linux's ipc/mqueue.c): named queues of prioritised
 * messages, per sandbox, opened as files (poll/epoll readiness, O_NONBLOCK,
 * read(2) gives the status line). The names live in a table of the IPC
 * namespace (Linux's mqueue file system, not mountable here); a queue lives
 * while it has a name or an open file. mq_notify: SIGEV_NONE,
 * SIGEV_SIGNAL, and SIGEV_THREAD (the guest's cookie queued on a netlink
 * socket, which glibc's helper thread reads).
 *
 * Locking: ns->mq_lock protects the name table and every queue; wait
 * queues are added to, removed from and notified without it (epoll's
 * callbacks call back into poll, which takes it). Cookies are queued on
 * netlink sockets with it held (mq_lock comes before netlink's lock).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "lib/macro.h"
#include "net/netlink/netlink.h"
#include "net/socket.h"
#include "sentry/ipc/mqueue.h"
#include "sentry/kernel/creds.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

static struct mq_user *mq_user(struct ipc_ns *ns, uint32_t uid, bool create)
{
        struct mq_user *u;

        for (u = ns->mq_users; u; u = u->next)
                if (u->uid == uid)
                        return u;
        if (!create)
                return NULL;
        u = calloc(1, sizeof(*u));
        if (!u)
                return NULL;
        u->uid = uid;
        u->next = ns->mq_users;
        ns->mq_users = u;
        return u;
}

void mq_put(struct mqueue *q)
{
        struct ipc_ns *ns = q->ns;
        struct mq_user *u;
        struct mq_msg *m;

        if (--q->refs > 0)
                return;
        while ((m = q->head)) {
                q->head = m->next;
                free(m);
        }
        u = mq_user(ns, q->charge_uid, false);
        if (u)
                u->bytes -= q->charge;
        ns->mq_count--;
        thread_group_unref(q->notify_tg);
        /* No message: this may come after the sandbox's sockets are gone. */
        netlink_detachskb(q->notify_cookie);
        waitqueue_destroy(&q->wq);
        free(q);
}

static void mq_unlink_locked(struct mqueue *q)
{
        for (struct mqueue **pp = &q->ns->mq_named; *pp; pp = &(*pp)->next)
                if (*pp == q) {
                        *pp = q->next;
                        break;
                }
        q->linked = false;
        mq_put(q);
}

void mq_ns_destroy(struct ipc_ns *ns)
{
        struct mq_user *u;

        pthread_mutex_lock(&ns->mq_lock);
        while (ns->mq_named)
                mq_unlink_locked(ns->mq_named);
        while ((u = ns->mq_users)) {
                ns->mq_users = u->next;
                free(u);
        }
        pthread_mutex_unlock(&ns->mq_lock);
}

/* ---- mq_notify's owner ------------------------------------------------------ */

bool mq_notify_owner_alive(struct mqueue *q)
{
        bool alive;

        if (!q->notify_tg)
                return false;
        pthread_mutex_lock(&q->notify_tg->lock);
        alive = q->notify_tg->nlive > 0 && !atomic_load(&q->notify_tg->group_exit);
        pthread_mutex_unlock(&q->notify_tg->lock);
        if (!alive)
                mq_notify_end(q, MQ_NOTIFY_REMOVED);
        return alive;
}

void mq_notify_end(struct mqueue *q, unsigned char code)
{
        q->notify_tg = thread_group_unref(q->notify_tg);
        if (q->notify_cookie) {
                netlink_skb_data(q->notify_cookie)[MQ_NOTIFY_COOKIE_LEN - 1] = code;
                netlink_sendskb(q->notify_cookie);
                q->notify_cookie = NULL;
        }
}

/* ---- mq_open, mq_unlink ----------------------------------------------------- */

/* The name as getname() takes it: -EFAULT, -ENAMETOOLONG, -ENOENT if empty. */
static int name_in(struct task *t, guest_ptr_t uname, char **ret)
{
        char *buf = malloc(PATH_MAX);
        ssize_t n;

        if (!buf)
                return -ENOMEM;
        n = mm_strncpy_in(t->mm, buf, uname, PATH_MAX);
        if (n == 0)
                n = -ENOENT;
        if (n < 0) {
                free(buf);
                return (int)n;
        }
        *ret = buf;
        return 0;
}

/* The one-component lookup in the mqueue root (lookup_one_len and
 * simple_lookup): -EACCES for "/", ".", "..", -ENAMETOOLONG. */
static int name_check(const char *name)
{
        if (!strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/'))
                return -EACCES;
        if (strlen(name) > NAME_MAX)
                return -ENAMETOOLONG;
        return 0;
}

static struct mqueue *find_name(struct ipc_ns *ns, const char *name)
{
        for (struct mqueue *q = ns->mq_named; q; q = q->next)
                if (!strcmp(q->name, name))
                        return q;
        return NULL;
}

/* inode_permission() on the queue with t's fs ids: may (4 read, 2 write). */
static int mq_permission(struct task *t, const struct mqueue *q, unsigned may)
{
        const struct creds *c = &t->creds;
        unsigned granted = q->mode;

        if (c->fsuid == q->uid)
                granted >>= 6;
        else if (creds_in_group(c, q->gid))
                granted >>= 3;
        if ((may & ~granted & 7) == 0)
                return 0;
        if (creds_has_cap(c, CREDS_CAP_DAC_OVERRIDE))
                return 0;
        if (may == 4 && creds_has_cap(c, CREDS_CAP_DAC_READ_SEARCH))
                return 0;
        return -EACCES;
}

/* mq_lock held: mqueue_create_attr() and mqueue_get_inode(). */
static int mq_create(struct task *t, struct ipc_ns *ns, const char *name, unsigned mode,
                     const struct mq_attr *attr, struct mqueue **ret)
{
        long maxmsg = attr ? attr->mq_maxmsg : MQ_MSG_DEFAULT;
        long msgsize = attr ? attr->mq_msgsize : MQ_MSGSIZE_DEFAULT;
        bool resource = creds_has_cap(&t->creds, CREDS_CAP_SYS_RESOURCE);
        uint64_t bytes, limit;
        struct mq_user *u;
        struct mqueue *q;

        if (ns->mq_count >= MQ_QUEUES_MAX && !resource)
                return -ENOSPC;
        if (maxmsg <= 0 || msgsize <= 0)
                return -EINVAL;
        if (resource ? maxmsg > MQ_HARD_MSGMAX || msgsize > MQ_HARD_MSGSIZEMAX
                     : maxmsg > MQ_MSG_MAX || msgsize > MQ_MSGSIZE_MAX)
                return -EINVAL;
        if ((unsigned long)msgsize > ULONG_MAX / (unsigned long)maxmsg)
                return -EOVERFLOW;
        bytes = (uint64_t)maxmsg * MQ_NODE_SIZE + (uint64_t)MIN(maxmsg, MQ_PRIO_MAX_) * MQ_NODE_SIZE +
                (uint64_t)maxmsg * (uint64_t)msgsize;
        pthread_mutex_lock(&t->tg->lock);
        limit = t->tg->rlimits[RLIMIT_MSGQUEUE].rlim_cur;
        pthread_mutex_unlock(&t->tg->lock);
        u = mq_user(ns, t->creds.ruid, true);
        if (!u)
                return -ENOMEM;
        if (u->bytes + bytes < u->bytes || u->bytes + bytes > limit)
                return -EMFILE;
        q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        q->ns = ns;
        q->refs = 1;                    /* the name */
        q->linked = true;
        snprintf(q->name, sizeof(q->name), "%s", name);
        q->uid = t->creds.fsuid;
        q->gid = t->creds.fsgid;
        q->mode = mode & 07777;
        q->maxmsg = maxmsg;
        q->msgsize = msgsize;
        q->charge_uid = u->uid;
        q->charge = bytes;
        q->atime = q->mtime = q->ctime = ipc_now();
        waitqueue_init(&q->wq);
        u->bytes += bytes;
        ns->mq_count++;
        q->next = ns->mq_named;
        ns->mq_named = q;
        *ret = q;
        return 0;
}

long ipc_mq_open(struct task *t, guest_ptr_t uname, int oflag, unsigned mode, guest_ptr_t uattr,
                 int nofile)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        struct file *f = NULL;
        struct mq_attr attr;
        struct mqueue *q;
        char *name = NULL;
        int fd, r;

        if (uattr && mm_copy_in(t->mm, &attr, uattr, sizeof(attr)) < 0)
                return -EFAULT;
        r = name_in(t, uname, &name);
        if (r < 0)
                return r;
        fd = fdtable_reserve(t->fdt, nofile);
        if (fd < 0) {
                free(name);
                return fd;
        }
        r = name_check(name);
        pthread_mutex_lock(&ns->mq_lock);
        q = r == 0 ? find_name(ns, name) : NULL;
        if (r < 0) {
                /* the name is no good */
        } else if (!q) {
                if (!(oflag & O_CREAT))
                        r = -ENOENT;
                else
                        r = mq_create(t, ns, name, mode & ~(unsigned)fs_umask(t->fs, 0, false),
                                      uattr ? &attr : NULL, &q);
        } else if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
                r = -EEXIST;
        } else if ((oflag & O_ACCMODE) == O_ACCMODE) {
                r = -EINVAL;
        } else {
                static const unsigned acc[] = { 4, 2, 6 };

                r = mq_permission(t, q, acc[oflag & O_ACCMODE]);
        }
        if (r == 0)
                r = mq_file_new(q, oflag, &f);
        pthread_mutex_unlock(&ns->mq_lock);
        free(name);
        if (r < 0) {
                fdtable_unreserve(t->fdt, fd);
                return r;
        }
        fdtable_install_reserved(t->fdt, fd, f, oflag & O_CLOEXEC);
        file_unref(f);
        return fd;
}

long ipc_mq_unlink(struct task *t, guest_ptr_t uname)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        struct mqueue *q;
        char *name = NULL;
        int r;

        r = name_in(t, uname, &name);
        if (r < 0)
                return r;
        r = name_check(name);
        if (r == 0) {
                pthread_mutex_lock(&ns->mq_lock);
                q = find_name(ns, name);
                if (!q)
                        r = -ENOENT;
                /* may_delete() in the sticky root (01777, owned by root) */
                else if (t->creds.fsuid != q->uid && t->creds.fsuid != 0 &&
                         !creds_has_cap(&t->creds, CREDS_CAP_FOWNER))
                        r = -EPERM;
                else
                        mq_unlink_locked(q);
                pthread_mutex_unlock(&ns->mq_lock);
        }
        free(name);
        return r;
}

/* ---- Sending and receiving -------------------------------------------------- */

/* The absolute CLOCK_REALTIME timeout as a CLOCK_MONOTONIC deadline. */
static void realtime_deadline(const struct timespec *abs, struct timespec *ret)
{
        struct timespec real, mono;
        int64_t ns;

        clock_gettime(CLOCK_REALTIME, &real);
        clock_gettime(CLOCK_MONOTONIC, &mono);
        if (abs->tv_sec - real.tv_sec > (int64_t)1 << 31) {
                ns = ((int64_t)1 << 31) * 1000000000LL;
        } else {
                ns = (abs->tv_sec - real.tv_sec) * 1000000000LL + (abs->tv_nsec - real.tv_nsec);
                if (ns < 0)
                        ns = 0;
        }
        ns += mono.tv_nsec;
        ret->tv_sec = mono.tv_sec + ns / 1000000000LL;
        ret->tv_nsec = ns % 1000000000LL;
}

/* prepare_timeout(): -EFAULT, -EINVAL for a bad timespec. */
static int timeout_in(struct task *t, guest_ptr_t uts, struct timespec *ret)
{
        if (mm_copy_in(t->mm, ret, uts, sizeof(*ret)) < 0)
                return -EFAULT;
        if (ret->tv_sec < 0 || ret->tv_nsec < 0 || ret->tv_nsec >= 1000000000L)
                return -EINVAL;
        return 0;
}

/* The queue behind fd, opened for acc (O_RDONLY, O_WRONLY): -EBADF. */
static int mq_get(struct task *t, int fd, int acc, struct file **ret_f, struct mqueue **ret_q)
{
        struct file *f = fdtable_get(t->fdt, fd);
        int mode;

        if (!f)
                return -EBADF;
        mode = (int)(f->flags & O_ACCMODE);
        if (!mq_from_file(f) || (acc == O_RDONLY && mode != O_RDONLY && mode != O_RDWR) ||
            (acc == O_WRONLY && mode != O_WRONLY && mode != O_RDWR)) {
                file_unref(f);
                return -EBADF;
        }
        *ret_f = f;
        *ret_q = mq_from_file(f);
        return 0;
}

static bool file_nonblock(struct file *f)
{
        bool nb;

        pthread_mutex_lock(&f->pos_lock);
        nb = f->flags & O_NONBLOCK;
        pthread_mutex_unlock(&f->pos_lock);
        return nb;
}

/* Wait on q until try (called with mq_lock held) answers anything but
 * -EAGAIN. Signals are -ERESTARTSYS (Linux's wq_sleep), the deadline
 * -ETIMEDOUT. receiver: count the task in q->receivers meanwhile. */
static long mq_wait(struct task *t, struct mqueue *q, unsigned events, bool nonblock,
                    const struct timespec *deadline, bool receiver,
                    long (*try)(struct task *t, struct mqueue *q, void *arg), void *arg)
{
        pthread_mutex_t *lock = &q->ns->mq_lock;
        struct task_waiter tw;
        long r;

        task_waiter_init(&tw, t, events);
        if (!nonblock)
                waitqueue_add(&q->wq, &tw.w);
        pthread_mutex_lock(lock);
        if (!nonblock && receiver)
                q->receivers++;
        for (;;) {
                task_prepare_block(t);
                r = try(t, q, arg);
                if (r != -EAGAIN || nonblock)
                        break;
                pthread_mutex_unlock(lock);
                r = task_block(t, deadline);
                pthread_mutex_lock(lock);
                if (r == -EINTR)
                        r = -ERESTARTSYS;
                if (r < 0)
                        break;
        }
        if (!nonblock && receiver)
                q->receivers--;
        pthread_mutex_unlock(lock);
        if (!nonblock)
                waitqueue_remove(&q->wq, &tw.w);
        return r;
}

struct send_arg {
        struct mq_msg *m;
        struct thread_group *notify_tg; /* out: signal it (a reference) */
        struct sigevent notify;
};

static long try_send(struct task *t, struct mqueue *q, void *argp)
{
        struct send_arg *a = argp;
        struct mq_msg **pp;

        (void)t;
        if (q->curmsgs >= q->maxmsg)
                return -EAGAIN;
        for (pp = &q->head; *pp && (*pp)->prio >= a->m->prio; pp = &(*pp)->next)
                ;
        a->m->next = *pp;
        *pp = a->m;
        q->curmsgs++;
        q->qsize += a->m->len;
        q->mtime = q->ctime = ipc_now();
        a->m = NULL;
        /* __do_notify(): an empty queue got a message no receiver took. */
        if (q->curmsgs == 1 && !q->receivers && mq_notify_owner_alive(q)) {
                if (q->notify.sigev_notify == SIGEV_SIGNAL && q->notify.sigev_signo) {
                        a->notify_tg = thread_group_ref(q->notify_tg);
                        a->notify = q->notify;
                }
                mq_notify_end(q, MQ_NOTIFY_WOKENUP);
        }
        return 0;
}

long ipc_mq_timedsend(struct task *t, int fd, guest_ptr_t uptr, uint64_t len, unsigned prio,
                      guest_ptr_t uts)
{
        struct send_arg a = { 0 };
        struct timespec ts, deadline;
        struct mqueue *q;
        struct file *f;
        long r;

        if (uts) {
                r = timeout_in(t, uts, &ts);
                if (r < 0)
                        return r;
                realtime_deadline(&ts, &deadline);
        }
        if (prio >= MQ_PRIO_MAX_)
                return -EINVAL;
        r = mq_get(t, fd, O_WRONLY, &f, &q);
        if (r < 0)
                return r;
        if (len > (uint64_t)q->msgsize) {
                r = -EMSGSIZE;
                goto out;
        }
        a.m = malloc(sizeof(*a.m) + len);
        if (!a.m) {
                r = -ENOMEM;
                goto out;
        }
        a.m->prio = prio;
        a.m->len = len;
        if (mm_copy_in(t->mm, a.m->data, uptr, len) < 0) {
                r = -EFAULT;
                goto out;
        }
        r = mq_wait(t, q, EPOLLOUT, file_nonblock(f), uts ? &deadline : NULL, false, try_send, &a);
        if (r == 0)
                waitqueue_notify(&q->wq, EPOLLIN | EPOLLRDNORM);
        if (a.notify_tg) {
                struct task *owner = thread_group_any_task(a.notify_tg);
                siginfo_t info = {
                        .si_signo = a.notify.sigev_signo,
                        .si_code = SI_MESGQ,
                };

                info.si_value = a.notify.sigev_value;
                info.si_pid = ipc_tgid(t);
                info.si_uid = t->creds.ruid;
                if (owner)
                        signal_send(owner, &info, true);
                task_unref(owner);
                thread_group_unref(a.notify_tg);
        }
out:
        free(a.m);
        file_unref(f);
        return r;
}

static long try_receive(struct task *t, struct mqueue *q, void *argp)
{
        struct mq_msg **ret = argp;

        (void)t;
        if (!q->head)
                return -EAGAIN;
        *ret = q->head;
        q->head = (*ret)->next;
        q->curmsgs--;
        q->qsize -= (*ret)->len;
        q->atime = q->ctime = ipc_now();
        return 0;
}

long ipc_mq_timedreceive(struct task *t, int fd, guest_ptr_t uptr, uint64_t len,
                         guest_ptr_t uprio, guest_ptr_t uts)
{
        struct timespec ts, deadline;
        struct mq_msg *m = NULL;
        struct mqueue *q;
        struct file *f;
        long r;

        if (uts) {
                r = timeout_in(t, uts, &ts);
                if (r < 0)
                        return r;
                realtime_deadline(&ts, &deadline);
        }
        r = mq_get(t, fd, O_RDONLY, &f, &q);
        if (r < 0)
                return r;
        if (len < (uint64_t)q->msgsize) {
                r = -EMSGSIZE;
                goto out;
        }
        r = mq_wait(t, q, EPOLLIN, file_nonblock(f), uts ? &deadline : NULL, true, try_receive, &m);
        if (r < 0)
                goto out;
        waitqueue_notify(&q->wq, EPOLLOUT | EPOLLWRNORM);
        /* Taken: a fault now loses it, as on Linux. */
        r = (long)m->len;
        if ((uprio && mm_copy_out(t->mm, uprio, &m->prio, sizeof(m->prio)) < 0) ||
            mm_copy_out(t->mm, uptr, m->data, m->len) < 0)
                r = -EFAULT;
        free(m);
out:
        file_unref(f);
        return r;
}

/* ---- mq_notify, mq_getsetattr ----------------------------------------------- */

struct attach_arg {
        struct sock *sk;
        const char *cookie;
        struct nl_skb *skb;
};

static long try_attach(struct task *t, void *argp)
{
        struct attach_arg *a = argp;

        (void)t;
        return netlink_attachskb(a->sk, a->cookie, MQ_NOTIFY_COOKIE_LEN, &a->skb);
}

/* SIGEV_THREAD: the cookie, charged to the netlink socket in sigev_signo
 * (Linux's netlink_getsockbyfd() and netlink_attachskb(), which waits for
 * room in its receive buffer). */
static long attach_cookie(struct task *t, const struct sigevent *sev, struct nl_skb **ret)
{
        char cookie[MQ_NOTIFY_COOKIE_LEN];
        struct attach_arg a = { .cookie = cookie };
        struct file *sf;
        long r;

        if (mm_copy_in(t->mm, cookie, (guest_ptr_t)(uintptr_t)sev->sigev_value.sival_ptr,
                       sizeof(cookie)) < 0)
                return -EFAULT;
        sf = fdtable_get(t->fdt, sev->sigev_signo);
        if (!sf)
                return -EBADF;
        a.sk = sock_from_file(sf);
        if (!a.sk)
                r = -ENOTSOCK;
        else if (!netlink_sock_is(a.sk))
                r = -EINVAL;
        else
                r = task_wait_event(t, &a.sk->wq, ~0u, false, NULL, try_attach, &a);
        file_unref(sf);
        if (r == -EINTR)
                return -ERESTARTSYS;
        if (r == 0)
                *ret = a.skb;
        return r;
}

long ipc_mq_notify(struct task *t, int fd, guest_ptr_t usev)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        struct nl_skb *cookie = NULL;
        struct sigevent sev;
        struct mqueue *q;
        struct file *f;
        long r;

        if (usev) {
                if (mm_copy_in(t->mm, &sev, usev, sizeof(sev)) < 0)
                        return -EFAULT;
                if (sev.sigev_notify != SIGEV_NONE && sev.sigev_notify != SIGEV_SIGNAL &&
                    sev.sigev_notify != SIGEV_THREAD)
                        return -EINVAL;
                /* valid_signal(): 0 is accepted (and never sent) */
                if (sev.sigev_notify == SIGEV_SIGNAL &&
                    (sev.sigev_signo < 0 || sev.sigev_signo > KSIG_MAX))
                        return -EINVAL;
                if (sev.sigev_notify == SIGEV_THREAD) {
                        r = attach_cookie(t, &sev, &cookie);
                        if (r < 0)
                                return r;
                }
        }
        r = -EBADF;
        f = fdtable_get(t->fdt, fd);
        if (!f)
                goto out;
        q = mq_from_file(f);
        if (!q) {
                file_unref(f);
                goto out;
        }
        r = 0;
        pthread_mutex_lock(&ns->mq_lock);
        if (!usev) {
                if (mq_notify_owner_alive(q) && q->notify_tg == t->tg)
                        mq_notify_end(q, MQ_NOTIFY_REMOVED);
        } else if (mq_notify_owner_alive(q)) {
                r = -EBUSY;
        } else {
                q->notify_tg = thread_group_ref(t->tg);
                q->notify = sev;
                q->notify_cookie = TAKE_PTR(cookie);
        }
        pthread_mutex_unlock(&ns->mq_lock);
        file_unref(f);
out:
        netlink_detachskb(cookie);
        return r;
}

long ipc_mq_getsetattr(struct task *t, int fd, guest_ptr_t unew, guest_ptr_t uold)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        struct mq_attr nattr, oattr;
        struct mqueue *q;
        struct file *f;

        if (unew) {
                if (mm_copy_in(t->mm, &nattr, unew, sizeof(nattr)) < 0)
                        return -EFAULT;
                if (nattr.mq_flags & ~(long)O_NONBLOCK)
                        return -EINVAL;
        }
        f = fdtable_get(t->fdt, fd);
        if (!f)
                return -EBADF;
        q = mq_from_file(f);
        if (!q) {
                file_unref(f);
                return -EBADF;
        }
        memset(&oattr, 0, sizeof(oattr));
        pthread_mutex_lock(&ns->mq_lock);
        oattr.mq_maxmsg = q->maxmsg;
        oattr.mq_msgsize = q->msgsize;
        oattr.mq_curmsgs = q->curmsgs;
        pthread_mutex_unlock(&ns->mq_lock);
        pthread_mutex_lock(&f->pos_lock);
        oattr.mq_flags = f->flags & O_NONBLOCK;
        if (unew) {
                if (nattr.mq_flags & O_NONBLOCK)
                        f->flags |= O_NONBLOCK;
                else
                        f->flags &= ~(unsigned)O_NONBLOCK;
        }
        pthread_mutex_unlock(&f->pos_lock);
        file_unref(f);
        if (uold && mm_copy_out(t->mm, uold, &oattr, sizeof(oattr)) < 0)
                return -EFAULT;
        return 0;
}
