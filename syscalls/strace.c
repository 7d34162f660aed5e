/*
 * --strace: one line per guest system call, like strace(1):
 *   write(1, "hello\n", 6) = 6
 *   openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = -1 ENOSYS (Function not implemented)
 * Guest memory is read through the mm like any other copy-in; what cannot be
 * read is shown as its address.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#include "lib/macro.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "vfs/tty/tty.h"

#define STRACE_STRMAX 32        /* bytes of a buffer or string shown, like strace -s 32 */

struct out {
        char *buf;
        size_t size, len;
};

static void _printf_(2, 3) out_printf(struct out *o, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (o->len >= o->size)
                return;
        va_start(ap, fmt);
        n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
        va_end(ap);
        if (n > 0)
                o->len = MIN(o->size - 1, o->len + (size_t)n);
}

struct flag_name {
        uint64_t value;
        const char *name;
};
#define F(x) { x, #x }

static void out_flags(struct out *o, uint64_t v, const struct flag_name *names, size_t n,
                      const char *zero)
{
        bool first = true;

        if (v == 0) {
                out_printf(o, "%s", zero);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                if (names[i].value && (v & names[i].value) == names[i].value) {
                        out_printf(o, "%s%s", first ? "" : "|", names[i].name);
                        v &= ~names[i].value;
                        first = false;
                }
        }
        if (v)
                out_printf(o, "%s%#llx", first ? "" : "|", (unsigned long long)v);
}

static const char *value_name(uint64_t v, const struct flag_name *names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (names[i].value == v)
                        return names[i].name;
        return NULL;
}

static const struct flag_name prot_names[] = {
        F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC), F(PROT_GROWSDOWN), F(PROT_GROWSUP),
};
static const struct flag_name map_names[] = {
        F(MAP_SHARED_VALIDATE), F(MAP_SHARED), F(MAP_PRIVATE), F(MAP_FIXED), F(MAP_ANONYMOUS),
        F(MAP_32BIT), F(MAP_GROWSDOWN), F(MAP_DENYWRITE), F(MAP_EXECUTABLE), F(MAP_LOCKED),
        F(MAP_NORESERVE), F(MAP_POPULATE), F(MAP_NONBLOCK), F(MAP_STACK), F(MAP_HUGETLB),
        F(MAP_SYNC), F(MAP_FIXED_NOREPLACE),
};
static const struct flag_name open_names[] = {
        F(O_WRONLY), F(O_RDWR), F(O_CREAT), F(O_EXCL), F(O_NOCTTY), F(O_TRUNC), F(O_APPEND),
        F(O_NONBLOCK), F(O_DSYNC), F(O_DIRECT), F(O_LARGEFILE), F(O_DIRECTORY), F(O_NOFOLLOW),
        F(O_NOATIME), F(O_CLOEXEC), F(O_PATH), F(O_TMPFILE),
};
static const struct flag_name clock_names[] = {
        F(CLOCK_REALTIME), F(CLOCK_MONOTONIC), F(CLOCK_PROCESS_CPUTIME_ID),
        F(CLOCK_THREAD_CPUTIME_ID), F(CLOCK_MONOTONIC_RAW), F(CLOCK_REALTIME_COARSE),
        F(CLOCK_MONOTONIC_COARSE), F(CLOCK_BOOTTIME), F(CLOCK_REALTIME_ALARM),
        F(CLOCK_BOOTTIME_ALARM), F(CLOCK_TAI),
};
static const struct flag_name arch_prctl_names[] = {
        F(ARCH_SET_GS), F(ARCH_SET_FS), F(ARCH_GET_FS), F(ARCH_GET_GS),
        F(ARCH_GET_CPUID), F(ARCH_SET_CPUID),
};
static const struct flag_name ioctl_names[] = {
        F(TCGETS), F(TCSETS), F(TCSETSW), F(TCSETSF), F(TIOCGWINSZ), F(TIOCSWINSZ),
        F(TIOCGPGRP), F(TIOCSPGRP), F(FIONREAD), F(FIONBIO), F(FIOCLEX),
        F(TIOCSCTTY), F(TIOCNOTTY), F(TIOCGSID), F(TIOCGPTN), F(TIOCSPTLCK), F(TIOCGPTLCK),
        F(TIOCGPTPEER), F(TIOCOUTQ), F(TCFLSH), F(TCXONC), F(TCSBRK),
        F(TIOCSTI), F(TIOCPKT), F(TIOCGPKT),
        { TTY_TCGETS2, "TCGETS2" }, { TTY_TCSETS2, "TCSETS2" }, { TTY_TCSETSW2, "TCSETSW2" },
        { TTY_TCSETSF2, "TCSETSF2" },
};
static const struct flag_name rlimit_names[] = {
        F(RLIMIT_CPU), F(RLIMIT_FSIZE), F(RLIMIT_DATA), F(RLIMIT_STACK), F(RLIMIT_CORE),
        F(RLIMIT_RSS), F(RLIMIT_NPROC), F(RLIMIT_NOFILE), F(RLIMIT_MEMLOCK), F(RLIMIT_AS),
        F(RLIMIT_LOCKS), F(RLIMIT_SIGPENDING), F(RLIMIT_MSGQUEUE), F(RLIMIT_NICE),
        F(RLIMIT_RTPRIO), F(RLIMIT_RTTIME),
};
static const struct flag_name sighow_names[] = {
        F(SIG_BLOCK), F(SIG_UNBLOCK), F(SIG_SETMASK),
};

/* Guest bytes as a C string literal, at most STRACE_STRMAX of them. */
static void out_bytes(struct out *o, struct task *t, guest_ptr_t p, size_t len, bool cstring)
{
        unsigned char buf[STRACE_STRMAX + 1];
        size_t n = MIN(len, (size_t)STRACE_STRMAX);
        bool more = len > n;

        if (cstring) {
                ssize_t r = mm_strncpy_in(t->mm, (char *)buf, p, sizeof(buf));

                if (r == -ENAMETOOLONG) {
                        n = STRACE_STRMAX;
                        more = true;
                } else if (r < 0) {
                        out_printf(o, "%#llx", (unsigned long long)p);
                        return;
                } else {
                        n = (size_t)r;
                        more = false;
                }
        } else if (mm_copy_in(t->mm, buf, p, n) < 0) {
                out_printf(o, "%#llx", (unsigned long long)p);
                return;
        }
        out_printf(o, "\"");
        for (size_t i = 0; i < n; i++) {
                unsigned char c = buf[i];

                switch (c) {
                case '\n': out_printf(o, "\\n"); break;
                case '\t': out_printf(o, "\\t"); break;
                case '\r': out_printf(o, "\\r"); break;
                case '"': out_printf(o, "\\\""); break;
                case '\\': out_printf(o, "\\\\"); break;
                default:
                        if (c >= 0x20 && c < 0x7f)
                                out_printf(o, "%c", c);
                        else
                                out_printf(o, "\\%o", c);
                }
        }
        out_printf(o, "\"%s", more ? "..." : "");
}

static void out_arg(struct out *o, struct task *t, enum syscall_arg kind, uint64_t v,
                    uint64_t next, long ret)
{
        const char *name;

        switch (kind) {
        case ARG_NONE:
        case ARG_INT:
                out_printf(o, "%lld", (long long)v);
                break;
        case ARG_UINT:
                out_printf(o, "%llu", (unsigned long long)v);
                break;
        case ARG_HEX:
                out_printf(o, "%#llx", (unsigned long long)v);
                break;
        case ARG_PTR:
                if (v)
                        out_printf(o, "%#llx", (unsigned long long)v);
                else
                        out_printf(o, "NULL");
                break;
        case ARG_FD:
                if ((int)v == AT_FDCWD)
                        out_printf(o, "AT_FDCWD");
                else
                        out_printf(o, "%d", (int)v);
                break;
        case ARG_STR:
                out_bytes(o, t, v, 0, true);
                break;
        case ARG_BUF_IN:
                out_bytes(o, t, v, next, false);
                break;
        case ARG_BUF_OUT:
                if (ret >= 0)
                        out_bytes(o, t, v, (size_t)ret, false);
                else
                        out_printf(o, "%#llx", (unsigned long long)v);
                break;
        case ARG_OCT:
                out_printf(o, "%#llo", (unsigned long long)v);
                break;
        case ARG_PROT:
                out_flags(o, v, prot_names, ARRAY_SIZE(prot_names), "PROT_NONE");
                break;
        case ARG_MAP_FLAGS:
                out_flags(o, v, map_names, ARRAY_SIZE(map_names), "0");
                break;
        case ARG_OPEN_FLAGS:
                out_flags(o, v, open_names, ARRAY_SIZE(open_names), "O_RDONLY");
                break;
        case ARG_SIGNUM:
                name = (v >= 1 && v < 32) ? sigabbrev_np((int)v) : NULL;
                if (name)
                        out_printf(o, "SIG%s", name);
                else
                        out_printf(o, "%lld", (long long)v);
                break;
        case ARG_CLOCKID:
        case ARG_ARCH_PRCTL:
        case ARG_IOCTL:
        case ARG_RLIMIT:
        case ARG_SIGHOW:
                name = kind == ARG_CLOCKID ? value_name(v, clock_names, ARRAY_SIZE(clock_names)) :
                       kind == ARG_ARCH_PRCTL ? value_name(v, arch_prctl_names, ARRAY_SIZE(arch_prctl_names)) :
                       kind == ARG_IOCTL ? value_name((unsigned)v, ioctl_names, ARRAY_SIZE(ioctl_names)) :
                       kind == ARG_RLIMIT ? value_name(v, rlimit_names, ARRAY_SIZE(rlimit_names)) :
                       value_name(v, sighow_names, ARRAY_SIZE(sighow_names));
                if (name)
                        out_printf(o, "%s", name);
                else
                        out_printf(o, "%#llx", (unsigned long long)v);
                break;
        }
}

/* "name(args": the arguments as the guest's memory holds them now. ret is
 * for arguments the result sizes (ARG_BUF_OUT). */
static void format_call(struct out *o, struct task *t, const struct syscall_args *a, long ret)
{
        const struct syscall_def *def = a->nr < KERNEL_SYSCALL_MAX ? &syscall_table[a->nr] : NULL;
        const char *name = syscall_name(a->nr);
        unsigned nargs = 0;

        if (name)
                out_printf(o, "%s(", name);
        else
                out_printf(o, "syscall_%llu(", (unsigned long long)a->nr);
        if (def && def->fn) {
                while (nargs < 6 && def->args[nargs] != ARG_NONE)
                        nargs++;
        } else {
                nargs = 6;      /* unknown shape: show every register as hex */
        }
        for (unsigned i = 0; i < nargs; i++) {
                if (i)
                        out_printf(o, ", ");
                out_arg(o, t, def && def->fn ? def->args[i] : ARG_HEX, a->a[i],
                        i < 5 ? a->a[i + 1] : 0, ret);
        }
}

/* ") = result". */
static void format_result(struct out *o, const struct syscall_args *a, long ret)
{
        const struct syscall_def *def = a->nr < KERNEL_SYSCALL_MAX ? &syscall_table[a->nr] : NULL;

        if (def && def->fn && (a->nr == __NR_exit || a->nr == __NR_exit_group)) {
                out_printf(o, ") = ?");
                return;
        }
        if (kerrno_is_restart(ret))
                out_printf(o, ") = ? %s (to be restarted or EINTR)",
                           ret == -ERESTARTSYS ? "ERESTARTSYS" :
                           ret == -ERESTARTNOINTR ? "ERESTARTNOINTR" :
                           ret == -ERESTARTNOHAND ? "ERESTARTNOHAND" : "ERESTART_RESTARTBLOCK");
        else if (ret < 0 && ret >= -4095)
                out_printf(o, ") = -1 %s (%s)", strerrorname_np((int)-ret) ?: "E?",
                           strerror((int)-ret));
        else if (def && def->ret == ARG_PTR)
                out_printf(o, ") = %#lx", (unsigned long)ret);
        else
                out_printf(o, ") = %ld", ret);
}

void strace_format(struct task *t, const struct syscall_args *a, long ret, char *buf, size_t size)
{
        struct out o = { .buf = buf, .size = size };

        buf[0] = '\0';
        format_call(&o, t, a, ret);
        format_result(&o, a, ret);
}

void strace_format_call(struct task *t, const struct syscall_args *a, char *buf, size_t size)
{
        struct out o = { .buf = buf, .size = size };

        buf[0] = '\0';
        format_call(&o, t, a, 0);
}

void strace_format_result(const struct syscall_args *a, long ret, char *buf, size_t size)
{
        struct out o = { .buf = buf, .size = size, .len = strlen(buf) };

        format_result(&o, a, ret);
}
