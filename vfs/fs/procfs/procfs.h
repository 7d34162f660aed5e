/*
 * procfs: /proc, generated from a source of process data.
 *
 * vfs/ may not use sentry/kernel, yet /proc is all about tasks. So procfs
 * defines what it needs as an ops table, struct procfs_source, and whoever
 * mounts it (the sandbox, with sentry/kernel/procfs_source.c) implements the
 * table and hands it over as mount data (struct procfs_mount_data through
 * vfs_mount_data()). Unit tests mount it over a fake source. See README.md.
 *
 * Everything procfs asks is by number (tgid, tid): the source looks the task
 * up under its own locks and answers with a snapshot, or -ESRCH when the
 * task is gone. No source op is called with a vfs lock held.
 */
#ifndef CONTERNEL_VFS_PROCFS_H
#define CONTERNEL_VFS_PROCFS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "vfs/seq_file.h"

struct fdtable;
struct file;
struct fs_context;
struct procfs_source;

/* What /proc/PID/status, stat and statm show of one task. */
struct procfs_status {
        char comm[16];                  /* NUL-terminated */
        char state;                     /* 'R', 'S', 'Z' ... as Linux's task_state_array */
        int tgid, pid, ppid, pgid, sid;
        int tty_nr, tpgid;              /* the controlling terminal's device and
                                         * foreground group (0, -1: none) */
        int threads;
        uint32_t uid[4], gid[4];        /* real, effective, saved, fs */
        uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
        unsigned umask;
        /* memory, in bytes */
        uint64_t vm_size, vm_rss, vm_data, vm_stack;
        /* signals, bit signo-1 */
        uint64_t sig_pending;           /* this thread's */
        uint64_t shared_pending;        /* the group's */
        uint64_t sig_blocked, sig_ignored, sig_caught;
        unsigned sigq_queued;
        uint64_t sigq_limit;            /* RLIMIT_SIGPENDING */
        uint64_t start_ns;              /* since boot, CLOCK_MONOTONIC */
        uint64_t utime_ns, stime_ns;
        int nice;
};

/* One mapping of a process, for /proc/PID/maps and smaps. */
struct procfs_vma {
        uint64_t start, end;
        int prot;                       /* PROT_* */
        bool shared;                    /* MAP_SHARED */
        bool may_write;                 /* PROT_WRITE allowed (Linux's VM_MAYWRITE) */
        bool account;                   /* Linux's VM_ACCOUNT (private, was writable) */
        const char *name;               /* static: "[heap]", "[stack]", or NULL */
        /* The open file it maps or, for the loader's segments, copies (a
         * reference, dropped by procfs_vmas_free()), or NULL; pgoff is the
         * file offset of start in bytes (0 without a file). */
        struct file *file;
        uint64_t pgoff;
        uint64_t rss;                   /* bytes of it memory backs */
};

/* Free what procfs_source_ops.vmas handed out. Accepts NULL. */
void procfs_vmas_free(struct procfs_vma *v, size_t n);

/* What /proc/meminfo shows of the sandbox, in bytes. */
struct procfs_meminfo {
        uint64_t total, free;
};

struct procfs_source_ops {
        /* The task making the current system call (for /proc/self and
         * /proc/thread-self): its tgid and tid. -ESRCH when there is none. */
        int (*current)(struct procfs_source *s, int *ret_tgid, int *ret_tid);
        /* The smallest live or zombie tgid >= from, or -ENOENT. */
        int (*next_tgid)(struct procfs_source *s, int from, int *ret);
        /* The smallest tid >= from among tgid's threads, or -ENOENT. */
        int (*next_tid)(struct procfs_source *s, int tgid, int from, int *ret);
        /* The task with this tid, or the group leader's data when tid is a
         * tgid whose leader is gone; -ESRCH. */
        int (*status)(struct procfs_source *s, int tid, struct procfs_status *ret);
        int (*limits)(struct procfs_source *s, int tgid, struct rlimit ret[RLIM_NLIMITS]);
        /* The task's supplementary groups in decimal, separated by single
         * spaces (status's Groups: line). NULL slot: none. */
        int (*groups)(struct procfs_source *s, int tid, struct seqbuf *b);
        /* The process's mappings in address order: a new array in *ret
         * (NULL when none) of *ret_n entries, freed by the caller with
         * procfs_vmas_free(). A zombie has none; -ESRCH when reaped. */
        int (*vmas)(struct procfs_source *s, int tgid, struct procfs_vma **ret,
                    size_t *ret_n);
        /* The argv and envp strings as the process's memory holds them now
         * (NUL separated). */
        int (*cmdline)(struct procfs_source *s, int tgid, struct seqbuf *b);
        int (*environ)(struct procfs_source *s, int tgid, struct seqbuf *b);
        /* The executable's path, no NUL; -ENOENT if unknown. */
        int (*exe)(struct procfs_source *s, int tgid, struct seqbuf *b);
        /* New references to the process's fd table and file system context;
         * -ESRCH once it has exited (a zombie has neither). */
        int (*fdtable)(struct procfs_source *s, int tgid, struct fdtable **ret);
        int (*fs)(struct procfs_source *s, int tgid, struct fs_context **ret);
        /* The sandbox's host name (uname nodename): get into b, or set. */
        int (*hostname)(struct procfs_source *s, struct seqbuf *b);
        int (*set_hostname)(struct procfs_source *s, const char *name, size_t len);
        int (*meminfo)(struct procfs_source *s, struct procfs_meminfo *ret);
        /* Time since the sandbox booted. */
        int (*uptime)(struct procfs_source *s, struct timespec *ret);
        /* The last reference went (procfs_source_unref). */
        void (*release)(struct procfs_source *s);
};

/* Embed in the implementation's own struct (container_of back). */
struct procfs_source {
        const struct procfs_source_ops *ops;
        atomic_int refcount;
};

static inline void procfs_source_init(struct procfs_source *s,
                                      const struct procfs_source_ops *ops)
{
        s->ops = ops;
        atomic_init(&s->refcount, 1);
}

static inline struct procfs_source *procfs_source_ref(struct procfs_source *s)
{
        atomic_fetch_add_explicit(&s->refcount, 1, memory_order_relaxed);
        return s;
}

static inline struct procfs_source *procfs_source_unref(struct procfs_source *s)
{
        if (s && atomic_fetch_sub_explicit(&s->refcount, 1, memory_order_acq_rel) == 1)
                s->ops->release(s);
        return NULL;
}

/* Mount data for the "proc" fs type (vfs_mount_data()). */
struct procfs_mount_data {
        struct procfs_source *source;   /* the superblock takes a reference */
        /* The host's /proc/cpuinfo, read once at boot by the launcher (the
         * sentry never reads host paths later), copied; NULL: empty. */
        const char *cpuinfo;
        unsigned ncpus;                 /* for /proc/stat's cpu lines; 0: 1 */
};

#endif
