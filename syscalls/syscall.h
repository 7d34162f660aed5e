/*
 * The system call table and its handlers.
 *
 * Each handler is `long sys_x(struct task *t, const struct syscall_args *a)`:
 * it decodes its arguments, validates them as hostile, calls the subsystem
 * and returns the result or -errno, exactly as Linux would.
 *
 * The table (table_amd64.c) is indexed by amd64 syscall number. Each entry
 * names its handler, how complete it is, and the kinds of its arguments so
 * --strace can decode them. docs/syscalls.md is generated from it.
 */
#ifndef CONTERNEL_SYSCALLS_SYSCALL_H
#define CONTERNEL_SYSCALLS_SYSCALL_H

#include <stdint.h>
#include <stddef.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

struct syscall_args {
        uint64_t nr;
        uint64_t a[6];          /* rdi, rsi, rdx, r10, r8, r9 */
};

typedef long (*syscall_fn)(struct task *t, const struct syscall_args *a);

enum syscall_status {
        SYSCALL_MISSING = 0,    /* no entry: -ENOSYS, logged once */
        SYSCALL_FULL,           /* as Linux */
        SYSCALL_PARTIAL,        /* works, with the limits in note */
        SYSCALL_ENOSYS,         /* deliberately -ENOSYS, reason in note */
};

/* How --strace shows an argument or a result. */
enum syscall_arg {
        ARG_NONE = 0,
        ARG_INT,                /* signed decimal */
        ARG_UINT,               /* unsigned decimal */
        ARG_HEX,                /* 0x... */
        ARG_PTR,                /* address, NULL for 0 */
        ARG_FD,                 /* decimal, AT_FDCWD by name */
        ARG_STR,                /* NUL-terminated string read from the guest */
        ARG_BUF_IN,             /* bytes the guest passes; length in the next argument */
        ARG_BUF_OUT,            /* bytes the call fills; length is the result */
        ARG_OCT,                /* mode: 0644 */
        ARG_PROT,               /* PROT_* */
        ARG_MAP_FLAGS,          /* MAP_* */
        ARG_OPEN_FLAGS,         /* O_* */
        ARG_SIGNUM,             /* SIGxxx */
        ARG_CLOCKID,            /* CLOCK_* */
        ARG_ARCH_PRCTL,         /* ARCH_* code */
        ARG_IOCTL,              /* ioctl request by name */
        ARG_RLIMIT,             /* RLIMIT_* */
        ARG_SIGHOW,             /* SIG_BLOCK ... */
};

struct syscall_def {
        const char *name;
        syscall_fn fn;
        enum syscall_status status;
        const char *note;
        enum syscall_arg args[6];
        enum syscall_arg ret;   /* ARG_NONE: decimal or -errno */
};

#define SYSCALL_ARGS(...) .args = { __VA_ARGS__ }
#define SYSCALL(nm, handler, ...) \
        [__NR_##nm] = { .name = #nm, .fn = handler, .status = SYSCALL_FULL, __VA_ARGS__ }
#define SYSCALL_PARTIAL(nm, handler, why, ...) \
        [__NR_##nm] = { .name = #nm, .fn = handler, .status = SYSCALL_PARTIAL, .note = why, __VA_ARGS__ }
#define SYSCALL_NOSYS(nm, why) \
        [__NR_##nm] = { .name = #nm, .status = SYSCALL_ENOSYS, .note = why }

extern const struct syscall_def syscall_table[KERNEL_SYSCALL_MAX];

/* The name of any amd64 system call number (from libseccomp when the table
 * has no entry), or NULL. */
const char *syscall_name(uint64_t nr);

/* Run the system call the task stopped at: arguments from its registers,
 * result to rax. Called by the task loop. */
void syscall_dispatch(struct task *t);

/* --strace: format one call with its result into buf. Reads guest memory for
 * strings and buffers (best effort; unreadable shows as the address). */
void strace_format(struct task *t, const struct syscall_args *a, long ret,
                   char *buf, size_t size);
/* The same in two steps, for a call whose arguments do not survive it
 * (execve replaces the memory they are in): "name(args" before the call,
 * then ") = result" appended to buf after. */
void strace_format_call(struct task *t, const struct syscall_args *a, char *buf, size_t size);
void strace_format_result(const struct syscall_args *a, long ret, char *buf, size_t size);

/* Helpers for handlers. */
int task_nofile_limit(struct task *t);
/* A write found no reader (-EPIPE): SIGPIPE to the writer, as Linux's
 * pipe_write() (sys_file.c). */
void syscall_send_sigpipe(struct task *t);

#endif
