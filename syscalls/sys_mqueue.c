/*
 * POSIX message queues (sentry/ipc/mqueue.c). The handlers only decode the
 * registers (glibc strips the name's leading '/' before the call).
 */
#include "sentry/ipc/ipc.h"
#include "syscall.h"
#include "syscalls/sys.h"

long sys_mq_open(struct task *t, const struct syscall_args *a)
{
        return ipc_mq_open(t, a->a[0], (int)a->a[1], (unsigned)a->a[2], a->a[3],
                           task_nofile_limit(t));
}

long sys_mq_unlink(struct task *t, const struct syscall_args *a)
{
        return ipc_mq_unlink(t, a->a[0]);
}

long sys_mq_timedsend(struct task *t, const struct syscall_args *a)
{
        return ipc_mq_timedsend(t, (int)a->a[0], a->a[1], a->a[2], (unsigned)a->a[3], a->a[4]);
}

long sys_mq_timedreceive(struct task *t, const struct syscall_args *a)
{
        return ipc_mq_timedreceive(t, (int)a->a[0], a->a[1], a->a[2], a->a[3], a->a[4]);
}

long sys_mq_notify(struct task *t, const struct syscall_args *a)
{
        return ipc_mq_notify(t, (int)a->a[0], a->a[1]);
}

long sys_mq_getsetattr(struct task *t, const struct syscall_args *a)
{
        return ipc_mq_getsetattr(t, (int)a->a[0], a->a[1], a->a[2]);
}
