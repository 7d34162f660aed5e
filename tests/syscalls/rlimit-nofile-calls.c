/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RLIMIT_NOFILE bounds every call that makes an fd: with the table full up to
 * the soft limit, open (even of a missing name, and without creating an
 * O_CREAT one), dup, F_DUPFD, pipe, epoll_create1, eventfd2, timerfd_create
 * and signalfd4 are EMFILE. F_DUPFD from the limit up is EINVAL (its
 * argument is an unsigned int: the upper half is ignored), dup2/dup3 to it
 * EBADF. A pipe needing two fds with one free is EMFILE and leaves it free.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/timerfd.h>

#include "test.h"

static void set_nofile(rlim_t n)
{
        struct rlimit old, rl;

        EXPECT_RET(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old), 0);
        rl = (struct rlimit){ .rlim_cur = n, .rlim_max = old.rlim_max };
        EXPECT_RET(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL), 0);
}

int main(void)
{
        char path[] = "/tmp/nofile-XXXXXX", made[64];
        sigset_t set;
        struct stat st;
        int fd, p[2];

        for (int i = 0; i < 3; i++)
                if (syscall(SYS_fstat, i, &st) != 0)
                        test_skip("stdio fd %d is closed", i);
        EXPECT_RET(syscall(SYS_close_range, 3, ~0U, 0), 0);
        fd = mkstemp(path);
        EXPECT_EQ(fd, 3);
        unlink(path);
        snprintf(made, sizeof(made), "%s-made", path);

        /* 0..3 open, limit 4: full. */
        set_nofile(4);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY), EMFILE);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, "/no/such/file", O_RDONLY), EMFILE);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, made, O_CREAT | O_WRONLY, 0600), EMFILE);
        EXPECT_ERRNO(syscall(SYS_faccessat, AT_FDCWD, made, F_OK), ENOENT);
        EXPECT_ERRNO(syscall(SYS_dup, 0), EMFILE);
        EXPECT_ERRNO(syscall(SYS_fcntl, 0, F_DUPFD, 0), EMFILE);
        EXPECT_ERRNO(syscall(SYS_fcntl, 0, F_DUPFD_CLOEXEC, 1), EMFILE);
        EXPECT_ERRNO(syscall(SYS_fcntl, 0, F_DUPFD, 4), EINVAL);
        EXPECT_ERRNO(syscall(SYS_fcntl, 0, F_DUPFD, -1L), EINVAL);
        EXPECT_ERRNO(syscall(SYS_fcntl, 0, F_DUPFD, (1L << 32) + 1), EMFILE);
        EXPECT_ERRNO(syscall(SYS_pipe2, p, 0), EMFILE);
        EXPECT_ERRNO(syscall(SYS_epoll_create1, 0), EMFILE);
        EXPECT_ERRNO(syscall(SYS_epoll_create, 1), EMFILE);
        EXPECT_ERRNO(syscall(SYS_eventfd2, 0, 0), EMFILE);
        EXPECT_ERRNO(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0), EMFILE);
        sigemptyset(&set);
        EXPECT_ERRNO(syscall(SYS_signalfd4, -1, &set, 8, 0), EMFILE);
        EXPECT_ERRNO(syscall(SYS_dup2, 0, 4), EBADF);
        EXPECT_ERRNO(syscall(SYS_dup3, 0, 4, 0), EBADF);
        /* Flags are checked before the fd is looked for. */
        EXPECT_ERRNO(syscall(SYS_eventfd2, 0, 2), EINVAL);
        EXPECT_ERRNO(syscall(SYS_epoll_create1, 1), EINVAL);

        /* One free: a pipe still fails and leaves it free; others fit. */
        set_nofile(5);
        EXPECT_ERRNO(syscall(SYS_pipe2, p, 0), EMFILE);
        EXPECT_RET(syscall(SYS_fcntl, 0, F_DUPFD, (1L << 32) + 4), 4);
        EXPECT_RET(syscall(SYS_close, 4), 0);
        EXPECT_RET(syscall(SYS_eventfd2, 0, 0), 4);
        EXPECT_RET(syscall(SYS_close, 4), 0);
        EXPECT_RET(syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY), 4);
        EXPECT_RET(syscall(SYS_dup2, 0, 4), 4);
        EXPECT_RET(syscall(SYS_close, 4), 0);
        return TEST_PASS;
}
