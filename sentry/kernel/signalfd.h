/* signalfd files (signalfd.c). */
#ifndef CONTERNEL_SENTRY_SIGNALFD_H
#define CONTERNEL_SENTRY_SIGNALFD_H

#include <stdint.h>

struct file;
struct task;

/* A new signalfd for mask (SIGKILL and SIGSTOP dropped); flags SFD_NONBLOCK. */
int signalfd_create(struct task *t, uint64_t mask, unsigned flags, struct file **ret);
/* signalfd(fd, mask): a new mask for an existing one; -EINVAL if f is not. */
int signalfd_set_mask(struct file *f, uint64_t mask);

#endif
