/*
 * Tasks (guest threads) and thread groups (guest processes).
 *
 * Each task runs on its own sentry host thread (task_run()), which is also
 * the only thread allowed to switch to its platform context.
 *
 * Lock order: tg->lock → task fields it protects.
 */
#ifndef CONTERNEL_SENTRY_TASK_H
#define CONTERNEL_SENTRY_TASK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "lib/guest.h"
#include "platform/platform.h"
#include "sentry/kernel/creds.h"
#include "sentry/kernel/signal.h"

struct fdtable;
struct fs_context;
struct kernel;
struct mm;

/* A guest process. For now each holds exactly one task. */
struct thread_group {
        int tgid;                       /* immutable */
        int ppid;                       /* immutable until reparenting exists */
        pthread_mutex_t lock;
        struct sighand sighand;         /* protected by lock */
        struct rlimit rlimits[RLIM_NLIMITS]; /* protected by lock */
        /* Set once when the group exits: the wait status (as from wait4). */
        bool exited;
        int exit_status;
};

struct task {
        struct kernel *kernel;          /* borrowed, outlives the task */
        struct thread_group *tg;        /* owned (single-threaded groups for now) */
        int tid;                        /* immutable */
        struct mm *mm;                  /* owned reference */
        struct platform_ctx *ctx;       /* owned */
        struct fdtable *fdt;            /* owned reference */
        struct fs_context *fs;          /* owned reference: root, cwd, umask */
        struct creds creds;             /* only this task changes it */

        /* Guest registers while the task is in the sentry (between stops). */
        struct cpu_regs regs;

        /* Fields below are touched only by the task's own thread. */
        uint64_t sigmask;               /* blocked signals, bit (signo-1) */
        struct sigaltstack_state altstack;
        guest_ptr_t clear_child_tid;
        guest_ptr_t robust_list;
        uint64_t robust_list_len;
        char comm[16];                  /* PR_SET_NAME, TASK_COMM_LEN */

        /* Set when the task must leave its loop: exit or fatal signal. */
        bool exiting;
};

struct task_spawn_args {
        int exe_fd;                     /* the executable, borrowed */
        const char *filename;
        char *const *argv;
        char *const *envp;
        struct fdtable *fdt;            /* consumed */
        struct fs_context *fs;          /* consumed */
};

/* Create the init task (tid 1): a new mm, the program loaded, a context. */
int task_create_init(struct kernel *k, const struct task_spawn_args *a, struct task **ret);
/* Run the task's loop on the calling thread until its thread group exits;
 * returns the wait status (W* macros apply). */
int task_run(struct task *t);
void task_destroy(struct task *t);

/* Leave the loop: exit_group(code) or a fatal signal. */
void task_exit_group(struct task *t, int wait_status);

#endif
