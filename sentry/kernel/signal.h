/*
 * Signals: actions, pending queues and delivery.
 *
 * A signal is queued on a task (tkill, tgkill, faults) or on its thread group
 * (kill) and delivered by the task itself on its way back to guest code
 * (signal_deliver() from the task loop): ignored, a default action, or a
 * frame on the guest stack for the handler, undone by rt_sigreturn.
 *
 * A stop signal with its default action stops the whole thread group and
 * SIGCONT continues it (job control, job_control.c). Not built yet: core
 * dumps (core signals terminate).
 *
 * Locking: tg->lock protects the sighand, both pending sets and the masks.
 */
#ifndef CONTERNEL_SENTRY_SIGNAL_H
#define CONTERNEL_SENTRY_SIGNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/guest.h"

#define KSIG_MAX 64                     /* _NSIG */
#define KSIG_BIT(signo) (1ULL << ((signo) - 1))
/* SIGKILL and SIGSTOP can be neither caught, blocked nor ignored. */
#define KSIG_UNBLOCKABLE (KSIG_BIT(9) | KSIG_BIT(19))
#define KSIG_RTMIN 32                   /* the kernel's SIGRTMIN (glibc reserves 32-34) */

/* The kernel's struct sigaction for rt_sigaction on x86_64. */
struct ksigaction {
        guest_ptr_t handler;            /* SIG_DFL 0, SIG_IGN 1, else an address */
        uint64_t flags;
        guest_ptr_t restorer;
        uint64_t mask;
};
#define KSIG_DFL 0
#define KSIG_IGN 1
/* Kernel ABI values glibc's <signal.h> does not define. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

struct sighand {
        struct ksigaction action[KSIG_MAX];     /* index signo-1 */
};

/* The kernel's stack_t. */
struct sigaltstack_state {
        guest_ptr_t sp;
        int32_t flags;
        uint64_t size;
};

/* Signals waiting for delivery. A standard signal is pending at most once;
 * real-time signals queue, each with its own siginfo. */
struct sigqueue_entry {
        struct sigqueue_entry *next;
        siginfo_t info;                 /* the kernel's layout on x86_64 */
};
struct sigpending {
        uint64_t set;                   /* which signals have an entry */
        struct sigqueue_entry *head;    /* in arrival order */
        unsigned count;
};

void sigpending_init(struct sigpending *p);
void sigpending_clear(struct sigpending *p);
/* Queue info->si_signo. A standard signal already pending is merged (0).
 * -EAGAIN when limit real-time entries are already queued. */
int sigpending_add(struct sigpending *p, const siginfo_t *info, unsigned limit);
/* Take the first entry of the lowest signal in `allowed` (synchronous fault
 * signals first, as Linux does). 0 and ret filled, or -EAGAIN if none. */
int sigpending_take(struct sigpending *p, uint64_t allowed, siginfo_t *ret);
/* Drop every entry of signo (it became ignored). */
void sigpending_flush(struct sigpending *p, int signo);

enum sig_default {
        SIG_DEFAULT_TERM,
        SIG_DEFAULT_CORE,
        SIG_DEFAULT_IGNORE,
        SIG_DEFAULT_STOP,
        SIG_DEFAULT_CONT,
};
enum sig_default signal_default_action(int signo);
bool signal_valid(int signo);

struct task;
struct platform_event;

/* Send signo with info to one task (group false: tkill/tgkill, faults) or to
 * its thread group (kill). Applies Linux's rules for ignored signals and for
 * the sandbox's init (pid 1), which only gets signals it handles. */
int signal_send(struct task *t, const siginfo_t *info, bool group);
/* A synchronous fault: delivered even if blocked or ignored (then with the
 * default action), like Linux's force_sig_fault(). */
void signal_force_fault(struct task *t, const struct platform_event *ev);
/* On the way back to guest code: act on the pending signals the task does
 * not block. May end the thread group (task->exiting). */
void signal_deliver(struct task *t);

/* sigsuspend, ppoll, pselect6, epoll_pwait: mask is in force while the call
 * waits. signal_mask_restore() puts the old one back when the call ends
 * without being interrupted; after an interruption the handler's frame
 * saves the old mask instead (Linux's restore_saved_sigmask_unless()). */
void signal_mask_set_temporary(struct task *t, uint64_t mask);
void signal_mask_restore(struct task *t);

/* Building and unwinding frames (signal_frame_amd64.c). */
int signal_frame_setup(struct task *t, const siginfo_t *info, const struct ksigaction *act,
                       uint64_t oldmask);
/* rt_sigreturn: restore registers, mask, FP state and alternate stack from
 * the frame at the guest's stack pointer. -EFAULT on a bad frame (the caller
 * then kills the guest with SIGSEGV, as Linux does). */
int signal_frame_restore(struct task *t);

#endif
