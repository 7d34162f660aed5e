/* pidfds: pidfd_open, pidfd_send_signal, pidfd_getfd (Linux's kernel/pid.c
 * and kernel/signal.c). The files themselves are sentry/kernel/pidfd.c. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "sentry/kernel/pidfd.h"
#include "sentry/mm/mm.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "syscall.h"
#include "syscalls/sys.h"

#define PIDFD_SIGNAL_THREAD             (1u << 0)
#define PIDFD_SIGNAL_THREAD_GROUP       (1u << 1)
#define PIDFD_SIGNAL_PROCESS_GROUP      (1u << 2)
#define PIDFD_SIGNAL_FLAGS (PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP)
/* Pseudo pidfds for the caller (Linux 6.15). */
#define PIDFD_SELF_THREAD               -10000
#define PIDFD_SELF_THREAD_GROUP         -10001

long sys_pidfd_open(struct task *t, const struct syscall_args *a)
{
        int pid = (int)a->a[0];
        unsigned flags = (unsigned)a->a[1];
        struct file *f;
        long r;

        if (flags & ~(unsigned)(KPIDFD_NONBLOCK | KPIDFD_THREAD))
                return -EINVAL;
        if (pid <= 0)
                return -EINVAL;
        r = pidfd_open_pid(t->kernel, pid, flags, &f);
        if (r < 0)
                return r;
        r = fdtable_install(t->fdt, f, 0, true, task_nofile_limit(t));
        file_unref(f);
        return r;
}

/* The target of pidfd_send_signal: a pidfd, or one of the pseudo ones. */
static long send_target(struct task *t, int pidfd, struct pidfd_target *ret)
{
        struct file *f;
        long r;

        if (pidfd == PIDFD_SELF_THREAD || pidfd == PIDFD_SELF_THREAD_GROUP) {
                bool thread = pidfd == PIDFD_SELF_THREAD;

                *ret = (struct pidfd_target){
                        .tg = thread_group_ref(t->tg),
                        .thread = thread ? task_ref(t) : NULL,
                        .pid = thread ? t->tid : t->tg->tgid,
                        .thread_scope = thread,
                };
                return 0;
        }
        f = fdtable_get(t->fdt, pidfd);
        if (!f)
                return -EBADF;
        r = pidfd_get_target(f, ret);
        file_unref(f);
        return r;
}

/* Every live process of process group pgid; -ESRCH if none. */
static long send_pgrp(struct task *t, int pgid, const siginfo_t *info)
{
        struct kernel *k = t->kernel;
        long r, ret = -ESRCH;

        for (int pid = 1; pid < KERNEL_PID_MAX; pid++) {
                struct thread_group *tg = kernel_find_tg(k, pid);
                struct task *any = NULL;
                bool match;

                if (!tg)
                        continue;
                pthread_mutex_lock(&k->lock);
                match = tg->state == TG_LIVE && tg->pgid == pgid;
                pthread_mutex_unlock(&k->lock);
                if (match) {
                        any = thread_group_any_task(tg);
                        r = any && info->si_signo ? signal_send(any, info, true) : 0;
                        if (ret == -ESRCH || r < 0)
                                ret = r;
                }
                task_unref(any);
                thread_group_unref(tg);
        }
        return ret;
}

enum send_scope { SCOPE_THREAD, SCOPE_PROCESS, SCOPE_PGRP };

static long do_send(struct task *t, const struct pidfd_target *pt, enum send_scope scope,
                    const siginfo_t *info)
{
        struct task *target;
        long r = 0;

        if (scope == SCOPE_PGRP) {
                /* Linux's kill_pgrp_info(): the group whose id is the pid. */
                if (!signal_valid(info->si_signo) && info->si_signo)
                        return -EINVAL;
                return send_pgrp(t, pt->pid, info);
        }
        /* The task the pid names must exist (a zombie process does). */
        if (!pidfd_target_alive(pt))
                return -ESRCH;
        if (info->si_signo < 0 || info->si_signo > KSIG_MAX)
                return -EINVAL;
        if (!info->si_signo)
                return 0;
        if (scope == SCOPE_PROCESS) {
                target = pt->thread ? task_ref(pt->thread) : thread_group_any_task(pt->tg);
        } else {
                target = pt->thread ? task_ref(pt->thread) : kernel_find_task(t->kernel, pt->pid);
        }
        /* A zombie, or a leader thread already gone: nothing to deliver to. */
        if (target)
                r = signal_send(target, info, scope == SCOPE_PROCESS);
        task_unref(target);
        return r;
}

long sys_pidfd_send_signal(struct task *t, const struct syscall_args *a)
{
        int pidfd = (int)a->a[0], signo = (int)a->a[1];
        guest_ptr_t uinfo = a->a[2];
        unsigned flags = (unsigned)a->a[3];
        struct pidfd_target pt;
        enum send_scope scope;
        siginfo_t info;
        long r;

        if (flags & ~PIDFD_SIGNAL_FLAGS)
                return -EINVAL;
        if (__builtin_popcount(flags) > 1)
                return -EINVAL;
        r = send_target(t, pidfd, &pt);
        if (r < 0)
                return r;
        scope = pt.thread_scope ? SCOPE_THREAD : SCOPE_PROCESS;
        if (flags & PIDFD_SIGNAL_THREAD)
                scope = SCOPE_THREAD;
        else if (flags & PIDFD_SIGNAL_THREAD_GROUP)
                scope = SCOPE_PROCESS;
        else if (flags & PIDFD_SIGNAL_PROCESS_GROUP)
                scope = SCOPE_PGRP;

        if (uinfo) {
                r = mm_copy_in(t->mm, &info, uinfo, sizeof(info));
                if (r < 0)
                        goto out;
                r = -EINVAL;
                if (info.si_signo != signo)
                        goto out;
                /* Only to oneself may a siginfo claim to come from the
                 * kernel or from kill(). */
                r = -EPERM;
                if ((pt.pid != t->tid || scope == SCOPE_PGRP) &&
                    (info.si_code >= 0 || info.si_code == SI_TKILL))
                        goto out;
        } else {
                memset(&info, 0, sizeof(info));
                info.si_signo = signo;
                info.si_code = scope == SCOPE_THREAD ? SI_TKILL : SI_USER;
                info.si_pid = t->tg->tgid;
                info.si_uid = t->creds.ruid;
        }
        r = do_send(t, &pt, scope, &info);
out:
        pidfd_target_release(&pt);
        return r;
}

/* Linux's ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS) for the sandbox:
 * a thread of the same process; or CAP_SYS_PTRACE; or the same real uid and gid as all of the target's,
 * with the target dumpable. */
static bool ptrace_may_access(struct task *t, struct task *target)
{
        const struct creds *c = &t->creds;
        struct creds tcopy, *tc = &tcopy;
        bool same;
        int dumpable;

        if (t->tg == target->tg)
                return true;
        if (creds_has_cap(c, CREDS_CAP_SYS_PTRACE))
                return true;
        if (task_creds_get(target, &tcopy) < 0)
                return false;
        same = c->ruid == tc->ruid && c->ruid == tc->euid && c->ruid == tc->suid &&
               c->rgid == tc->rgid && c->rgid == tc->egid && c->rgid == tc->sgid;
        creds_release(&tcopy);
        if (!same)
                return false;
        pthread_mutex_lock(&target->tg->lock);
        dumpable = target->tg->dumpable;
        pthread_mutex_unlock(&target->tg->lock);
        return dumpable == 1;
}

long sys_pidfd_getfd(struct task *t, const struct syscall_args *a)
{
        int pidfd = (int)a->a[0], targetfd = (int)a->a[1];
        struct task *target = NULL;
        struct fdtable *fdt = NULL;
        struct pidfd_target pt;
        struct file *f;
        long r;

        if (a->a[2] != 0)
                return -EINVAL;
        f = fdtable_get(t->fdt, pidfd);
        if (!f)
                return -EBADF;
        r = pidfd_get_target(f, &pt);
        file_unref(f);
        if (r < 0)
                return r;
        /* A process: a thread pidfd of another thread names none. */
        r = -ESRCH;
        if (pt.pid != pt.tg->tgid || !(target = thread_group_any_task(pt.tg)))
                goto out;
        r = -EPERM;
        if (!ptrace_may_access(t, target))
                goto out;
        pthread_mutex_lock(&target->block_lock);
        if (target->fdt)
                fdt = fdtable_ref(target->fdt);
        pthread_mutex_unlock(&target->block_lock);
        r = -ESRCH;                     /* exiting: its files are gone */
        if (!fdt)
                goto out;
        f = fdtable_get(fdt, targetfd);
        r = -EBADF;
        if (!f)
                goto out;
        r = fdtable_install(t->fdt, f, 0, true, task_nofile_limit(t));
        file_unref(f);
out:
        fdtable_unref(fdt);
        task_unref(target);
        pidfd_target_release(&pt);
        return r;
}
