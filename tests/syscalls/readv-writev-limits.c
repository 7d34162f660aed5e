/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readv/writev/preadv/pwritev argument limits: more than IOV_MAX (1024)
 * segments or a negative count is EINVAL, 1024 is fine, a segment length
 * with the top bit set is EINVAL, a kernel address EFAULT, the array itself
 * unreadable EFAULT; the fd and its mode are checked first (EBADF). A hole
 * after some good segments gives a short transfer, not EFAULT.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "test.h"

static struct iovec many[1025];

int main(void)
{
        char path[] = "/tmp/rwv-limits-XXXXXX", buf[8] = "abcdefg";
        struct iovec v[2];
        char *hole;
        int fd;

        fd = mkstemp(path);
        CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
        unlink(path);
        for (int i = 0; i < 1025; i++)
                many[i] = (struct iovec){ buf, 1 };

        EXPECT_RET(syscall(SYS_writev, fd, many, 1024), 1024);
        EXPECT_ERRNO(syscall(SYS_writev, fd, many, 1025), EINVAL);
        EXPECT_ERRNO(syscall(SYS_readv, fd, many, 1025), EINVAL);
        EXPECT_ERRNO(syscall(SYS_pwritev, fd, many, 1025, 0L, 0L), EINVAL);
        EXPECT_ERRNO(syscall(SYS_readv, fd, many, -1), EINVAL);
        /* The count is an unsigned int to Linux: the upper half is ignored. */
        EXPECT_RET(syscall(SYS_writev, fd, many, (1L << 32) + 1), 1);
        EXPECT_RET(syscall(SYS_readv, fd, many, 0), 0);
        EXPECT_RET(syscall(SYS_writev, fd, NULL, 0), 0);
        /* The fd, then its access mode, come before the count. */
        EXPECT_ERRNO(syscall(SYS_readv, 999, many, 2000), EBADF);
        int wr = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY));
        EXPECT_ERRNO(syscall(SYS_readv, wr, many, 2000), EBADF);
        EXPECT_ERRNO(syscall(SYS_readv, wr, NULL, 1), EBADF);

        /* Lengths and addresses. */
        v[0] = (struct iovec){ buf, 1 };
        v[1] = (struct iovec){ buf, (size_t)-1 };
        EXPECT_ERRNO(syscall(SYS_writev, fd, v, 2), EINVAL);
        v[1] = (struct iovec){ buf, 1UL << 63 };
        EXPECT_ERRNO(syscall(SYS_readv, fd, v, 2), EINVAL);
        v[1] = (struct iovec){ KERNEL_ADDR, 1 };
        EXPECT_ERRNO(syscall(SYS_writev, fd, v, 2), EFAULT);
        EXPECT_ERRNO(syscall(SYS_writev, fd, KERNEL_ADDR, 1), EFAULT);
        EXPECT_ERRNO(syscall(SYS_readv, fd, LOW_ADDR, 1), EFAULT);

        /* A hole after good data: a short transfer. */
        hole = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(hole != MAP_FAILED, "mmap: %s", strerror(errno));
        EXPECT_RET(syscall(SYS_munmap, hole + 4096, 4096), 0);
        memcpy(hole + 4096 - 4, "wxyz", 4);
        v[0] = (struct iovec){ buf, 3 };
        v[1] = (struct iovec){ hole + 4096 - 4, 8 };
        EXPECT_RET(syscall(SYS_pwritev, fd, v, 2, 0L, 0L), 7);
        v[1] = (struct iovec){ hole + 4096, 8 };
        EXPECT_ERRNO(syscall(SYS_pwritev, fd, &v[1], 1, 0L, 0L), EFAULT);
        memset(buf, 0, sizeof(buf));
        memset(hole + 4096 - 4, 0, 4);
        v[1] = (struct iovec){ hole + 4096 - 4, 8 };
        EXPECT_RET(syscall(SYS_preadv, fd, v, 2, 0L, 0L), 7);
        CHECK(memcmp(buf, "abc", 3) == 0 && memcmp(hole + 4096 - 4, "wxyz", 4) == 0,
              "read '%.3s' '%.4s'", buf, hole + 4092);
        return TEST_PASS;
}
