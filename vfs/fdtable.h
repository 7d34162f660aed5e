/*
 * Per-process file descriptor tables.
 *
 * Lock order: fdt->lock is a leaf (never held while calling into a file).
 */
#ifndef CONTERNEL_VFS_FDTABLE_H
#define CONTERNEL_VFS_FDTABLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct file;

struct fdtable {
        atomic_int refcount;
        pthread_mutex_t lock;
        /* protected by lock */
        int size;                       /* slots allocated */
        struct file **files;            /* NULL: free slot */
        bool *cloexec;
        bool *reserved;                 /* taken by fdtable_reserve(), not yet installed */
};

int fdtable_create(struct fdtable **ret);
/* A copy for fork: the same open files (new references), the same flags. */
int fdtable_dup(struct fdtable *fdt, struct fdtable **ret);
struct fdtable *fdtable_ref(struct fdtable *fdt);
struct fdtable *fdtable_unref(struct fdtable *fdt);     /* accepts NULL */

/* Install f (a new reference is taken) at the lowest free fd >= min_fd below
 * limit. Returns the fd, -EMFILE when none is free below limit. */
int fdtable_install(struct fdtable *fdt, struct file *f, int min_fd, bool cloexec,
                    int limit);
/* Take the lowest free fd below limit before the file exists, as Linux's
 * get_unused_fd_flags() (so open(2) is EMFILE before it looks at the name).
 * Returns the fd or -EMFILE; then either fdtable_install_reserved() or
 * fdtable_unreserve(). */
int fdtable_reserve(struct fdtable *fdt, int limit);
void fdtable_install_reserved(struct fdtable *fdt, int fd, struct file *f, bool cloexec);
void fdtable_unreserve(struct fdtable *fdt, int fd);
/* Install at exactly fd, replacing (and dropping) what was there. -EBADF if
 * fd is negative or >= limit, -EBUSY if fd is reserved (Linux's dup2 race). */
int fdtable_install_at(struct fdtable *fdt, int fd, struct file *f, bool cloexec,
                       int limit);
/* A new reference to the file at fd, or NULL (-EBADF for the caller). */
struct file *fdtable_get(struct fdtable *fdt, int fd);
/* Remove fd; -EBADF if it was not open. */
int fdtable_close(struct fdtable *fdt, int fd);
/* The lowest open fd >= from, with a new reference to its file and its
 * close-on-exec flag (ret_file, ret_cloexec may be NULL); -ENOENT if none. */
int fdtable_next(struct fdtable *fdt, int from, struct file **ret_file, bool *ret_cloexec);
/* execve: close every fd marked close-on-exec. */
void fdtable_close_on_exec(struct fdtable *fdt);
/* close_range(2) on [first, last] (last may be past the table): close every
 * open fd, or with cloexec_only mark them close-on-exec. */
void fdtable_close_range(struct fdtable *fdt, unsigned first, unsigned last, bool cloexec_only);
/* Whether another task may share fdt (CLOSE_RANGE_UNSHARE's test). */
bool fdtable_shared(struct fdtable *fdt);
int fdtable_get_cloexec(struct fdtable *fdt, int fd, bool *ret);
int fdtable_set_cloexec(struct fdtable *fdt, int fd, bool cloexec);

#endif
