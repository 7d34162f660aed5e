/*
 * Inside the systrap platform. Not for use outside platform/systrap/ (the
 * unit test and the bench excepted, which look at stub pids and tuning).
 *
 * Objects and who touches them:
 *   struct systrap_platform  immutable after create, but for next_cpu, the
 *                            data-file allocator (->data_lock) and the
 *                            factory (->factory_lock).
 *   struct systrap_as        one stub process. The service slot and the slot
 *                            bitmap are protected by ->lock; dead is atomic.
 *   struct systrap_ctx       one stub thread and its slot; switched to by one
 *                            host thread at a time (platform.h); only
 *                            ->interrupted is touched by other threads.
 *
 * Everything in the data memfd (message pages, signal stacks) is written by
 * a process the guest controls: read it once into sentry memory, then
 * validate (msg.c).
 */
#ifndef CONTERNEL_PLATFORM_SYSTRAP_INTERNAL_H
#define CONTERNEL_PLATFORM_SYSTRAP_INTERNAL_H

#include <linux/filter.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/ucontext.h>

#include "platform/platform.h"
#include "platform/stub/stub.h"
#include "layout.h"

/* A stub's two file descriptors (layout.h). */
#define STUB_MEMFD SYSTRAP_MEMFD
#define STUB_DATAFD SYSTRAP_DATAFD

/* The clones the allow-list lets through: a thread for a guest context (in
 * any stub), and a stub forked by the factory (in the factory only: a forked
 * stub's own filter refuses it). */
#define STUB_CLONE_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
                          CLONE_THREAD | CLONE_SYSVSEM)
#define STUB_FORK_FLAGS (SIGCHLD | CLONE_PIDFD)
_Static_assert(STUB_CLONE_FLAGS == SYSTRAP_THREAD_CLONE_FLAGS, "thread clone flags");
_Static_assert(STUB_FORK_FLAGS == SYSTRAP_FORK_CLONE_FLAGS, "fork clone flags");

/* What ->interrupt() sends to a stub thread; the handler reports it. */
#define SYSTRAP_INTERRUPT_SIGNAL SIGURG

/* The message page as the sentry sees it (layout.h has the offsets the
 * assembly uses; checked below). */
struct systrap_msg {
        uint32_t state;
        uint32_t stub_waiting;
        uint32_t sentry_waiting;
        uint32_t spin_pause;
        uint64_t spin;
        uint32_t signo;
        int32_t si_code;
        uint64_t fault_addr;
        int32_t sys_nr;
        uint32_t sys_arch;
        uint64_t fpstate;
        uint64_t fs_base, gs_base;
        uint64_t cur_fs, cur_gs;
        uint64_t req_nr;
        uint64_t req_args[6];
        uint64_t req_ret;
        uint64_t ss[3];
        uint64_t gregs[MSG_NGREGS];
        uint64_t csgsfs;
        uint64_t yield_slow;
        uint64_t noyield_for;
        uint64_t noyield_until;
};

#define CHECK_OFF(field, off) \
        _Static_assert(offsetof(struct systrap_msg, field) == (off), #field)
CHECK_OFF(state, MSG_STATE);
CHECK_OFF(stub_waiting, MSG_STUB_WAITING);
CHECK_OFF(sentry_waiting, MSG_SENTRY_WAITING);
CHECK_OFF(spin_pause, MSG_SPIN_PAUSE);
CHECK_OFF(spin, MSG_SPIN);
CHECK_OFF(yield_slow, MSG_YIELD_SLOW);
CHECK_OFF(noyield_for, MSG_NOYIELD_FOR);
CHECK_OFF(noyield_until, MSG_NOYIELD_UNTIL);
CHECK_OFF(signo, MSG_SIGNO);
CHECK_OFF(si_code, MSG_SI_CODE);
CHECK_OFF(fault_addr, MSG_SI_ADDR);
CHECK_OFF(sys_nr, MSG_SI_SYSCALL);
CHECK_OFF(sys_arch, MSG_SI_ARCH);
CHECK_OFF(fpstate, MSG_FPSTATE);
CHECK_OFF(fs_base, MSG_FS_BASE);
CHECK_OFF(gs_base, MSG_GS_BASE);
CHECK_OFF(cur_fs, MSG_CUR_FS);
CHECK_OFF(cur_gs, MSG_CUR_GS);
CHECK_OFF(req_nr, MSG_REQ_NR);
CHECK_OFF(req_args, MSG_REQ_ARGS);
CHECK_OFF(req_ret, MSG_REQ_RET);
CHECK_OFF(ss, MSG_SS);
CHECK_OFF(gregs, MSG_GREGS);
CHECK_OFF(csgsfs, MSG_CSGSFS);
_Static_assert(sizeof(struct systrap_msg) == MSG_SIZE, "msg size");
_Static_assert(offsetof(ucontext_t, uc_stack) == UC_STACK, "uc_stack");
_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs) == UC_GREGS, "uc gregs");
_Static_assert(offsetof(ucontext_t, uc_mcontext.fpregs) == UC_FPREGS, "uc fpregs");
_Static_assert(offsetof(ucontext_t, uc_sigmask) == UC_SIGMASK, "uc sigmask");
_Static_assert(offsetof(siginfo_t, si_code) == SI_CODE, "si_code");
_Static_assert(offsetof(siginfo_t, si_addr) == SI_ADDR, "si_addr");
_Static_assert(offsetof(siginfo_t, si_syscall) == SI_SYSCALL, "si_syscall");
_Static_assert(REG_EFL == MSG_NGREGS - 1 && REG_CSGSFS == MSG_NGREGS, "gregs order");

/* Where threads sit. */
enum systrap_placement {
        SYSTRAP_PLACE_FREE,     /* the scheduler decides */
        SYSTRAP_PLACE_SPLIT,    /* sentry thread and stub thread on different CPUs */
        SYSTRAP_PLACE_SAME,     /* both on one CPU (spinning is then pointless) */
};

/* How the two sides wait for each other. Defaults in systrap.c; the bench
 * varies them. */
struct systrap_tuning {
        uint64_t sentry_spin_ns;        /* sentry spins this long, then futex */
        uint64_t stub_spin_ns;          /* the stub likewise */
        uint64_t pause_ns;              /* both: of the spin, how long only pausing */
        uint64_t yield_slow_ns;         /* both: a yield this long: another task ran */
        uint64_t noyield_ns;            /* both: then only pausing for this long */
        enum systrap_placement placement;
};
extern struct systrap_tuning systrap_tuning;

struct stub_spawner;

/* A stub's part of the data file and the sentry's mapping of it. */
struct systrap_part {
        uint32_t part;
        uint8_t *data;
};

/* The keeper (pool.c): ready stubs, released ones to clean, dying ones. */
#define POOL_SIZE 2
struct systrap_pool {
        pthread_t thread;
        bool running;                   /* the keeper thread exists */
        pthread_mutex_t lock;           /* everything below */
        pthread_cond_t cond;            /* work for the keeper; the keeper idle */
        struct systrap_as *ready[POOL_SIZE];
        unsigned nready;
        bool seen_first;                /* an address space was taken before */
        bool wanted;                    /* keep the pool full */
        bool refill;                    /* emptied: fork new stubs until full */
        struct systrap_as *dying;       /* killed, to wait for; via ->next */
        struct systrap_as *released;    /* to clean for reuse; via ->next */
        unsigned nreleased;
        bool busy, stopping;
};

struct systrap_platform {
        struct platform base;
        int memfd;                      /* borrowed */
        int procfd;                     /* the host's /proc, for host tids (tid.c) */
        uintptr_t region;               /* the stub region, same address everywhere */
        struct sock_filter *allow;      /* the allow-list filter (libseccomp) */
        unsigned allow_len;
        struct sock_filter ip_filter[10];
        unsigned ip_filter_len;
        struct sock_filter child_filter[11];    /* a forked stub's own (filter.c) */
        unsigned child_filter_len;
        uint64_t tsc_per_us;            /* for the stub's spin bound */
        atomic_uint next_cpu;           /* round robin for placement */
        cpu_set_t cpus;                 /* ... among these, the sentry's at create */
        struct stub_spawner *spawner;   /* forks the factory: see stub_spawner_create() */

        int datafd;                     /* the data file (data.c) */
        pthread_mutex_t data_lock;      /* the part allocator: */
        struct systrap_part *data_free; /*   parts given back, to reuse */
        uint32_t data_nfree, data_cap;
        uint32_t data_next;             /*   parts ever handed out */

        pthread_mutex_t factory_lock;   /* the factory; one fork at a time */
        struct systrap_as *factory;     /* forks every other stub (factory.c) */

        struct systrap_pool pool;
};

struct systrap_as {
        struct platform_as base;
        pid_t pid;                      /* the stub process, its service thread */
        int pidfd;
        uint32_t part;                  /* its part of the data file (data.c) */
        uint8_t *data;                  /* the sentry's mapping of that part */
        pthread_mutex_t lock;           /* the service slot, the slot_* fields, spare */
        uint64_t slot_used;             /* bit i: slot i is taken; bit 0 the service's */
        uint64_t slot_exiting;          /* taken, its thread told to exit: */
        pid_t slot_exiting_tid[SYSTRAP_NSLOTS]; /* free when this one is gone */
        struct systrap_ctx *slot_ctx[SYSTRAP_NSLOTS];   /* live ctxs by slot */
        atomic_bool dead;
        atomic_uint nctx;
        struct systrap_ctx *spare;      /* a context made ahead (pool.c), under ->lock */
        /* What the host had accounted to the stub when it was last made
         * ready for reuse (pool.c), both ways usage is read: the address
         * space's usage starts there. Zero for a new stub. */
        struct platform_usage used_before, used_before_cpu;
        struct systrap_as *next;        /* in the pool's dying or released list */
};

struct systrap_ctx {
        struct platform_ctx base;
        unsigned slot;                  /* immutable */
        uint64_t id;                    /* unique in the process, immutable */
        pid_t tid;                      /* host tid of the stub thread, immutable */
        bool dead;
        bool stopped;                   /* in its handler, the message page ours */
        uint64_t fs_base, gs_base;      /* the guest's, as last set */
        uint64_t fpstate;               /* the frame's fpstate (stub address), unvalidated */
        int cpu;                        /* the stub thread's pinned CPU, -1 if not */
        bool colocated;                 /* both sides on one CPU: no spinning */
        atomic_bool interrupted;        /* set by ->interrupt(), any thread */
        /* What the host had accounted to the thread when it was parked for
         * reuse (ctx.c), both ways usage is read; zero for a new thread. */
        struct platform_usage used_before, used_before_cpu;
};

extern const char systrap_tramp_start[], systrap_tramp_end[];
extern const char systrap_handler[], systrap_restorer[];
#define TRAMP_OFFSET(sym) ((uintptr_t)((sym) - systrap_tramp_start))

static inline volatile struct systrap_msg *as_msg(struct systrap_as *as, unsigned slot)
{
        return (volatile struct systrap_msg *)(as->data + SYSTRAP_HDR_SIZE +
                                               (size_t)slot * SYSTRAP_SLOT_SIZE);
}

/* region.c */
int systrap_region_get(uintptr_t *ret);

/* filter.c: build both filters for a region. */
int systrap_filters_build(struct systrap_platform *sp);

/* tid.c: the host tid of the stub thread that is ns_tid in pid's namespace. */
int systrap_host_tid(int procfd, pid_t pid, pid_t ns_tid, pid_t *ret);

/* data.c: the data file, one part per stub. data_get sets as->part and
 * as->data (the sentry's mapping of it); data_put gives them back, once the
 * stub that mapped the part has exited. */
int systrap_data_init(struct systrap_platform *sp);
void systrap_data_fini(struct systrap_platform *sp);
int systrap_data_get(struct systrap_platform *sp, struct systrap_as *as);
void systrap_data_put(struct systrap_platform *sp, struct systrap_as *as);
static inline uint64_t data_offset(uint32_t part)
{
        return (uint64_t)part * SYSTRAP_DATA_SIZE;
}

/* stub.c: spawns a stub from the sentry (the factory), with as's data part
 * mapped and its header written. */
int systrap_stub_spawn(struct systrap_platform *sp, struct systrap_as *as);
void systrap_header_write(struct systrap_platform *sp, struct systrap_as *as);
/* The stub's spin bounds in message m (from systrap_tuning; none if it
 * shares its CPU with the sentry thread). Written again before each resume:
 * the stub may scribble over them. */
void systrap_msg_spin(const struct systrap_platform *sp, volatile struct systrap_msg *m,
                      bool colocated);

/* factory.c: every stub but the factory is forked from it. stub_fork: a new
 * stub for as (its data part mapped), ready when it returns. */
int systrap_stub_fork(struct systrap_platform *sp, struct systrap_as *as);
void systrap_factory_stop(struct systrap_platform *sp);
/* Kills a stub and waits until it has exited (its data part is then free). */
void systrap_stub_reap(struct systrap_as *as);

/* pool.c: the keeper thread. pool_take: a ready stub (with a spare context)
 * or NULL; pool_reuse: takes a released stub whose threads have all been
 * told to exit, to clean and make ready again (false: the caller kills it);
 * pool_bury: a killed stub, for the keeper to wait for and free;
 * pool_settle: waits until the keeper is idle (tests). */
int systrap_pool_init(struct systrap_platform *sp);
void systrap_pool_fini(struct systrap_platform *sp);
struct systrap_as *systrap_pool_take(struct systrap_platform *sp);
bool systrap_pool_reuse(struct systrap_platform *sp, struct systrap_as *as);
void systrap_pool_bury(struct systrap_platform *sp, struct systrap_as *as);
void systrap_pool_settle(struct systrap_platform *sp);

/* handoff.c: the sentry's side of a message page. */
void handoff_post(volatile struct systrap_msg *m, uint32_t state);
/* Waits until the state is one the sentry owns (STOPPED or DONE) and returns
 * it, spinning for spin_ns first; -ESRCH if the stub (or thread tid, if > 0) died, after which the stub
 * is dead for good. interrupted, if not NULL, is checked while sleeping: a
 * stub that ignores an interrupt for a second is killed. */
int handoff_wait(struct systrap_as *as, volatile struct systrap_msg *m, pid_t tid,
                 uint64_t spin_ns, atomic_bool *interrupted);
/* Runs a host system call in the stub through a message page the caller
 * owns (state STOPPED or DONE). */
int handoff_request(struct systrap_as *as, volatile struct systrap_msg *m, pid_t tid,
                    long nr, const uint64_t args[6], long *ret);
void systrap_as_kill(struct systrap_as *as);
/* A batch of host calls (at most SYSTRAP_BATCH_MAX, no clone): run in order
 * until one fails; results[0..*ret_done) are theirs. */
struct systrap_call {
        long nr;
        uint64_t args[6];
};
int handoff_request_batch(struct systrap_as *as, volatile struct systrap_msg *m, pid_t tid,
                          const struct systrap_call *calls, unsigned n, long *results,
                          unsigned *ret_done);

/* as.c: an address space without a stub yet (its data part mapped), and
 * its end (the stub reaped first); a new stub, not from the pool; a stub
 * killed (its spare ctx with it) and left to the keeper to bury. */
int systrap_as_alloc(struct systrap_platform *sp, struct systrap_as **ret);
void systrap_as_free(struct systrap_platform *sp, struct systrap_as *as);
int systrap_as_new(struct systrap_platform *sp, struct systrap_as **ret);
void systrap_as_drop(struct systrap_platform *sp, struct systrap_as *as);
/* A host call in the stub, by whichever thread is cheapest. */
int systrap_as_syscall(struct systrap_as *as, long nr, const uint64_t args[6], long *ret);

/* affinity.c */
void systrap_place(struct systrap_platform *sp, struct systrap_ctx *ctx);

/* ops: as.c, ctx.c, xstate.c */
int systrap_as_create(struct platform *p, struct platform_as **ret);
int systrap_as_map(struct platform_as *as, guest_ptr_t addr, uint64_t len,
                   int prot, uint64_t off);
int systrap_as_unmap(struct platform_as *as, guest_ptr_t addr, uint64_t len);
int systrap_as_protect(struct platform_as *as, guest_ptr_t addr, uint64_t len, int prot);
int systrap_as_apply(struct platform_as *as, const struct platform_as_op *ops, unsigned n);
void systrap_as_release(struct platform_as *as);

int systrap_ctx_create(struct platform_as *as, struct platform_ctx **ret);
int systrap_switch_to(struct platform_ctx *ctx, struct cpu_regs *regs,
                      struct platform_event *ev);
void systrap_interrupt(struct platform_ctx *ctx);
void systrap_ctx_release(struct platform_ctx *ctx);
int systrap_xstate_get(struct platform_ctx *ctx, struct cpu_xstate *ret);
int systrap_xstate_set(struct platform_ctx *ctx, const struct cpu_xstate *xs);
/* The fpstate of a stopped ctx in the sentry's view, validated; its size. */
int systrap_fpstate(struct systrap_ctx *ctx, uint8_t **ret, size_t *ret_size);
int systrap_xstate_reset(struct systrap_ctx *ctx);
int systrap_ctx_exec(struct platform_ctx *ctx);

/* The ctx the calling host thread has stopped last, for the request fast
 * path. Named, not pointed to: another thread may have released it since, so
 * as.c looks it up in its address space by slot and id under the lock. */
struct systrap_stopped {
        struct systrap_as *as;
        unsigned slot;
        uint64_t id;
};
extern __thread struct systrap_stopped systrap_stopped;

#endif
