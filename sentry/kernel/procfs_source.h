/* The kernel's implementation of procfs's struct procfs_source (see
 * vfs/fs/procfs/README.md): /proc answered from the sandbox's tasks. */
#ifndef CONTERNEL_SENTRY_PROCFS_SOURCE_H
#define CONTERNEL_SENTRY_PROCFS_SOURCE_H

struct kernel;
struct procfs_source;

/* A new source (one reference) over k, which must outlive its use: procfs
 * calls it only from system calls of k's tasks. */
int kernel_procfs_source_create(struct kernel *k, struct procfs_source **ret);

#endif
