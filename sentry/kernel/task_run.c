/*
 * The task loop: run guest code until it stops, then answer the stop — a
 * system call through the table, a fault as a signal — and go again.
 */
#include "task.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/log.h"
#include "sentry/kernel/kernel.h"
#include "syscalls/syscall.h"

/* A synchronous fault. Signal frames come with the signals issue; until then
 * a fault the guest cannot have handled kills it with the signal's default
 * action, and a guest that installed a handler is told so in the log. */
static void task_fault(struct task *t, const struct platform_event *ev)
{
        const struct ksigaction *act = &t->tg->sighand.action[ev->signo - 1];

        if (act->handler > 1)
                log_warn("tid %d: %s at %#llx: signal handlers are not delivered yet; killing",
                         t->tid, sigabbrev_np(ev->signo), (unsigned long long)ev->addr);
        else
                log_debug("tid %d: %s (code %d) at %#llx, rip %#llx", t->tid,
                          sigabbrev_np(ev->signo), ev->si_code,
                          (unsigned long long)ev->addr,
                          (unsigned long long)t->regs.gp.rip);
        /* Core-dumping signals report the core flag in the wait status, as
         * Linux does when a core would be written; we never write one. */
        task_exit_group(t, ev->signo);
}

int task_run(struct task *t)
{
        const struct platform_ops *ops = t->kernel->platform_ops;
        struct platform_event ev;
        int r;

        while (!t->exiting) {
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
                        task_fault(t, &ev);
                        break;
                case PLATFORM_STOP_INTERRUPTED:
                        break;
                }
        }
        return t->tg->exit_status;
}
