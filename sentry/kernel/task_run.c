/*
 * The task loop: deliver pending signals, run guest code until it stops,
 * then answer the stop — a system call through the table, a fault as a
 * signal — and go again.
 */
#include "task.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/log.h"
#include "sentry/kernel/current.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "syscalls/syscall.h"

void task_run(struct task *t)
{
        const struct platform_ops *ops = t->kernel->platform_ops;
        struct platform_event ev;
        int r;

        t->host_thread = pthread_self();
        task_set_current(t);            /* for /proc/self and signalfd */
        while (!task_must_leave(t)) {
                signal_deliver(t);
                if (task_must_leave(t))
                        break;
                r = ops->switch_to(t->ctx, &t->regs, &ev);
                if (r < 0) {
                        log_err("tid %d: platform lost the guest: %s", t->tid, strerror(-r));
                        task_exit_group(t, SIGKILL);
                        break;
                }
                switch (ev.stop) {
                case PLATFORM_STOP_SYSCALL:
                        syscall_dispatch(t);
                        break;
                case PLATFORM_STOP_FAULT:
                        /* Copy-on-write and the like: the mm resolves it;
                         * -EIO is a file mapping past EOF: SIGBUS. */
                        r = ev.signo == SIGSEGV ? mm_handle_fault(t->mm, ev.addr, ev.access) : -EFAULT;
                        if (r == 0)
                                break;
                        if (r == -EIO)
                                ev = (struct platform_event){ .stop = ev.stop, .signo = SIGBUS,
                                                              .si_code = BUS_ADRERR, .addr = ev.addr };
                        log_debug("tid %d: %s (code %d) at %#llx, rip %#llx", t->tid,
                                  sigabbrev_np(ev.signo), ev.si_code,
                                  (unsigned long long)ev.addr,
                                  (unsigned long long)t->regs.gp.rip);
                        signal_force_fault(t, &ev);
                        break;
                case PLATFORM_STOP_INTERRUPTED:
                        break;
                }
        }
        task_exit(t);
}
