/*
 * The stub region and the per-thread message page, shared by the sentry's C
 * and the stub's assembly (trampoline_amd64.S). Offsets, not structs, so that
 * both sides read the same numbers; internal.h checks them against a struct.
 *
 * The region, at the same address in the sentry (reserved, PROT_NONE but for
 * the code page) and in every stub, inside [GUEST_ADDR_MAX, TASK_SIZE):
 *
 *   region + 0                 code page (the trampoline), r-x, sealed
 *   region + CODE_SPAN         the stub's part of the data file, rw-, sealed:
 *     + 0                        header: the allow-list filter (sock_fprog at
 *                                HDR_FPROG, instructions at HDR_INSNS) and
 *                                the forked stub's filter (at HDR_CHILD_*)
 *     + HDR_SIZE + i*SLOT_SIZE   slot i: message page, then signal stack.
 *                                Slot 0 is the service thread's.
 *
 * A slot is SLOT_SIZE aligned, so a signal handler finds its slot from its
 * stack pointer alone.
 */
#ifndef CONTERNEL_PLATFORM_SYSTRAP_LAYOUT_H
#define CONTERNEL_PLATFORM_SYSTRAP_LAYOUT_H

#define SYSTRAP_PAGE            0x1000
#define SYSTRAP_SLOT_SHIFT      15
#define SYSTRAP_SLOT_SIZE       (1 << SYSTRAP_SLOT_SHIFT)       /* 32 KiB */
#define SYSTRAP_NSLOTS          64
#define SYSTRAP_CODE_SPAN       SYSTRAP_SLOT_SIZE
#define SYSTRAP_HDR_SIZE        SYSTRAP_SLOT_SIZE
#define SYSTRAP_DATA_SIZE       (SYSTRAP_HDR_SIZE + SYSTRAP_NSLOTS * SYSTRAP_SLOT_SIZE)
#define SYSTRAP_REGION_SIZE     (SYSTRAP_CODE_SPAN + SYSTRAP_DATA_SIZE)
#define SYSTRAP_SLOTS_OFF       (SYSTRAP_CODE_SPAN + SYSTRAP_HDR_SIZE)  /* from region */
#define SYSTRAP_HDR_FPROG       0       /* struct sock_fprog */
#define SYSTRAP_HDR_INSNS       64      /* struct sock_filter[] */
#define SYSTRAP_HDR_CHILD_FPROG 0x4000  /* struct sock_fprog: a forked stub's own */
#define SYSTRAP_HDR_CHILD_INSNS (SYSTRAP_HDR_CHILD_FPROG + 64)
#define SYSTRAP_STACK_OFF       SYSTRAP_PAGE    /* in a slot: the signal stack */
#define SYSTRAP_STACK_SIZE      (SYSTRAP_SLOT_SIZE - SYSTRAP_STACK_OFF)

/* A stub's file descriptors: the memory file (guest memory) and the data
 * file (every stub's header and slots; each stub maps only its own part). */
#define SYSTRAP_MEMFD           3
#define SYSTRAP_DATAFD          4

/* clone flags (internal.h checks them against <sched.h>): a thread for a
 * guest context, and a new stub forked by the factory (factory.c). */
#define SYSTRAP_THREAD_CLONE_FLAGS      0x50f00 /* VM|FS|FILES|SIGHAND|THREAD|SYSVSEM */
#define SYSTRAP_FORK_CLONE_FLAGS        0x1011  /* SIGCHLD|PIDFD */

/* The message page's state word, a futex. STOPPED and DONE belong to the
 * sentry (the stub waits); RESUME and REQUEST to the stub (the sentry waits);
 * RUNNING means the stub thread is running guest code or its own. */
#define ST_RUNNING      0
#define ST_STOPPED      1       /* stub -> sentry: a stop is described below */
#define ST_RESUME       2       /* sentry -> stub: return to the guest with GREGS */
#define ST_REQUEST      3       /* sentry -> stub: run REQ_NR(REQ_ARGS) */
#define ST_DONE         4       /* stub -> sentry: REQ_RET holds the result */

/* Message page offsets. */
#define MSG_STATE               0       /* u32 futex word */
#define MSG_STUB_WAITING        4       /* u32: the stub sleeps (or will) on STATE */
#define MSG_SENTRY_WAITING      8       /* u32: the sentry sleeps (or will) on STATE */
#define MSG_SPIN_PAUSE          12      /* u32: TSC cycles of that spin it only pauses */
#define MSG_SPIN                16      /* u64: TSC cycles the stub spins before sleeping */
#define MSG_SIGNO               24      /* u32 */
#define MSG_SI_CODE             28      /* s32 */
#define MSG_SI_ADDR             32      /* u64: si_addr, or si_call_addr for SIGSYS */
#define MSG_SI_SYSCALL          40      /* s32: SIGSYS only */
#define MSG_SI_ARCH             44      /* u32: SIGSYS only */
#define MSG_FPSTATE             48      /* u64: the frame's fpstate pointer (stub address) */
#define MSG_FS_BASE             56      /* u64: wanted by the sentry */
#define MSG_GS_BASE             64
#define MSG_CUR_FS              72      /* u64: what the stub last set */
#define MSG_CUR_GS              80
#define MSG_REQ_NR              88      /* u64 */
#define MSG_REQ_ARGS            96      /* u64[6] */
#define MSG_REQ_RET             144     /* u64 */
#define MSG_SS                  152     /* stack_t scratch for sigaltstack */
#define MSG_GREGS               176     /* u64[18]: ucontext gregs r8 .. eflags */
#define MSG_CSGSFS              320     /* u64 */
#define MSG_YIELD_SLOW          328     /* u64: TSC cycles: a yield this long means contention */
#define MSG_NOYIELD_FOR         336     /* u64: TSC cycles without yields after one */
#define MSG_NOYIELD_UNTIL       344     /* u64: the stub's own: TSC until which it only pauses */
#define MSG_SIZE                352
/* A batch request (REQ_NR == SYSTRAP_REQ_BATCH): BATCH_N calls, each entry
 * nr, six arguments, the result; REQ_RET: how many ran (the first failure
 * ends it). Past MSG_SIZE, still in the message page. */
#define SYSTRAP_REQ_BATCH       0x7fff  /* no system call has this number */
#define MSG_BATCH_N             384     /* u64 */
#define MSG_BATCH_CALLS               392     /* entries */
#define BATCH_ENTRY_SIZE        64
#define BATCH_RET               56      /* in an entry */
#define SYSTRAP_BATCH_MAX       48
#define MSG_NGREGS              18

/* ucontext_t / siginfo_t offsets on x86_64 (checked in internal.h). */
#define UC_STACK                16
#define UC_GREGS                40
#define UC_FPREGS               224
#define UC_SIGMASK              296
#define SI_SIGNO                0
#define SI_CODE                 8
#define SI_ADDR                 16
#define SI_SYSCALL              24

#endif
