/* Resource usage: what the host accounted to the stubs, per thread and per
 * process, and what reaped children leave to their parent. */
#include "sentry/kernel/rusage.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

void task_usage_add(struct task_usage *acc, const struct task_usage *u)
{
        acc->utime_ns += u->utime_ns;
        acc->stime_ns += u->stime_ns;
        acc->minflt += u->minflt;
        acc->majflt += u->majflt;
        acc->maxrss_kb = MAX(acc->maxrss_kb, u->maxrss_kb);
}

static void from_platform(struct task_usage *u, const struct platform_usage *p)
{
        u->utime_ns = p->utime_ns;
        u->stime_ns = p->stime_ns;
        u->minflt = p->minflt;
        u->majflt = p->majflt;
        u->maxrss_kb = p->maxrss_kb;
}

/* Counters only grow: element-wise max keeps the latest of two readings. */
static void usage_max(struct task_usage *acc, const struct task_usage *u)
{
        acc->utime_ns = MAX(acc->utime_ns, u->utime_ns);
        acc->stime_ns = MAX(acc->stime_ns, u->stime_ns);
        acc->minflt = MAX(acc->minflt, u->minflt);
        acc->majflt = MAX(acc->majflt, u->majflt);
        acc->maxrss_kb = MAX(acc->maxrss_kb, u->maxrss_kb);
}

/* What the host accounts to mm's stub; -ESRCH before it has one (a fork
 * or exec whose address space failed). */
static int stub_usage(struct kernel *k, struct mm *mm, bool cpu_only, struct platform_usage *ret)
{
        struct platform_as *as = mm_platform_as(mm);

        return as ? k->platform_ops->as_usage(as, cpu_only, ret) : -ESRCH;
}

/* The stub of mm, as the host accounts it. */
static int mm_usage(struct kernel *k, struct mm *mm, struct task_usage *ret)
{
        struct platform_usage p;
        int r = stub_usage(k, mm, false, &p);

        if (r < 0)
                return r;
        from_platform(ret, &p);
        return 0;
}

void thread_group_usage(struct thread_group *tg, struct task *live, struct task_usage *ret)
{
        struct task_usage now = { 0 };
        struct mm *mm = NULL;

        if (live) {
                pthread_mutex_lock(&live->block_lock);
                mm = live->mm ? mm_ref(live->mm) : NULL;
                pthread_mutex_unlock(&live->block_lock);
        }
        if (mm) {
                struct platform_usage p;

                /* The cheap sample: /proc walks ask for every process. */
                if (stub_usage(tg->kernel, mm, true, &p) == 0) {
                        now.utime_ns = p.utime_ns;
                        now.stime_ns = p.stime_ns;
                }
                mm_unref(mm);
        }
        pthread_mutex_lock(&tg->lock);
        usage_max(&now, &tg->exit_usage);
        task_usage_add(&now, &tg->exec_usage);
        pthread_mutex_unlock(&tg->lock);
        *ret = now;
}

int task_usage_self(struct task *t, struct task_usage *ret)
{
        struct task_usage now;
        int r = mm_usage(t->kernel, t->mm, &now);

        if (r < 0)
                return r;
        pthread_mutex_lock(&t->tg->lock);
        usage_max(&now, &t->tg->exit_usage);
        task_usage_add(&now, &t->tg->exec_usage);
        pthread_mutex_unlock(&t->tg->lock);
        *ret = now;
        return 0;
}

int task_usage_thread(struct task *t, struct task_usage *ret)
{
        struct platform_usage p;
        struct task_usage proc;
        int r = t->kernel->platform_ops->ctx_usage(t->ctx, false, &p);

        if (r < 0)
                return r;
        from_platform(ret, &p);
        task_usage_add(ret, &t->thread_base);   /* own thread: no lock needed */
        /* ru_maxrss is the process's peak, as Linux reports it. */
        if (task_usage_self(t, &proc) == 0)
                ret->maxrss_kb = proc.maxrss_kb;
        return 0;
}

void task_usage_children(struct task *t, struct task_usage *ret)
{
        pthread_mutex_lock(&t->tg->lock);
        *ret = t->tg->cusage;
        pthread_mutex_unlock(&t->tg->lock);
}

int task_cpu_clock_process(struct task *t, uint64_t *ret_ns)
{
        struct platform_usage p;
        int r = stub_usage(t->kernel, t->mm, true, &p);

        if (r < 0)
                return r;
        pthread_mutex_lock(&t->tg->lock);
        *ret_ns = MAX(p.cpu_ns, t->tg->exit_usage.utime_ns + t->tg->exit_usage.stime_ns) +
                  t->tg->exec_usage.utime_ns + t->tg->exec_usage.stime_ns;
        pthread_mutex_unlock(&t->tg->lock);
        return 0;
}

int task_cpu_clock_thread(struct task *t, uint64_t *ret_ns)
{
        struct platform_usage p;
        int r = t->kernel->platform_ops->ctx_usage(t->ctx, true, &p);

        if (r < 0)
                return r;
        *ret_ns = p.cpu_ns + t->thread_base.utime_ns + t->thread_base.stime_ns;
        return 0;
}

void task_usage_record_exit(struct task *t)
{
        struct task_usage now;

        if (!t->mm || mm_usage(t->kernel, t->mm, &now) < 0)
                return;
        pthread_mutex_lock(&t->tg->lock);
        usage_max(&t->tg->exit_usage, &now);
        pthread_mutex_unlock(&t->tg->lock);
}

void thread_group_usage_reap(struct thread_group *parent, struct thread_group *child,
                             struct task_usage *ret)
{
        struct task_usage total;

        pthread_mutex_lock(&child->lock);
        total = child->exit_usage;
        task_usage_add(&total, &child->exec_usage);
        task_usage_add(&total, &child->cusage);
        /* Linux: the child's peak is the larger of its own and its children's. */
        total.maxrss_kb = MAX(MAX(child->exit_usage.maxrss_kb, child->exec_usage.maxrss_kb),
                              child->cusage.maxrss_kb);
        pthread_mutex_unlock(&child->lock);
        if (parent) {
                pthread_mutex_lock(&parent->lock);
                task_usage_add(&parent->cusage, &total);
                pthread_mutex_unlock(&parent->lock);
        }
        *ret = total;
}

int thread_group_cpu_sample(struct thread_group *tg, enum cpu_sample which, uint64_t *ret_ns)
{
        struct task *t = thread_group_any_task(tg);
        struct platform_usage p;
        struct mm *mm = NULL;
        int r = -ESRCH;

        if (t) {
                pthread_mutex_lock(&t->block_lock);
                mm = t->mm ? mm_ref(t->mm) : NULL;
                pthread_mutex_unlock(&t->block_lock);
        }
        if (mm) {
                r = stub_usage(tg->kernel, mm, true, &p);
                mm_unref(mm);
        }
        task_unref(t);
        if (r < 0)
                return r;
        pthread_mutex_lock(&tg->lock);
        p.cpu_ns += tg->exec_usage.utime_ns + tg->exec_usage.stime_ns;
        p.utime_ns += tg->exec_usage.utime_ns;
        p.stime_ns += tg->exec_usage.stime_ns;
        pthread_mutex_unlock(&tg->lock);
        *ret_ns = which == CPU_SAMPLE_SCHED ? p.cpu_ns :
                  which == CPU_SAMPLE_VIRT ? p.utime_ns : p.utime_ns + p.stime_ns;
        return 0;
}

int task_cpu_sample(struct task *t, uint64_t *ret_ns)
{
        struct platform_usage p;
        int r = -ESRCH;

        /* The context leaves the task under block_lock (task_exit.c). */
        pthread_mutex_lock(&t->block_lock);
        if (t->ctx)
                r = t->kernel->platform_ops->ctx_usage(t->ctx, true, &p);
        p.cpu_ns += t->thread_base.utime_ns + t->thread_base.stime_ns;
        pthread_mutex_unlock(&t->block_lock);
        if (r < 0)
                return r;
        *ret_ns = p.cpu_ns;
        return 0;
}

void task_usage_exec_begin(struct task *t, struct task_usage *old_stub)
{
        struct task_usage thread = { 0 };
        struct platform_usage p;

        if (mm_usage(t->kernel, t->mm, old_stub) < 0)
                memset(old_stub, 0, sizeof(*old_stub));
        if (t->kernel->platform_ops->ctx_usage(t->ctx, false, &p) == 0)
                from_platform(&thread, &p);
        thread.maxrss_kb = 0;
        pthread_mutex_lock(&t->block_lock);
        task_usage_add(&t->thread_base, &thread);
        pthread_mutex_unlock(&t->block_lock);
}

void task_usage_exec_end(struct task *t, const struct task_usage *old_stub, bool stub_kept)
{
        struct task_usage old = *old_stub;

        if (stub_kept)
                return;
        pthread_mutex_lock(&t->tg->lock);
        usage_max(&old, &t->tg->exit_usage);
        task_usage_add(&t->tg->exec_usage, &old);
        memset(&t->tg->exit_usage, 0, sizeof(t->tg->exit_usage));
        pthread_mutex_unlock(&t->tg->lock);
}
