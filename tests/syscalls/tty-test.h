/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for tests/syscalls/tty-*: a pseudo-terminal pair from /dev/ptmx
 * (never the real terminal: every open is O_NOCTTY), termios through raw
 * ioctls, and reads that give up after a timeout instead of hanging.
 */
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "test.h"

/* Linux's struct termios for TCGETS/TCSETS (19 control characters). */
struct kterm {
        unsigned c_iflag, c_oflag, c_cflag, c_lflag;
        unsigned char c_line, c_cc[19];
};

static inline long tty_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
        return syscall(SYS_ioctl, fd, cmd, arg);
}

/* A master and its unlocked slave; *ret_index is N of /dev/pts/N. */
static inline void tty_open_pair(int *ret_m, int *ret_s, int *ret_index)
{
        char name[32];
        int m, n = -1, unlock = 0;

        m = (int)syscall(SYS_openat, AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
                FAIL("open /dev/ptmx: %s", test_errname(errno));
        EXPECT_OK(tty_ioctl(m, TIOCSPTLCK, (unsigned long)&unlock));
        EXPECT_OK(tty_ioctl(m, TIOCGPTN, (unsigned long)&n));
        snprintf(name, sizeof(name), "/dev/pts/%d", n);
        *ret_s = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, name, O_RDWR | O_NOCTTY | O_CLOEXEC));
        *ret_m = m;
        if (ret_index)
                *ret_index = n;
}

static inline void tty_get(int fd, struct kterm *t)
{
        EXPECT_OK(tty_ioctl(fd, TCGETS, (unsigned long)t));
}

static inline void tty_set(int fd, const struct kterm *t)
{
        EXPECT_OK(tty_ioctl(fd, TCSETS, (unsigned long)t));
}

/* Wait up to ms for fd to be readable; the poll revents (0 on timeout). */
static inline int tty_wait_readable(int fd, int ms)
{
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = (int)syscall(SYS_poll, &p, 1, ms);

        return r > 0 ? p.revents : 0;
}

/* Read what fd has within ms (more may follow quickly): a NUL-terminated
 * string of at most size - 1 bytes. */
static inline size_t tty_read_some(int fd, char *buf, size_t size, int ms)
{
        size_t got = 0;

        while (got + 1 < size && tty_wait_readable(fd, got ? 50 : ms) & POLLIN) {
                long n = syscall(SYS_read, fd, buf + got, size - 1 - got);

                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        buf[got] = '\0';
        return got;
}

/* Write a string to fd, all of it. */
static inline void tty_type(int fd, const char *s)
{
        EXPECT_RET(syscall(SYS_write, fd, s, strlen(s)), (long)strlen(s));
}

/* Wait for pid (with a timeout: SIGKILL after 10 s) and return its status. */
static inline int tty_wait_child(int pid, int options)
{
        int status = 0;

        for (int i = 0; i < 1000; i++) {
                long r = syscall(SYS_wait4, pid, &status, options | WNOHANG, NULL);

                if (r == pid)
                        return status;
                if (r < 0)
                        FAIL("wait4: %s", test_errname(errno));
                usleep(10000);
        }
        kill(pid, SIGKILL);
        FAIL("child %d did not finish", pid);
}

/* The child passed when it exited 0. */
#define EXPECT_CHILD_OK(pid)                                                  \
        do {                                                                  \
                int st_ = tty_wait_child(pid, 0);                             \
                if (!WIFEXITED(st_) || WEXITSTATUS(st_) != 0)                 \
                        FAIL("child: status %#x", st_);                       \
        } while (0)

/* In a child: a new session whose controlling terminal is s. */
static inline void tty_take_ctty(int s)
{
        EXPECT_OK(syscall(SYS_setsid));
        EXPECT_OK(tty_ioctl(s, TIOCSCTTY, 0));
}

/* Wait up to ms for *flag to be set by a signal handler. */
static inline int tty_wait_flag(volatile sig_atomic_t *flag, int ms)
{
        for (int i = 0; i < ms / 10 && !*flag; i++) {
                struct timespec ts = { 0, 10000000 };

                syscall(SYS_nanosleep, &ts, NULL);
        }
        return *flag;
}

static inline void tty_on_signal(int signo, void (*fn)(int))
{
        struct sigaction sa = { .sa_handler = fn };

        EXPECT_OK(sigaction(signo, &sa, NULL));
}
