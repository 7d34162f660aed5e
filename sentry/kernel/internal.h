/* sentry/kernel internals shared between its files. */
#ifndef CONTERNEL_SENTRY_KERNEL_INTERNAL_H
#define CONTERNEL_SENTRY_KERNEL_INTERNAL_H

#include <stdbool.h>

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

#endif
