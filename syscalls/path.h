/* Helpers for handlers that take guest path names and dirfds. */
#ifndef CONTERNEL_SYSCALLS_PATH_H
#define CONTERNEL_SYSCALLS_PATH_H

#include <stdbool.h>

#include "lib/guest.h"
#include "sentry/kernel/creds.h"
#include "vfs/namei.h"

struct task;
struct file;

/* access(2): the real ids. */
struct vfs_cred task_vfs_real_cred(struct task *t);

/* A guest path name, copied in: at most VFS_PATH_MAX bytes with its NUL
 * (-ENAMETOOLONG), -EFAULT. Free *ret. */
int path_copy_in(struct task *t, guest_ptr_t upath, char **ret);

/* Everything a *at() call needs: the name, the dirfd's path, the creds. */
struct at_call {
        char *name;
        struct vfs_cred cred;
        struct path dir;                /* a reference, or empty for the cwd */
        struct vfs_at at;
        struct file *file;              /* the dirfd's file, for AT_EMPTY_PATH */
};

/* Copy upath in and resolve dirfd the way Linux's path_init() does: ignored
 * for an absolute name, AT_FDCWD for the cwd, else an open fd (-EBADF) of a
 * directory (-ENOTDIR; any file when the name is "" and empty_ok). An empty
 * name without empty_ok is -ENOENT. */
int at_begin(struct task *t, int dirfd, guest_ptr_t upath, bool empty_ok, struct at_call *c);
/* The same with the name already copied in (consumed, even on error);
 * dir_always: resolve dirfd for an absolute name too (RESOLVE_IN_ROOT). */
int at_begin_name(struct task *t, int dirfd, char *name, bool empty_ok, bool dir_always,
                  struct at_call *c);
void at_end(struct at_call *c);
/* The same for a call with no name (at->dir NULL: the cwd). */
void at_cwd(struct task *t, struct at_call *c);

/* The file at fd, refusing O_PATH files (-EBADF), as Linux's fdget(). */
struct file *task_fget(struct task *t, int fd);

#endif
