/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write(2) and writev(2) to fd 1. This test's stdout is part of its expected
 * output: it must be the same bytes natively and sandboxed.
 */
#include <limits.h>
#include <sys/uio.h>

#include "test.h"

_Static_assert(UIO_MAXIOV == 1024, "Linux's UIO_MAXIOV");

static struct iovec empty[UIO_MAXIOV + 1];

int main(void)
{
        static const char line1[] = "write-stdout-basic: write\n";
        static const char part1[] = "write-stdout-basic: ";
        static const char part2[] = "writev ";
        static const char part3[] = "of three\n";
        char buf[1];
        struct iovec iov[4] = {
                { .iov_base = (void *)part1, .iov_len = sizeof(part1) - 1 },
                { .iov_base = NULL, .iov_len = 0 },     /* empty segments are skipped */
                { .iov_base = (void *)part2, .iov_len = sizeof(part2) - 1 },
                { .iov_base = (void *)part3, .iov_len = sizeof(part3) - 1 },
        };
        size_t total = iov[0].iov_len + iov[2].iov_len + iov[3].iov_len;

        EXPECT_RET(write(1, line1, sizeof(line1) - 1), sizeof(line1) - 1);
        EXPECT_RET(syscall(SYS_writev, 1, iov, 4), total);

        /* Zero-length transfers succeed without writing anything. */
        EXPECT_RET(write(1, buf, 0), 0);
        EXPECT_RET(write(1, NULL, 0), 0);
        EXPECT_RET(syscall(SYS_writev, 1, iov, 0), 0);
        EXPECT_RET(syscall(SYS_writev, 1, NULL, 0), 0);

        /* UIO_MAXIOV segments are allowed, one more is EINVAL, as is a negative count. */
        EXPECT_RET(syscall(SYS_writev, 1, empty, UIO_MAXIOV), 0);
        EXPECT_ERRNO(syscall(SYS_writev, 1, empty, UIO_MAXIOV + 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_writev, 1, iov, -1), EINVAL);

        /*
         * A segment length that is negative as ssize_t is EINVAL, checked
         * while copying the iovec array, before anything is written.
         */
        iov[1].iov_base = (void *)part2;
        iov[1].iov_len = (size_t)-1;
        EXPECT_ERRNO(syscall(SYS_writev, 1, iov, 4), EINVAL);
        iov[1].iov_len = (size_t)SSIZE_MAX + 1;
        EXPECT_ERRNO(syscall(SYS_writev, 1, iov, 4), EINVAL);

        /* The iovec array itself at a bad address is EFAULT. */
        EXPECT_ERRNO(syscall(SYS_writev, 1, LOW_ADDR, 1), EFAULT);

        /* A last fixed line: nothing of the failed calls may have been written. */
        EXPECT_RET(write(1, "write-stdout-basic: done\n", 25), 25);
        return TEST_PASS;
}
