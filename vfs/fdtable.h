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
/* Install at exactly fd, replacing (and dropping) what was there. -EBADF if
 * fd is negative or >= limit. */
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
int fdtable_get_cloexec(struct fdtable *fdt, int fd, bool *ret);
int fdtable_set_cloexec(struct fdtable *fdt, int fd, bool cloexec);

#endif
