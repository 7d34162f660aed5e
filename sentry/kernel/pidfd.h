/*
 * pidfds (pidfd.c): files that name a process, or with PIDFD_THREAD one
 * thread (Linux's pidfs). A pidfd holds its thread group (and thread), so
 * it outlives the process: it reads as ready (EPOLLIN) once the process has
 * exited, and adds EPOLLHUP once it is reaped; signals to it then give
 * ESRCH.
 */
#ifndef CONTERNEL_SENTRY_PIDFD_H
#define CONTERNEL_SENTRY_PIDFD_H

#include <fcntl.h>
#include <stdbool.h>

struct file;
struct kernel;
struct task;
struct thread_group;

/* pidfd_open(2) flags, as Linux's <linux/pidfd.h>. */
#define KPIDFD_NONBLOCK O_NONBLOCK
#define KPIDFD_THREAD O_EXCL

/* A pidfd for process tg, or with thread for that thread of it (whose tid
 * is pid). flags: KPIDFD_NONBLOCK. */
int pidfd_create(struct thread_group *tg, struct task *thread, int pid, unsigned flags,
                 struct file **ret);
/* pidfd_open(2)'s lookup: -ESRCH if no process or thread has that pid,
 * -ENOENT if it names a thread but KPIDFD_THREAD is not given (Linux 6.15+;
 * older kernels said EINVAL). */
int pidfd_open_pid(struct kernel *k, int pid, unsigned flags, struct file **ret);

/* What a pidfd names. */
struct pidfd_target {
        struct thread_group *tg;        /* a reference */
        struct task *thread;            /* a reference, NULL: the whole process */
        int pid;                        /* the tgid, or the thread's tid */
        bool thread_scope;              /* opened with KPIDFD_THREAD */
};
/* -EBADF if f is not a pidfd. */
int pidfd_get_target(struct file *f, struct pidfd_target *ret);
void pidfd_target_release(struct pidfd_target *pt);
/* Whether pt's thread (or, without one, its process) still exists:
 * not yet released (a thread) or reaped (a process). */
bool pidfd_target_alive(const struct pidfd_target *pt);

#endif
