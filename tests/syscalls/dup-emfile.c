/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RLIMIT_NOFILE bounds fd numbers: with a soft limit of 1, dup is EMFILE and
 * dup2/dup3 to a number at or above the limit is EBADF, while fds already open
 * above the limit keep working and dup2 of an fd onto itself still succeeds.
 */
#include <sys/resource.h>

#include "test.h"

int main(void)
{
        struct rlimit old, one;
        struct stat st;

        if (syscall(SYS_fstat, 0, &st) != 0 || syscall(SYS_fstat, 1, &st) != 0)
                test_skip("stdin or stdout is closed");
        EXPECT_RET(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old), 0);
        CHECK(old.rlim_cur >= 3, "RLIMIT_NOFILE soft limit %lu", (unsigned long)old.rlim_cur);

        one = (struct rlimit){ .rlim_cur = 1, .rlim_max = old.rlim_max };
        EXPECT_RET(syscall(SYS_setrlimit, RLIMIT_NOFILE, &one), 0);

        EXPECT_ERRNO(syscall(SYS_dup, 1), EMFILE);
        EXPECT_ERRNO(syscall(SYS_dup2, 0, 1), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup2, 1, 2), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup3, 0, 1, 0), EBADF);
        /* dup2 onto itself only checks that the fd is open. */
        EXPECT_RET(syscall(SYS_dup2, 1, 1), 1);
        /* Existing fds above the limit keep working. */
        EXPECT_RET(syscall(SYS_fstat, 1, &st), 0);
        EXPECT_RET(syscall(SYS_write, 1, "", 0), 0);

        /* The soft limit may go back up to the hard limit. */
        EXPECT_RET(syscall(SYS_setrlimit, RLIMIT_NOFILE, &old), 0);
        int fd = EXPECT_OK(syscall(SYS_dup, 1));
        EXPECT_RET(syscall(SYS_close, fd), 0);
        return TEST_PASS;
}
