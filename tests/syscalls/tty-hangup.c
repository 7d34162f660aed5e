/* Closing one side: with the master gone the slave reads end of file,
 * writes and ioctls fail with EIO and poll says hung up; with every slave
 * gone the master reads EIO and polls POLLHUP (but takes writes). */
#include "tty-test.h"

int main(void)
{
        struct pollfd p;
        struct kterm t;
        int m, s;
        char c;

        /* A fresh master: writable only, its slave not opened yet. */
        m = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY));
        p = (struct pollfd){ .fd = m, .events = POLLIN | POLLOUT };
        EXPECT_RET(syscall(SYS_poll, &p, 1, 0), 1);
        EXPECT_EQ(p.revents, POLLOUT);
        EXPECT_OK(close(m));

        tty_open_pair(&m, &s, NULL);
        EXPECT_OK(close(s));
        p = (struct pollfd){ .fd = m, .events = POLLIN | POLLOUT };
        EXPECT_RET(syscall(SYS_poll, &p, 1, 0), 1);
        EXPECT_EQ(p.revents, POLLOUT | POLLHUP);
        EXPECT_ERRNO(syscall(SYS_read, m, &c, 1), EIO);
        EXPECT_RET(syscall(SYS_write, m, "x", 1), 1);
        EXPECT_OK(close(m));

        tty_open_pair(&m, &s, NULL);
        EXPECT_OK(close(m));
        p = (struct pollfd){ .fd = s, .events = POLLIN | POLLOUT };
        EXPECT_RET(syscall(SYS_poll, &p, 1, 0), 1);
        EXPECT_EQ(p.revents, POLLIN | POLLOUT | POLLERR | POLLHUP);
        EXPECT_RET(syscall(SYS_read, s, &c, 1), 0);
        EXPECT_ERRNO(syscall(SYS_write, s, "x", 1), EIO);
        EXPECT_ERRNO(tty_ioctl(s, TCGETS, (unsigned long)&t), EIO);
        int v = 0;
        EXPECT_ERRNO(tty_ioctl(s, TIOCGPGRP, (unsigned long)&v), EIO);
        EXPECT_ERRNO(tty_ioctl(s, TIOCSPGRP, (unsigned long)&v), ENOTTY);
        EXPECT_ERRNO(tty_ioctl(s, TIOCGWINSZ, (unsigned long)&v), EIO);
        v = 1;
        EXPECT_OK(tty_ioctl(s, FIONBIO, (unsigned long)&v));
        EXPECT_EQ(fcntl(s, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
        EXPECT_OK(close(s));
        return TEST_PASS;
}
