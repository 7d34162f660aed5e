/*
 * Readiness of host file descriptors (the launcher's stdio, later donated
 * fds): one host epoll, watched by one thread, turns host readiness edges
 * into notifications on a wait queue, so a guest waiting on such a file
 * (read, poll, epoll) sleeps in the sentry where signals can reach it.
 * Like gVisor's fdnotifier.
 */
#ifndef CONTERNEL_VFS_FDNOTIFY_H
#define CONTERNEL_VFS_FDNOTIFY_H

#include "lib/waitqueue.h"

/* Watch host_fd; readiness changes notify wq. -EPERM if the host cannot
 * poll this fd (regular files, /dev/null): such a file is always ready. */
int fdnotify_add(int host_fd, struct waitqueue *wq);
void fdnotify_remove(int host_fd);
/* The host's readiness now (EPOLL* bits), without blocking. */
unsigned fdnotify_poll(int host_fd, unsigned events);

#endif
