/*
 * Scheduling attributes of a task, as the guest sees them: nice value,
 * policy and real-time priority, CPU affinity. The sentry keeps them as
 * bookkeeping with Linux's rules for who may change what; the host
 * schedules the sentry and stub threads as the platform places them (a
 * guest's SCHED_FIFO does not make its stub thread real-time on the host).
 *
 * struct task_sched has its own lock, a leaf.
 */
#ifndef CONTERNEL_SENTRY_SCHED_H
#define CONTERNEL_SENTRY_SCHED_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

struct kernel;
struct task;

#define SCHED_NICE_MIN (-20)
#define SCHED_NICE_MAX 19
#define SCHED_RT_PRIO_MAX 99            /* MAX_RT_PRIO - 1 */
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

struct task_sched {
        pthread_mutex_t lock;
        /* protected by lock: */
        int nice;
        int policy;                     /* SCHED_OTHER, _BATCH, _IDLE, _FIFO, _RR */
        unsigned rt_priority;           /* 1..99 for FIFO and RR, else 0 */
        bool reset_on_fork;
        cpu_set_t affinity;             /* within the sandbox's CPUs, never empty */
};

/* Init's: nice 0, SCHED_OTHER, every CPU of the sandbox. */
void task_sched_init(struct task_sched *s, const cpu_set_t *cpus);
/* A child's, from its parent's (SCHED_RESET_ON_FORK applied). */
void task_sched_fork(struct task_sched *child, struct task_sched *parent);
void task_sched_destroy(struct task_sched *s);

/* setpriority's rule for one task (set_one_prio): caller t, target p.
 * -EPERM (not the owner, no CAP_SYS_NICE), -EACCES (lowering nice past
 * RLIMIT_NICE without CAP_SYS_NICE). nice is clamped already. */
int task_sched_set_nice(struct task *t, struct task *p, int nice);
int task_sched_nice(struct task *p);
/* sched_setscheduler/sched_setparam: policy -1 keeps the policy (setparam).
 * Linux's checks: -EINVAL, -EPERM. */
int task_sched_set_policy(struct task *t, struct task *p, int policy, unsigned priority);
void task_sched_get(struct task *p, struct task_sched *ret); /* a snapshot; ret->lock unused */
/* sched_setaffinity: mask is cut to the sandbox's CPUs; -EINVAL if nothing
 * is left, -EPERM for another owner's task without CAP_SYS_NICE. */
int task_sched_set_affinity(struct task *t, struct task *p, const cpu_set_t *mask);

#endif
