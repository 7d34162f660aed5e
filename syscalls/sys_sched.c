/* Scheduling: nice values, policies and priorities, CPU affinity, yield,
 * getcpu. The sentry keeps them per task (sentry/kernel/sched.h); the host
 * schedules the sentry and stub threads as the platform places them. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/macro.h"
#include "sentry/kernel/sched.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_EXT
#define SCHED_EXT 7             /* known to the priority ranges even without sched_ext */
#endif

/* find_process_by_pid(): 0 is the caller; a new reference or NULL. */
static struct task *find_task(struct task *t, int pid)
{
        if (pid == 0)
                return task_ref(t);
        if (pid < 0)
                return NULL;
        return kernel_find_task(t->kernel, pid);
}

long sys_sched_yield(struct task *t, const struct syscall_args *a)
{
        (void)t;
        (void)a;
        sched_yield();
        return 0;
}

/* ---- Nice values ---------------------------------------------------------- */

/* The tasks getpriority/setpriority name: new references in *ret. */
static int prio_targets(struct task *t, int which, int who, struct task ***ret, int *ret_n)
{
        struct kernel *k = t->kernel;
        struct task **v = NULL;
        int n = 0, cap = 0, pgid = 0, r = 0;
        uint32_t uid = 0;

        if (which < PRIO_PROCESS || which > PRIO_USER)
                return -EINVAL;
        if (which == PRIO_USER)
                uid = who ? (uint32_t)who : t->creds.ruid;
        pthread_mutex_lock(&k->lock);
        if (which == PRIO_PGRP)
                pgid = who ? who : t->tg->pgid;
        for (int i = 1; i < KERNEL_PID_MAX; i++) {
                struct task *p = k->tasks[i];
                bool match;

                if (!p)
                        continue;
                if (which == PRIO_PROCESS) {
                        match = who ? i == who : p == t;
                } else if (which == PRIO_PGRP) {
                        match = p->tg->pgid == pgid;
                } else {
                        pthread_mutex_lock(&p->creds_lock);
                        match = p->creds.ruid == uid;
                        pthread_mutex_unlock(&p->creds_lock);
                }
                if (!match)
                        continue;
                if (n == cap) {
                        struct task **nv = realloc(v, sizeof(*v) * (size_t)(cap = cap ? cap * 2 : 8));

                        if (!nv) {
                                r = -ENOMEM;
                                break;
                        }
                        v = nv;
                }
                v[n++] = task_ref(p);
        }
        pthread_mutex_unlock(&k->lock);
        if (r < 0) {
                while (n)
                        task_unref(v[--n]);
                free(v);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static void put_targets(struct task **v, int n)
{
        for (int i = 0; i < n; i++)
                task_unref(v[i]);
        free(v);
}

long sys_getpriority(struct task *t, const struct syscall_args *a)
{
        struct task **v;
        long best = -ESRCH;
        int n, r = prio_targets(t, (int)a->a[0], (int)a->a[1], &v, &n);

        if (r < 0)
                return r;
        /* The highest priority among them, as 20 - nice (1..40). */
        for (int i = 0; i < n; i++)
                best = MAX(best, (long)(20 - task_sched_nice(v[i])));
        put_targets(v, n);
        return best;
}

long sys_setpriority(struct task *t, const struct syscall_args *a)
{
        int nice = (int)a->a[2], n, err = -ESRCH;
        struct task **v;
        int r = prio_targets(t, (int)a->a[0], (int)a->a[1], &v, &n);

        if (r < 0)
                return r;
        nice = MIN(MAX(nice, SCHED_NICE_MIN), SCHED_NICE_MAX);
        /* Every target is tried; set_one_prio()'s error handling. */
        for (int i = 0; i < n; i++) {
                r = task_sched_set_nice(t, v[i], nice);
                if (r < 0)
                        err = r;
                else if (err == -ESRCH)
                        err = 0;
        }
        put_targets(v, n);
        return err;
}

/* ---- Policies ------------------------------------------------------------- */

static long set_scheduler(struct task *t, int pid, int policy, guest_ptr_t uparam)
{
        struct task *p;
        int prio, r;

        if (!uparam || pid < 0)
                return -EINVAL;
        r = mm_copy_in(t->mm, &prio, uparam, sizeof(prio));
        if (r < 0)
                return r;
        p = find_task(t, pid);
        if (!p)
                return -ESRCH;
        /* The priority is unsigned in sched_attr: a negative one is too big. */
        r = task_sched_set_policy(t, p, policy, (unsigned)prio);
        task_unref(p);
        return r;
}

long sys_sched_setscheduler(struct task *t, const struct syscall_args *a)
{
        if ((int)a->a[1] < 0)
                return -EINVAL;
        return set_scheduler(t, (int)a->a[0], (int)a->a[1], a->a[2]);
}

long sys_sched_setparam(struct task *t, const struct syscall_args *a)
{
        return set_scheduler(t, (int)a->a[0], -1, a->a[1]);
}

long sys_sched_getscheduler(struct task *t, const struct syscall_args *a)
{
        struct task_sched s;
        struct task *p;

        if ((int)a->a[0] < 0)
                return -EINVAL;
        p = find_task(t, (int)a->a[0]);
        if (!p)
                return -ESRCH;
        task_sched_get(p, &s);
        task_unref(p);
        return s.policy | (s.reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

long sys_sched_getparam(struct task *t, const struct syscall_args *a)
{
        struct task_sched s;
        struct task *p;
        int prio;

        if (!a->a[1] || (int)a->a[0] < 0)
                return -EINVAL;
        p = find_task(t, (int)a->a[0]);
        if (!p)
                return -ESRCH;
        task_sched_get(p, &s);
        task_unref(p);
        prio = (int)s.rt_priority;
        return mm_copy_out(t->mm, a->a[1], &prio, sizeof(prio));
}

long sys_sched_get_priority_max(struct task *t, const struct syscall_args *a)
{
        (void)t;
        switch ((int)a->a[0]) {
        case SCHED_FIFO:
        case SCHED_RR:
                return SCHED_RT_PRIO_MAX;
        case SCHED_OTHER:
        case SCHED_BATCH:
        case SCHED_IDLE:
        case SCHED_DEADLINE:
        case SCHED_EXT:
                return 0;
        default:
                return -EINVAL;
        }
}

long sys_sched_get_priority_min(struct task *t, const struct syscall_args *a)
{
        (void)t;
        switch ((int)a->a[0]) {
        case SCHED_FIFO:
        case SCHED_RR:
                return 1;
        case SCHED_OTHER:
        case SCHED_BATCH:
        case SCHED_IDLE:
        case SCHED_DEADLINE:
        case SCHED_EXT:
                return 0;
        default:
                return -EINVAL;
        }
}

long sys_sched_rr_get_interval(struct task *t, const struct syscall_args *a)
{
        struct task_sched s;
        struct timespec ts = { 0, 0 };
        struct task *p;

        if ((int)a->a[0] < 0)
                return -EINVAL;
        p = find_task(t, (int)a->a[0]);
        if (!p)
                return -ESRCH;
        task_sched_get(p, &s);
        task_unref(p);
        if (s.policy == SCHED_RR)
                ts.tv_nsec = 100000000;         /* RR_TIMESLICE: 100 ms */
        else if (s.policy != SCHED_FIFO && sched_rr_get_interval(0, &ts) < 0)
                ts = (struct timespec){ 0, 0 };  /* the host's fair slice, as it rounds it */
        return mm_copy_out(t->mm, a->a[1], &ts, sizeof(ts));
}

/* ---- CPUs ----------------------------------------------------------------- */

/* cpumask_size(): enough longs for nr_cpu_ids bits. */
static size_t cpumask_bytes(struct kernel *k)
{
        return MIN(((size_t)k->nr_cpu_ids + 63) / 64 * 8, sizeof(cpu_set_t));
}

long sys_sched_getaffinity(struct task *t, const struct syscall_args *a)
{
        size_t len = (unsigned)a->a[1], size;
        struct task_sched s;
        struct task *p;

        if (len * 8 < t->kernel->nr_cpu_ids || (len & (sizeof(long) - 1)))
                return -EINVAL;
        p = find_task(t, (int)a->a[0]);
        if (!p)
                return -ESRCH;
        task_sched_get(p, &s);
        task_unref(p);
        size = MIN(len, cpumask_bytes(t->kernel));
        if (mm_copy_out(t->mm, a->a[2], &s.affinity, size) < 0)
                return -EFAULT;
        return (long)size;
}

long sys_sched_setaffinity(struct task *t, const struct syscall_args *a)
{
        size_t len = (unsigned)a->a[1];
        struct task *p;
        cpu_set_t set;
        int r;

        /* get_user_cpu_mask(): a short mask is zero-extended, a long one cut. */
        CPU_ZERO(&set);
        len = MIN(len, cpumask_bytes(t->kernel));
        r = mm_copy_in(t->mm, &set, a->a[2], len);
        if (r < 0)
                return r;
        p = find_task(t, (int)a->a[0]);
        if (!p)
                return -ESRCH;
        r = task_sched_set_affinity(t, p, &set);
        task_unref(p);
        return r;
}

long sys_getcpu(struct task *t, const struct syscall_args *a)
{
        struct task_sched s;
        int cpu = sched_getcpu(), node = 0, err = 0;

        /* The sentry thread's CPU, unless the guest's mask excludes it (the
         * platform places the threads; the mask is bookkeeping). */
        task_sched_get(t, &s);
        if (cpu < 0 || !CPU_ISSET(cpu, &s.affinity))
                for (cpu = 0; cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &s.affinity); cpu++)
                        ;
        if (a->a[0] && mm_copy_out(t->mm, a->a[0], &cpu, sizeof(cpu)) < 0)
                err = -EFAULT;
        if (a->a[1] && mm_copy_out(t->mm, a->a[1], &node, sizeof(node)) < 0)
                err = -EFAULT;
        return err;
}
