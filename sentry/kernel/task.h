/*
 * Tasks (guest threads) and thread groups (guest processes).
 *
 * Each task runs on its own sentry host thread (task_run()), which is also
 * the only thread allowed to switch to its platform context. A thread group
 * lives on as a zombie after its last task is gone, until its parent reaps
 * it (wait.c) or it is reaped automatically (SIGCHLD ignored).
 *
 * Lifetimes: tasks and thread groups are refcounted. A task holds its thread
 * group; the pid table and the parent's list of children hold a thread group
 * until it is reaped. Lookups (kernel_find_task()) return new references.
 *
 * Lock order: kernel->lock (pid table, the process tree, pgids and sids)
 *   → tg->lock (signal state, rlimits) → task->block_lock.
 * task->creds_lock is a leaf.
 */
#ifndef CONTERNEL_SENTRY_TASK_H
#define CONTERNEL_SENTRY_TASK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "lib/guest.h"
#include "lib/waitqueue.h"
#include "platform/platform.h"
#include "sentry/kernel/creds.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/posix_timer.h"
#include "sentry/kernel/rusage.h"
#include "sentry/kernel/sched.h"
#include "sentry/kernel/signal.h"

struct fdtable;
struct fs_context;
struct kernel;
struct mm;
struct sem_undo;
struct task;
struct tty;

enum tg_state {
        TG_LIVE,                        /* has tasks */
        TG_ZOMBIE,                      /* all tasks gone; waits for its parent */
        TG_REAPED,                      /* reaped; only references keep it */
};

/* Job control state of a thread group (tg->jobctl), Linux's SIGNAL_STOP_*
 * and SIGNAL_CLD_* flags (job_control.c). */
#define TG_JOBCTL_STOPPED       0x1u    /* a group stop completed (every thread parked) */
#define TG_JOBCTL_CONTINUED     0x2u    /* continued by SIGCONT: wait(WCONTINUED) may report it */
#define TG_JOBCTL_CLD_STOPPED   0x4u    /* the parent is still to be told: CLD_STOPPED */
#define TG_JOBCTL_CLD_CONTINUED 0x8u    /* the parent is still to be told: CLD_CONTINUED */

/* A guest process: one or more tasks (threads). */
struct thread_group {
        atomic_int refcount;
        int tgid;                       /* immutable */
        struct kernel *kernel;          /* immutable */

        /* protected by kernel->lock: */
        struct thread_group *parent;    /* NULL for init */
        int parent_tid;                 /* the thread of parent that made it (PR_SET_PDEATHSIG) */
        struct thread_group *children;  /* first child */
        struct thread_group *sibling;   /* next child of parent */
        struct task *leader;            /* the first task, NULL once it is gone */
        enum tg_state state;
        int pgid, sid;
        struct tty *ctty;               /* controlling terminal, a reference (ctty.h) */
        int exit_signal;                /* sent to the parent at exit: SIGCHLD or from clone */
        bool exec_done;                 /* for setpgid's EACCES */
        bool child_subreaper;           /* PR_SET_CHILD_SUBREAPER; not inherited */
        struct task *vfork_parent;      /* a vfork parent waiting for exec or exit (a reference) */

        pthread_mutex_t lock;
        struct task *tasks;             /* protected by lock: live threads, via task->tg_next */
        int nlive;                      /* protected by lock */
        atomic_bool group_exit;         /* set once: every thread must leave */
        struct task *exec_task;         /* protected by lock: a thread in execve waiting
                                         * for the others to leave (exec.c), borrowed */
        struct sighand sighand;         /* protected by lock */
        struct sigpending pending;      /* protected by lock: kill() to the group */
        struct rlimit rlimits[RLIM_NLIMITS]; /* protected by lock */
        int dumpable;                   /* protected by lock: PR_SET_DUMPABLE, inherited by fork */
        /* The program it runs (a reference, or NULL), which denies writers
         * to it (ETXTBSY, exec.h): set at exec, shared with fork children,
         * dropped when the last thread leaves. Protected by lock. */
        struct file *exe_file;
        struct itimer_real itimer_real; /* has its own lock */
        struct posix_timers timers;     /* timer_create's and ITIMER_VIRTUAL/PROF: own lock */
        bool init_killable;             /* protected by lock: a fault ended init's protection */
        struct waitqueue signalfd_wq;   /* signalfds: notified when a signal is queued */
        struct waitqueue pidfd_wq;      /* pidfds: notified when a thread exits or the group is reaped */
        /* Job control (job_control.c), protected by lock: TG_JOBCTL_* flags,
         * the threads still to park for a group stop in progress, and the
         * stop signal a wait(WUNTRACED) reports (0 once reported). */
        unsigned jobctl;
        int group_stop_count;
        int stop_code;
        /* Resource usage (rusage.c): the group's own as recorded by its
         * exiting threads, and its reaped children's. Protected by lock. */
        struct task_usage exit_usage;
        struct task_usage cusage;
        struct task_usage exec_usage;   /* of the stubs before the last execve */
        /* SEM_UNDO adjustments (sentry/ipc/sem.c): protected by the IPC
         * namespace's semaphore lock, applied when the last thread exits. */
        struct sem_undo *sem_undo;
        /* Set once when the group starts exiting: the wait status (as from wait4). */
        bool exited;                    /* protected by lock */
        int exit_status;                /* protected by lock */
};

struct thread_group *thread_group_ref(struct thread_group *tg);
struct thread_group *thread_group_unref(struct thread_group *tg);

struct task {
        atomic_int refcount;
        struct kernel *kernel;          /* borrowed, outlives the task */
        struct thread_group *tg;        /* a reference */
        struct task *tg_next;           /* protected by tg->lock: next live thread */
        int tid;                        /* immutable, but for an exec from a non-leader
                                         * thread, which takes the leader's (exec.c) */
        struct mm *mm;                  /* owned reference; NULL once exited */
        struct platform_ctx *ctx;       /* owned; protected by block_lock (interrupts read it) */
        struct fdtable *fdt;            /* owned reference */
        struct fs_context *fs;          /* owned reference: root, cwd, umask */
        /* Only this task changes creds (task_creds_commit()), under
         * creds_lock (a leaf); it reads its own without the lock, other
         * threads copy them with task_creds_get(). */
        struct creds creds;
        pthread_mutex_t creds_lock;
        struct task_sched sched;        /* nice, policy, affinity: its own lock */
        /* This thread's CPU time in stubs before an execve: protected by
         * block_lock (with the context it adds to). */
        struct task_usage thread_base;

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
        /* Set by futex_exit() once the robust list is walked: a PI lock
         * naming this task has a dead owner (Linux's FUTEX_STATE_DEAD). */
        atomic_bool futex_dead;
        char comm[16];                  /* PR_SET_NAME, TASK_COMM_LEN */

        /* Job control (job_control.c), protected by tg->lock: a group stop
         * wants this thread to park (Linux's JOBCTL_STOP_PENDING); it is
         * parked (JOBCTL_STOPPED); a stop signal was just dequeued and no
         * SIGCONT came since (JOBCTL_STOP_DEQUEUED). */
        bool stop_pending;
        bool stopped;
        bool stop_dequeued;
        /* prctl: the signal to get when the parent thread exits
         * (PR_SET_PDEATHSIG; protected by kernel->lock, not inherited);
         * PR_SET_KEEPCAPS and PR_SET_NO_NEW_PRIVS (only this task
         * changes them; inherited). */
        int pdeath_signal;
        bool no_new_privs;              /* PR_SET_NO_NEW_PRIVS: set once, inherited */

        /* Set when the task must leave its loop: exit or fatal signal. */
        bool exiting;
        atomic_bool zapped;             /* another thread's execve: leave as if killed */
        bool exit_kicked;               /* protected by tg->lock: told to leave by exit_group */

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
        const char *filename;           /* the program, resolved in fs from its root */
        char *const *argv;
        char *const *envp;
        struct fdtable *fdt;            /* consumed */
        struct fs_context *fs;          /* consumed */
};

struct task *task_ref(struct task *t);
struct task *task_unref(struct task *t);        /* accepts NULL, returns NULL */

/* Create the init task (pid 1): the program exec'd (exec.h) as root in
 * a->fs, a context. Call on the thread that will run it. Returns execve's
 * errnos for the program. */
int task_create_init(struct kernel *k, const struct task_spawn_args *a, struct task **ret);
/* Run the task's loop on the calling thread until it exits, then tear it
 * down (task_exit.c). Consumes the caller's reference. */
void task_run(struct task *t);

/* Leave the loop: exit_group(code) or a fatal signal; the first status set
 * for the group wins, and every other thread of the group is made to leave
 * too. */
void task_exit_group(struct task *t, int wait_status);
/* exit(2): only this thread leaves; the last one to leave ends the group
 * with wait_status. */
void task_exit_thread(struct task *t, int wait_status);
/* A live thread of tg to signal or wake (new reference), or NULL. */
struct task *thread_group_any_task(struct thread_group *tg);
/* Wake every live thread of tg (a child changed state: whichever waits). */
void thread_group_wake_all(struct thread_group *tg);

/* fork, vfork and clone (task_clone.c): flags as clone(2). The child starts
 * on its own host thread; returns its pid or -errno. */
struct clone_args_k {
        uint64_t flags;
        int exit_signal;
        guest_ptr_t stack, tls, parent_tid, child_tid;
        guest_ptr_t pidfd;              /* CLONE_PIDFD: where the parent's new pidfd goes */
};
long task_clone(struct task *parent, const struct clone_args_k *ca);

/* Waiting for children (wait.c): wait4/waitid's core. which: P_PID, P_PGID,
 * P_ALL; options as waitid(2) (WEXITED, WSTOPPED,
 * WCONTINUED, WNOHANG, WNOWAIT, __WALL...). Returns 1 with the child's pid,
 * wait status and siginfo-style code filled, 0 for WNOHANG with nothing
 * ready, or -errno (-ECHILD, -ERESTARTSYS). */
struct wait_result {
        int pid, status, code, uid;
        int child_status;               /* waitid's: exit code, signal, or stop signal */
        struct task_usage usage;        /* the child's own and children's (zero for WNOWAIT) */
};
int task_wait(struct task *t, int which, int id, int options, struct wait_result *ret);

/* Process lookup (under kernel->lock). New references, NULL if none. */
struct task *kernel_find_task(struct kernel *k, int tid);
struct thread_group *kernel_find_tg(struct kernel *k, int tgid);

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
/* Sleep until task_wake(), whatever signals are pending (a stopped task,
 * vfork's parent); the caller re-checks its condition after
 * task_prepare_block(), as above. */
void task_sleep(struct task *t);
/* Wake a task blocked (or about to block) in the sentry. Any thread. */
void task_wake(struct task *t);
/* A signal was queued for t: wake it if blocked, or pull it out of guest
 * code so that it delivers the signal. Any thread. */
void task_interrupt(struct task *t);
/* Whether a signal t does not block is pending. */
bool task_signal_pending(struct task *t);

/* A wait-queue entry that wakes a task (for files' wait queues). */
struct task_waiter {
        struct waiter w;
        struct task *task;              /* borrowed: the waiter lives on its stack */
};
void task_waiter_init(struct task_waiter *tw, struct task *t, unsigned events);
/* The wait of a call that blocks on a file: attempt(t, arg) until it answers
 * anything but -EAGAIN, sleeping on wq (woken for events) in between;
 * nonblock: one attempt. -EINTR when a signal comes (the caller turns it
 * into -ERESTARTSYS or -EINTR), -ETIMEDOUT at the deadline (absolute
 * CLOCK_MONOTONIC, NULL for none), else attempt's answer. */
long task_wait_event(struct task *t, struct waitqueue *wq, unsigned events, bool nonblock,
                     const struct timespec *deadline, long (*attempt)(struct task *t, void *arg),
                     void *arg);

#endif
