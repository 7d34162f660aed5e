/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read/write family on fds that are not open: EBADF, looked up before the
 * buffer or the iovec array is looked at. pread64/pwrite64 check a negative
 * offset before the fd.
 */
#include <limits.h>
#include <sys/uio.h>

#include "test.h"

static void check_bad_fd(int fd)
{
        char buf[8] = "data";
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };

        EXPECT_ERRNO(syscall(SYS_read, fd, buf, sizeof(buf)), EBADF);
        EXPECT_ERRNO(syscall(SYS_read, fd, NULL, 0), EBADF);
        EXPECT_ERRNO(syscall(SYS_write, fd, buf, sizeof(buf)), EBADF);
        EXPECT_ERRNO(syscall(SYS_write, fd, NULL, 0), EBADF);
        /* The fd comes first: a bad buffer or a bad count is not looked at. */
        EXPECT_ERRNO(syscall(SYS_read, fd, LOW_ADDR, 10), EBADF);
        EXPECT_ERRNO(syscall(SYS_write, fd, LOW_ADDR, 10), EBADF);
        EXPECT_ERRNO(syscall(SYS_readv, fd, &iov, 1), EBADF);
        EXPECT_ERRNO(syscall(SYS_writev, fd, &iov, 1), EBADF);
        EXPECT_ERRNO(syscall(SYS_readv, fd, LOW_ADDR, 1), EBADF);
        EXPECT_ERRNO(syscall(SYS_writev, fd, &iov, 5000), EBADF);
        EXPECT_ERRNO(syscall(SYS_pread64, fd, buf, sizeof(buf), (off_t)0), EBADF);
        EXPECT_ERRNO(syscall(SYS_pwrite64, fd, buf, sizeof(buf), (off_t)0), EBADF);
        EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, SEEK_CUR), EBADF);
        EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, 7), EBADF);
        /* ... except the offset of pread64/pwrite64, checked first. */
        EXPECT_ERRNO(syscall(SYS_pread64, fd, buf, sizeof(buf), (off_t)-1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_pwrite64, fd, buf, sizeof(buf), (off_t)-1), EINVAL);
}

int main(void)
{
        int fd;

        check_bad_fd(-1);
        check_bad_fd(INT_MIN);
        check_bad_fd(INT_MAX);
        check_bad_fd(test_unused_fd());

        /* A descriptor that was open and has been closed. */
        fd = EXPECT_OK(syscall(SYS_dup, 1));
        EXPECT_RET(syscall(SYS_close, fd), 0);
        check_bad_fd(fd);
        return TEST_PASS;
}
