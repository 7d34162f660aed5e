/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Positional I/O and lseek(2) on stdio fds that are pipes, sockets or ttys:
 * ESPIPE, even for a zero-length transfer. A bad whence is EINVAL before
 * ESPIPE. Skips unless some stdio fd is of such a kind.
 */
#include "test.h"

int main(void)
{
        char buf[8] = "data";
        int tested = 0;

        for (int fd = 0; fd <= 2; fd++) {
                enum stdio_kind k = test_stdio_kind(fd, NULL);

                if (k != STDIO_FIFO && k != STDIO_SOCKET && k != STDIO_TTY)
                        continue;
                tested++;
                EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, SEEK_CUR), ESPIPE);
                EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, SEEK_SET), ESPIPE);
                EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, SEEK_END), ESPIPE);
                EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)-1, SEEK_SET), ESPIPE);
                EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, 7), EINVAL);
                EXPECT_ERRNO(syscall(SYS_pread64, fd, buf, 0, (off_t)0), ESPIPE);
                EXPECT_ERRNO(syscall(SYS_pwrite64, fd, buf, 0, (off_t)0), ESPIPE);
                EXPECT_ERRNO(syscall(SYS_pwrite64, fd, buf, sizeof(buf), (off_t)0), ESPIPE);
                EXPECT_ERRNO(syscall(SYS_pwrite64, fd, buf, sizeof(buf), (off_t)100), ESPIPE);
                /* A negative offset is EINVAL before the file is looked at. */
                EXPECT_ERRNO(syscall(SYS_pwrite64, fd, buf, sizeof(buf), (off_t)-1), EINVAL);
                EXPECT_ERRNO(syscall(SYS_pread64, fd, buf, sizeof(buf), (off_t)-1), EINVAL);
        }
        if (!tested)
                test_skip("no stdio fd is a pipe, socket or tty");
        return TEST_PASS;
}
