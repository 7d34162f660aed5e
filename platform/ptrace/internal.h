/*
 * Inside the ptrace platform. Not for use outside platform/ptrace/ (the unit
 * test excepted, which looks at stub pids).
 *
 * Who traces what:
 *   - the platform thread (service.c), one per platform, forks every stub and
 *     traces each stub's main thread, which never runs guest code: it runs
 *     the clone()s that make ctx threads and the map calls of host threads
 *     that have no ctx in the address space;
 *   - each ctx's stub thread is traced by the host thread that created the
 *     ctx, and only that thread may switch to it, inject calls into it or
 *     release it.
 *
 * Objects and who touches them:
 *   struct ptrace_platform  immutable after create, but for the service queue
 *                           (its own lock) and next_cpu (atomic).
 *   struct ptrace_as        pid, pidfd, trampoline, init_regs: immutable after
 *                           as_create. ctxs, nctx: as->lock. dead: atomic.
 *   struct ptrace_ctx       everything but ->interrupted and ->next is touched
 *                           only by its tracer thread; ->interrupted by anyone.
 * Lock order: as->lock, then the service lock. Neither is held across a
 * tracee stop or a service call.
 */
#ifndef CONTERNEL_PLATFORM_PTRACE_INTERNAL_H
#define CONTERNEL_PLATFORM_PTRACE_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "platform/platform.h"
#include "platform/stub/stub.h"

/* The stub's only file descriptor: the memory file. */
#define STUB_MEMFD 3

/* What ->interrupt() sends to a stub thread. Any signal would do (the stub
 * never has a signal delivered); this one is unlikely to come from elsewhere,
 * and a stray one is harmless: it is swallowed like any other. */
#define STUB_INTERRUPT_SIGNAL SIGURG

/* Offsets into the trampoline page (trampoline_amd64.S). */
extern const char stub_trampoline_start[], stub_trampoline_end[];
extern const char stub_syscall_insn[], stub_clone_insn[], stub_park_insn[];
extern const char stub_exit_insn[], stub_empty_sigset[];
extern const char stub_syscall_done[], stub_clone_done[];
#define STUB_SYSCALL_OFFSET ((uintptr_t)(stub_syscall_insn - stub_trampoline_start))
#define STUB_SYSCALL_DONE_OFFSET ((uintptr_t)(stub_syscall_done - stub_trampoline_start))
#define STUB_CLONE_OFFSET ((uintptr_t)(stub_clone_insn - stub_trampoline_start))
#define STUB_CLONE_DONE_OFFSET ((uintptr_t)(stub_clone_done - stub_trampoline_start))
#define STUB_PARK_OFFSET ((uintptr_t)(stub_park_insn - stub_trampoline_start))
#define STUB_EXIT_OFFSET ((uintptr_t)(stub_exit_insn - stub_trampoline_start))
#define STUB_EMPTY_SIGSET_OFFSET ((uintptr_t)(stub_empty_sigset - stub_trampoline_start))

/* The platform thread: runs functions for other threads, one at a time. */
struct service_call;
struct ptrace_service {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t wake;            /* the platform thread waits for calls */
        pthread_cond_t done;            /* callers wait for their call */
        struct service_call *head, *tail;       /* protected by lock */
        bool stopping;                  /* protected by lock */
};

struct ptrace_platform {
        struct platform base;
        int memfd;                      /* borrowed */
        uintptr_t trampoline;           /* address of the trampoline page, same in every stub */
        atomic_uint next_cpu;           /* round robin for placing tracer/stub pairs */
        cpu_set_t cpus;                 /* ... among these, the sentry's at create */
        int procfd;                     /* the host's /proc, for accounting (stub/usage.c) */
        struct ptrace_service service;
};

struct ptrace_ctx;

struct ptrace_as {
        struct platform_as base;
        pid_t pid;                      /* the stub process; its main thread is traced
                                         * by the platform thread */
        int pidfd;                      /* for killing and reaping it without pid reuse races */
        uintptr_t trampoline;
        struct user_regs_struct init_regs;  /* main thread at its first stop: sane cs/ss */
        pthread_mutex_t lock;
        struct ptrace_ctx *ctxs;        /* live ctxs, protected by lock */
        unsigned nctx;                  /* protected by lock */
        atomic_bool dead;               /* the stub was killed or died */
};

struct ptrace_ctx {
        struct platform_ctx base;
        struct ptrace_ctx *next;        /* in as->ctxs, protected by as->lock */
        pid_t tgid;                     /* the stub process, immutable */
        pid_t tid;                      /* stub thread backing this ctx, immutable */
        pid_t tracer;                   /* host thread tracing tid, immutable */
        bool released;                  /* released from another thread: kept on
                                         * as->ctxs for as_release to reap; as->lock */
        bool dead;
        int stub_cpu;                   /* CPU the stub thread is pinned to, -1 if none */
        atomic_bool interrupted;        /* set by ->interrupt(), any thread */
};

/* The calling thread's host tid, cached. */
pid_t ptrace_self_tid(void);

/* service.c */
int service_start(struct ptrace_service *s);
void service_stop(struct ptrace_service *s);
/* Runs fn(arg) on the platform thread and returns its result. */
int service_run(struct ptrace_service *s, int (*fn)(void *arg), void *arg);

/* stub.c */
int stub_trampoline_get(uintptr_t *ret);
int stub_spawn(int memfd, uintptr_t trampoline, pid_t *ret_pid, int *ret_pidfd,
               struct user_regs_struct *ret_regs);

/* thread.c */
int stub_thread_clone(struct ptrace_as *as, pid_t *ret_tid);
int stub_thread_attach(struct ptrace_as *as, pid_t tid);
void stub_thread_exit(struct ptrace_as *as, pid_t tid);
void stub_thread_reap(pid_t tid);

/* wait.c */
int ptrace_wait_stop(pid_t tid, int *ret_status);

/* inject.c: a system call run by the stopped stub thread tid, which the
 * calling thread traces. _clone runs it where a clone() child goes straight
 * to stub_park. */
int stub_inject_syscall(struct ptrace_as *as, pid_t tid, long nr,
                        uint64_t a0, uint64_t a1, uint64_t a2,
                        uint64_t a3, uint64_t a4, uint64_t a5, long *ret);
int stub_inject_clone(struct ptrace_as *as, pid_t tid, uint64_t flags, long *ret);

/* affinity.c */
void ctx_place(struct ptrace_platform *pp, struct ptrace_ctx *ctx);

/* ops: as.c, ctx.c */
int ptrace_as_create(struct platform *p, struct platform_as **ret);
int ptrace_as_map(struct platform_as *as, guest_ptr_t addr, uint64_t len,
                  int prot, uint64_t off);
int ptrace_as_unmap(struct platform_as *as, guest_ptr_t addr, uint64_t len);
int ptrace_as_protect(struct platform_as *as, guest_ptr_t addr, uint64_t len, int prot);
void ptrace_as_release(struct platform_as *as);

int ptrace_ctx_create(struct platform_as *as, struct platform_ctx **ret);
int ptrace_switch_to(struct platform_ctx *ctx, struct cpu_regs *regs,
                     struct platform_event *ev);
void ptrace_interrupt(struct platform_ctx *ctx);
int ptrace_xstate_get(struct platform_ctx *ctx, struct cpu_xstate *ret);
int ptrace_xstate_set(struct platform_ctx *ctx, const struct cpu_xstate *xs);
void ptrace_ctx_release(struct platform_ctx *ctx);

#endif
