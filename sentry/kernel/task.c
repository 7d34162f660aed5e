/* Creating the init task and tearing tasks down. */
#include "task.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "vfs/fdtable.h"
#include "vfs/vfs.h"

static int thread_group_create(int tgid, int ppid, struct thread_group **ret)
{
        struct thread_group *tg = calloc(1, sizeof(*tg));

        if (!tg)
                return -ENOMEM;
        tg->tgid = tgid;
        tg->ppid = ppid;
        pthread_mutex_init(&tg->lock, NULL);
        /* The sandbox's init starts with the limits the launcher runs under,
         * as any exec'd program inherits them. */
        for (int r = 0; r < RLIM_NLIMITS; r++)
                getrlimit(r, &tg->rlimits[r]);
        *ret = tg;
        return 0;
}

static void thread_group_destroy(struct thread_group *tg)
{
        if (!tg)
                return;
        pthread_mutex_destroy(&tg->lock);
        free(tg);
}

int task_create_init(struct kernel *k, const struct task_spawn_args *a, struct task **ret)
{
        struct loader_args la;
        struct task *t;
        int r;

        t = calloc(1, sizeof(*t));
        if (!t) {
                fdtable_unref(a->fdt);
                fs_context_unref(a->fs);
                return -ENOMEM;
        }
        t->kernel = k;
        t->fdt = a->fdt;
        t->fs = a->fs;
        t->tid = kernel_alloc_tid(k);
        creds_init_root(&t->creds);
        snprintf(t->comm, sizeof(t->comm), "%s", a->filename);
        if (strrchr(a->filename, '/'))
                snprintf(t->comm, sizeof(t->comm), "%s", strrchr(a->filename, '/') + 1);

        r = thread_group_create(t->tid, 0, &t->tg);
        if (r < 0)
                goto fail;
        r = mm_create(k->platform, k->memfile, &t->mm);
        if (r < 0)
                goto fail;

        la = (struct loader_args){
                .fd = a->exe_fd,
                .filename = a->filename,
                .argv = a->argv,
                .envp = a->envp,
                .uid = t->creds.ruid, .euid = t->creds.euid,
                .gid = t->creds.rgid, .egid = t->creds.egid,
                .secure = false,
                .stack_limit = t->tg->rlimits[RLIMIT_STACK].rlim_cur,
        };
        r = loader_load(t->mm, &la, &t->regs);
        if (r < 0)
                goto fail;
        r = k->platform_ops->ctx_create(mm_platform_as(t->mm), &t->ctx);
        if (r < 0)
                goto fail;
        log_debug("tid %d: %s loaded: entry %#llx, stack %#llx", t->tid, a->filename,
                  (unsigned long long)t->regs.gp.rip, (unsigned long long)t->regs.gp.rsp);
        *ret = t;
        return 0;
fail:
        task_destroy(t);
        return r;
}

void task_destroy(struct task *t)
{
        if (!t)
                return;
        if (t->ctx)
                t->kernel->platform_ops->ctx_release(t->ctx);
        mm_unref(t->mm);
        fdtable_unref(t->fdt);
        fs_context_unref(t->fs);
        thread_group_destroy(t->tg);
        creds_release(&t->creds);
        free(t);
}

void task_exit_group(struct task *t, int wait_status)
{
        pthread_mutex_lock(&t->tg->lock);
        if (!t->tg->exited) {
                t->tg->exited = true;
                t->tg->exit_status = wait_status;
                log_debug("tid %d: thread group %d exits, wait status %#x", t->tid,
                          t->tg->tgid, wait_status);
        }
        pthread_mutex_unlock(&t->tg->lock);
        t->exiting = true;
}
