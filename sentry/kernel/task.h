/*
 * Tasks (guest threads) and thread groups (guest processes).
 *
 * Each task runs on its own sentry host thread (task_run()), which is also
 * the only thread allowed to switch to its platform context.
 *
 * Lock order: tg->lock → task fields it protects.
 */
#ifndef CONTERNEL_SENTRY_TASK_H
#define CONTERNEL_SENTRY_TASK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "lib/guest.h"
#include "platform/platform.h"
#include "sentry/kernel/creds.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/signal.h"

struct fdtable;
struct kernel;
struct mm;

/* A guest process. For now each holds exactly one task. */
struct thread_group {
        int tgid;                       /* immutable */
        int ppid;                       /* immutable until reparenting exists */
        pthread_mutex_t lock;
        struct sighand sighand;         /* protected by lock */
        struct sigpending pending;      /* protected by lock: kill() to the group */
        struct rlimit rlimits[RLIM_NLIMITS]; /* protected by lock */
        struct itimer_real itimer_real; /* has its own lock */
        bool init_killable;             /* protected by lock: a fault ended init's protection */
        /* Set once when the group exits: the wait status (as from wait4). */
        bool exited;
        int exit_status;
};

struct task {
        struct kernel *kernel;          /* borrowed, outlives the task */
        struct thread_group *tg;        /* owned (single-threaded groups for now) */
        int tid;                        /* immutable */
        struct mm *mm;                  /* owned reference */
        struct platform_ctx *ctx;       /* owned */
        struct fdtable *fdt;            /* owned reference */
        struct creds creds;             /* only this task changes it */

        /* Guest registers while the task is in the sentry (between stops). */
        struct cpu_regs regs;

        /* Fields below are touched only by the task's own thread. */
        uint64_t sigmask;               /* blocked signals, bit (signo-1); protected by tg->lock */
        /* sigsuspend/ppoll: the mask to go back to once a signal was taken
         * (Linux's saved_sigmask with TIF_RESTORE_SIGMASK). */
        uint64_t saved_sigmask;
        bool restore_sigmask;
        /* rt_sigtimedwait: blocked signals that still wake the task. */
        uint64_t sigwait_set;           /* protected by tg->lock */
        /* The last stop was a system call whose result asks for a restart. */
        bool syscall_restart;
        pthread_t host_thread;          /* set by task_run() */
        struct sigpending pending;      /* protected by tg->lock: signals to this thread */
        struct sigaltstack_state altstack;
        guest_ptr_t clear_child_tid;
        guest_ptr_t robust_list;
        uint64_t robust_list_len;
        char comm[16];                  /* PR_SET_NAME, TASK_COMM_LEN */

        /* Set when the task must leave its loop: exit or fatal signal. */
        bool exiting;

        /* Blocking in the sentry (block.c): the task waits on its own
         * condition; whoever changes what it waits for calls task_wake(). */
        pthread_mutex_t block_lock;
        pthread_cond_t block_cond;      /* on CLOCK_MONOTONIC */
        bool woken;                     /* protected by block_lock */

        /* restart_syscall(2): how to go on with a call that returned
         * -ERESTART_RESTARTBLOCK. Only the task's own thread touches it. */
        struct restart_block {
                long (*fn)(struct task *t, struct restart_block *rb);
                int clockid;
                struct timespec deadline;       /* absolute, on clockid */
                guest_ptr_t rem;                /* where to report what is left, or 0 */
        } restart;
};

struct task_spawn_args {
        int exe_fd;                     /* the executable, borrowed */
        const char *filename;
        char *const *argv;
        char *const *envp;
        struct fdtable *fdt;            /* consumed */
};

/* Create the init task (tid 1): a new mm, the program loaded, a context. */
int task_create_init(struct kernel *k, const struct task_spawn_args *a, struct task **ret);
/* Run the task's loop on the calling thread until its thread group exits;
 * returns the wait status (W* macros apply). */
int task_run(struct task *t);
void task_destroy(struct task *t);

/* Leave the loop: exit_group(code) or a fatal signal. */
void task_exit_group(struct task *t, int wait_status);

/* Blocking (block.c). The pattern, with the waker changing state first:
 *      task_prepare_block(t);
 *      while (!condition) {
 *              r = task_block(t, deadline);
 *              if (r < 0) return r == -EINTR ? -ERESTARTSYS : r;
 *              task_prepare_block(t);
 *      }
 * task_block returns 0 when woken (re-check the condition), -ETIMEDOUT at
 * the deadline (absolute CLOCK_MONOTONIC, NULL for none), -EINTR when a
 * signal the task does not block is pending. */
void task_prepare_block(struct task *t);
int task_block(struct task *t, const struct timespec *deadline);
/* Wake a task blocked (or about to block) in the sentry. Any thread. */
void task_wake(struct task *t);
/* A signal was queued for t: wake it if blocked, or pull it out of guest
 * code so that it delivers the signal. Any thread. */
void task_interrupt(struct task *t);
/* Whether a signal t does not block is pending. */
bool task_signal_pending(struct task *t);

#endif
