/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write(2)/writev(2) with bad buffers: EFAULT when bytes would be copied,
 * success when the length is zero. Nothing reaches the output.
 */
#include <sys/uio.h>

#include "test.h"

static int pick_fd(void)
{
        /* /dev/null ignores the buffer altogether; a pipe, file or tty reads it. */
        for (int fd = 1; fd <= 2; fd++) {
                enum stdio_kind k = test_stdio_kind(fd, NULL);
                if (k == STDIO_FIFO || k == STDIO_REG || k == STDIO_TTY ||
                    k == STDIO_SOCKET)
                        return fd;
        }
        test_skip("neither stdout nor stderr is a pipe, file, socket or tty");
}

int main(void)
{
        int fd = pick_fd();
        char buf[16] = "0123456789abcdef";
        struct iovec iov[2] = {
                { .iov_base = LOW_ADDR, .iov_len = 10 },
                { .iov_base = buf, .iov_len = 0 },
        };

        /*
         * Length zero never touches a user buffer, whatever it points at; but
         * access_ok() still rejects a start address outside the user half.
         */
        EXPECT_RET(syscall(SYS_write, fd, NULL, 0), 0);
        EXPECT_RET(syscall(SYS_write, fd, LOW_ADDR, 0), 0);
        EXPECT_ERRNO(syscall(SYS_write, fd, KERNEL_ADDR, 0), EFAULT);

        EXPECT_ERRNO(syscall(SYS_write, fd, NULL, 1), EFAULT);
        EXPECT_ERRNO(syscall(SYS_write, fd, LOW_ADDR, 10), EFAULT);
        EXPECT_ERRNO(syscall(SYS_write, fd, KERNEL_ADDR, 10), EFAULT);
        /* A valid start with a length running past the user half. */
        EXPECT_ERRNO(syscall(SYS_write, fd, buf, (size_t)1 << 62), EFAULT);

        EXPECT_ERRNO(syscall(SYS_writev, fd, iov, 2), EFAULT);
        iov[0].iov_base = KERNEL_ADDR;
        EXPECT_ERRNO(syscall(SYS_writev, fd, iov, 2), EFAULT);
        /* A huge but positive segment length fails access_ok(): EFAULT, not EINVAL. */
        iov[0].iov_base = buf;
        iov[0].iov_len = (size_t)1 << 62;
        EXPECT_ERRNO(syscall(SYS_writev, fd, iov, 2), EFAULT);
        iov[0].iov_base = LOW_ADDR;
        iov[0].iov_len = 0;
        EXPECT_RET(syscall(SYS_writev, fd, iov, 2), 0);
        return TEST_PASS;
}
