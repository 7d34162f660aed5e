/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCGETS and TIOCGWINSZ on stdio fds: they work on a tty, and are ENOTTY on
 * pipes, files, sockets and /dev/null (without looking at the argument, so a
 * bad pointer is still ENOTTY there). An unknown request is ENOTTY; a bad fd
 * is EBADF.
 */
#include <limits.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "test.h"

/* The kernel's struct termios for TCGETS (glibc's is larger). */
struct kernel_termios {
        unsigned int c_iflag, c_oflag, c_cflag, c_lflag;
        unsigned char c_line;
        unsigned char c_cc[19];
};

static void check_not_tty(int fd)
{
        struct kernel_termios tio;
        struct winsize ws;

        EXPECT_ERRNO(syscall(SYS_ioctl, fd, TCGETS, &tio), ENOTTY);
        EXPECT_ERRNO(syscall(SYS_ioctl, fd, TIOCGWINSZ, &ws), ENOTTY);
        EXPECT_ERRNO(syscall(SYS_ioctl, fd, TCGETS, NULL), ENOTTY);
        EXPECT_ERRNO(syscall(SYS_ioctl, fd, TIOCGWINSZ, LOW_ADDR), ENOTTY);
        EXPECT_ERRNO(syscall(SYS_ioctl, fd, 0x1234, &ws), ENOTTY);
        errno = 0;
        CHECK(!isatty(fd) && errno == ENOTTY, "isatty(%d) errno %s", fd,
              test_errname(errno));
}

static void check_tty(int fd)
{
        struct kernel_termios tio, tio2;
        struct winsize ws;

        memset(&tio, 0xa5, sizeof(tio));
        EXPECT_RET(syscall(SYS_ioctl, fd, TCGETS, &tio), 0);
        memset(&tio2, 0x5a, sizeof(tio2));
        EXPECT_RET(syscall(SYS_ioctl, fd, TCGETS, &tio2), 0);
        CHECK(memcmp(&tio, &tio2, sizeof(tio)) == 0, "fd %d: TCGETS differs between calls", fd);
        /* A tty always has a baud rate and character size in c_cflag. */
        CHECK(tio.c_cflag != 0, "fd %d: TCGETS gave c_cflag 0", fd);
        EXPECT_RET(syscall(SYS_ioctl, fd, TIOCGWINSZ, &ws), 0);
        EXPECT_ERRNO(syscall(SYS_ioctl, fd, TCGETS, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_ioctl, fd, TIOCGWINSZ, LOW_ADDR), EFAULT);
        CHECK(isatty(fd) == 1, "isatty(%d) on a tty", fd);
}

int main(void)
{
        struct kernel_termios tio;
        int tested = 0;

        for (int fd = 0; fd <= 2; fd++) {
                switch (test_stdio_kind(fd, NULL)) {
                case STDIO_FIFO:
                case STDIO_SOCKET:
                case STDIO_REG:
                case STDIO_DEVNULL:
                        check_not_tty(fd);
                        break;
                case STDIO_TTY:
                        check_tty(fd);
                        break;
                default:
                        continue;
                }
                tested++;
        }

        EXPECT_ERRNO(syscall(SYS_ioctl, -1, TCGETS, &tio), EBADF);
        EXPECT_ERRNO(syscall(SYS_ioctl, INT_MAX, TIOCGWINSZ, &tio), EBADF);
        EXPECT_ERRNO(syscall(SYS_ioctl, test_unused_fd(), TCGETS, &tio), EBADF);
        if (!tested)
                test_skip("no stdio fd of a known kind");
        return TEST_PASS;
}
