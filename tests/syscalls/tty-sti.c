/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TIOCSTI: push a byte into a terminal's input as if typed. On the
 * caller's controlling terminal anyone may; on another terminal, or on a
 * master (whose input is the slave's output), only with CAP_SYS_ADMIN
 * (EPERM). Linux 6.2's dev.tty.legacy_tiocsti = 0 would make it EIO
 * without CAP_SYS_ADMIN; this host (and the sandbox) has it at 1. A bad
 * pointer is EFAULT. Runs in a child with a new session whose terminal is
 * a fresh pty.
 */
#include <linux/capability.h>

#include "tty-test.h"

static int legacy_tiocsti(void)
{
        char c = '1';
        int fd = open("/proc/sys/dev/tty/legacy_tiocsti", O_RDONLY | O_CLOEXEC);

        if (fd >= 0) {
                if (read(fd, &c, 1) != 1)
                        c = '1';
                close(fd);
        }
        return c == '1';
}

static void drop_sys_admin(void)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2];

        EXPECT_OK(syscall(SYS_capget, &h, d));
        d[0].effective &= ~(1u << CAP_SYS_ADMIN);
        EXPECT_OK(syscall(SYS_capset, &h, d));
}

static void sti(int fd, const char *s)
{
        for (; *s; s++)
                EXPECT_OK(tty_ioctl(fd, TIOCSTI, (unsigned long)s));
}

static void child(int m, int s, int m2, int s2)
{
        char buf[64];

        tty_take_ctty(s);
        /* Our terminal: typed input, echoed for the master. */
        sti(s, "ab\n");
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 3);
        EXPECT_EQ(memcmp(buf, "ab\n", 3), 0);
        tty_read_some(m, buf, sizeof(buf), 2000);
        EXPECT_EQ(strcmp(buf, "ab\r\n"), 0);
        EXPECT_ERRNO(tty_ioctl(s, TIOCSTI, (unsigned long)KERNEL_ADDR), EFAULT);

        /* With CAP_SYS_ADMIN: another terminal, and a master, whose input
         * is what it reads. */
        sti(s2, "x\n");
        EXPECT_RET(syscall(SYS_read, s2, buf, sizeof(buf)), 2);
        sti(m, "yz");
        tty_read_some(m, buf, sizeof(buf), 2000);
        EXPECT_EQ(strcmp(buf, "yz"), 0);

        drop_sys_admin();
        EXPECT_ERRNO(tty_ioctl(s2, TIOCSTI, (unsigned long)"q"), EPERM);
        EXPECT_ERRNO(tty_ioctl(m, TIOCSTI, (unsigned long)"q"), EPERM);
        EXPECT_ERRNO(tty_ioctl(m2, TIOCSTI, (unsigned long)"q"), EPERM);
        /* The permission comes before the pointer. */
        EXPECT_ERRNO(tty_ioctl(s2, TIOCSTI, (unsigned long)KERNEL_ADDR), EPERM);
        sti(s, "c\n");
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 2);
        EXPECT_EQ(buf[0], 'c');
        /* Nothing reached the other terminal. */
        {
                int n = -1;

                EXPECT_OK(tty_ioctl(s2, FIONREAD, (unsigned long)&n));
                EXPECT_EQ(n, 0);
        }
        _exit(test_failures ? 1 : 0);
}

int main(void)
{
        int m, s, m2, s2;
        pid_t pid;

        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2];

        if (!legacy_tiocsti())
                test_skip("dev.tty.legacy_tiocsti is 0");
        EXPECT_OK(syscall(SYS_capget, &h, d));
        if (!(d[0].effective & (1u << CAP_SYS_ADMIN)))
                test_skip("needs CAP_SYS_ADMIN");
        tty_open_pair(&m, &s, NULL);
        tty_open_pair(&m2, &s2, NULL);
        pid = fork();
        EXPECT_TRUE(pid >= 0);
        if (pid == 0)
                child(m, s, m2, s2);
        EXPECT_CHILD_OK(pid);
        return TEST_PASS;
}
