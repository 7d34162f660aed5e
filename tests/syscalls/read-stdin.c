/* SPDX-License-Identifier: Apache-2.0 */
/*
 * read(2)/readv(2)/pread64(2) on an empty stdin (/dev/null or an empty
 * regular file, as test runners should provide) return 0 at end of file.
 */
#include <sys/uio.h>

#include "test.h"

int main(void)
{
        struct stat st;
        enum stdio_kind kind = test_stdio_kind(0, &st);
        char buf[64], buf2[8];
        struct iovec iov[2] = {
                { .iov_base = buf, .iov_len = sizeof(buf) },
                { .iov_base = buf2, .iov_len = sizeof(buf2) },
        };

        if (kind != STDIO_DEVNULL && !(kind == STDIO_REG && st.st_size == 0))
                test_skip("stdin is neither /dev/null nor an empty file");

        EXPECT_RET(read(0, buf, sizeof(buf)), 0);
        EXPECT_RET(read(0, buf, 0), 0);
        EXPECT_RET(read(0, NULL, 0), 0);
        EXPECT_RET(syscall(SYS_readv, 0, iov, 2), 0);
        EXPECT_RET(syscall(SYS_readv, 0, iov, 0), 0);
        EXPECT_RET(syscall(SYS_pread64, 0, buf, sizeof(buf), (off_t)0), 0);
        EXPECT_RET(syscall(SYS_pread64, 0, buf, sizeof(buf), (off_t)4096), 0);

        /* A buffer outside the user half is EFAULT even with nothing to read. */
        EXPECT_ERRNO(syscall(SYS_read, 0, KERNEL_ADDR, 10), EFAULT);
        /* The iovec array is copied in before reading. */
        EXPECT_ERRNO(syscall(SYS_readv, 0, LOW_ADDR, 1), EFAULT);
        EXPECT_ERRNO(syscall(SYS_readv, 0, iov, 1025), EINVAL);
        /* A negative offset is EINVAL. */
        EXPECT_ERRNO(syscall(SYS_pread64, 0, buf, sizeof(buf), (off_t)-1), EINVAL);
        return TEST_PASS;
}
