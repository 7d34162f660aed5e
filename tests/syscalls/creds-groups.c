/* SPDX-License-Identifier: Apache-2.0 */
/*
 * setgroups: needs CAP_SETGID (EPERM is checked before the size), a size
 * above NGROUPS_MAX is EINVAL, the list comes back sorted from getgroups and
 * in /proc/self/status's Groups: line (which ends with a space); -1 is not
 * a valid group; a bad pointer is EFAULT.
 */
#include <fcntl.h>
#include <limits.h>

#include "creds-test.h"

static void expect_groups_line(const char *want)
{
        char buf[4096];
        int fd = open("/proc/self/status", O_RDONLY);
        ssize_t n;

        if (fd < 0)
                FAIL("open /proc/self/status: %s", test_errname(errno));
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        CHECK(n > 0, "read: %zd", n);
        buf[n] = 0;
        CHECK(strstr(buf, want) != NULL, "no line \"%s\" in /proc/self/status", want);
}

static void groups(void)
{
        gid_t in[] = { 30, 10, 20, 10 }, out[8] = { 0 };

        EXPECT_OK(syscall(SYS_setgroups, 4, in));
        EXPECT_RET(syscall(SYS_getgroups, 0, NULL), 4);
        EXPECT_RET(syscall(SYS_getgroups, 8, out), 4);
        EXPECT_EQ(out[0], 10);
        EXPECT_EQ(out[1], 10);
        EXPECT_EQ(out[2], 20);
        EXPECT_EQ(out[3], 30);
        EXPECT_ERRNO(syscall(SYS_getgroups, 3, out), EINVAL);
        expect_groups_line("Groups:\t10 10 20 30 \n");

        EXPECT_ERRNO(syscall(SYS_setgroups, NGROUPS_MAX + 1, in), EINVAL);
        EXPECT_ERRNO(syscall(SYS_setgroups, -1, in), EINVAL);
        EXPECT_ERRNO(syscall(SYS_setgroups, 2, LOW_ADDR), EFAULT);
        in[1] = (gid_t)-1;
        EXPECT_ERRNO(syscall(SYS_setgroups, 2, in), EINVAL);
        /* Failures changed nothing. */
        EXPECT_RET(syscall(SYS_getgroups, 8, out), 4);

        EXPECT_OK(syscall(SYS_setgroups, 0, NULL));
        EXPECT_RET(syscall(SYS_getgroups, 0, NULL), 0);
        expect_groups_line("Groups:\t \n");

        /* Without CAP_SETGID: EPERM, even for a bad size. */
        EXPECT_OK(syscall(SYS_setgroups, 1, in));
        EXPECT_OK(syscall(SYS_setresuid, 1000, 1000, 1000));
        EXPECT_ERRNO(syscall(SYS_setgroups, 0, NULL), EPERM);
        EXPECT_ERRNO(syscall(SYS_setgroups, -1, NULL), EPERM);
        EXPECT_RET(syscall(SYS_getgroups, 8, out), 1);
        EXPECT_EQ(out[0], 30);
}

int main(void)
{
        creds_require_root();
        creds_in_child(groups);
        return TEST_PASS;
}
