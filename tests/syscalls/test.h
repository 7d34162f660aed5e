/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for tests/syscalls: each test is a plain static program that exits
 * 0 (pass), 1 (fail) or 77 (skip). A failure prints one line to stderr naming
 * what was expected and what came; a pass prints nothing, so that the output of
 * a native run and of a sandboxed run compare equal.
 *
 * The helpers end the program through a noreturn function; they never return
 * or goto on behalf of the caller.
 */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TEST_PASS 0
#define TEST_FAIL 1
#define TEST_SKIP 77

static inline const char *test_errname(int e)
{
        const char *name = e ? strerrorname_np(e) : "0";

        return name ? name : "E?";
}

__attribute__((noreturn, format(printf, 3, 4)))
static inline void test_fail_at(const char *file, int line, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "%s:%d: ", file, line);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(TEST_FAIL);
}

__attribute__((noreturn, format(printf, 1, 2)))
static inline void test_skip(const char *fmt, ...)
{
        va_list ap;

        fputs("SKIP: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(TEST_SKIP);
}

#define FAIL(...) test_fail_at(__FILE_NAME__, __LINE__, __VA_ARGS__)

/* CHECK(cond, "fmt", args): fail with "cond: message" unless cond holds. */
#define CHECK(cond, fmt, ...)                                                 \
        do {                                                                  \
                if (!(cond))                                                  \
                        FAIL("%s: " fmt, #cond, ##__VA_ARGS__);               \
        } while (0)

/* EXPECT_TRUE(cond): fail, naming cond and errno, unless cond holds. */
#define EXPECT_TRUE(cond) CHECK(cond, "false (errno %s)", test_errname(errno))

/* For tests that check many values and report every one that is wrong:
 * test_report() prints one line and counts it; the test ends with
 * `return test_failures ? TEST_FAIL : TEST_PASS;`. */
static int test_failures;

__attribute__((format(printf, 1, 2)))
static inline void test_report(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        test_failures++;
}

/* EXPECT_EQ(a, b): both sides as long long, printed on mismatch. */
#define EXPECT_EQ(a, b)                                                       \
        do {                                                                  \
                long long a_ = (long long)(a), b_ = (long long)(b);           \
                if (a_ != b_)                                                 \
                        FAIL("%s == %s: expected %lld, got %lld",             \
                             #a, #b, b_, a_);                                 \
        } while (0)

/* EXPECT_ERRNO(call, err): call must return -1 with errno set to err. */
#define EXPECT_ERRNO(call, err)                                               \
        do {                                                                  \
                errno = 0;                                                    \
                long r_ = (long)(call);                                       \
                int e_ = errno;                                               \
                if (r_ != -1 || e_ != (err))                                  \
                        FAIL("%s: expected -1 %s, got %ld %s", #call,         \
                             test_errname(err), r_, test_errname(e_));        \
        } while (0)

/* EXPECT_OK(call): call must not return -1; evaluates to its result. */
#define EXPECT_OK(call)                                                       \
        ({                                                                    \
                errno = 0;                                                    \
                long r_ = (long)(call);                                       \
                if (r_ == -1)                                                 \
                        FAIL("%s: expected success, got -1 %s", #call,        \
                             test_errname(errno));                            \
                r_;                                                           \
        })

/* EXPECT_RET(call, want): call must return exactly want (not -1). */
#define EXPECT_RET(call, want)                                                \
        do {                                                                  \
                errno = 0;                                                    \
                long r_ = (long)(call);                                       \
                int e_ = errno;                                               \
                long w_ = (long)(want);                                       \
                if (r_ != w_)                                                 \
                        FAIL("%s: expected %ld, got %ld %s", #call, w_, r_,   \
                             r_ == -1 ? test_errname(e_) : "");               \
        } while (0)

/* clock_gettime as a real system call: glibc's runs in the vDSO and would
 * fault in user space on a bad pointer instead of returning EFAULT. Handy to
 * probe whether memory is mapped. */
static inline int raw_clock_gettime(struct timespec *ts)
{
        return (int)syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
}

/* What kind of file a stdio fd is, for tests whose expectations depend on it. */
enum stdio_kind {
        STDIO_BAD,      /* closed or fstat failed */
        STDIO_FIFO,     /* pipe or FIFO */
        STDIO_SOCKET,
        STDIO_REG,
        STDIO_DEVNULL,  /* character device 1:3 */
        STDIO_TTY,      /* character device of a tty or pty driver */
        STDIO_OTHER,
};

static inline enum stdio_kind test_stdio_kind(int fd, struct stat *ret_st)
{
        struct stat st;

        if (syscall(SYS_fstat, fd, &st) != 0)
                return STDIO_BAD;
        if (ret_st)
                *ret_st = st;
        switch (st.st_mode & S_IFMT) {
        case S_IFIFO:
                return STDIO_FIFO;
        case S_IFSOCK:
                return STDIO_SOCKET;
        case S_IFREG:
                return STDIO_REG;
        case S_IFCHR:
                if (major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
                        return STDIO_DEVNULL;
                /* 4: tty/ttyS, 5: tty/console/ptmx, 136-143: pty slaves */
                if (major(st.st_rdev) == 4 || major(st.st_rdev) == 5 ||
                    (major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143))
                        return STDIO_TTY;
                return STDIO_OTHER;
        default:
                return STDIO_OTHER;
        }
}

/* An address no process can map: in the kernel half on x86_64. */
#define KERNEL_ADDR ((void *)0xffffffff81000000UL)
/* A user address below mmap_min_addr, never mapped. */
#define LOW_ADDR ((void *)16)

/* An fd number that is not open (fstat says EBADF), or skip the test. */
static inline int test_unused_fd(void)
{
        struct stat st;

        for (int fd = 1000; fd > 64; fd--)
                if (syscall(SYS_fstat, fd, &st) == -1 && errno == EBADF)
                        return fd;
        test_skip("no unused fd between 64 and 1000");
}
