/* Scheduling attributes and Linux's permission rules for them
 * (kernel/sys.c set_one_prio, kernel/sched/syscalls.c). */
#include "sentry/kernel/sched.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "sentry/kernel/creds.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

void task_sched_init(struct task_sched *s, const cpu_set_t *cpus)
{
        memset(s, 0, sizeof(*s));
        pthread_mutex_init(&s->lock, NULL);
        s->policy = SCHED_OTHER;
        s->affinity = *cpus;
}

void task_sched_fork(struct task_sched *child, struct task_sched *parent)
{
        pthread_mutex_lock(&parent->lock);
        child->nice = parent->nice;
        child->policy = parent->policy;
        child->rt_priority = parent->rt_priority;
        child->affinity = parent->affinity;
        if (parent->reset_on_fork) {
                if (child->policy == SCHED_FIFO || child->policy == SCHED_RR) {
                        child->policy = SCHED_OTHER;
                        child->rt_priority = 0;
                }
                if (child->nice < 0)
                        child->nice = 0;
        }
        child->reset_on_fork = false;
        pthread_mutex_unlock(&parent->lock);
}

void task_sched_destroy(struct task_sched *s)
{
        pthread_mutex_destroy(&s->lock);
}

static uint64_t rlimit_cur(struct task *p, int res)
{
        uint64_t v;

        pthread_mutex_lock(&p->tg->lock);
        v = p->tg->rlimits[res].rlim_cur;
        pthread_mutex_unlock(&p->tg->lock);
        return v;
}

/* nice_to_rlimit(): RLIMIT_NICE's scale, 1 (nice 19) to 40 (nice -20). */
static uint64_t nice_to_rlimit(int nice)
{
        return (uint64_t)(SCHED_NICE_MAX - nice + 1);
}

/* p's real and effective uid. */
static void target_uids(struct task *p, uint32_t *ruid, uint32_t *euid)
{
        pthread_mutex_lock(&p->creds_lock);
        *ruid = p->creds.ruid;
        *euid = p->creds.euid;
        pthread_mutex_unlock(&p->creds_lock);
}

int task_sched_nice(struct task *p)
{
        int n;

        pthread_mutex_lock(&p->sched.lock);
        n = p->sched.nice;
        pthread_mutex_unlock(&p->sched.lock);
        return n;
}

int task_sched_set_nice(struct task *t, struct task *p, int nice)
{
        uint32_t ruid, euid;

        target_uids(p, &ruid, &euid);
        /* set_one_prio_perm() */
        if (ruid != t->creds.euid && euid != t->creds.euid && !task_has_cap(t, CREDS_CAP_SYS_NICE))
                return -EPERM;
        /* can_nice() */
        if (nice < task_sched_nice(p) && nice_to_rlimit(nice) > rlimit_cur(p, RLIMIT_NICE) &&
            !task_has_cap(t, CREDS_CAP_SYS_NICE))
                return -EACCES;
        pthread_mutex_lock(&p->sched.lock);
        p->sched.nice = nice;
        pthread_mutex_unlock(&p->sched.lock);
        return 0;
}

static bool rt_policy(int policy)
{
        return policy == SCHED_FIFO || policy == SCHED_RR;
}

int task_sched_set_policy(struct task *t, struct task *p, int policy, unsigned priority)
{
        bool reset_on_fork, priv = task_has_cap(t, CREDS_CAP_SYS_NICE), need_priv = false;
        struct task_sched cur;
        uint32_t ruid, euid;

        task_sched_get(p, &cur);
        if (policy < 0) {
                reset_on_fork = cur.reset_on_fork;
                policy = cur.policy;
        } else {
                reset_on_fork = policy & SCHED_RESET_ON_FORK;
                policy &= ~SCHED_RESET_ON_FORK;
                if (policy != SCHED_OTHER && policy != SCHED_BATCH && policy != SCHED_IDLE &&
                    !rt_policy(policy) && policy != 6 /* SCHED_DEADLINE */)
                        return -EINVAL;
        }
        if (priority > SCHED_RT_PRIO_MAX)
                return -EINVAL;
        /* SCHED_DEADLINE needs sched_setattr's parameters: all zero here. */
        if (policy == 6 || rt_policy(policy) != (priority != 0))
                return -EINVAL;

        /* user_check_sched_setscheduler() */
        if (rt_policy(policy)) {
                uint64_t rlim = rlimit_cur(p, RLIMIT_RTPRIO);

                if (policy != cur.policy && !rlim)
                        need_priv = true;
                if (priority > cur.rt_priority && priority > rlim)
                        need_priv = true;
        }
        if (cur.policy == SCHED_IDLE && policy != SCHED_IDLE &&
            nice_to_rlimit(cur.nice) > rlimit_cur(p, RLIMIT_NICE))
                need_priv = true;
        target_uids(p, &ruid, &euid);
        if (t->creds.euid != euid && t->creds.euid != ruid)
                need_priv = true;
        if (cur.reset_on_fork && !reset_on_fork)
                need_priv = true;
        if (need_priv && !priv)
                return -EPERM;

        pthread_mutex_lock(&p->sched.lock);
        p->sched.policy = policy;
        p->sched.rt_priority = priority;
        p->sched.reset_on_fork = reset_on_fork;
        pthread_mutex_unlock(&p->sched.lock);
        return 0;
}

void task_sched_get(struct task *p, struct task_sched *ret)
{
        pthread_mutex_lock(&p->sched.lock);
        ret->nice = p->sched.nice;
        ret->policy = p->sched.policy;
        ret->rt_priority = p->sched.rt_priority;
        ret->reset_on_fork = p->sched.reset_on_fork;
        ret->affinity = p->sched.affinity;
        pthread_mutex_unlock(&p->sched.lock);
}

int task_sched_set_affinity(struct task *t, struct task *p, const cpu_set_t *mask)
{
        uint32_t ruid, euid;
        cpu_set_t set;

        target_uids(p, &ruid, &euid);
        if (t->creds.euid != euid && t->creds.euid != ruid && !task_has_cap(t, CREDS_CAP_SYS_NICE))
                return -EPERM;
        CPU_AND(&set, mask, &t->kernel->cpus);
        if (CPU_COUNT(&set) == 0)
                return -EINVAL;
        pthread_mutex_lock(&p->sched.lock);
        p->sched.affinity = set;
        pthread_mutex_unlock(&p->sched.lock);
        return 0;
}
