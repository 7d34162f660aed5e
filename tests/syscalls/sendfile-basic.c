/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sendfile(2): from a file at an offset (which is updated, the file
 * position is not) or at the file position (which advances) to a file, a
 * pipe or /dev/null; short at EOF. The input must be readable (EBADF) and
 * seekable for an offset (ESPIPE), not a pipe or directory (EINVAL); the
 * output writable (EBADF), not O_APPEND or an eventfd (EINVAL); a negative
 * offset is EINVAL, an unreadable offset pointer EFAULT. A full
 * non-blocking pipe takes what fits, then EAGAIN.
 */
#include <fcntl.h>
#include <sys/eventfd.h>

#include "test.h"

static int shm_file(const char *tag)
{
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/dev/shm/sendfile-%s-XXXXXX", tag);
        fd = mkstemp(path);
        if (fd < 0)
                test_skip("no /dev/shm: %s", strerror(errno));
        unlink(path);
        return fd;
}

static long pos(int fd)
{
        return syscall(SYS_lseek, fd, 0L, SEEK_CUR);
}

int main(void)
{
        static char big[70000];
        char buf[32] = { 0 }, path[64];
        int a = shm_file("a"), b = shm_file("b"), p[2], e, dir, ro, ap, wo, null, zero;
        off_t off;

        EXPECT_RET(syscall(SYS_write, a, "0123456789", 10), 10);
        EXPECT_RET(syscall(SYS_pipe2, p, 0), 0);

        /* With an offset: it moves, the position does not. */
        off = 2;
        EXPECT_RET(syscall(SYS_sendfile, p[1], a, &off, 4), 4);
        EXPECT_EQ(off, 6);
        EXPECT_EQ(pos(a), 10);
        EXPECT_RET(syscall(SYS_read, p[0], buf, sizeof(buf)), 4);
        CHECK(memcmp(buf, "2345", 4) == 0, "pipe got '%.4s'", buf);
        /* Without: the position moves (input and output). */
        EXPECT_RET(syscall(SYS_lseek, a, 1L, SEEK_SET), 1);
        EXPECT_RET(syscall(SYS_sendfile, b, a, NULL, 3), 3);
        EXPECT_EQ(pos(a), 4);
        EXPECT_EQ(pos(b), 3);
        EXPECT_RET(syscall(SYS_pread64, b, buf, sizeof(buf), 0L), 3);
        CHECK(memcmp(buf, "123", 3) == 0, "file got '%.3s'", buf);
        /* Short at EOF, 0 past it, 0 for nothing. */
        off = 8;
        EXPECT_RET(syscall(SYS_sendfile, b, a, &off, 5), 2);
        EXPECT_EQ(off, 10);
        EXPECT_RET(syscall(SYS_sendfile, b, a, &off, 5), 0);
        EXPECT_RET(syscall(SYS_sendfile, b, a, NULL, 0), 0);
        /* The same file in and out. */
        EXPECT_RET(syscall(SYS_lseek, a, 0L, SEEK_SET), 0);
        EXPECT_RET(syscall(SYS_sendfile, a, a, NULL, 3), 3);
        null = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY));
        off = 0;
        EXPECT_RET(syscall(SYS_sendfile, null, a, &off, 5), 5);
        zero = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/dev/zero", O_RDONLY));
        EXPECT_RET(syscall(SYS_sendfile, b, zero, NULL, 5), 5);

        /* Errors. */
        e = (int)EXPECT_OK(syscall(SYS_eventfd2, 0, 0));
        dir = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/dev/shm", O_RDONLY | O_DIRECTORY));
        snprintf(path, sizeof(path), "/proc/self/fd/%d", b);
        ro = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
        wo = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY));
        ap = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND));
        EXPECT_ERRNO(syscall(SYS_sendfile, 999, a, NULL, 3), EBADF);
        EXPECT_ERRNO(syscall(SYS_sendfile, b, 999, NULL, 3), EBADF);
        EXPECT_ERRNO(syscall(SYS_sendfile, 999, p[1], NULL, 3), EBADF);
        EXPECT_ERRNO(syscall(SYS_sendfile, b, wo, NULL, 3), EBADF);
        EXPECT_ERRNO(syscall(SYS_sendfile, ro, a, NULL, 3), EBADF);
        EXPECT_ERRNO(syscall(SYS_sendfile, dir, a, NULL, 3), EBADF);
        EXPECT_ERRNO(syscall(SYS_sendfile, b, p[0], NULL, 3), EINVAL);
        off = 0;
        EXPECT_ERRNO(syscall(SYS_sendfile, b, p[0], &off, 3), ESPIPE);
        EXPECT_ERRNO(syscall(SYS_sendfile, b, dir, NULL, 3), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sendfile, e, a, NULL, 3), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sendfile, ap, a, NULL, 3), EINVAL);
        off = -1;
        EXPECT_ERRNO(syscall(SYS_sendfile, b, a, &off, 3), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sendfile, b, a, (void *)16, 3), EFAULT);

        /* A non-blocking pipe: what fits (64 KiB), then EAGAIN. */
        memset(big, 'z', sizeof(big));
        EXPECT_RET(syscall(SYS_pwrite64, b, big, sizeof(big), 0L), sizeof(big));
        EXPECT_RET(syscall(SYS_fcntl, p[1], F_SETFL, O_NONBLOCK), 0);
        off = 0;
        EXPECT_RET(syscall(SYS_sendfile, p[1], b, &off, sizeof(big)), 65536);
        EXPECT_EQ(off, 65536);
        EXPECT_ERRNO(syscall(SYS_sendfile, p[1], b, &off, sizeof(big)), EAGAIN);
        EXPECT_EQ(off, 65536);
        return TEST_PASS;
}
