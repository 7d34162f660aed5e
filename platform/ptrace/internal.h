/*
 * Inside the ptrace platform. Not for use outside platform/ptrace/ (the unit
 * test excepted, which looks at stub pids).
 *
 * Objects and who touches them:
 *   struct ptrace_platform  immutable after create.
 *   struct ptrace_as        one stub process; every field is used only by its
 *                           tracer thread (the host thread that created it).
 *   struct ptrace_ctx       one stub thread, traced by the AS's tracer thread;
 *                           only ->interrupt is touched by other threads.
 * No locks: the threading rule of platform.h is the synchronisation.
 */
#ifndef CONTERNEL_PLATFORM_PTRACE_INTERNAL_H
#define CONTERNEL_PLATFORM_PTRACE_INTERNAL_H

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
extern const char stub_syscall_insn[], stub_exit_insn[];
#define STUB_SYSCALL_OFFSET ((uintptr_t)(stub_syscall_insn - stub_trampoline_start))
#define STUB_EXIT_OFFSET ((uintptr_t)(stub_exit_insn - stub_trampoline_start))

struct ptrace_platform {
        struct platform base;
        int memfd;                      /* borrowed */
        uintptr_t trampoline;           /* address of the trampoline page, same in every stub */
        atomic_uint next_cpu;           /* round robin for placing tracer/stub pairs */
};

struct ptrace_as {
        struct platform_as base;
        pid_t pid;                      /* the stub process (and its main thread) */
        int pidfd;                      /* for killing and reaping it without pid reuse races */
        pid_t tracer;                   /* host tid that traces every thread of the stub */
        uintptr_t trampoline;
        struct user_regs_struct init_regs;  /* main thread at its first stop: sane cs/ss */
        bool main_taken;                /* the main thread backs a ctx */
        bool dead;                      /* the stub was killed or died */
        unsigned nctx;                  /* live ctxs, for as_release's assert */
};

struct ptrace_ctx {
        struct platform_ctx base;
        pid_t tgid;                     /* the stub process, immutable */
        pid_t tid;                      /* stub thread backing this ctx, immutable */
        bool is_main;                   /* tid == the stub's pid */
        bool dead;
        int stub_cpu;                   /* CPU the stub thread is pinned to, -1 if none */
        atomic_bool interrupted;        /* set by ->interrupt(), any thread */
};

/* stub.c */
int stub_trampoline_get(uintptr_t *ret);
int stub_spawn(int memfd, uintptr_t trampoline, pid_t *ret_pid, int *ret_pidfd,
               struct user_regs_struct *ret_regs);

/* wait.c */
int ptrace_wait_stop(pid_t tid, int *ret_status);

/* inject.c */
int stub_inject_syscall(struct ptrace_as *as, pid_t tid, long nr,
                        uint64_t a0, uint64_t a1, uint64_t a2,
                        uint64_t a3, uint64_t a4, uint64_t a5, long *ret);

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
