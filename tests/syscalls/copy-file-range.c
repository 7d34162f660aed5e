/* SPDX-License-Identifier: Apache-2.0 */
/*
 * copy_file_range(2) between tmpfs files: with offsets (updated, the file
 * positions stay) or the file positions (which advance), cut at EOF (0 past
 * it). Flags are EINVAL; other superblocks EXDEV (another tmpfs, a memfd);
 * pipes and eventfds EINVAL, directories EISDIR, a read-only or O_APPEND
 * output EBADF; an overlapping range in one file EINVAL (adjacent is fine);
 * an offset that wraps EOVERFLOW; an unreadable offset pointer EFAULT.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "test.h"

static int shm_file(const char *tag)
{
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/dev/shm/cfr-%s-XXXXXX", tag);
        fd = mkstemp(path);
        if (fd < 0)
                test_skip("no /dev/shm: %s", strerror(errno));
        unlink(path);
        return fd;
}

static long cfr(int in, int64_t *oi, int out, int64_t *oo, size_t n, unsigned flags)
{
        return syscall(SYS_copy_file_range, in, oi, out, oo, n, flags);
}

int main(void)
{
        int a = shm_file("a"), b = shm_file("b"), p[2], e, dir, ro, ap, m, x;
        char buf[32] = { 0 }, path[64], tmp[] = "/tmp/cfr-XXXXXX";
        int64_t oi, oo;

        EXPECT_RET(syscall(SYS_write, a, "0123456789", 10), 10);
        oi = 2;
        oo = 1;
        EXPECT_RET(cfr(a, &oi, b, &oo, 100, 0), 8);
        EXPECT_EQ(oi, 10);
        EXPECT_EQ(oo, 9);
        EXPECT_RET(syscall(SYS_lseek, a, 0L, SEEK_CUR), 10);
        EXPECT_RET(syscall(SYS_lseek, b, 0L, SEEK_CUR), 0);
        EXPECT_RET(syscall(SYS_pread64, b, buf, sizeof(buf), 0L), 9);
        CHECK(memcmp(buf, "\0" "23456789", 9) == 0, "copied '%.9s'", buf);
        EXPECT_RET(cfr(a, &oi, b, NULL, 5, 0), 0);

        /* The positions. */
        EXPECT_RET(syscall(SYS_lseek, a, 4L, SEEK_SET), 4);
        EXPECT_RET(cfr(a, NULL, b, NULL, 3, 0), 3);
        EXPECT_RET(syscall(SYS_lseek, a, 0L, SEEK_CUR), 7);
        EXPECT_RET(syscall(SYS_lseek, b, 0L, SEEK_CUR), 3);
        EXPECT_RET(syscall(SYS_pread64, b, buf, 3, 0L), 3);
        CHECK(memcmp(buf, "456", 3) == 0, "copied '%.3s'", buf);

        /* Within one file. */
        oi = 0, oo = 3;
        EXPECT_ERRNO(cfr(a, &oi, a, &oo, 5, 0), EINVAL);
        oi = 0, oo = 5;
        EXPECT_RET(cfr(a, &oi, a, &oo, 5, 0), 5);
        oi = 0, oo = 3;
        EXPECT_RET(cfr(a, &oi, a, &oo, 0, 0), 0);

        /* Errors. */
        oi = 0;
        EXPECT_ERRNO(cfr(a, &oi, b, NULL, 5, 1), EINVAL);
        m = (int)EXPECT_OK(syscall(SYS_memfd_create, "m", 0));
        EXPECT_ERRNO(cfr(a, &oi, m, NULL, 5, 0), EXDEV);
        x = mkstemp(tmp);
        CHECK(x >= 0, "mkstemp: %s", strerror(errno));
        unlink(tmp);
        EXPECT_ERRNO(cfr(a, &oi, x, NULL, 5, 0), EXDEV);
        EXPECT_ERRNO(cfr(a, &oi, x, NULL, 0, 0), EXDEV);
        oi = -1;
        EXPECT_ERRNO(cfr(a, &oi, b, NULL, 5, 0), EOVERFLOW);
        oi = 0;
        EXPECT_RET(syscall(SYS_pipe2, p, 0), 0);
        EXPECT_ERRNO(cfr(a, &oi, p[1], NULL, 5, 0), EINVAL);
        EXPECT_ERRNO(cfr(p[0], NULL, a, NULL, 5, 0), EINVAL);
        e = (int)EXPECT_OK(syscall(SYS_eventfd2, 0, 0));
        EXPECT_ERRNO(cfr(a, NULL, e, NULL, 5, 0), EINVAL);
        dir = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/dev/shm", O_RDONLY | O_DIRECTORY));
        EXPECT_ERRNO(cfr(dir, NULL, a, NULL, 5, 0), EISDIR);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", b);
        ro = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
        ap = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_APPEND));
        EXPECT_ERRNO(cfr(a, &oi, ro, NULL, 5, 0), EBADF);
        EXPECT_ERRNO(cfr(a, &oi, ap, NULL, 5, 0), EBADF);
        EXPECT_ERRNO(cfr(999, NULL, a, NULL, 5, 0), EBADF);
        EXPECT_ERRNO(cfr(a, NULL, 999, NULL, 5, 0), EBADF);
        EXPECT_ERRNO(cfr(a, (int64_t *)16, b, NULL, 5, 0), EFAULT);
        return TEST_PASS;
}
