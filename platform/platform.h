/*
 * The platform interface: how guest code runs and how it comes back to the
 * sentry. Every platform (systrap, ptrace; kvm later) implements
 * struct platform_ops and registers itself with platform_register().
 *
 * Objects:
 *   struct platform     one per sandbox, from ops->create().
 *   struct platform_as  a guest address space: a stub process holding guest
 *                       memory (ranges of the memory file mapped shared).
 *   struct platform_ctx a guest thread's execution context inside an address
 *                       space (a stub thread).
 *
 * Threading (every platform): any host thread may create address spaces,
 * create ctxs in any of them, change any address space (map/unmap/protect)
 * and release an address space. A ctx belongs to the host thread that
 * created it: only that thread switches to it, gets or sets its xstate and
 * releases it, and it must release it before it exits (ptrace: a thread that
 * exits with a live ctx takes the whole stub down rather than leave a guest
 * thread untraced).
 * ->interrupt() may be called from any thread. Release ctxs before their
 * address space.
 * Lifetime: an address space outlives the thread that created it; its stub
 * dies with the sentry process or when the platform is destroyed (both
 * platforms fork their stubs from a long-lived platform thread, whose death
 * PR_SET_PDEATHSIG follows).
 *
 * Errors are -errno. Nothing here logs.
 */
#ifndef CONTERNEL_PLATFORM_H
#define CONTERNEL_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/user.h>

#include "lib/guest.h"

/* Guest general-purpose registers: the kernel's own layout for x86_64
 * (orig_rax holds the system call number on a system call stop). */
struct cpu_regs {
        struct user_regs_struct gp;
};

/* The guest's x87/SSE/AVX state in XSAVE layout. Large; fetched only when the
 * sentry needs it (signal frames, fork). */
#define PLATFORM_XSTATE_MAX 4096
struct cpu_xstate {
        uint32_t size;                  /* bytes valid in buf */
        _Alignas(64) uint8_t buf[PLATFORM_XSTATE_MAX];
};

enum platform_stop {
        PLATFORM_STOP_SYSCALL,          /* system call: number in gp.orig_rax */
        PLATFORM_STOP_FAULT,            /* synchronous fault, see the fault fields */
        PLATFORM_STOP_INTERRUPTED,      /* ->interrupt() was called */
};

enum platform_access {
        PLATFORM_ACCESS_READ = 1,
        PLATFORM_ACCESS_WRITE = 2,
        PLATFORM_ACCESS_EXEC = 4,
};

struct platform_event {
        enum platform_stop stop;
        /* PLATFORM_STOP_FAULT only: */
        int signo;                      /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
        int si_code;                    /* as the host reported it (SEGV_MAPERR, ...) */
        guest_ptr_t addr;               /* faulting address (si_addr) */
        unsigned access;                /* enum platform_access bits, 0 if unknown */
};

/* What the host accounted to guest code: CPU time, faults, peak RSS. */
struct platform_usage {
        uint64_t cpu_ns;                /* utime + stime, to the nanosecond */
        uint64_t utime_ns, stime_ns;    /* cpu_ns split as the host's ticks split it */
        uint64_t minflt, majflt;
        uint64_t maxrss_kb;             /* whole address space only */
};

/* One change to an address space, for ->as_apply. */
enum platform_as_op_kind { PLATFORM_AS_MAP, PLATFORM_AS_UNMAP, PLATFORM_AS_PROTECT };
struct platform_as_op {
        enum platform_as_op_kind kind;
        int prot;                       /* MAP, PROTECT */
        guest_ptr_t addr;
        uint64_t len;
        uint64_t off;                   /* MAP: memory-file offset */
};

struct platform;
struct platform_as;
struct platform_ctx;

struct platform_ops {
        const char *name;

        /* One per sandbox. memfd is the memory file (borrowed, outlives it). */
        int (*create)(int memfd, struct platform **ret);
        void (*destroy)(struct platform *p);

        /* A new, empty address space (a stub process). */
        int (*as_create)(struct platform *p, struct platform_as **ret);
        /* Map [addr, addr+len) to the memory file at offset off, MAP_SHARED|MAP_FIXED,
         * with prot (PROT_*). Replaces whatever was mapped there. Page aligned. */
        int (*as_map)(struct platform_as *as, guest_ptr_t addr, uint64_t len,
                      int prot, uint64_t off);
        int (*as_unmap)(struct platform_as *as, guest_ptr_t addr, uint64_t len);
        int (*as_protect)(struct platform_as *as, guest_ptr_t addr, uint64_t len,
                          int prot);
        /* Optional: ops[0..n) in order, as the calls above would do them, but
         * in one go (systrap: one hand-off to the stub). 0, or the first
         * error (the ops after it are not done). */
        int (*as_apply)(struct platform_as *as, const struct platform_as_op *ops, unsigned n);
        /* Kills the stub process. */
        void (*as_release)(struct platform_as *as);

        /* A guest thread in as, ready to run with the registers given to switch_to. */
        int (*ctx_create)(struct platform_as *as, struct platform_ctx **ret);
        /* Run guest code with regs until it stops; regs are updated to the guest's
         * state at the stop. Returns 0 and fills ev, or -errno if the context is
         * dead (the stub was killed: -ESRCH). */
        int (*switch_to)(struct platform_ctx *ctx, struct cpu_regs *regs,
                         struct platform_event *ev);
        /* Make a running or about-to-run switch_to return PLATFORM_STOP_INTERRUPTED.
         * Any thread; async-signal-safe. */
        void (*interrupt)(struct platform_ctx *ctx);
        /* The guest's FP/vector state of a stopped context. */
        int (*xstate_get)(struct platform_ctx *ctx, struct cpu_xstate *ret);
        int (*xstate_set)(struct platform_ctx *ctx, const struct cpu_xstate *xs);
        void (*ctx_release)(struct platform_ctx *ctx);
        /* Optional: a stopped context starts a new program (execve): its
         * FP/vector state becomes the initial one, as in a new context. Lets
         * exec keep the caller's context instead of making another. */
        int (*ctx_exec)(struct platform_ctx *ctx);

        /* Accounting, any thread: what the host charged to the whole
         * address space (every context it ever ran, exited ones included)
         * or to one context. cpu_only is cheaper (the CPU-time clocks and
         * timers): cpu_ns, and for the address space utime_ns/stime_ns as
         * the host's tick-based user and system clocks count them; the rest
         * is zero. -ESRCH once the stub is gone. */
        int (*as_usage)(struct platform_as *as, bool cpu_only, struct platform_usage *ret);
        int (*ctx_usage)(struct platform_ctx *ctx, bool cpu_only, struct platform_usage *ret);
};

/* Base of every platform object, so the generic code can find the ops. */
struct platform {
        const struct platform_ops *ops;
};
struct platform_as {
        struct platform *platform;
};
struct platform_ctx {
        struct platform_as *as;
};

/* Registry. Platforms register from a constructor in their own folder. */
void platform_register(const struct platform_ops *ops);
const struct platform_ops *platform_lookup(const char *name);
/* The names of all registered platforms, NULL-terminated, for --help. */
const char *const *platform_names(void);
#define PLATFORM_DEFAULT "systrap"

#endif
