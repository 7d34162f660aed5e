/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lseek(2) on each stdio fd, by what it is: a regular file has a position
 * that SEEK_CUR reports and SEEK_SET restores, and rejects a negative result;
 * /dev/null accepts anything and says 0; pipes, sockets and ttys are ESPIPE.
 * A bad whence is EINVAL on all of them. The file position is left as found.
 */
#include "test.h"

static void check_regular(int fd, const struct stat *st)
{
        off_t pos = EXPECT_OK(syscall(SYS_lseek, fd, (off_t)0, SEEK_CUR));

        CHECK(pos >= 0, "fd %d position %lld", fd, (long long)pos);
        EXPECT_RET(syscall(SYS_lseek, fd, pos, SEEK_SET), pos);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)0, SEEK_CUR), pos);
        /* A resulting offset below zero is EINVAL and leaves the position. */
        EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)-1, SEEK_SET), EINVAL);
        EXPECT_ERRNO(syscall(SYS_lseek, fd, -pos - 1, SEEK_CUR), EINVAL);
        EXPECT_ERRNO(syscall(SYS_lseek, fd, -st->st_size - 1, SEEK_END), EINVAL);
        EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, 7), EINVAL);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)0, SEEK_CUR), pos);
}

static void check_devnull(int fd)
{
        /* null_lseek(): every seek succeeds and the position stays 0. */
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)0, SEEK_CUR), 0);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)1000, SEEK_SET), 0);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)-1, SEEK_SET), 0);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)5, SEEK_END), 0);
        EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, 7), EINVAL);
}

static void check_stream(int fd)
{
        EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, SEEK_CUR), ESPIPE);
        EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, 7), EINVAL);
}

int main(void)
{
        int tested = 0;

        for (int fd = 0; fd <= 2; fd++) {
                struct stat st;

                switch (test_stdio_kind(fd, &st)) {
                case STDIO_REG:
                        check_regular(fd, &st);
                        break;
                case STDIO_DEVNULL:
                        check_devnull(fd);
                        break;
                case STDIO_FIFO:
                case STDIO_SOCKET:
                case STDIO_TTY:
                        check_stream(fd);
                        break;
                default:
                        continue;
                }
                tested++;
        }
        if (!tested)
                test_skip("no stdio fd of a known kind");
        return TEST_PASS;
}
