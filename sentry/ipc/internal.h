/*
 * sentry/ipc internals: the id table every kind shares (ipc_ids.c, Linux's
 * ipc/util.c), permission checks and the namespace.
 *
 * Locking: one lock per kind (ids->lock) protects its table and every
 * object of that kind (a sandbox's IPC is not where it spends its time).
 */
#ifndef CONTERNEL_SENTRY_IPC_INTERNAL_H
#define CONTERNEL_SENTRY_IPC_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>

#include "sentry/ipc/ipc.h"

/* Ids: seq << IPC_MNI_SHIFT | idx, as Linux without ipcmni_extend. */
#define IPC_MNI_SHIFT 15
#define IPC_MNI (1 << IPC_MNI_SHIFT)
#define IPC_SEQ_MAX (INT32_MAX >> IPC_MNI_SHIFT)
#define IPC_MIN_CYCLE 64        /* Linux's ipc_min_cycle (RADIX_TREE_MAP_SIZE) */

/* What every IPC object has (Linux's kern_ipc_perm). Embedded first. */
struct ipc_obj {
        int id;                         /* immutable once added */
        int32_t key;                    /* IPC_PRIVATE once removed */
        uint32_t uid, gid, cuid, cgid;
        unsigned mode;                  /* 0777 bits and the kind's flags (SHM_DEST...) */
        unsigned seq;                   /* immutable once added */
        bool deleted;                   /* removed from its table */
};

/* One kind's table: index → object, a cyclic index allocator and a sequence
 * that changes when the index wraps, so a stale id does not name a new
 * object. All under lock. */
struct ipc_ids {
        pthread_mutex_t lock;
        struct ipc_obj **slots;         /* nslots entries, grown on demand */
        int nslots;
        int in_use;
        int last_idx;                   /* -1 before the first */
        unsigned seq;
        int mni;                        /* most objects at once (SHMMNI...) */
};

void ipc_ids_init(struct ipc_ids *ids, int mni);
/* Frees the table only; the caller frees the objects first. */
void ipc_ids_destroy(struct ipc_ids *ids);
/* Give o an index and an id. -ENOSPC at mni objects, -ENOMEM. */
int ipc_ids_add(struct ipc_ids *ids, struct ipc_obj *o);
/* Take o out of the table (o->deleted set); its id names nothing now. */
void ipc_ids_remove(struct ipc_ids *ids, struct ipc_obj *o);
/* The object an id names (index and sequence), or NULL (Linux: EINVAL). */
struct ipc_obj *ipc_ids_find_id(const struct ipc_ids *ids, int id);
/* The object at an index (*_STAT), or NULL. */
struct ipc_obj *ipc_ids_find_idx(const struct ipc_ids *ids, int idx);
/* The object with that key (not IPC_PRIVATE), or NULL. */
struct ipc_obj *ipc_ids_find_key(const struct ipc_ids *ids, int32_t key);
/* The highest index in use, -1 if none. */
int ipc_ids_max_idx(const struct ipc_ids *ids);

/* Linux's limits (ipc/util.h, include/uapi/linux/{shm,sem,msg}.h). */
#define IPC_SHMMAX (UINT64_MAX - (1ULL << 24))
#define IPC_SHMMIN 1
#define IPC_SHMMNI 4096
#define IPC_SHMALL (UINT64_MAX - (1ULL << 24))  /* pages */
#define IPC_SEMMSL 32000
#define IPC_SEMMNI 32000
#define IPC_SEMMNS (IPC_SEMMNI * IPC_SEMMSL)
#define IPC_SEMOPM 500
#define IPC_SEMVMX 32767
#define IPC_SEMAEM IPC_SEMVMX
#define IPC_MSGMNI 32000
#define IPC_MSGMAX 8192
#define IPC_MSGMNB 16384
#define IPC_MSGPOOL (IPC_MSGMNI * IPC_MSGMNB / 1024)
#define IPC_MSGSSZ 16
#define IPC_MSGSEG 0xffff

struct ipc_ns {
        struct memfile *mf;             /* immutable */
        struct ipc_ids shm, sem, msg;
        uint64_t shm_tot;               /* protected by shm.lock: pages of all segments */
        int used_sems;                  /* protected by sem.lock */
        uint64_t msg_bytes, msg_hdrs;   /* protected by msg.lock: queued bytes, messages */
        /* POSIX message queues (mqueue.c) */
        pthread_mutex_t mq_lock;
        struct mqueue *mq_named;        /* protected by mq_lock: queues with a name */
        int mq_count;                   /* protected by mq_lock: queues alive */
        struct mq_user *mq_users;       /* protected by mq_lock: RLIMIT_MSGQUEUE charges */
};

/* The calling task's namespace. */
struct ipc_ns *ipc_ns_of(struct task *t);

/* Linux's ipcperms(): flg's 0777 bits asked of o with t's credentials
 * (euid against owner and creator, then groups), CAP_IPC_OWNER overrides.
 * 0 or -EACCES. */
int ipc_perm_check(struct task *t, const struct ipc_obj *o, int flg);
/* The object an IPC_STAT, or a SHM/SEM/MSG_STAT(_ANY), names (ids->lock held): by
 * id for IPC_STAT, else by index (the call's result is then the object's
 * id, in *ret; 0 for IPC_STAT); read permission checked unless any. NULL
 * with *ret = -EINVAL (no such object) or -EACCES. */
struct ipc_obj *ipc_stat_obj(struct task *t, const struct ipc_ids *ids, int id, bool by_index,
                             bool any, long *ret);
/* IPC_SET and IPC_RMID: t is the owner or creator, or has CAP_SYS_ADMIN.
 * 0 or -EPERM. */
int ipc_ctl_check(struct task *t, const struct ipc_obj *o);
/* Whether t has cap in its effective set. */
bool ipc_capable(struct task *t, int cap);
/* A new object's ids and mode: t's euid/egid as owner and creator. */
void ipc_obj_init(struct task *t, struct ipc_obj *o, int32_t key, int flg);
void ipc_obj_export(const struct ipc_obj *o, struct ipc_perm *ret);
/* IPC_SET: owner and the 0777 bits. -EINVAL for an id of -1 (unmapped). */
int ipc_obj_update(struct ipc_obj *o, const struct ipc_perm *in);
int ipc_tgid(struct task *t);
int64_t ipc_now(void);

/* Linux's ipcget(): find key or make the object. create() runs with
 * ids->lock held and returns a new object (not yet in the table); drop()
 * frees one that could not be added; more_checks() is for an existing
 * object (-EINVAL when it is too small). Returns the id or -errno. */
struct ipc_get_ops {
        int (*create)(struct task *t, struct ipc_ns *ns, void *arg, struct ipc_obj **ret);
        void (*drop)(struct ipc_ns *ns, struct ipc_obj *o);
        int (*more_checks)(const struct ipc_obj *o, void *arg);
};
long ipc_get(struct task *t, struct ipc_ns *ns, struct ipc_ids *ids, int32_t key, int flg,
             const struct ipc_get_ops *ops, void *arg);

/* Tasks waiting on one object (ipc_wait.c), under the kind's lock. Wakers
 * wake them all; each re-checks its own condition. */
struct ipc_waiter {
        struct ipc_waiter *next, *prev;
        struct task *task;              /* borrowed: the waiter is on its stack */
        int status;                     /* 0, or -EIDRM once the object is gone */
        bool queued;
        /* semop: the operation that blocks (GETNCNT, GETZCNT) */
        unsigned short semnum;
        short semop;
};

struct ipc_waitlist {
        struct ipc_waiter *head;
};

/* Wait on l, with lock (the kind's, held) dropped while asleep: call
 * task_prepare_block(t) before checking the condition, then this.
 * 0 when woken (check again), -EIDRM if the object went (it is freed: do
 * not touch it), -EINTR for a signal, -ETIMEDOUT at deadline (absolute
 * CLOCK_MONOTONIC, NULL for none). */
int ipc_wait(struct task *t, pthread_mutex_t *lock, struct ipc_waitlist *l,
             struct ipc_waiter *w, const struct timespec *deadline);
/* Lock held: wake every waiter; with status (-EIDRM) they are told the
 * object went and taken off the list. */
void ipc_wake_all(struct ipc_waitlist *l, int status);

/* Tear-down of each kind (ipc_ns_destroy). */
void shm_ns_destroy(struct ipc_ns *ns);
void sem_ns_destroy(struct ipc_ns *ns);
void msg_ns_destroy(struct ipc_ns *ns);
void mq_ns_destroy(struct ipc_ns *ns);

#endif
