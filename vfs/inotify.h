/*
 * inotify instances: a file holding an fsnotify group and its queue of
 * events (Linux's fs/notify/inotify/). The syscall layer resolves paths
 * and fds; this decides everything else with Linux's errnos.
 *
 * Lock order: the fsnotify lock (fsnotify.h) → an instance's queue lock.
 */
#ifndef CONTERNEL_VFS_INOTIFY_H
#define CONTERNEL_VFS_INOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct path;

/* The limits /proc/sys/fs/inotify shows (Linux's defaults; fixed here). */
#define INOTIFY_MAX_QUEUED_EVENTS  16384
#define INOTIFY_MAX_USER_INSTANCES 128
#define INOTIFY_MAX_USER_WATCHES   65536

/* flags: IN_NONBLOCK (IN_CLOEXEC is the caller's); the caller checked
 * them. -EMFILE past INOTIFY_MAX_USER_INSTANCES. */
int inotify_create_file(unsigned flags, struct file **ret);
bool file_is_inotify(const struct file *f);
/* Add or update the watch on p's inode (mask checked by the caller, which
 * also checked MAY_READ): the wd, -EEXIST (IN_MASK_CREATE), -ENOSPC. */
int inotify_add_watch_file(struct file *f, const struct path *p, uint32_t mask);
/* -EINVAL if no such wd; queues IN_IGNORED. */
int inotify_rm_watch_file(struct file *f, int wd);

#endif
