/* The calling thread's task (see current.h). */
#include "sentry/kernel/current.h"

#include <stddef.h>

static __thread struct task *current_task;

void task_set_current(struct task *t)
{
        current_task = t;
}

struct task *task_current(void)
{
        return current_task;
}
