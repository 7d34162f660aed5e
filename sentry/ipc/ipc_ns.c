/*
 * The sandbox's IPC namespace and what the three kinds share: permission
 * checks with the guest's credentials and the key lookup of *get() (Linux's
 * ipc/util.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "sentry/ipc/internal.h"
#include "sentry/kernel/creds.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

#define CAP_IPC_OWNER 15

int ipc_ns_create(struct memfile *mf, struct ipc_ns **ret)
{
        struct ipc_ns *ns = calloc(1, sizeof(*ns));

        if (!ns)
                return -ENOMEM;
        ns->mf = mf;
        ipc_ids_init(&ns->shm, IPC_SHMMNI);
        ipc_ids_init(&ns->sem, IPC_SEMMNI);
        ipc_ids_init(&ns->msg, IPC_MSGMNI);
        pthread_mutex_init(&ns->mq_lock, NULL);
        *ret = ns;
        return 0;
}

void ipc_ns_release_memory(struct ipc_ns *ns)
{
        if (ns)
                shm_ns_destroy(ns);
}

void ipc_ns_destroy(struct ipc_ns *ns)
{
        if (!ns)
                return;
        shm_ns_destroy(ns);
        sem_ns_destroy(ns);
        msg_ns_destroy(ns);
        mq_ns_destroy(ns);
        ipc_ids_destroy(&ns->shm);
        ipc_ids_destroy(&ns->sem);
        ipc_ids_destroy(&ns->msg);
        pthread_mutex_destroy(&ns->mq_lock);
        free(ns);
}

struct ipc_ns *ipc_ns_of(struct task *t)
{
        return t->kernel->ipc;
}

bool ipc_capable(struct task *t, int cap)
{
        return creds_has_cap(&t->creds, cap);
}

struct ipc_obj *ipc_stat_obj(struct task *t, const struct ipc_ids *ids, int id, bool by_index,
                             bool any, long *ret)
{
        struct ipc_obj *o = by_index ? ipc_ids_find_idx(ids, id) : ipc_ids_find_id(ids, id);

        if (!o) {
                *ret = -EINVAL;
                return NULL;
        }
        if (!any && ipc_perm_check(t, o, 0444) < 0) {
                *ret = -EACCES;
                return NULL;
        }
        *ret = by_index ? o->id : 0;
        return o;
}

int ipc_perm_check(struct task *t, const struct ipc_obj *o, int flg)
{
        const struct creds *c = &t->creds;
        unsigned requested = (unsigned)((flg >> 6) | (flg >> 3) | flg);
        unsigned granted = o->mode;

        if (c->euid == o->cuid || c->euid == o->uid)
                granted >>= 6;
        else if (creds_in_group(c, o->cgid) || creds_in_group(c, o->gid))
                granted >>= 3;
        if ((requested & ~granted & 0007) && !ipc_capable(t, CAP_IPC_OWNER))
                return -EACCES;
        return 0;
}

int ipc_ctl_check(struct task *t, const struct ipc_obj *o)
{
        const struct creds *c = &t->creds;

        if (c->euid == o->cuid || c->euid == o->uid || ipc_capable(t, CREDS_CAP_SYS_ADMIN))
                return 0;
        return -EPERM;
}

void ipc_obj_init(struct task *t, struct ipc_obj *o, int32_t key, int flg)
{
        o->key = key;
        o->uid = o->cuid = t->creds.euid;
        o->gid = o->cgid = t->creds.egid;
        o->mode = (unsigned)flg & 0777;
}

void ipc_obj_export(const struct ipc_obj *o, struct ipc_perm *p)
{
        *p = (struct ipc_perm){
                .__key = o->key,
                .uid = o->uid,
                .gid = o->gid,
                .cuid = o->cuid,
                .cgid = o->cgid,
                .mode = (unsigned short)o->mode,
                .__seq = (unsigned short)o->seq,
        };
}

int ipc_obj_update(struct ipc_obj *o, const struct ipc_perm *in)
{
        if (in->uid == (uid_t)-1 || in->gid == (gid_t)-1)
                return -EINVAL;
        o->uid = in->uid;
        o->gid = in->gid;
        o->mode = (o->mode & ~0777u) | (in->mode & 0777u);
        return 0;
}

int ipc_tgid(struct task *t)
{
        return t->tg->tgid;
}

int64_t ipc_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return ts.tv_sec;
}

long ipc_get(struct task *t, struct ipc_ns *ns, struct ipc_ids *ids, int32_t key, int flg,
             const struct ipc_get_ops *ops, void *arg)
{
        struct ipc_obj *o;
        long r;

        pthread_mutex_lock(&ids->lock);
        o = ipc_ids_find_key(ids, key);
        if (!o) {
                if (key != IPC_PRIVATE && !(flg & IPC_CREAT)) {
                        r = -ENOENT;
                        goto out;
                }
                r = ops->create(t, ns, arg, &o);
                if (r < 0)
                        goto out;
                ipc_obj_init(t, o, key, flg);
                r = ipc_ids_add(ids, o);
                if (r < 0) {
                        ops->drop(ns, o);
                        goto out;
                }
                r = o->id;
                goto out;
        }
        if ((flg & IPC_CREAT) && (flg & IPC_EXCL)) {
                r = -EEXIST;
                goto out;
        }
        r = ops->more_checks ? ops->more_checks(o, arg) : 0;
        if (r == 0)
                r = ipc_perm_check(t, o, flg);
        if (r == 0)
                r = o->id;
out:
        pthread_mutex_unlock(&ids->lock);
        return r;
}
