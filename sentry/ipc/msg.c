/*
 * System V message queues (Linux's ipc/msg.c): typed messages, msgrcv's
 * type selection (any, exactly, not (MSG_EXCEPT), lowest up to), MSG_COPY
 * (peek by position), MSG_NOERROR truncation, msg_qbytes as the bound on a
 * queue, blocking both ways (restarted when no handler runs, as Linux's
 * -ERESTARTNOHAND), EIDRM to waiters when the queue goes.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>

#include "lib/macro.h"
#include "sentry/ipc/internal.h"
#include "sentry/kernel/creds.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct msg {
        struct msg *next;
        long type;
        size_t len;
        char data[];
};

struct msg_queue {
        struct ipc_obj perm;            /* first */
        int64_t stime, rtime, ctime;
        uint64_t cbytes, qnum, qbytes;
        int lspid, lrpid;
        struct msg *head, **tail;
        struct ipc_waitlist waiters;    /* senders and receivers */
};

static struct msg_queue *queue_of(struct ipc_obj *o)
{
        return container_of(o, struct msg_queue, perm);
}

/* ---- msgget ---------------------------------------------------------------- */

static int msg_create(struct task *t, struct ipc_ns *ns, void *arg, struct ipc_obj **ret)
{
        struct msg_queue *q = calloc(1, sizeof(*q));

        (void)t;
        (void)ns;
        (void)arg;
        if (!q)
                return -ENOMEM;
        q->qbytes = IPC_MSGMNB;
        q->ctime = ipc_now();
        q->tail = &q->head;
        *ret = &q->perm;
        return 0;
}

static void msg_drop(struct ipc_ns *ns, struct ipc_obj *o)
{
        (void)ns;
        free(queue_of(o));
}

static const struct ipc_get_ops msg_get_ops = {
        .create = msg_create,
        .drop = msg_drop,
};

long ipc_msgget(struct task *t, int32_t key, int flg)
{
        struct ipc_ns *ns = ipc_ns_of(t);

        return ipc_get(t, ns, &ns->msg, key, flg, &msg_get_ops, NULL);
}

/* Lock held: the queue goes (IPC_RMID, the sandbox's end). */
static void queue_free(struct ipc_ns *ns, struct msg_queue *q)
{
        struct msg *m;

        ipc_ids_remove(&ns->msg, &q->perm);
        ipc_wake_all(&q->waiters, -EIDRM);
        while ((m = q->head)) {
                q->head = m->next;
                ns->msg_bytes -= m->len;
                ns->msg_hdrs--;
                free(m);
        }
        free(q);
}

/* ---- msgsnd ---------------------------------------------------------------- */

long ipc_msgsnd(struct task *t, int msqid, guest_ptr_t msgp, uint64_t msgsz, int flg)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        struct msg_queue *q;
        struct ipc_obj *o;
        struct msg *m;
        long type, r;

        if (mm_copy_in(t->mm, &type, msgp, sizeof(type)) < 0)
                return -EFAULT;
        if (msgsz > IPC_MSGMAX || (int64_t)msgsz < 0 || msqid < 0)
                return -EINVAL;
        if (type < 1)
                return -EINVAL;
        m = malloc(sizeof(*m) + msgsz);
        if (!m)
                return -ENOMEM;
        m->next = NULL;
        m->type = type;
        m->len = msgsz;
        if (mm_copy_in(t->mm, m->data, msgp + sizeof(long), msgsz) < 0) {
                free(m);
                return -EFAULT;
        }

        pthread_mutex_lock(&ns->msg.lock);
        o = ipc_ids_find_id(&ns->msg, msqid);
        if (!o) {
                r = -EINVAL;
                goto out;
        }
        q = queue_of(o);
        for (;;) {
                struct ipc_waiter w = { 0 };

                r = ipc_perm_check(t, o, 0222);
                if (r < 0)
                        goto out;
                task_prepare_block(t);
                if (msgsz + q->cbytes <= q->qbytes && 1 + q->qnum <= q->qbytes)
                        break;
                if (flg & IPC_NOWAIT) {
                        r = -EAGAIN;
                        goto out;
                }
                r = ipc_wait(t, &ns->msg.lock, &q->waiters, &w, NULL);
                if (r == -EINTR)
                        r = -ERESTARTNOHAND;
                if (r < 0)
                        goto out;
        }
        *q->tail = m;
        q->tail = &m->next;
        m = NULL;
        q->lspid = ipc_tgid(t);
        q->stime = ipc_now();
        q->qnum++;
        q->cbytes += msgsz;
        ns->msg_bytes += msgsz;
        ns->msg_hdrs++;
        ipc_wake_all(&q->waiters, 0);
        r = 0;
out:
        pthread_mutex_unlock(&ns->msg.lock);
        free(m);
        return r;
}

/* ---- msgrcv ---------------------------------------------------------------- */

enum msg_search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

/* Linux's find_msg(): the message and the link pointing at it. */
static struct msg **find_msg(struct msg_queue *q, long type, enum msg_search mode)
{
        struct msg **found = NULL;
        long count = 0;

        for (struct msg **pp = &q->head; *pp; pp = &(*pp)->next) {
                struct msg *m = *pp;

                switch (mode) {
                case SEARCH_ANY:
                        return pp;
                case SEARCH_EQUAL:
                        if (m->type == type)
                                return pp;
                        break;
                case SEARCH_NOTEQUAL:
                        if (m->type != type)
                                return pp;
                        break;
                case SEARCH_LESSEQUAL:
                        /* the first of the lowest type */
                        if (m->type <= type && (!found || m->type < (*found)->type))
                                found = pp;
                        break;
                case SEARCH_NUMBER:
                        if (count++ == type)
                                return pp;
                        break;
                }
        }
        return found;
}

long ipc_msgrcv(struct task *t, int msqid, guest_ptr_t msgp, uint64_t bufsz, long type, int flg)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        enum msg_search mode;
        struct msg *m = NULL, **pp;
        struct msg_queue *q;
        struct ipc_obj *o;
        size_t n;
        long r;

        if (msqid < 0 || (int64_t)bufsz < 0)
                return -EINVAL;
        if (flg & MSG_COPY) {
                if ((flg & MSG_EXCEPT) || !(flg & IPC_NOWAIT))
                        return -EINVAL;
                mode = SEARCH_NUMBER;
        } else if (type == 0) {
                mode = SEARCH_ANY;
        } else if (type < 0) {
                type = type == LONG_MIN ? LONG_MAX : -type;
                mode = SEARCH_LESSEQUAL;
        } else {
                mode = (flg & MSG_EXCEPT) ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
        }

        pthread_mutex_lock(&ns->msg.lock);
        o = ipc_ids_find_id(&ns->msg, msqid);
        if (!o) {
                r = -EINVAL;
                goto out;
        }
        q = queue_of(o);
        for (;;) {
                struct ipc_waiter w = { 0 };

                r = ipc_perm_check(t, o, 0444);
                if (r < 0)
                        goto out;
                task_prepare_block(t);
                pp = find_msg(q, type, mode);
                if (pp) {
                        struct msg *found = *pp;

                        if (bufsz < found->len && !(flg & MSG_NOERROR)) {
                                r = -E2BIG;
                                goto out;
                        }
                        if (flg & MSG_COPY) {
                                /* copy_msg(): into a buffer of
                                 * min(bufsz, msgmax) bytes */
                                if (found->len > MIN(bufsz, (uint64_t)IPC_MSGMAX)) {
                                        r = -EINVAL;
                                        goto out;
                                }
                                m = malloc(sizeof(*m) + found->len);
                                if (!m) {
                                        r = -ENOMEM;
                                        goto out;
                                }
                                memcpy(m, found, sizeof(*m) + found->len);
                                break;
                        }
                        m = found;
                        *pp = m->next;
                        if (q->tail == &m->next)
                                q->tail = pp;
                        q->qnum--;
                        q->cbytes -= m->len;
                        q->rtime = ipc_now();
                        q->lrpid = ipc_tgid(t);
                        ns->msg_bytes -= m->len;
                        ns->msg_hdrs--;
                        ipc_wake_all(&q->waiters, 0);
                        break;
                }
                if (flg & IPC_NOWAIT) {
                        r = -ENOMSG;
                        goto out;
                }
                r = ipc_wait(t, &ns->msg.lock, &q->waiters, &w, NULL);
                if (r == -EINTR)
                        r = -ERESTARTNOHAND;
                if (r < 0)
                        goto out;
        }
        pthread_mutex_unlock(&ns->msg.lock);

        /* Taken: a fault now loses it, as on Linux. */
        n = MIN(bufsz, m->len);
        if (mm_copy_out(t->mm, msgp, &m->type, sizeof(long)) < 0 ||
            mm_copy_out(t->mm, msgp + sizeof(long), m->data, n) < 0)
                r = -EFAULT;
        else
                r = (long)n;
        free(m);
        return r;
out:
        pthread_mutex_unlock(&ns->msg.lock);
        return r;
}

/* ---- msgctl ---------------------------------------------------------------- */

static long msg_info(struct task *t, struct ipc_ns *ns, int cmd, guest_ptr_t buf)
{
        struct msginfo mi = {
                .msgpool = IPC_MSGPOOL,
                .msgmap = IPC_MSGMNB,
                .msgmax = IPC_MSGMAX,
                .msgmnb = IPC_MSGMNB,
                .msgmni = IPC_MSGMNI,
                .msgssz = IPC_MSGSSZ,
                .msgtql = IPC_MSGMNB,
                .msgseg = IPC_MSGSEG,
        };
        long r;

        pthread_mutex_lock(&ns->msg.lock);
        if (cmd == MSG_INFO) {
                mi.msgpool = ns->msg.in_use;
                mi.msgmap = (int)MIN(ns->msg_hdrs, (uint64_t)INT_MAX);
                mi.msgtql = (int)MIN(ns->msg_bytes, (uint64_t)INT_MAX);
        }
        r = MAX(ipc_ids_max_idx(&ns->msg), 0);
        pthread_mutex_unlock(&ns->msg.lock);
        if (mm_copy_out(t->mm, buf, &mi, sizeof(mi)) < 0)
                return -EFAULT;
        return r;
}

static long msg_stat(struct task *t, struct ipc_ns *ns, int msqid, int cmd, guest_ptr_t buf)
{
        struct msqid_ds ds;
        struct ipc_obj *o;
        long r;

        pthread_mutex_lock(&ns->msg.lock);
        o = ipc_stat_obj(t, &ns->msg, msqid, cmd != IPC_STAT, cmd == MSG_STAT_ANY, &r);
        if (o) {
                struct msg_queue *q = queue_of(o);

                memset(&ds, 0, sizeof(ds));
                ipc_obj_export(o, &ds.msg_perm);
                ds.msg_stime = q->stime;
                ds.msg_rtime = q->rtime;
                ds.msg_ctime = q->ctime;
                ds.__msg_cbytes = q->cbytes;
                ds.msg_qnum = q->qnum;
                ds.msg_qbytes = q->qbytes;
                ds.msg_lspid = q->lspid;
                ds.msg_lrpid = q->lrpid;
        }
        pthread_mutex_unlock(&ns->msg.lock);
        if (r >= 0 && mm_copy_out(t->mm, buf, &ds, sizeof(ds)) < 0)
                r = -EFAULT;
        return r;
}

long ipc_msgctl(struct task *t, int msqid, int cmd, guest_ptr_t buf)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        struct msqid_ds ds;
        struct ipc_obj *o;
        long r;

        if (msqid < 0 || cmd < 0)
                return -EINVAL;
        switch (cmd) {
        case IPC_INFO:
        case MSG_INFO:
                return msg_info(t, ns, cmd, buf);
        case IPC_STAT:
        case MSG_STAT:
        case MSG_STAT_ANY:
                return msg_stat(t, ns, msqid, cmd, buf);
        case IPC_SET:
                if (mm_copy_in(t->mm, &ds, buf, sizeof(ds)) < 0)
                        return -EFAULT;
                break;
        case IPC_RMID:
                break;
        default:
                return -EINVAL;
        }
        pthread_mutex_lock(&ns->msg.lock);
        o = ipc_ids_find_id(&ns->msg, msqid);
        r = o ? ipc_ctl_check(t, o) : -EINVAL;
        if (r == 0 && cmd == IPC_SET) {
                struct msg_queue *q = queue_of(o);

                if (ds.msg_qbytes > IPC_MSGMNB && !ipc_capable(t, CREDS_CAP_SYS_RESOURCE)) {
                        r = -EPERM;
                } else if ((r = ipc_obj_update(o, &ds.msg_perm)) == 0) {
                        q->qbytes = ds.msg_qbytes;
                        q->ctime = ipc_now();
                        ipc_wake_all(&q->waiters, 0);   /* room, or no right any more */
                }
        } else if (r == 0) {
                queue_free(ns, queue_of(o));
        }
        pthread_mutex_unlock(&ns->msg.lock);
        return r;
}

void msg_ns_destroy(struct ipc_ns *ns)
{
        pthread_mutex_lock(&ns->msg.lock);
        for (int i = 0; i < ns->msg.nslots; i++)
                if (ns->msg.slots[i])
                        queue_free(ns, queue_of(ns->msg.slots[i]));
        pthread_mutex_unlock(&ns->msg.lock);
}
