/* sentry/kernel internals shared between its files. */
#ifndef CONTERNEL_SENTRY_KERNEL_INTERNAL_H
#define CONTERNEL_SENTRY_KERNEL_INTERNAL_H

#include <stdbool.h>

struct file;
struct kernel;
struct task;
struct thread_group;

void task_block_init(struct task *t);
void task_block_destroy(struct task *t);

/* Zeroed objects with one reference (task.c). */
struct task *task_new(struct kernel *k);
struct thread_group *thread_group_new(struct kernel *k);
void task_set_comm(struct task *t, const char *path);

/* Thread membership (task.c), under tg->lock. remove returns whether t was
 * the group's last live thread. */
void thread_group_add_task(struct thread_group *tg, struct task *t);
bool thread_group_remove_task(struct thread_group *tg, struct task *t);
/* Replace tg's exe_file with f (consumed; NULL: none), dropping the old. */
void thread_group_set_exe_file(struct thread_group *tg, struct file *f);

/* Runs fn(arg) on a host thread of its own: a parked one whose task has
 * ended, else a new one (task_thread.c). -errno if there is none. */
int task_thread_start(void (*fn)(void *arg), void *arg);

/* The end of a task, on its own thread (task_exit.c): releases what it
 * holds, makes its group a zombie and tells the parent, then drops the
 * thread's reference. */
void task_exit(struct task *t);

/* Whether t must leave its loop: it exits, its group exits, or another
 * thread's execve zapped it. */
bool task_must_leave(struct task *t);

/* Take a reaped group out of its parent's children and the pid table;
 * returns the table's reference for the caller to drop. kernel->lock held. */
struct thread_group *tg_unlink_reaped_locked(struct kernel *k, struct thread_group *tg);

/* Job control (job_control.c). */
/* A signal is being sent to tg (tg->lock held): a stop signal discards
 * pending SIGCONT; SIGCONT discards pending stop signals and continues a
 * stopped group (Linux's prepare_signal()). */
void jobctl_prepare_signal_locked(struct thread_group *tg, int signo);
/* signal_deliver(): t takes part in a group stop, starting one for signo
 * (a stop signal it just dequeued, t->stop_dequeued set) unless one is in
 * progress; parks until continued or killed. Called with tg->lock held,
 * returns with it released. */
void jobctl_stop_locked(struct task *t, int signo);
/* signal_deliver(): tell the parent about a stop or continue still to be
 * reported (CLD_STOPPED/CLD_CONTINUED). */
void jobctl_notify_pending(struct task *t);
/* Whether t's process group is orphaned (SIGTSTP, SIGTTIN and SIGTTOU are
 * then discarded). Takes kernel->lock. */
bool jobctl_pgrp_orphaned(struct task *t);
/* t is leaving: it no longer takes part in a group stop (which may
 * complete without it). */
void jobctl_task_exit(struct task *t);
/* Linux's kill_orphaned_pgrp() test: tg's group is in parent's session but
 * not parent's group, becomes orphaned (ignoring `ignored`) and has a
 * stopped member. kernel->lock held. */
bool jobctl_orphans_stopped_pgrp_locked(struct kernel *k, const struct thread_group *tg,
                                        const struct thread_group *parent,
                                        const struct thread_group *ignored);
/* SIGHUP then SIGCONT to every process of a newly orphaned group. */
void jobctl_hangup_pgrp(struct kernel *k, int pgid);

#endif
