/*
 * The stub's two seccomp filters. The kernel runs every installed filter on
 * every system call and acts on the most restrictive answer, in the order
 * KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > ... > ALLOW.
 *
 * The instruction-pointer filter (hand-written: libseccomp cannot look at the
 * instruction pointer):
 *   from outside the code page            -> TRAP (every guest call)
 *   from the code page, not 64-bit        -> KILL_PROCESS (int $0x80 there
 *                                            is the guest jumping in)
 *   from the code page                    -> ALLOW, left to the allow-list
 * The allow-list (libseccomp), default ERRNO(EPERM):
 *   the few calls the trampoline makes, with their arguments pinned where
 *   libseccomp can express it.
 * So a guest call always traps (TRAP beats both ALLOW and ERRNO), and a call
 * from the code page, whoever jumped there, runs only if the allow-list
 * allows it, else fails with EPERM. Neither filter may answer KILL for a
 * guest call, or a guest could kill its stub with a bad system call number;
 * so the allow-list's bad-architecture action is ERRNO too (int $0x80 from
 * guest code then traps and becomes a SIGSEGV, as on Linux without ia32).
 *
 * Both are built once per platform in the sentry: the child of a fork must
 * not call into libseccomp (it allocates).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <asm/prctl.h>

#include "lib/guest.h"
#include "lib/macro.h"
#include "internal.h"

#ifndef SYS_MSEAL
#define SYS_MSEAL 462           /* libseccomp 2.5 does not know it */
#endif

static void ip_filter_build(struct systrap_platform *sp)
{
        uint64_t code = sp->region;
        struct sock_filter f[] = {
                /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                 offsetof(struct seccomp_data, instruction_pointer) + 4),
                /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(code >> 32), 0, 5),
                /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                 offsetof(struct seccomp_data, instruction_pointer)),
                /* 3 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, (uint32_t)~(SYSTRAP_PAGE - 1)),
                /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)code, 0, 2),
                /* 5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 2),
                /* 7 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
                /* 8 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                /* 9 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        };

        _Static_assert(ARRAY_SIZE(f) == ARRAY_SIZE(sp->ip_filter), "ip filter size");
        memcpy(sp->ip_filter, f, sizeof(f));
        sp->ip_filter_len = ARRAY_SIZE(f);
}

/* A forked stub's own filter, installed by the stub itself (trampoline's
 * new_stub) before it seals its region: it may clone threads but not fork,
 * and may install no further filter. Everything else is left to the other
 * two, so a stub can do no more than the factory, and fork no stub. */
static void child_filter_build(struct systrap_platform *sp)
{
        struct sock_filter f[] = {
                /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 7),
                /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_seccomp, 6, 0),
                /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 4),
                /* 5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
                /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, STUB_CLONE_FLAGS, 0, 3),
                /* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                 offsetof(struct seccomp_data, args[0]) + 4),
                /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
                /* 9 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                /* 10 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        };

        _Static_assert(ARRAY_SIZE(f) == ARRAY_SIZE(sp->child_filter), "child filter size");
        memcpy(sp->child_filter, f, sizeof(f));
        sp->child_filter_len = ARRAY_SIZE(f);
}

static int allow_rules(const struct systrap_platform *sp, scmp_filter_ctx ctx)
{
        const uint64_t top = GUEST_ADDR_MAX;
        int r = 0;

#define RAW_ALLOW(nr, ...) \
        do { if (r == 0) r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, __VA_ARGS__); } while (0)
#define ALLOW(name, ...) RAW_ALLOW(SCMP_SYS(name), __VA_ARGS__)
        ALLOW(rt_sigreturn, 0);
        ALLOW(futex, 1, SCMP_A1(SCMP_CMP_EQ, FUTEX_WAIT));
        ALLOW(futex, 1, SCMP_A1(SCMP_CMP_EQ, FUTEX_WAKE));
        ALLOW(sched_yield, 0);
        /* Guest memory: only the memory file, only shared and fixed, only
         * below the stub region (which is sealed anyway). */
        ALLOW(mmap, 3, SCMP_A0(SCMP_CMP_LT, top),
              SCMP_A3(SCMP_CMP_EQ, MAP_SHARED | MAP_FIXED), SCMP_A4(SCMP_CMP_EQ, STUB_MEMFD));
        ALLOW(munmap, 1, SCMP_A0(SCMP_CMP_LT, top));
        ALLOW(mprotect, 1, SCMP_A0(SCMP_CMP_LT, top));
        /* Threads for guest contexts, and their setup. */
        ALLOW(clone, 1, SCMP_A0(SCMP_CMP_EQ, STUB_CLONE_FLAGS));
        /* Forking a stub (the factory only: the child filter refuses it in
         * the stubs it forks), and the new stub's own set-up: its part of
         * the data file over the region's data span, its child filter, the
         * seal; the factory closes the pidfd clone gave it. */
        ALLOW(clone, 1, SCMP_A0(SCMP_CMP_EQ, STUB_FORK_FLAGS));
        ALLOW(mmap, 5, SCMP_A0(SCMP_CMP_EQ, sp->region + SYSTRAP_CODE_SPAN),
              SCMP_A1(SCMP_CMP_EQ, SYSTRAP_DATA_SIZE),
              SCMP_A2(SCMP_CMP_EQ, PROT_READ | PROT_WRITE),
              SCMP_A3(SCMP_CMP_EQ, MAP_SHARED | MAP_FIXED), SCMP_A4(SCMP_CMP_EQ, STUB_DATAFD));
        ALLOW(seccomp, 2, SCMP_A0(SCMP_CMP_EQ, SECCOMP_SET_MODE_FILTER), SCMP_A1(SCMP_CMP_EQ, 0));
        RAW_ALLOW(SYS_MSEAL, 1, SCMP_A0(SCMP_CMP_EQ, sp->region));
        ALLOW(close, 1, SCMP_A0(SCMP_CMP_LT, STUB_MEMFD));       /* 0-2 are free in a stub */
        ALLOW(close, 1, SCMP_A0(SCMP_CMP_GT, STUB_DATAFD));
        ALLOW(sigaltstack, 0);
        ALLOW(rt_sigprocmask, 0);
        ALLOW(arch_prctl, 1, SCMP_A0(SCMP_CMP_EQ, ARCH_SET_FS));
        ALLOW(arch_prctl, 1, SCMP_A0(SCMP_CMP_EQ, ARCH_SET_GS));
        ALLOW(exit, 0);
        ALLOW(exit_group, 0);
#undef ALLOW
#undef RAW_ALLOW
        return r;
}

static int allow_filter_build(struct systrap_platform *sp)
{
        scmp_filter_ctx ctx;
        int fd = -1;
        struct sock_filter *insns = NULL;
        off_t size;
        int r;

        ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        if (!ctx)
                return -ENOMEM;
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM));
        if (r == 0)
                r = allow_rules(sp, ctx);
        if (r < 0)
                goto out;
        fd = memfd_create("systrap-filter", MFD_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                goto out;
        }
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                goto out;
        size = lseek(fd, 0, SEEK_END);
        if (size <= 0 || size % sizeof(struct sock_filter) ||
            SYSTRAP_HDR_INSNS + size > SYSTRAP_HDR_CHILD_FPROG) {
                r = -E2BIG;
                goto out;
        }
        insns = malloc((size_t)size);
        if (!insns) {
                r = -ENOMEM;
                goto out;
        }
        if (pread(fd, insns, (size_t)size, 0) != size) {
                free(insns);
                r = -EIO;
                goto out;
        }
        sp->allow = insns;
        sp->allow_len = (unsigned)(size / (off_t)sizeof(struct sock_filter));
out:
        if (fd >= 0)
                close(fd);
        seccomp_release(ctx);
        return r;
}

int systrap_filters_build(struct systrap_platform *sp)
{
        ip_filter_build(sp);
        child_filter_build(sp);
        return allow_filter_build(sp);
}
