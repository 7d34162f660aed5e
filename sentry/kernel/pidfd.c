/*
 * pidfds: a file naming a process or a thread (Linux's kernel/pid.c and
 * fs/pidfs.c). Readiness follows the process: nothing while it runs,
 * EPOLLIN|EPOLLRDNORM once it has exited (a zombie), and EPOLLHUP on top
 * once it is reaped. A thread pidfd of a non-leader thread is all three as
 * soon as that thread has exited (threads are never zombies). Waiters sleep
 * on the group's pidfd wait queue, which task_exit() and reaping notify.
 */
#include "pidfd.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "vfs/file.h"
#include "vfs/seq_file.h"

struct pidfd {
        struct file base;
        struct pidfd_target target;     /* immutable */
};

static const struct file_ops pidfd_ops;

static struct pidfd *to_pidfd(struct file *f)
{
        return container_of(f, struct pidfd, base);
}

bool pidfd_target_alive(const struct pidfd_target *pt)
{
        struct kernel *k = pt->tg->kernel;
        bool alive;

        pthread_mutex_lock(&k->lock);
        if (pt->thread && pt->pid != pt->tg->tgid)
                alive = k->tasks[pt->pid] == pt->thread;
        else
                alive = pt->tg->state != TG_REAPED;
        pthread_mutex_unlock(&k->lock);
        return alive;
}

static unsigned pidfd_poll(struct file *f)
{
        const struct pidfd_target *pt = &to_pidfd(f)->target;
        struct kernel *k = pt->tg->kernel;
        unsigned events = 0;

        pthread_mutex_lock(&k->lock);
        if (pt->thread && pt->pid != pt->tg->tgid) {
                if (k->tasks[pt->pid] != pt->thread)
                        events = EPOLLIN | EPOLLRDNORM | EPOLLHUP;
        } else if (pt->tg->state == TG_REAPED) {
                events = EPOLLIN | EPOLLRDNORM | EPOLLHUP;
        } else if (pt->tg->state == TG_ZOMBIE) {
                events = EPOLLIN | EPOLLRDNORM;
        }
        pthread_mutex_unlock(&k->lock);
        return events;
}

/* "Pid:" and "NSpid:" (one pid namespace): -1 once the pid is gone. */
static void pidfd_show_fdinfo(struct file *f, struct seqbuf *b)
{
        const struct pidfd_target *pt = &to_pidfd(f)->target;
        int pid = pidfd_target_alive(pt) ? pt->pid : -1;

        seqbuf_printf(b, "Pid:\t%d\nNSpid:\t%d\n", pid, pid);
}

static void pidfd_release(struct file *f)
{
        struct pidfd *p = to_pidfd(f);

        pidfd_target_release(&p->target);
        free(p);
}

static const struct file_ops pidfd_ops = {
        .stat = vfs_anon_stat,
        .poll = pidfd_poll,
        .show_fdinfo = pidfd_show_fdinfo,
        .release = pidfd_release,
};

int pidfd_create(struct thread_group *tg, struct task *thread, int pid, unsigned flags,
                 struct file **ret)
{
        struct pidfd *p = calloc(1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        p->target = (struct pidfd_target){
                .tg = thread_group_ref(tg),
                .thread = thread ? task_ref(thread) : NULL,
                .pid = pid,
                .thread_scope = flags & KPIDFD_THREAD,
        };
        file_init(&p->base, &pidfd_ops, O_RDWR | (flags & KPIDFD_NONBLOCK), true);
        p->base.wq = &tg->pidfd_wq;
        *ret = &p->base;
        return 0;
}

int pidfd_open_pid(struct kernel *k, int pid, unsigned flags, struct file **ret)
{
        struct thread_group *tg = NULL;
        struct task *t = NULL;
        int r;

        if (pid <= 0 || pid >= KERNEL_PID_MAX)
                return pid <= 0 ? -EINVAL : -ESRCH;
        pthread_mutex_lock(&k->lock);
        if (k->tasks[pid])
                t = task_ref(k->tasks[pid]);
        if (k->tgs[pid] && k->tgs[pid]->state != TG_REAPED)
                tg = thread_group_ref(k->tgs[pid]);
        pthread_mutex_unlock(&k->lock);
        if (!t && !tg)
                return -ESRCH;
        if (!tg && !(flags & KPIDFD_THREAD)) {
                /* A thread, not a thread-group leader: ENOENT since Linux
                 * 6.15 (EINVAL before). */
                task_unref(t);
                return -ENOENT;
        }
        if (!tg)
                tg = thread_group_ref(t->tg);
        r = pidfd_create(tg, (flags & KPIDFD_THREAD) ? t : NULL, pid, flags, ret);
        task_unref(t);
        thread_group_unref(tg);
        return r;
}

int pidfd_get_target(struct file *f, struct pidfd_target *ret)
{
        const struct pidfd_target *pt;

        if (f->ops != &pidfd_ops)
                return -EBADF;
        pt = &to_pidfd(f)->target;
        *ret = *pt;
        thread_group_ref(ret->tg);
        if (ret->thread)
                task_ref(ret->thread);
        return 0;
}

void pidfd_target_release(struct pidfd_target *pt)
{
        task_unref(pt->thread);
        thread_group_unref(pt->tg);
        pt->thread = NULL;
        pt->tg = NULL;
}
