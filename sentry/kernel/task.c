/* Tasks and thread groups: creation, references, lookup, the init task. */
#include "task.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "sentry/kernel/exec.h"
#include "vfs/tty/tty.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/proc_info.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "vfs/namei.h"
#include "vfs/vfs.h"

struct thread_group *thread_group_new(struct kernel *k)
{
        struct thread_group *tg = calloc(1, sizeof(*tg));

        if (!tg)
                return NULL;
        atomic_init(&tg->refcount, 1);
        tg->kernel = k;
        tg->exit_signal = SIGCHLD;
        tg->dumpable = 1;               /* SUID_DUMP_USER */
        pthread_mutex_init(&tg->lock, NULL);
        sigpending_init(&tg->pending);
        waitqueue_init(&tg->signalfd_wq);
        waitqueue_init(&tg->pidfd_wq);
        return tg;
}

struct thread_group *thread_group_ref(struct thread_group *tg)
{
        atomic_fetch_add_explicit(&tg->refcount, 1, memory_order_relaxed);
        return tg;
}

struct thread_group *thread_group_unref(struct thread_group *tg)
{
        if (!tg || atomic_fetch_sub_explicit(&tg->refcount, 1, memory_order_acq_rel) != 1)
                return NULL;
        sigpending_clear(&tg->pending);
        file_unref(tg->exe_file);
        tty_unref(tg->ctty);
        waitqueue_destroy(&tg->signalfd_wq);
        waitqueue_destroy(&tg->pidfd_wq);
        pthread_mutex_destroy(&tg->lock);
        free(tg);
        return NULL;
}

struct task *task_new(struct kernel *k)
{
        struct task *t = calloc(1, sizeof(*t));

        if (!t)
                return NULL;
        atomic_init(&t->refcount, 1);
        t->kernel = k;
        sigpending_init(&t->pending);
        task_block_init(t);
        pthread_mutex_init(&t->creds_lock, NULL);
        task_sched_init(&t->sched, &k->cpus);
        return t;
}

struct task *task_ref(struct task *t)
{
        atomic_fetch_add_explicit(&t->refcount, 1, memory_order_relaxed);
        return t;
}

/* The last reference: everything the task still holds. Its thread has long
 * released the mm and the context (task_exit.c), except when creation
 * failed half way. */
static void task_free(struct task *t)
{
        if (t->ctx)
                t->kernel->platform_ops->ctx_release(t->ctx);
        mm_unref(t->mm);
        fdtable_unref(t->fdt);
        fs_context_unref(t->fs);
        sigpending_clear(&t->pending);
        task_block_destroy(t);
        creds_release(&t->creds);
        pthread_mutex_destroy(&t->creds_lock);
        task_sched_destroy(&t->sched);
        thread_group_unref(t->tg);
        free(t);
}

struct task *task_unref(struct task *t)
{
        if (t && atomic_fetch_sub_explicit(&t->refcount, 1, memory_order_acq_rel) == 1)
                task_free(t);
        return NULL;
}

struct task *kernel_find_task(struct kernel *k, int tid)
{
        struct task *t = NULL;

        if (tid <= 0 || tid >= KERNEL_PID_MAX)
                return NULL;
        pthread_mutex_lock(&k->lock);
        if (k->tasks[tid])
                t = task_ref(k->tasks[tid]);
        pthread_mutex_unlock(&k->lock);
        return t;
}

struct thread_group *kernel_find_tg(struct kernel *k, int tgid)
{
        struct thread_group *tg = NULL;

        if (tgid <= 0 || tgid >= KERNEL_PID_MAX)
                return NULL;
        pthread_mutex_lock(&k->lock);
        if (k->tgs[tgid])
                tg = thread_group_ref(k->tgs[tgid]);
        pthread_mutex_unlock(&k->lock);
        return tg;
}

void task_set_comm(struct task *t, const char *path)
{
        const char *base = strrchr(path, '/');

        snprintf(t->comm, sizeof(t->comm), "%s", base ? base + 1 : path);
}

int task_create_init(struct kernel *k, const struct task_spawn_args *a, struct task **ret)
{
        struct thread_group *tg;
        struct task *t;
        int r;

        t = task_new(k);
        tg = thread_group_new(k);
        if (!t || !tg) {
                task_unref(t);
                thread_group_unref(tg);
                fdtable_unref(a->fdt);
                fs_context_unref(a->fs);
                return -ENOMEM;
        }
        t->fdt = a->fdt;
        t->fs = a->fs;
        t->tg = tg;
        creds_init_root(&t->creds);
        task_set_comm(t, a->filename);
        /* The sandbox's init starts with the limits the launcher runs under,
         * as any exec'd program inherits them. */
        for (int res = 0; res < RLIM_NLIMITS; res++)
                getrlimit(res, &tg->rlimits[res]);
        /* ... and the launcher's nice value. */
        errno = 0;
        r = getpriority(PRIO_PROCESS, 0);
        if (errno == 0)
                t->sched.nice = r;

        pthread_mutex_lock(&k->lock);
        r = kernel_alloc_tid_locked(k, t);
        if (r >= 0) {
                t->tid = tg->tgid = tg->pgid = tg->sid = r;
                k->tgs[r] = thread_group_ref(tg);
                tg->leader = t;
                k->init = tg;
                k->nthreads++;
        }
        pthread_mutex_unlock(&k->lock);
        if (r < 0) {
                task_unref(t);
                return r;
        }
        itimer_real_init(&tg->itimer_real, k, tg);
        posix_timers_init(&tg->timers, k, tg);
        thread_group_add_task(tg, t);

        struct vfs_cred cred = { .uid = t->creds.fsuid, .gid = t->creds.fsgid };
        struct vfs_at at = { .fs = t->fs, .cred = &cred };
        struct exec_image img;

        r = exec_prepare(t, &at, a->filename, LOOKUP_FOLLOW, a->filename, a->argv, a->envp,
                         &img);
        if (r < 0)
                goto fail;
        t->mm = TAKE_PTR(img.mm);
        t->regs = img.regs;
        mm_proc_info_init(t->mm, img.exe_path, t->regs.gp.rsp);
        thread_group_set_exe_file(tg, TAKE_PTR(img.exe_file));
        exec_image_release(&img);
        r = mm_attach_platform(t->mm, k->platform, &t->ctx);
        if (r < 0)
                goto fail;
        log_debug("tid %d: %s loaded: entry %#llx, stack %#llx", t->tid, a->filename,
                  (unsigned long long)t->regs.gp.rip, (unsigned long long)t->regs.gp.rsp);
        *ret = t;
        return 0;
fail:
        /* Never ran: leave as a zombie nobody waits for, and go. */
        task_exit_group(t, (r == -ENOEXEC ? 126 : 125) << 8);
        task_exit(t);
        return r;
}

void task_exit_group(struct task *t, int wait_status)
{
        struct thread_group *tg = t->tg;
        struct task *others[64];
        int n = 0;
        bool more;

        pthread_mutex_lock(&tg->lock);
        if (!tg->exited) {
                tg->exited = true;
                tg->exit_status = wait_status;
                log_debug("tid %d: thread group %d exits, wait status %#x", t->tid,
                          tg->tgid, wait_status);
        }
        atomic_store(&tg->group_exit, true);
        pthread_mutex_unlock(&tg->lock);
        t->exiting = true;

        /* Pull every other thread out of guest code or a wait; they see
         * group_exit and leave. Batches, so no lock is held while waking. */
        do {
                n = 0;
                pthread_mutex_lock(&tg->lock);
                for (struct task *o = tg->tasks; o && n < 64; o = o->tg_next)
                        if (o != t && !o->exit_kicked) {
                                o->exit_kicked = true;
                                others[n++] = task_ref(o);
                        }
                more = n == 64;
                pthread_mutex_unlock(&tg->lock);
                for (int i = 0; i < n; i++) {
                        task_interrupt(others[i]);
                        task_unref(others[i]);
                }
        } while (more);
}

bool task_must_leave(struct task *t)
{
        return t->exiting || atomic_load(&t->tg->group_exit) || atomic_load(&t->zapped);
}

void task_exit_thread(struct task *t, int wait_status)
{
        struct thread_group *tg = t->tg;
        bool last;

        pthread_mutex_lock(&tg->lock);
        last = tg->nlive == 1;
        if (last && !tg->exited) {
                tg->exited = true;
                tg->exit_status = wait_status;
        }
        pthread_mutex_unlock(&tg->lock);
        t->exiting = true;
}

struct task *thread_group_any_task(struct thread_group *tg)
{
        struct task *t = NULL;

        pthread_mutex_lock(&tg->lock);
        if (tg->tasks)
                t = task_ref(tg->tasks);
        pthread_mutex_unlock(&tg->lock);
        return t;
}

void thread_group_wake_all(struct thread_group *tg)
{
        pthread_mutex_lock(&tg->lock);
        for (struct task *o = tg->tasks; o; o = o->tg_next)
                task_wake(o);
        pthread_mutex_unlock(&tg->lock);
}

void thread_group_add_task(struct thread_group *tg, struct task *t)
{
        pthread_mutex_lock(&tg->lock);
        t->tg_next = tg->tasks;
        tg->tasks = t;
        tg->nlive++;
        pthread_mutex_unlock(&tg->lock);
}

void thread_group_set_exe_file(struct thread_group *tg, struct file *f)
{
        struct file *old;

        pthread_mutex_lock(&tg->lock);
        old = tg->exe_file;
        tg->exe_file = f;
        pthread_mutex_unlock(&tg->lock);
        file_unref(old);
}

bool thread_group_remove_task(struct thread_group *tg, struct task *t)
{
        bool last;

        pthread_mutex_lock(&tg->lock);
        for (struct task **pp = &tg->tasks; *pp; pp = &(*pp)->tg_next) {
                if (*pp == t) {
                        *pp = t->tg_next;
                        break;
                }
        }
        t->tg_next = NULL;
        last = --tg->nlive == 0;
        pthread_mutex_unlock(&tg->lock);
        return last;
}
