/*
 * The task a sentry thread is serving, like Linux's `current`. Each guest
 * thread has its own sentry host thread, so this is a thread-local pointer,
 * set by the syscall layer before it runs a call; code that cannot be handed
 * the task (procfs's /proc/self, through its source) asks for it here.
 */
#ifndef CONTERNEL_SENTRY_CURRENT_H
#define CONTERNEL_SENTRY_CURRENT_H

struct task;

/* Borrowed: the thread's own task outlives everything it runs. */
void task_set_current(struct task *t);
/* NULL on a thread that serves no task (the launcher, timers). */
struct task *task_current(void);

#endif
