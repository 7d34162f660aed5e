/*
 * fork, vfork and clone for new processes. The child gets a copy of the
 * parent's address space (sentry/mm decides how: copy-on-write), signal
 * actions, limits, credentials and fd table, and its own host thread, which
 * builds its platform address space and context (the platform wants the
 * thread that runs a context to be the one that made it) while the parent
 * goes on: fork returns once the child exists in the sentry. Should the
 * platform fail the child (no stub, no stub thread: the host's resources),
 * it dies of SIGKILL before running its first instruction.
 *
 * A thread (CLONE_THREAD) joins the parent's group and address space
 * instead, with a context of its own made on its own host thread.
 *
 * Not built: shared memory or handlers without CLONE_THREAD (-ENOSYS,
 * logged). vfork (CLONE_VM|CLONE_VFORK) shares the parent's memory, as a
 * thread does (a context of its own in the parent's stub), until the child
 * execs or exits; the parent waits meanwhile.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sentry/kernel/ctty.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "vfs/vfs.h"

/* What clone() takes today; CSIGNAL (the exit signal) is separate. */
#define CLONE_SUPPORTED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_VFORK | CLONE_PARENT | \
                         CLONE_THREAD | CLONE_SIGHAND | \
                         CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | \
                         CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_SYSVSEM | CLONE_PIDFD)

/* Handed from the parent to the child's thread, which frees it. */
struct clone_start {
        struct task *child;             /* the thread's reference */
        guest_ptr_t child_settid;       /* 0 unless CLONE_CHILD_SETTID */
        bool thread;                    /* CLONE_THREAD: joins the parent's group */
        bool shared_mm;                 /* CLONE_VM: the parent's address space */
        struct cpu_xstate xstate;       /* the parent's FP state, to copy */
};

#define FORK_HOT_MAX 6
#define FORK_STACK_REACH 256    /* bytes below the stack pointer counted as hot */

/* Checks Linux's copy_process() makes on the flag combination. */
static int clone_check_flags(uint64_t flags)
{
        if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
                return -EINVAL;
        if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
                return -EINVAL;
        if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
                return -EINVAL;
        /* CLONE_DETACHED is kept free for a future use with pidfds. */
        if ((flags & CLONE_PIDFD) && (flags & CLONE_DETACHED))
                return -EINVAL;
        /* Shared memory or handlers without being a thread of the group
         * (old LinuxThreads style): not built. */
        if (!(flags & CLONE_THREAD) &&
            ((flags & CLONE_SIGHAND) || ((flags & CLONE_VM) && !(flags & CLONE_VFORK)))) {
                log_warn("clone: flags %#llx (shared memory without CLONE_THREAD) not supported: ENOSYS",
                         (unsigned long long)flags);
                return -ENOSYS;
        }
        if (flags & ~(uint64_t)(CLONE_SUPPORTED | CSIGNAL)) {
                log_warn("clone: flags %#llx not supported yet: ENOSYS",
                         (unsigned long long)(flags & ~(uint64_t)(CLONE_SUPPORTED | CSIGNAL)));
                return -ENOSYS;
        }
        return 0;
}

/* CLONE_PIDFD: a pidfd for the child (a thread pidfd for a thread) in the
 * parent's fd table, close-on-exec, its number written to ca->pidfd. */
static int clone_install_pidfd(struct task *parent, struct task *t, const struct clone_args_k *ca)
{
        bool thread = ca->flags & CLONE_THREAD;
        struct rlimit nofile;
        struct file *f;
        int32_t fd;
        int r;

        r = pidfd_create(t->tg, thread ? t : NULL, t->tid, thread ? KPIDFD_THREAD : 0, &f);
        if (r < 0)
                return r;
        pthread_mutex_lock(&parent->tg->lock);
        nofile = parent->tg->rlimits[RLIMIT_NOFILE];
        pthread_mutex_unlock(&parent->tg->lock);
        fd = fdtable_install(parent->fdt, f, 0, true,
                             nofile.rlim_cur > INT32_MAX ? INT32_MAX : (int)nofile.rlim_cur);
        file_unref(f);
        if (fd < 0)
                return fd;
        r = mm_copy_out(parent->mm, ca->pidfd, &fd, sizeof(fd));
        if (r < 0)
                fdtable_close(parent->fdt, fd);
        return r;
}

/* The child's thread: finish the child on its own thread, then run it. The
 * parent does not wait for this (its fork has returned): a child whose
 * address space or context can't be made dies of SIGKILL before running,
 * as if the host had killed it. */
static void clone_child_main(void *arg)
{
        struct clone_start *cs = arg;
        struct task *t = cs->child;
        const struct platform_ops *ops = t->kernel->platform_ops;
        struct platform_ctx *ctx = NULL;
        bool thread = cs->thread;
        int r;

        /* A new process builds its address space here; a thread (or a
         * vfork child) joins the parent's. Either way the context is made
         * on this thread. */
        if (cs->shared_mm)
                r = ops->ctx_create(mm_platform_as(t->mm), &ctx);
        else
                r = mm_attach_platform(t->mm, t->kernel->platform, &ctx);
        if (r == 0)
                r = ops->xstate_set(ctx, &cs->xstate);
        if (r == 0 && cs->child_settid) {
                uint32_t tid = (uint32_t)t->tid;
                r = mm_copy_out(t->mm, cs->child_settid, &tid, sizeof(tid));
        }
        if (ctx) {
                pthread_mutex_lock(&t->block_lock);
                t->ctx = ctx;
                pthread_mutex_unlock(&t->block_lock);
        }
        free(cs);
        if (r < 0) {
                log_debug("tid %d: clone: the child's address space or context: %s", t->tid,
                          strerror(-r));
                if (thread)
                        task_exit_thread(t, SIGKILL);
                else
                        task_exit_group(t, SIGKILL);
                task_exit(t);
                return;
        }
        task_run(t);
}

/* Wait, on the vfork parent's side, until the child has exec'd or exited.
 * Uninterruptible by design, as Linux's (killable only). */
static void vfork_wait(struct task *parent, struct thread_group *child)
{
        struct kernel *k = parent->kernel;
        bool done;

        for (;;) {
                task_prepare_block(parent);
                pthread_mutex_lock(&k->lock);
                done = child->vfork_parent != parent;
                pthread_mutex_unlock(&k->lock);
                if (done)
                        return;
                task_block(parent, NULL);
        }
}

/* What the two sides of a fork write first: both stacks (the parent's and
 * a little below it, where its next calls go), the thread area, the tid
 * words clone itself writes (mm_fork copies these pages for the child at
 * once instead of leaving each side a copy-on-write fault). */
static unsigned fork_hot_pages(const struct task *parent, const struct clone_args_k *ca,
                               guest_ptr_t hot[FORK_HOT_MAX])
{
        guest_ptr_t sp = parent->regs.gp.rsp;
        unsigned n = 0;

        hot[n++] = sp;
        hot[n++] = sp - FORK_STACK_REACH;
        hot[n++] = ca->stack ? ca->stack : sp;
        hot[n++] = (ca->flags & CLONE_SETTLS) ? ca->tls : parent->regs.gp.fs_base;
        if (ca->flags & CLONE_CHILD_SETTID)
                hot[n++] = ca->child_tid;
        if (ca->flags & CLONE_PARENT_SETTID)
                hot[n++] = ca->parent_tid;
        return n;
}

/* A new process: its own group, a copy of the address space. */
static int clone_new_process(struct task *parent, struct task *t, const struct clone_args_k *ca)
{
        struct thread_group *ptg = parent->tg, *tg = thread_group_new(parent->kernel);
        guest_ptr_t hot[FORK_HOT_MAX];

        if (!tg)
                return -ENOMEM;
        t->tg = tg;
        tg->exit_signal = ca->exit_signal;
        pthread_mutex_lock(&ptg->lock);
        tg->sighand = ptg->sighand;
        memcpy(tg->rlimits, ptg->rlimits, sizeof(tg->rlimits));
        tg->dumpable = ptg->dumpable;
        tg->exe_file = ptg->exe_file ? file_ref(ptg->exe_file) : NULL;
        pthread_mutex_unlock(&ptg->lock);
        itimer_real_init(&tg->itimer_real, parent->kernel, tg);
        posix_timers_init(&tg->timers, parent->kernel, tg);
        /* vfork: the parent's memory itself (the parent waits meanwhile). */
        if (ca->flags & CLONE_VM) {
                t->mm = mm_ref(parent->mm);
                return 0;
        }
        return mm_fork(parent->mm, hot, fork_hot_pages(parent, ca, hot), &t->mm);
}

/* Put the child into the pid table and, for a process, the process tree.
 * Returns its tid. */
static long clone_link(struct task *parent, struct task *t, const struct clone_args_k *ca)
{
        struct kernel *k = parent->kernel;
        struct thread_group *ptg = parent->tg, *tg = t->tg;
        long r;

        pthread_mutex_lock(&k->lock);
        /* The sandbox's pids limit: EAGAIN, as a full pids cgroup gives. */
        r = k->nthreads >= k->pids_limit ? -EAGAIN : kernel_alloc_tid_locked(k, t);
        if (r >= 0) {
                t->tid = (int)r;
                if (!(ca->flags & CLONE_THREAD)) {
                        tg->tgid = (int)r;
                        tg->leader = t;
                        tg->parent = (ca->flags & CLONE_PARENT) && ptg->parent ? ptg->parent : ptg;
                        /* The thread it hangs from, for PR_SET_PDEATHSIG. */
                        tg->parent_tid = tg->parent == ptg ? parent->tid : ptg->parent_tid;
                        tg->pgid = ptg->pgid;
                        tg->sid = ptg->sid;
                        ctty_fork_locked(tg, ptg);
                        tg->sibling = tg->parent->children;
                        tg->parent->children = tg;
                        k->tgs[r] = thread_group_ref(tg);
                        if (ca->flags & CLONE_VFORK)
                                tg->vfork_parent = task_ref(parent);
                }
                k->nthreads++;
        }
        pthread_mutex_unlock(&k->lock);
        if (r >= 0)
                thread_group_add_task(tg, t);
        return r;
}

long task_clone(struct task *parent, const struct clone_args_k *ca)
{
        struct kernel *k = parent->kernel;
        bool thread = ca->flags & CLONE_THREAD;
        struct clone_start *cs;
        struct task *t;
        long r;

        r = clone_check_flags(ca->flags);
        if (r < 0)
                return r;
        if (ca->flags & CLONE_PIDFD) {
                /* A bad pointer fails the call before there is a child. */
                int32_t none = -1;

                r = mm_copy_out(parent->mm, ca->pidfd, &none, sizeof(none));
                if (r < 0)
                        return r;
        }
        t = task_new(k);
        cs = malloc(sizeof(*cs));
        if (!t || !cs) {
                task_unref(t);
                free(cs);
                return -ENOMEM;
        }
        *cs = (struct clone_start){ .thread = thread, .shared_mm = ca->flags & CLONE_VM };

        /* The parent's state, read on the parent's thread. */
        r = k->platform_ops->xstate_get(parent->ctx, &cs->xstate);
        if (r == 0)
                r = creds_copy(&t->creds, &parent->creds);
        if (r == 0)
                task_sched_fork(&t->sched, &parent->sched);
        if (r == 0) {
                if (thread) {
                        t->tg = thread_group_ref(parent->tg);
                        t->mm = mm_ref(parent->mm);
                } else {
                        r = clone_new_process(parent, t, ca);
                }
        }
        if (r == 0) {
                if (ca->flags & CLONE_FILES)
                        t->fdt = fdtable_ref(parent->fdt);
                else
                        r = fdtable_dup(parent->fdt, &t->fdt);
        }
        if (r == 0) {
                if (ca->flags & CLONE_FS)
                        t->fs = fs_context_ref(parent->fs);
                else
                        r = fs_context_dup(parent->fs, &t->fs);
        }
        if (r < 0)
                goto fail;

        t->regs = parent->regs;
        t->regs.gp.rax = 0;                     /* clone returns 0 in the child */
        if (ca->stack)
                t->regs.gp.rsp = ca->stack;
        if (ca->flags & CLONE_SETTLS)
                t->regs.gp.fs_base = ca->tls;
        if (ca->flags & CLONE_CHILD_CLEARTID)
                t->clear_child_tid = ca->child_tid;
        memcpy(t->comm, parent->comm, sizeof(t->comm));
        t->no_new_privs = parent->no_new_privs;
        pthread_mutex_lock(&parent->tg->lock);
        t->sigmask = parent->sigmask;
        pthread_mutex_unlock(&parent->tg->lock);
        /* A child sharing the parent's memory must not share its signal stack. */
        if (!((ca->flags & CLONE_VM) && !(ca->flags & CLONE_VFORK)))
                t->altstack = parent->altstack;

        r = clone_link(parent, t, ca);
        if (r < 0)
                goto fail;

        if (ca->flags & CLONE_PARENT_SETTID) {
                uint32_t tid = (uint32_t)t->tid;
                mm_copy_out(parent->mm, ca->parent_tid, &tid, sizeof(tid));
        }
        if (ca->flags & CLONE_PIDFD) {
                r = clone_install_pidfd(parent, t, ca);
                if (r < 0) {
                        /* No fd left (EMFILE): the child never ran; it
                         * exits on its behalf (the parent can reap it). */
                        if (thread)
                                task_exit_thread(t, SIGKILL);
                        else
                                task_exit_group(t, SIGKILL);
                        task_exit(t);
                        free(cs);
                        return r;
                }
        }

        cs->child = t;
        cs->child_settid = (ca->flags & CLONE_CHILD_SETTID) ? ca->child_tid : 0;
        task_ref(t);                            /* ours, for the result */
        r = task_thread_start(clone_child_main, cs);
        if (r < 0) {
                /* No host thread: exit on its behalf. */
                free(cs);
                if (thread)
                        task_exit_thread(t, SIGKILL);
                else
                        task_exit_group(t, SIGKILL);
                task_exit(t);
        }
        if (r == 0) {
                r = t->tid;
                if (ca->flags & CLONE_VFORK)
                        vfork_wait(parent, t->tg);
        }
        task_unref(t);
        return r;

fail:
        log_debug("tid %d: clone: %s", parent->tid, strerror((int)-r));
        free(cs);
        task_unref(t);
        return r;
}
