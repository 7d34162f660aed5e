/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process and credential ids agree with each other and with the auxiliary
 * vector, without assuming particular values (the sandbox runs its guest as
 * pid 1, uid 0). getgroups(2) counts, copies, and rejects a negative or too
 * small size.
 */
#include <limits.h>
#include <sys/auxv.h>

#include "test.h"

static void check_groups(void)
{
        gid_t groups[NGROUPS_MAX + 1];
        long n = EXPECT_OK(syscall(SYS_getgroups, 0, NULL));

        CHECK(n >= 0 && n <= NGROUPS_MAX, "getgroups(0) = %ld", n);
        /* Size 0 only counts: the buffer is not touched. */
        EXPECT_RET(syscall(SYS_getgroups, 0, LOW_ADDR), n);
        EXPECT_RET(syscall(SYS_getgroups, n, groups), n);
        /* A larger size is fine, also beyond NGROUPS_MAX. */
        EXPECT_RET(syscall(SYS_getgroups, NGROUPS_MAX + 1, groups), n);
        EXPECT_ERRNO(syscall(SYS_getgroups, -1, groups), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getgroups, INT_MIN, groups), EINVAL);
        if (n > 0) {
                EXPECT_ERRNO(syscall(SYS_getgroups, n - 1, groups), EINVAL);
                EXPECT_ERRNO(syscall(SYS_getgroups, n, LOW_ADDR), EFAULT);
        }
}

int main(void)
{
        long pid = syscall(SYS_getpid), ppid = syscall(SYS_getppid);

        CHECK(pid > 0, "getpid() = %ld", pid);
        CHECK(ppid >= 0, "getppid() = %ld", ppid);
        /* One thread: its tid is the process id. */
        EXPECT_RET(syscall(SYS_gettid), pid);
        for (int i = 0; i < 100; i++) {
                EXPECT_RET(syscall(SYS_getpid), pid);
                EXPECT_RET(syscall(SYS_getppid), ppid);
        }
        EXPECT_EQ(getpid(), pid);
        EXPECT_EQ(getppid(), ppid);

        /* The credentials the kernel put in the auxiliary vector at exec. */
        EXPECT_RET(syscall(SYS_getuid), getauxval(AT_UID));
        EXPECT_RET(syscall(SYS_geteuid), getauxval(AT_EUID));
        EXPECT_RET(syscall(SYS_getgid), getauxval(AT_GID));
        EXPECT_RET(syscall(SYS_getegid), getauxval(AT_EGID));
        /* Not set-id: real and effective ids agree. */
        if (getauxval(AT_SECURE) == 0) {
                EXPECT_EQ(syscall(SYS_getuid), syscall(SYS_geteuid));
                EXPECT_EQ(syscall(SYS_getgid), syscall(SYS_getegid));
        }
        EXPECT_EQ(getuid(), syscall(SYS_getuid));
        EXPECT_EQ(getegid(), syscall(SYS_getegid));

        check_groups();
        return TEST_PASS;
}
