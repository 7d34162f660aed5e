/* SPDX-License-Identifier: Apache-2.0 */
/*
 * setuid/setreuid/setresuid, their gid twins and setfsuid/setfsgid follow
 * Linux's rules: with CAP_SETUID anything goes; without it only the real,
 * effective or saved id; setreuid's saved-id rule; setresuid's no-op rule
 * (an fsuid apart from the euid makes it a change); -1 is "unchanged" except
 * for setuid (EINVAL). /proc/self/status shows the same ids. Each part runs
 * in a child, which takes its credentials with it.
 */
#include <fcntl.h>

#include "creds-test.h"

static void expect_status_line(const char *want)
{
        char buf[4096];
        int fd = open("/proc/self/status", O_RDONLY);
        ssize_t n;

        if (fd < 0)
                FAIL("open /proc/self/status: %s", test_errname(errno));
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        CHECK(n > 0, "read /proc/self/status: %zd", n);
        buf[n] = 0;
        CHECK(strstr(buf, want) != NULL, "no line \"%s\" in /proc/self/status", want);
}

static void uids(void)
{
        EXPECT_ERRNO(syscall(SYS_setuid, -1), EINVAL);
        EXPECT_RESUID(0, 0, 0);
        /* Root may set any combination. */
        EXPECT_OK(syscall(SYS_setresuid, 1000, 0, 2000));
        EXPECT_RESUID(1000, 0, 2000);
        EXPECT_EQ(FSUID(), 0);
        /* A new euid other than the ruid becomes the saved uid too; with
         * no uid left at 0 every capability goes. */
        EXPECT_OK(syscall(SYS_setreuid, -1, 3000));
        EXPECT_RESUID(1000, 3000, 3000);
        EXPECT_EQ(FSUID(), 3000);
        expect_status_line("Uid:\t1000\t3000\t3000\t3000\n");

        /* Unprivileged now. */
        EXPECT_ERRNO(syscall(SYS_setuid, 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_setresuid, 4000, -1, -1), EPERM);
        EXPECT_ERRNO(syscall(SYS_setresuid, -1, 0, -1), EPERM);
        EXPECT_OK(syscall(SYS_setresuid, -1, -1, -1));
        /* setuid to the real uid sets only euid and fsuid. */
        EXPECT_OK(syscall(SYS_setuid, 1000));
        EXPECT_RESUID(1000, 1000, 3000);
        EXPECT_EQ(FSUID(), 1000);
        /* setreuid: the euid may be the saved one; it differs from the
         * ruid, so it becomes the saved uid too. */
        EXPECT_OK(syscall(SYS_setreuid, -1, 3000));
        EXPECT_RESUID(1000, 3000, 3000);
        /* The ruid may become the euid; setting a ruid copies euid to suid. */
        EXPECT_OK(syscall(SYS_setreuid, 3000, -1));
        EXPECT_RESUID(3000, 3000, 3000);
        EXPECT_ERRNO(syscall(SYS_setreuid, 1000, -1), EPERM);
        EXPECT_ERRNO(syscall(SYS_setreuid, -1, 1000), EPERM);
        /* setfsuid to an id we do not hold changes nothing. */
        EXPECT_RET(syscall(SYS_setfsuid, 5000), 3000);
        EXPECT_EQ(FSUID(), 3000);
        expect_status_line("Uid:\t3000\t3000\t3000\t3000\n");
}

static void gids(void)
{
        EXPECT_ERRNO(syscall(SYS_setgid, -1), EINVAL);
        EXPECT_OK(syscall(SYS_setresgid, 100, 200, 300));
        EXPECT_RESGID(100, 200, 300);
        EXPECT_EQ(FSGID(), 200);
        EXPECT_OK(syscall(SYS_setregid, -1, 300));
        EXPECT_RESGID(100, 300, 300);
        EXPECT_EQ(FSGID(), 300);
        expect_status_line("Gid:\t100\t300\t300\t300\n");
        /* Giving up root takes CAP_SETGID with it. */
        EXPECT_OK(syscall(SYS_setresuid, 1000, 1000, 1000));
        EXPECT_ERRNO(syscall(SYS_setgid, 0), EPERM);
        EXPECT_OK(syscall(SYS_setgid, 100));
        EXPECT_RESGID(100, 100, 300);
        EXPECT_ERRNO(syscall(SYS_setregid, 300, -1), EPERM);
        EXPECT_OK(syscall(SYS_setregid, -1, 300));
        EXPECT_RESGID(100, 300, 300);
        EXPECT_OK(syscall(SYS_setresgid, -1, -1, 100));
        EXPECT_RESGID(100, 300, 100);
        EXPECT_ERRNO(syscall(SYS_setresgid, 7, -1, -1), EPERM);
        EXPECT_RET(syscall(SYS_setfsgid, 7), 300);
        EXPECT_EQ(FSGID(), 300);
        EXPECT_RET(syscall(SYS_setfsgid, 100), 300);
        EXPECT_EQ(FSGID(), 100);
}

static void fsids(void)
{
        EXPECT_RET(syscall(SYS_setfsuid, 1234), 0);
        EXPECT_EQ(FSUID(), 1234);
        EXPECT_RESUID(0, 0, 0);
        EXPECT_RET(syscall(SYS_geteuid), 0);
        expect_status_line("Uid:\t0\t0\t0\t1234\n");
        /* Not a no-op: the fsuid is not the euid, and gets it back. */
        EXPECT_OK(syscall(SYS_setresuid, 0, 0, 0));
        EXPECT_EQ(FSUID(), 0);
        EXPECT_RET(syscall(SYS_setfsgid, 77), 0);
        EXPECT_EQ(FSGID(), 77);
        EXPECT_OK(syscall(SYS_setgid, 5));
        EXPECT_RESGID(5, 5, 5);
        EXPECT_EQ(FSGID(), 5);
        /* setuid as root sets all four. */
        EXPECT_OK(syscall(SYS_setuid, 42));
        EXPECT_RESUID(42, 42, 42);
        EXPECT_EQ(FSUID(), 42);
        EXPECT_RET(syscall(SYS_setfsuid, 0), 42);
        EXPECT_EQ(FSUID(), 42);
}

int main(void)
{
        creds_require_root();
        creds_in_child(uids);
        creds_in_child(gids);
        creds_in_child(fsids);
        /* The parent kept its own. */
        EXPECT_RESUID(0, 0, 0);
        return TEST_PASS;
}
