/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dup/dup2/dup3/close on stdio: the copy names the same open file, dup takes
 * the lowest free number, dup2 onto itself is a no-op that still checks the
 * fd, dup3 onto itself or with flags other than O_CLOEXEC is EINVAL, and
 * closing twice is EBADF.
 */
#include <fcntl.h>
#include <limits.h>

#include "test.h"

static void check_same_file(int a, int b)
{
        struct stat sa, sb;

        EXPECT_RET(syscall(SYS_fstat, a, &sa), 0);
        EXPECT_RET(syscall(SYS_fstat, b, &sb), 0);
        CHECK(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino,
              "fd %d and its copy %d name different files", a, b);
}

int main(void)
{
        int a1, a2, a3, u, u2;

        /* dup: a new, higher number for the same file, the lowest free one. */
        a1 = EXPECT_OK(syscall(SYS_dup, 1));
        CHECK(a1 > 2, "dup(1) gave %d, which stdio holds", a1);
        check_same_file(1, a1);
        a2 = EXPECT_OK(syscall(SYS_dup, 1));
        CHECK(a2 > a1, "dup(1) again gave %d, after %d", a2, a1);
        EXPECT_RET(syscall(SYS_close, a1), 0);
        a3 = EXPECT_OK(syscall(SYS_dup, 2));
        EXPECT_EQ(a3, a1);
        check_same_file(2, a3);
        EXPECT_RET(syscall(SYS_close, a3), 0);
        EXPECT_RET(syscall(SYS_close, a2), 0);

        /* dup2: onto a chosen number, replacing what was there. */
        u = test_unused_fd();
        EXPECT_RET(syscall(SYS_dup2, 1, u), u);
        check_same_file(1, u);
        EXPECT_RET(syscall(SYS_dup2, 2, u), u);
        check_same_file(2, u);
        EXPECT_RET(syscall(SYS_dup2, 1, 1), 1);
        EXPECT_RET(syscall(SYS_dup2, u, u), u);
        /* dup still takes the lowest free number, not one above u. */
        a1 = EXPECT_OK(syscall(SYS_dup, 1));
        CHECK(a1 < u, "dup(1) gave %d, above the dup2 target %d", a1, u);
        EXPECT_RET(syscall(SYS_close, a1), 0);
        EXPECT_RET(syscall(SYS_close, u), 0);

        /* dup3: only O_CLOEXEC, never onto itself. */
        EXPECT_RET(syscall(SYS_dup3, 1, u, O_CLOEXEC), u);
        check_same_file(1, u);
        EXPECT_RET(syscall(SYS_dup3, 2, u, 0), u);
        check_same_file(2, u);
        EXPECT_ERRNO(syscall(SYS_dup3, 1, 1, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_dup3, u, u, O_CLOEXEC), EINVAL);
        EXPECT_ERRNO(syscall(SYS_dup3, 1, u, O_NONBLOCK), EINVAL);
        EXPECT_ERRNO(syscall(SYS_dup3, 1, u, 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_dup3, 1, u, O_CLOEXEC | O_APPEND), EINVAL);
        /* Flags, then the same-fd test, come before the fd checks. */
        EXPECT_ERRNO(syscall(SYS_dup3, -1, -1, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_dup3, -1, 5, 1), EINVAL);
        EXPECT_RET(syscall(SYS_close, u), 0);

        /* Bad fds. */
        u2 = test_unused_fd();
        EXPECT_ERRNO(syscall(SYS_dup, -1), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup, INT_MAX), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup, u2), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup2, -1, u2), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup2, u2, u2), EBADF);         /* same fd, not open */
        EXPECT_ERRNO(syscall(SYS_dup2, 1, -1), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup2, 1, INT_MAX), EBADF);     /* beyond RLIMIT_NOFILE */
        EXPECT_ERRNO(syscall(SYS_dup3, u2, u2 - 1, 0), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup3, 1, -1, 0), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup3, 1, INT_MAX, O_CLOEXEC), EBADF);
        /* A failed dup2 leaves the target closed. */
        EXPECT_ERRNO(syscall(SYS_fstat, u2, &(struct stat){ 0 }), EBADF);

        /* close: once. */
        a1 = EXPECT_OK(syscall(SYS_dup, 1));
        EXPECT_RET(syscall(SYS_close, a1), 0);
        EXPECT_ERRNO(syscall(SYS_close, a1), EBADF);
        EXPECT_ERRNO(syscall(SYS_fstat, a1, &(struct stat){ 0 }), EBADF);
        EXPECT_ERRNO(syscall(SYS_close, -1), EBADF);
        EXPECT_ERRNO(syscall(SYS_close, INT_MAX), EBADF);
        EXPECT_ERRNO(syscall(SYS_close, u2), EBADF);
        /* The original is untouched by closing its copies. */
        EXPECT_RET(syscall(SYS_write, 1, "", 0), 0);
        return TEST_PASS;
}
