/*
 * The per-sandbox kernel: the state every task shares. One struct kernel per
 * sandbox, built by kernel_create() from the launcher's options and passed
 * explicitly (no globals).
 *
 * Lock order: kernel->lock → task and thread-group locks → mm (sentry/mm).
 */
#ifndef CONTERNEL_SENTRY_KERNEL_H
#define CONTERNEL_SENTRY_KERNEL_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "platform/platform.h"
#include "sentry/kernel/futex.h"
#include "vfs/lock.h"
#include "lib/ktimer.h"

struct ipc_ns;
struct memfile;
struct net;
struct task;

#define KERNEL_NAME_MAX 64      /* Linux's __NEW_UTS_LEN */
#define KERNEL_SYSCALL_MAX 512  /* above the highest amd64 syscall number */
#define KERNEL_PID_MAX 32768    /* Linux's default pid_max */

struct kernel_config {
        const char *platform;           /* platform name, PLATFORM_DEFAULT if NULL */
        const char *hostname;           /* uname nodename, "conternel" if NULL */
        bool strace;                    /* log every guest system call */
        int strace_fd;                  /* where --strace lines go */
        uint64_t memfile_size;          /* 0: default */
        int pids_limit;                 /* most tasks at once (threads count); 0: default */
};

/* The default cap on tasks, like a pids cgroup: every guest task is a host
 * thread (and every process a stub), and the guest's root ignores
 * RLIMIT_NPROC as Linux's does, so this is what keeps a fork bomb in. */
#define KERNEL_PIDS_LIMIT_DEFAULT 1024

struct kernel {
        /* immutable after kernel_create() */
        const struct platform_ops *platform_ops;
        struct platform *platform;
        struct memfile *memfile;
        bool strace;
        int strace_fd;
        int pids_limit;
        struct timespec boot_monotonic;
        cpu_set_t cpus;                 /* the host CPUs the sandbox may use */
        unsigned nr_cpu_ids;            /* CPUs the host may have (sched_getaffinity's bound) */

        pthread_mutex_t lock;
        /* protected by lock */
        char hostname[KERNEL_NAME_MAX + 1];
        char domainname[KERNEL_NAME_MAX + 1];
        int next_tid;
        struct task **tasks;                    /* by tid, KERNEL_PID_MAX slots */
        struct thread_group **tgs;              /* by tgid, until reaped */
        struct thread_group *init;              /* pid 1, NULL before boot */
        int nthreads;                           /* task threads still running */
        pthread_cond_t threads_done;            /* signalled when nthreads drops */

        struct ktimer_service timers;   /* has its own lock */
        struct futex_table futexes;     /* has its own locks */
        struct lock_wait_graph lock_waits; /* F_SETLKW's deadlock graph (vfs/lock.h): own lock */
        struct net *net;                /* sockets (net/): has its own locks */
        struct ipc_ns *ipc;             /* System V IPC (sentry/ipc): has its own locks */

        /* system calls already reported as unimplemented, one bit each */
        atomic_uchar enosys_logged[KERNEL_SYSCALL_MAX / 8];
};

int kernel_create(const struct kernel_config *cfg, struct kernel **ret);
void kernel_destroy(struct kernel *k);
/* A free thread id in the sandbox's pid namespace (the first is 1), taken
 * for t, or -EAGAIN when all are in use. Lock held. */
int kernel_alloc_tid_locked(struct kernel *k, struct task *t);
/* Wait until every task thread has finished (after init exited and the
 * rest were killed). */
void kernel_wait_threads(struct kernel *k);

#endif
