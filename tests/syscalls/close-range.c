/* SPDX-License-Identifier: Apache-2.0 */
/*
 * close_range(2): closes every open fd in [first, last] (last may be far past
 * the table), CLOSE_RANGE_CLOEXEC only marks them close-on-exec, and
 * CLOSE_RANGE_UNSHARE first gives a caller that shares its table
 * (clone(CLONE_FILES)) a private copy, so the other side keeps its fds.
 * Unknown flags and first > last are EINVAL.
 */
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

static int open_fd(void)
{
        return (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY));
}

static bool is_open(int fd)
{
        return syscall(SYS_fcntl, fd, F_GETFD) >= 0;
}

/* Run fn in a child that shares our fd table; return its exit code. */
static int run_shared(int (*fn)(int), int arg)
{
        int status;
        long pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, NULL, NULL, 0);

        if (pid == 0)
                _exit(fn(arg));
        CHECK(pid > 0, "clone: %s", test_errname(errno));
        EXPECT_RET(waitpid((pid_t)pid, &status, 0), pid);
        CHECK(WIFEXITED(status), "status %#x", status);
        return WEXITSTATUS(status);
}

static int child_close(int fd)
{
        return syscall(SYS_close_range, fd, fd, 0) == 0 ? 0 : 1;
}

static int child_close_unshare(int fd)
{
        if (syscall(SYS_close_range, fd, ~0U, CLOSE_RANGE_UNSHARE) != 0)
                return 1;
        if (is_open(fd))
                return 2;
        return 0;
}

static int child_cloexec_unshare(int fd)
{
        if (syscall(SYS_close_range, fd, fd, CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) != 0)
                return 1;
        return syscall(SYS_fcntl, fd, F_GETFD) == FD_CLOEXEC ? 0 : 2;
}

int main(void)
{
        int a, b, c;

        EXPECT_ERRNO(syscall(SYS_close_range, 5, 4, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_close_range, 3, 10, 1u << 3), EINVAL);
        EXPECT_ERRNO(syscall(SYS_close_range, 3, 10, 1u << 31), EINVAL);
        /* Unknown flags come before the range check. */
        EXPECT_ERRNO(syscall(SYS_close_range, 5, 4, 1u << 5), EINVAL);
        /* Nothing open in the range: fine. */
        EXPECT_RET(syscall(SYS_close_range, 900, 1000, 0), 0);
        EXPECT_RET(syscall(SYS_close_range, ~0U, ~0U, 0), 0);

        a = open_fd();
        b = open_fd();
        c = open_fd();
        CHECK(a < b && b < c, "fds %d %d %d", a, b, c);

        /* CLOEXEC marks, keeps open. */
        EXPECT_RET(syscall(SYS_close_range, a, b, CLOSE_RANGE_CLOEXEC), 0);
        EXPECT_RET(syscall(SYS_fcntl, a, F_GETFD), FD_CLOEXEC);
        EXPECT_RET(syscall(SYS_fcntl, b, F_GETFD), FD_CLOEXEC);
        EXPECT_RET(syscall(SYS_fcntl, c, F_GETFD), 0);

        /* Close one in the middle only. */
        EXPECT_RET(syscall(SYS_close_range, b, b, 0), 0);
        CHECK(is_open(a) && !is_open(b) && is_open(c), "a %d b %d c %d", is_open(a),
              is_open(b), is_open(c));

        /* A shared table: the child's close is ours too. */
        EXPECT_EQ(run_shared(child_close, c), 0);
        CHECK(!is_open(c), "fd %d still open after the sharing child closed it", c);

        /* With UNSHARE the child closes its own copy only. */
        b = open_fd();
        EXPECT_EQ(run_shared(child_close_unshare, a), 0);
        CHECK(is_open(a) && is_open(b), "a %d b %d", is_open(a), is_open(b));
        EXPECT_RET(syscall(SYS_fcntl, a, F_SETFD, 0), 0);
        EXPECT_EQ(run_shared(child_cloexec_unshare, a), 0);
        EXPECT_RET(syscall(SYS_fcntl, a, F_GETFD), 0);
        /* UNSHARE when not shared is a plain close_range. */
        EXPECT_RET(syscall(SYS_close_range, a, ~0U, CLOSE_RANGE_UNSHARE), 0);
        CHECK(!is_open(a) && !is_open(b), "a %d b %d", is_open(a), is_open(b));
        /* Everything from 3 up: stdio stays. */
        a = open_fd();
        EXPECT_RET(syscall(SYS_close_range, 3, ~0U, 0), 0);
        CHECK(!is_open(a), "fd %d", a);
        return TEST_PASS;
}
