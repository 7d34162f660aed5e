/* sentry/kernel internals shared between its files. */
#ifndef CONTERNEL_SENTRY_KERNEL_INTERNAL_H
#define CONTERNEL_SENTRY_KERNEL_INTERNAL_H

struct task;

void task_block_init(struct task *t);
void task_block_destroy(struct task *t);

#endif
