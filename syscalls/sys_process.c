/* Processes: fork, vfork, clone, wait4, waitid, process groups and sessions. */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "sentry/kernel/ctty.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/kernel/pidfd.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "vfs/tty/tty.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

long sys_fork(struct task *t, const struct syscall_args *a)
{
        struct clone_args_k ca = { .exit_signal = SIGCHLD };

        (void)a;
        return task_clone(t, &ca);
}

long sys_vfork(struct task *t, const struct syscall_args *a)
{
        struct clone_args_k ca = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };

        (void)a;
        return task_clone(t, &ca);
}

/* clone(flags, stack, parent_tid, child_tid, tls) on x86_64. */
long sys_clone(struct task *t, const struct syscall_args *a)
{
        struct clone_args_k ca = {
                .flags = a->a[0] & ~(uint64_t)CSIGNAL,
                .exit_signal = (int)(a->a[0] & CSIGNAL),
                .stack = a->a[1],
                .parent_tid = a->a[2],
                .child_tid = a->a[3],
                .tls = a->a[4],
        };

        if (ca.exit_signal && !signal_valid(ca.exit_signal))
                return -EINVAL;
        /* clone() returns the pidfd through the parent_tid pointer. */
        if (ca.flags & CLONE_PIDFD) {
                if (ca.flags & CLONE_PARENT_SETTID)
                        return -EINVAL;
                ca.pidfd = ca.parent_tid;
        }
        return task_clone(t, &ca);
}

/* struct clone_args, as far as CLONE_ARGS_SIZE_VER0 (64 bytes) plus
 * set_tid/cgroup (VER1/VER2), which we refuse if used. */
struct kclone_args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
        uint64_t set_tid, set_tid_size, cgroup;
};

long sys_clone3(struct task *t, const struct syscall_args *a)
{
        struct kclone_args ka = { 0 };
        struct clone_args_k ca;
        size_t size = a->a[1];
        int r;

        if (size < 64 || size > 4096)
                return -EINVAL;
        r = mm_copy_in(t->mm, &ka, a->a[0], MIN(size, sizeof(ka)));
        if (r < 0)
                return r;
        /* Bytes past what we know must be zero (copy_struct_from_user). */
        for (size_t off = sizeof(ka); off < size; off++) {
                uint8_t b;

                r = mm_copy_in(t->mm, &b, a->a[0] + off, 1);
                if (r < 0)
                        return r;
                if (b)
                        return -E2BIG;
        }
        if (ka.exit_signal > KSIG_MAX || (ka.flags & CSIGNAL))
                return -EINVAL;
        if (ka.set_tid || ka.set_tid_size || ka.cgroup)
                return -ENOSYS;
        if ((ka.flags & CLONE_PIDFD) && (ka.flags & CLONE_PARENT_SETTID) && ka.pidfd == ka.parent_tid)
                return -EINVAL;
        if ((ka.stack == 0) != (ka.stack_size == 0))
                return -EINVAL;
        ca = (struct clone_args_k){
                .flags = ka.flags,
                .exit_signal = (int)ka.exit_signal,
                .stack = ka.stack ? ka.stack + ka.stack_size : 0,
                .parent_tid = ka.parent_tid,
                .child_tid = ka.child_tid,
                .tls = ka.tls,
                .pidfd = ka.pidfd,
        };
        return task_clone(t, &ca);
}

#define WAIT4_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)

long sys_wait4(struct task *t, const struct syscall_args *a)
{
        int pid = (int)a->a[0], options = (int)a->a[2], which, id;
        struct wait_result wr;
        struct rusage ru;
        int r;

        if (options & ~WAIT4_OPTIONS)
                return -EINVAL;
        if (pid == INT32_MIN)
                return -ESRCH;
        if (pid < -1) {
                which = P_PGID;
                id = -pid;
        } else if (pid == -1) {
                which = P_ALL;
                id = 0;
        } else if (pid == 0) {
                which = P_PGID;
                pthread_mutex_lock(&t->kernel->lock);
                id = t->tg->pgid;
                pthread_mutex_unlock(&t->kernel->lock);
        } else {
                which = P_PID;
                id = pid;
        }
        r = task_wait(t, which, id, options | WEXITED, &wr);
        if (r <= 0)
                return r;
        if (a->a[1] && mm_copy_out(t->mm, a->a[1], &wr.status, sizeof(wr.status)) < 0)
                return -EFAULT;
        if (a->a[3]) {
                rusage_from_usage(&ru, &wr.usage);
                if (mm_copy_out(t->mm, a->a[3], &ru, sizeof(ru)) < 0)
                        return -EFAULT;
        }
        return wr.pid;
}

/* waitid(P_PIDFD, fd): the child the pidfd names, and WNOHANG if the pidfd
 * is non-blocking. */
static long pidfd_wait_target(struct task *t, int fd, int *which, int *id, int *options)
{
        struct pidfd_target pt;
        struct file *f;
        long r;

        if (fd < 0)
                return -EINVAL;
        f = fdtable_get(t->fdt, fd);
        if (!f)
                return -EBADF;
        r = pidfd_get_target(f, &pt);
        if (r == 0) {
                *which = P_PID;
                *id = pt.pid;
                if (f->flags & O_NONBLOCK)
                        *options |= WNOHANG;
                pidfd_target_release(&pt);
        }
        file_unref(f);
        return r;
}

#define WAITID_OPTIONS (WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WNOTHREAD | \
                        __WCLONE | __WALL)

long sys_waitid(struct task *t, const struct syscall_args *a)
{
        int which = (int)a->a[0], id = (int)a->a[1], options = (int)a->a[3];
        struct wait_result wr;
        siginfo_t info;
        int r;

        if (options & ~WAITID_OPTIONS)
                return -EINVAL;
        if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
                return -EINVAL;
        switch (which) {
        case P_ALL:
                break;
        case P_PID:
        case P_PGID:
                if (id <= 0 && !(which == P_PGID && id == 0))
                        return -EINVAL;
                if (which == P_PGID && id == 0) {
                        pthread_mutex_lock(&t->kernel->lock);
                        id = t->tg->pgid;
                        pthread_mutex_unlock(&t->kernel->lock);
                }
                break;
        case P_PIDFD:
                r = pidfd_wait_target(t, id, &which, &id, &options);
                if (r < 0)
                        return r;
                break;
        default:
                return -EINVAL;
        }
        r = task_wait(t, which, id, options, &wr);
        if (r < 0)
                return r;
        /* Only the pidfd made it non-blocking: nothing yet is EAGAIN. */
        if (r == 0 && (options & WNOHANG) && !((int)a->a[3] & WNOHANG))
                return -EAGAIN;
        memset(&info, 0, sizeof(info));
        if (r == 1) {
                info.si_signo = SIGCHLD;
                info.si_code = wr.code;
                info.si_pid = wr.pid;
                info.si_uid = wr.uid;
                info.si_status = wr.child_status;
        }
        /* The usage only when a child was found, and before the siginfo,
         * as Linux writes them. */
        if (r == 1 && a->a[4]) {
                struct rusage ru;

                rusage_from_usage(&ru, &wr.usage);
                if (mm_copy_out(t->mm, a->a[4], &ru, sizeof(ru)) < 0)
                        return -EFAULT;
        }
        if (a->a[2] && mm_copy_out(t->mm, a->a[2], &info, sizeof(info)) < 0)
                return -EFAULT;
        return 0;
}

/* Process groups and sessions. */

long sys_getpgid(struct task *t, const struct syscall_args *a)
{
        int pid = (int)a->a[0];
        struct thread_group *tg;
        long r;

        if (pid == 0)
                tg = thread_group_ref(t->tg);
        else if (!(tg = kernel_find_tg(t->kernel, pid)))
                return -ESRCH;
        pthread_mutex_lock(&t->kernel->lock);
        r = tg->pgid;
        pthread_mutex_unlock(&t->kernel->lock);
        thread_group_unref(tg);
        return r;
}

long sys_getpgrp(struct task *t, const struct syscall_args *a)
{
        struct syscall_args zero = { .nr = a->nr };

        return sys_getpgid(t, &zero);
}

long sys_getsid(struct task *t, const struct syscall_args *a)
{
        int pid = (int)a->a[0];
        struct thread_group *tg;
        long r;

        if (pid == 0)
                tg = thread_group_ref(t->tg);
        else if (!(tg = kernel_find_tg(t->kernel, pid)))
                return -ESRCH;
        pthread_mutex_lock(&t->kernel->lock);
        r = tg->sid;
        pthread_mutex_unlock(&t->kernel->lock);
        thread_group_unref(tg);
        return r;
}

/* Whether a live process has pgid as its group, in session sid (any
 * session when sid is 0). Lock held. */
static bool pgrp_exists_locked(struct kernel *k, int pgid, int sid)
{
        for (int pid = 1; pid < KERNEL_PID_MAX; pid++) {
                struct thread_group *tg = k->tgs[pid];

                if (tg && tg->state == TG_LIVE && tg->pgid == pgid && (!sid || tg->sid == sid))
                        return true;
        }
        return false;
}

long sys_setpgid(struct task *t, const struct syscall_args *a)
{
        struct kernel *k = t->kernel;
        int pid = (int)a->a[0], pgid = (int)a->a[1];
        struct thread_group *me = t->tg, *tg;
        long r = 0;

        if (pgid < 0)
                return -EINVAL;
        pthread_mutex_lock(&k->lock);
        if (pid == 0)
                pid = me->tgid;
        if (pgid == 0)
                pgid = pid;
        tg = pid > 0 && pid < KERNEL_PID_MAX ? k->tgs[pid] : NULL;
        /* Linux's setpgid(): the caller or one of its children only. */
        if (!tg || tg->state != TG_LIVE || (tg != me && tg->parent != me))
                r = -ESRCH;
        else if (tg != me && tg->exec_done)
                r = -EACCES;
        else if (tg != me && tg->sid != me->sid)
                r = -EPERM;
        else if (tg->sid == tg->tgid)
                r = -EPERM;             /* a session leader stays where it is */
        else if (pgid != pid && !pgrp_exists_locked(k, pgid, me->sid))
                r = -EPERM;
        else
                tg->pgid = pgid;
        pthread_mutex_unlock(&k->lock);
        return r;
}

long sys_setsid(struct task *t, const struct syscall_args *a)
{
        struct kernel *k = t->kernel;
        struct thread_group *me = t->tg;
        struct tty *old = NULL;
        long r;

        (void)a;
        pthread_mutex_lock(&k->lock);
        /* A process group leader, or anyone whose pid names a group, can't. */
        if (me->pgid == me->tgid || pgrp_exists_locked(k, me->tgid, 0)) {
                r = -EPERM;
        } else {
                me->pgid = me->sid = me->tgid;
                old = ctty_clear_locked(me);    /* a new session has no terminal */
                r = me->tgid;
        }
        pthread_mutex_unlock(&k->lock);
        tty_unref(old);
        return r;
}
