/* Thread and process identity, exit, TLS and per-thread bookkeeping. */
#include <asm/prctl.h>
#include <errno.h>
#include <string.h>

#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

long sys_exit(struct task *t, const struct syscall_args *a)
{
        /* This thread only; the last thread's exit ends the group. */
        task_exit_thread(t, ((int)a->a[0] & 0xff) << 8);
        return 0;
}

long sys_exit_group(struct task *t, const struct syscall_args *a)
{
        task_exit_group(t, ((int)a->a[0] & 0xff) << 8);
        return 0;
}

long sys_getpid(struct task *t, const struct syscall_args *a)
{
        (void)a;
        return t->tg->tgid;
}

long sys_gettid(struct task *t, const struct syscall_args *a)
{
        (void)a;
        return t->tid;
}

long sys_getppid(struct task *t, const struct syscall_args *a)
{
        struct kernel *k = t->kernel;
        int ppid;

        (void)a;
        pthread_mutex_lock(&k->lock);
        /* Init's parent is outside the sandbox: 0, as in a pid namespace. */
        ppid = t->tg->parent ? t->tg->parent->tgid : 0;
        pthread_mutex_unlock(&k->lock);
        return ppid;
}

long sys_set_tid_address(struct task *t, const struct syscall_args *a)
{
        t->clear_child_tid = a->a[0];
        return t->tid;
}

/* struct robust_list_head: three words. */
#define ROBUST_LIST_HEAD_SIZE 24

long sys_set_robust_list(struct task *t, const struct syscall_args *a)
{
        if (a->a[1] != ROBUST_LIST_HEAD_SIZE)
                return -EINVAL;
        t->robust_list = a->a[0];
        t->robust_list_len = a->a[1];
        return 0;
}

long sys_get_robust_list(struct task *t, const struct syscall_args *a)
{
        guest_ptr_t head;
        uint64_t len = ROBUST_LIST_HEAD_SIZE;
        int r;

        if ((int)a->a[0] != 0 && (int)a->a[0] != t->tid)
                return -ESRCH;
        head = t->robust_list;
        r = mm_copy_out(t->mm, a->a[2], &len, sizeof(len));
        if (r < 0)
                return r;
        return mm_copy_out(t->mm, a->a[1], &head, sizeof(head));
}

long sys_arch_prctl(struct task *t, const struct syscall_args *a)
{
        struct user_regs_struct *gp = &t->regs.gp;
        uint64_t value;

        switch (a->a[0]) {
        case ARCH_SET_FS:
        case ARCH_SET_GS:
                /* A base must be a canonical user address, as Linux checks. */
                if (a->a[1] >= 0x00007ffffffff000ULL)
                        return -EPERM;
                if (a->a[0] == ARCH_SET_FS)
                        gp->fs_base = a->a[1];
                else
                        gp->gs_base = a->a[1];
                return 0;
        case ARCH_GET_FS:
        case ARCH_GET_GS:
                value = a->a[0] == ARCH_GET_FS ? gp->fs_base : gp->gs_base;
                return mm_copy_out(t->mm, a->a[1], &value, sizeof(value));
        default:
                return -EINVAL;
        }
}
