/*
 * System V semaphores (Linux's ipc/sem.c): sets of counters, semop's atomic
 * lists of operations (applied in order and rolled back if one would block
 * or overflow), waiting with timeouts and signals (EINTR: semop is never
 * restarted), and SEM_UNDO adjustments per process, applied when its last
 * thread exits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <time.h>

#include "lib/macro.h"
#include "sentry/ipc/internal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#define SEM_UNDO_SIZE 20        /* Linux's SEMUSZ */

struct sem {
        int val;
        int pid;
};

/* One process's adjustments for one set (Linux's sem_undo), on the
 * process's list (tg->sem_undo) and on the set's. All under sem.lock. */
struct sem_undo {
        struct sem_undo *next_in_tg;
        struct sem_undo *next_in_set;
        struct sem_set *set;
        struct thread_group *tg;        /* borrowed: freed at its exit, or with the set */
        int adj[];
};

struct sem_set {
        struct ipc_obj perm;            /* first */
        int nsems;                      /* immutable */
        int64_t otime, ctime;
        struct ipc_waitlist waiters;
        struct sem_undo *undos;
        struct sem sems[];
};

static struct sem_set *set_of(struct ipc_obj *o)
{
        return container_of(o, struct sem_set, perm);
}

/* ---- semget ---------------------------------------------------------------- */

static int sem_create(struct task *t, struct ipc_ns *ns, void *arg, struct ipc_obj **ret)
{
        int nsems = *(int *)arg;
        struct sem_set *set;

        (void)t;
        if (nsems == 0)
                return -EINVAL;
        if (ns->used_sems + nsems > IPC_SEMMNS)
                return -ENOSPC;
        set = calloc(1, sizeof(*set) + (size_t)nsems * sizeof(set->sems[0]));
        if (!set)
                return -ENOMEM;
        set->nsems = nsems;
        set->ctime = ipc_now();
        ns->used_sems += nsems;
        *ret = &set->perm;
        return 0;
}

static void sem_drop(struct ipc_ns *ns, struct ipc_obj *o)
{
        ns->used_sems -= set_of(o)->nsems;
        free(set_of(o));
}

static int sem_more_checks(const struct ipc_obj *o, void *arg)
{
        return *(int *)arg > container_of(o, struct sem_set, perm)->nsems ? -EINVAL : 0;
}

static const struct ipc_get_ops sem_get_ops = {
        .create = sem_create,
        .drop = sem_drop,
        .more_checks = sem_more_checks,
};

long ipc_semget(struct task *t, int32_t key, int nsems, int flg)
{
        struct ipc_ns *ns = ipc_ns_of(t);

        if (nsems < 0 || nsems > IPC_SEMMSL)
                return -EINVAL;
        return ipc_get(t, ns, &ns->sem, key, flg, &sem_get_ops, &nsems);
}

/* Lock held: the set goes (IPC_RMID, the sandbox's end). */
static void set_free(struct ipc_ns *ns, struct sem_set *set)
{
        ipc_ids_remove(&ns->sem, &set->perm);
        ipc_wake_all(&set->waiters, -EIDRM);
        /* The processes' adjustments for it go too (freeary()). */
        for (struct sem_undo *un = set->undos, *next; un; un = next) {
                next = un->next_in_set;
                for (struct sem_undo **pp = &un->tg->sem_undo; *pp; pp = &(*pp)->next_in_tg)
                        if (*pp == un) {
                                *pp = un->next_in_tg;
                                break;
                        }
                free(un);
        }
        ns->used_sems -= set->nsems;
        free(set);
}

/* ---- Undo entries ---------------------------------------------------------- */

static void undo_unlink_from_set(struct sem_undo *un)
{
        struct sem_undo **pp;

        if (!un->set)
                return;
        for (pp = &un->set->undos; *pp; pp = &(*pp)->next_in_set)
                if (*pp == un) {
                        *pp = un->next_in_set;
                        break;
                }
        un->set = NULL;
}

/* Lock held: t's process's entry for set, made if missing. */
static int undo_find_alloc(struct task *t, struct sem_set *set, struct sem_undo **ret)
{
        struct thread_group *tg = t->tg;
        struct sem_undo *un;

        for (un = tg->sem_undo; un; un = un->next_in_tg)
                if (un->set == set) {
                        *ret = un;
                        return 0;
                }
        un = calloc(1, sizeof(*un) + (size_t)set->nsems * sizeof(un->adj[0]));
        if (!un)
                return -ENOMEM;
        un->set = set;
        un->tg = tg;
        un->next_in_tg = tg->sem_undo;
        tg->sem_undo = un;
        un->next_in_set = set->undos;
        set->undos = un;
        *ret = un;
        return 0;
}

void ipc_sem_exit(struct ipc_ns *ns, struct thread_group *tg)
{
        struct sem_undo *un;

        pthread_mutex_lock(&ns->sem.lock);
        while ((un = tg->sem_undo)) {
                struct sem_set *set = un->set;

                tg->sem_undo = un->next_in_tg;
                if (set) {
                        /* exit_sem(): clamped to [0, SEMVMX]. */
                        for (int i = 0; i < set->nsems; i++) {
                                if (!un->adj[i])
                                        continue;
                                set->sems[i].val = MIN(MAX(set->sems[i].val + un->adj[i], 0),
                                                       IPC_SEMVMX);
                                set->sems[i].pid = tg->tgid;
                        }
                        set->otime = ipc_now();
                        undo_unlink_from_set(un);
                        ipc_wake_all(&set->waiters, 0);
                }
                free(un);
        }
        pthread_mutex_unlock(&ns->sem.lock);
}

/* ---- semop ----------------------------------------------------------------- */

/* Linux's perform_atomic_semop_slow(): 0 done, 1 would block (the blocking
 * op in *ret_block), -EAGAIN (it had IPC_NOWAIT), -ERANGE. Nothing changed
 * unless 0. */
static int try_semop(struct sem_set *set, const struct sembuf *sops, unsigned nsops,
                     struct sem_undo *un, int tgid, const struct sembuf **ret_block)
{
        unsigned i;
        int r = 0;

        for (i = 0; i < nsops; i++) {
                const struct sembuf *sop = &sops[i];
                int result = set->sems[sop->sem_num].val;

                if (!sop->sem_op && result) {
                        r = 1;
                        break;
                }
                result += sop->sem_op;
                if (result < 0) {
                        r = 1;
                        break;
                }
                if (result > IPC_SEMVMX) {
                        r = -ERANGE;
                        break;
                }
                if (sop->sem_flg & SEM_UNDO) {
                        int undo = un->adj[sop->sem_num] - sop->sem_op;

                        if (undo < -IPC_SEMAEM - 1 || undo > IPC_SEMAEM) {
                                r = -ERANGE;
                                break;
                        }
                        un->adj[sop->sem_num] = undo;
                }
                set->sems[sop->sem_num].val = result;
        }
        if (r == 0) {
                for (i = 0; i < nsops; i++)
                        set->sems[sops[i].sem_num].pid = tgid;
                return 0;
        }
        if (r == 1) {
                *ret_block = &sops[i];
                if (sops[i].sem_flg & IPC_NOWAIT)
                        r = -EAGAIN;
        }
        while (i-- > 0) {
                set->sems[sops[i].sem_num].val -= sops[i].sem_op;
                if (sops[i].sem_flg & SEM_UNDO)
                        un->adj[sops[i].sem_num] += sops[i].sem_op;
        }
        return r;
}

long ipc_semtimedop(struct task *t, int semid, guest_ptr_t usops, uint64_t nsops_arg,
                    guest_ptr_t timeout)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        unsigned nsops = (unsigned)nsops_arg;
        struct timespec ts, deadline;
        const struct sembuf *block = NULL;
        struct sembuf *sops = NULL;
        struct sem_undo *un = NULL;
        bool undos = false, alter = false;
        unsigned max = 0;
        struct sem_set *set;
        struct ipc_obj *o;
        long r;

        /* The timeout is read first of all, as Linux's ksys_semtimedop(). */
        if (timeout && mm_copy_in(t->mm, &ts, timeout, sizeof(ts)) < 0)
                return -EFAULT;
        if (nsops < 1 || semid < 0)
                return -EINVAL;
        if (nsops > IPC_SEMOPM)
                return -E2BIG;
        sops = calloc(nsops, sizeof(*sops));
        if (!sops)
                return -ENOMEM;
        if (mm_copy_in(t->mm, sops, usops, nsops * sizeof(*sops)) < 0) {
                r = -EFAULT;
                goto out_free;
        }
        if (timeout) {
                if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L) {
                        r = -EINVAL;
                        goto out_free;
                }
                clock_gettime(CLOCK_MONOTONIC, &deadline);
                if (ts.tv_sec > INT32_MAX)
                        ts.tv_sec = INT32_MAX;  /* decades: as good as forever */
                deadline.tv_sec += ts.tv_sec;
                deadline.tv_nsec += ts.tv_nsec;
                if (deadline.tv_nsec >= 1000000000L) {
                        deadline.tv_sec++;
                        deadline.tv_nsec -= 1000000000L;
                }
        }
        for (unsigned i = 0; i < nsops; i++) {
                max = MAX(max, sops[i].sem_num);
                if (sops[i].sem_flg & SEM_UNDO)
                        undos = true;
                if (sops[i].sem_op)
                        alter = true;
        }

        pthread_mutex_lock(&ns->sem.lock);
        o = ipc_ids_find_id(&ns->sem, semid);
        if (!o) {
                r = -EINVAL;
                goto out_unlock;
        }
        set = set_of(o);
        for (;;) {
                struct ipc_waiter w = { 0 };

                if (max >= (unsigned)set->nsems) {
                        r = -EFBIG;
                        break;
                }
                r = ipc_perm_check(t, &set->perm, alter ? 0222 : 0444);
                if (r < 0)
                        break;
                if (undos && !un) {
                        r = undo_find_alloc(t, set, &un);
                        if (r < 0)
                                break;
                }
                task_prepare_block(t);
                r = try_semop(set, sops, nsops, un, ipc_tgid(t), &block);
                if (r == 0) {
                        set->otime = ipc_now();
                        if (alter)
                                ipc_wake_all(&set->waiters, 0);
                        break;
                }
                if (r < 0)
                        break;
                w.semnum = block->sem_num;
                w.semop = block->sem_op;
                r = ipc_wait(t, &ns->sem.lock, &set->waiters, &w, timeout ? &deadline : NULL);
                if (r == -EIDRM)
                        break;          /* set is gone */
                if (r == -EINTR)
                        break;          /* never restarted, as Linux */
                if (r == -ETIMEDOUT) {
                        r = -EAGAIN;
                        break;
                }
        }
out_unlock:
        pthread_mutex_unlock(&ns->sem.lock);
out_free:
        free(sops);
        return r;
}

/* ---- semctl ---------------------------------------------------------------- */

static long sem_info(struct task *t, struct ipc_ns *ns, int cmd, guest_ptr_t buf)
{
        struct seminfo si = {
                .semmap = IPC_SEMMNS,
                .semmni = IPC_SEMMNI,
                .semmns = IPC_SEMMNS,
                .semmnu = IPC_SEMMNS,
                .semmsl = IPC_SEMMSL,
                .semopm = IPC_SEMOPM,
                .semume = IPC_SEMOPM,
                .semusz = SEM_UNDO_SIZE,
                .semvmx = IPC_SEMVMX,
                .semaem = IPC_SEMAEM,
        };
        long r;

        pthread_mutex_lock(&ns->sem.lock);
        if (cmd == SEM_INFO) {
                si.semusz = ns->sem.in_use;
                si.semaem = ns->used_sems;
        }
        r = MAX(ipc_ids_max_idx(&ns->sem), 0);
        pthread_mutex_unlock(&ns->sem.lock);
        if (mm_copy_out(t->mm, buf, &si, sizeof(si)) < 0)
                return -EFAULT;
        return r;
}

static long sem_stat(struct task *t, struct ipc_ns *ns, int semid, int cmd, guest_ptr_t buf)
{
        struct semid_ds ds;
        struct ipc_obj *o;
        long r;

        pthread_mutex_lock(&ns->sem.lock);
        o = ipc_stat_obj(t, &ns->sem, semid, cmd != IPC_STAT, cmd == SEM_STAT_ANY, &r);
        if (o) {
                memset(&ds, 0, sizeof(ds));
                ipc_obj_export(o, &ds.sem_perm);
                ds.sem_otime = set_of(o)->otime;
                ds.sem_ctime = set_of(o)->ctime;
                ds.sem_nsems = (unsigned long)set_of(o)->nsems;
        }
        pthread_mutex_unlock(&ns->sem.lock);
        if (r >= 0 && mm_copy_out(t->mm, buf, &ds, sizeof(ds)) < 0)
                r = -EFAULT;
        return r;
}

static int count_waiters(struct sem_set *set, int semnum, bool zero)
{
        int n = 0;

        for (struct ipc_waiter *w = set->waiters.head; w; w = w->next)
                if (w->semnum == semnum && (zero ? w->semop == 0 : w->semop < 0))
                        n++;
        return n;
}

/* Lock held: SETVAL and SETALL wipe every process's adjustment there. */
static void clear_undos(struct sem_set *set, int semnum)
{
        for (struct sem_undo *un = set->undos; un; un = un->next_in_set)
                if (semnum < 0)
                        memset(un->adj, 0, (size_t)set->nsems * sizeof(un->adj[0]));
                else
                        un->adj[semnum] = 0;
}

static long sem_setval(struct task *t, struct ipc_ns *ns, int semid, int semnum, int val)
{
        struct ipc_obj *o;
        long r;

        if (val > IPC_SEMVMX || val < 0)
                return -ERANGE;
        pthread_mutex_lock(&ns->sem.lock);
        o = ipc_ids_find_id(&ns->sem, semid);
        if (!o)
                r = -EINVAL;
        else if (semnum < 0 || semnum >= set_of(o)->nsems)
                r = -EINVAL;
        else
                r = ipc_perm_check(t, o, 0222);
        if (r == 0) {
                struct sem_set *set = set_of(o);

                clear_undos(set, semnum);
                set->sems[semnum].val = val;
                set->sems[semnum].pid = ipc_tgid(t);
                set->ctime = ipc_now();
                ipc_wake_all(&set->waiters, 0);
        }
        pthread_mutex_unlock(&ns->sem.lock);
        return r;
}

static long sem_getall(struct task *t, struct ipc_ns *ns, int semid, guest_ptr_t buf)
{
        unsigned short *vals = NULL;
        struct ipc_obj *o;
        size_t n = 0;
        long r;

        pthread_mutex_lock(&ns->sem.lock);
        o = ipc_ids_find_id(&ns->sem, semid);
        r = o ? ipc_perm_check(t, o, 0444) : -EINVAL;
        if (r == 0) {
                n = (size_t)set_of(o)->nsems;
                vals = calloc(n, sizeof(*vals));
                if (!vals)
                        r = -ENOMEM;
                for (size_t i = 0; vals && i < n; i++)
                        vals[i] = (unsigned short)set_of(o)->sems[i].val;
        }
        pthread_mutex_unlock(&ns->sem.lock);
        if (r == 0 && mm_copy_out(t->mm, buf, vals, n * sizeof(*vals)) < 0)
                r = -EFAULT;
        free(vals);
        return r;
}

static long sem_setall(struct task *t, struct ipc_ns *ns, int semid, guest_ptr_t buf)
{
        unsigned short *vals = NULL;
        struct ipc_obj *o;
        struct sem_set *set;
        int nsems;
        long r;

        pthread_mutex_lock(&ns->sem.lock);
        o = ipc_ids_find_id(&ns->sem, semid);
        r = o ? ipc_perm_check(t, o, 0222) : -EINVAL;
        nsems = o ? set_of(o)->nsems : 0;
        pthread_mutex_unlock(&ns->sem.lock);
        if (r < 0)
                return r;
        vals = calloc((size_t)nsems, sizeof(*vals));
        if (!vals)
                return -ENOMEM;
        if (mm_copy_in(t->mm, vals, buf, (size_t)nsems * sizeof(*vals)) < 0) {
                free(vals);
                return -EFAULT;
        }
        for (int i = 0; i < nsems; i++)
                if (vals[i] > IPC_SEMVMX) {
                        free(vals);
                        return -ERANGE;
                }
        pthread_mutex_lock(&ns->sem.lock);
        o = ipc_ids_find_id(&ns->sem, semid);
        if (!o || set_of(o)->nsems != nsems) {
                r = -EIDRM;     /* removed meanwhile */
        } else {
                set = set_of(o);
                clear_undos(set, -1);
                for (int i = 0; i < nsems; i++) {
                        set->sems[i].val = vals[i];
                        set->sems[i].pid = ipc_tgid(t);
                }
                set->ctime = ipc_now();
                ipc_wake_all(&set->waiters, 0);
        }
        pthread_mutex_unlock(&ns->sem.lock);
        free(vals);
        return r;
}

static long sem_get(struct task *t, struct ipc_ns *ns, int semid, int semnum, int cmd)
{
        struct sem_set *set;
        struct ipc_obj *o;
        long r;

        pthread_mutex_lock(&ns->sem.lock);
        o = ipc_ids_find_id(&ns->sem, semid);
        r = o ? ipc_perm_check(t, o, 0444) : -EINVAL;
        if (r == 0 && (semnum < 0 || semnum >= set_of(o)->nsems))
                r = -EINVAL;
        if (r == 0) {
                set = set_of(o);
                switch (cmd) {
                case GETVAL:
                        r = set->sems[semnum].val;
                        break;
                case GETPID:
                        r = set->sems[semnum].pid;
                        break;
                case GETNCNT:
                        r = count_waiters(set, semnum, false);
                        break;
                default:
                        r = count_waiters(set, semnum, true);
                        break;
                }
        }
        pthread_mutex_unlock(&ns->sem.lock);
        return r;
}

long ipc_semctl(struct task *t, int semid, int semnum, int cmd, uint64_t arg)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        struct semid_ds ds;
        struct ipc_obj *o;
        long r;

        if (semid < 0)
                return -EINVAL;
        switch (cmd) {
        case IPC_INFO:
        case SEM_INFO:
                return sem_info(t, ns, cmd, arg);
        case IPC_STAT:
        case SEM_STAT:
        case SEM_STAT_ANY:
                return sem_stat(t, ns, semid, cmd, arg);
        case GETVAL:
        case GETPID:
        case GETNCNT:
        case GETZCNT:
                return sem_get(t, ns, semid, semnum, cmd);
        case GETALL:
                return sem_getall(t, ns, semid, arg);
        case SETALL:
                return sem_setall(t, ns, semid, arg);
        case SETVAL:
                return sem_setval(t, ns, semid, semnum, (int)arg);
        case IPC_SET:
                if (mm_copy_in(t->mm, &ds, arg, sizeof(ds)) < 0)
                        return -EFAULT;
                break;
        case IPC_RMID:
                break;
        default:
                return -EINVAL;
        }
        pthread_mutex_lock(&ns->sem.lock);
        o = ipc_ids_find_id(&ns->sem, semid);
        r = o ? ipc_ctl_check(t, o) : -EINVAL;
        if (r == 0 && cmd == IPC_SET) {
                r = ipc_obj_update(o, &ds.sem_perm);
                if (r == 0)
                        set_of(o)->ctime = ipc_now();
        } else if (r == 0) {
                set_free(ns, set_of(o));
        }
        pthread_mutex_unlock(&ns->sem.lock);
        return r;
}

void sem_ns_destroy(struct ipc_ns *ns)
{
        pthread_mutex_lock(&ns->sem.lock);
        for (int i = 0; i < ns->sem.nslots; i++)
                if (ns->sem.slots[i])
                        set_free(ns, set_of(ns->sem.slots[i]));
        pthread_mutex_unlock(&ns->sem.lock);
}
