/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fstat(2) and newfstatat(fd, "", AT_EMPTY_PATH) on stdio fds: both work and
 * agree; bad fds are EBADF, bad buffers EFAULT, an empty path without
 * AT_EMPTY_PATH is ENOENT and an unknown flag is EINVAL.
 */
#include <fcntl.h>
#include <limits.h>

#include "test.h"

static void check_plausible(int fd, const struct stat *st)
{
        switch (st->st_mode & S_IFMT) {
        case S_IFREG: case S_IFDIR: case S_IFCHR: case S_IFBLK:
        case S_IFIFO: case S_IFLNK: case S_IFSOCK:
                break;
        default:
                FAIL("fd %d: st_mode %#o has no valid file type", fd, st->st_mode);
        }
        CHECK(st->st_blksize > 0, "fd %d: st_blksize %ld", fd, (long)st->st_blksize);
        CHECK(st->st_size >= 0, "fd %d: st_size %lld", fd, (long long)st->st_size);
        if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode))
                EXPECT_EQ(st->st_rdev, 0);
}

/* Fields that cannot change between two calls on an fd nobody writes to. */
static void check_same(int fd, const struct stat *a, const struct stat *b)
{
        EXPECT_EQ(a->st_dev, b->st_dev);
        EXPECT_EQ(a->st_ino, b->st_ino);
        EXPECT_EQ(a->st_mode, b->st_mode);
        EXPECT_EQ(a->st_nlink, b->st_nlink);
        EXPECT_EQ(a->st_uid, b->st_uid);
        EXPECT_EQ(a->st_gid, b->st_gid);
        EXPECT_EQ(a->st_rdev, b->st_rdev);
        EXPECT_EQ(a->st_blksize, b->st_blksize);
        if (S_ISREG(a->st_mode))
                CHECK(a->st_size == b->st_size, "fd %d: size %lld then %lld", fd,
                      (long long)a->st_size, (long long)b->st_size);
}

int main(void)
{
        struct stat st, st2;
        int tested = 0, fd;

        for (fd = 0; fd <= 2; fd++) {
                errno = 0;
                if (syscall(SYS_fstat, fd, &st) == -1) {
                        CHECK(errno == EBADF, "fstat(%d): %s", fd, test_errname(errno));
                        continue;       /* a closed stdio fd */
                }
                tested++;
                check_plausible(fd, &st);
                memset(&st2, 0xa5, sizeof(st2));
                EXPECT_RET(syscall(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH), 0);
                check_same(fd, &st, &st2);
                memset(&st2, 0xa5, sizeof(st2));
                EXPECT_RET(syscall(SYS_newfstatat, fd, "", &st2,
                                   AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW), 0);
                check_same(fd, &st, &st2);
                /* glibc's fstat() goes through fstatat or fstat: same answer. */
                EXPECT_RET(fstat(fd, &st2), 0);
                check_same(fd, &st, &st2);
        }
        if (!tested)
                test_skip("stdin, stdout and stderr are all closed");
        /* The first open stdio fd, for the error cases below. */
        for (fd = 0; fd <= 2 && syscall(SYS_fstat, fd, &st) != 0; fd++)
                ;

        /* Bad fds. */
        EXPECT_ERRNO(syscall(SYS_fstat, -1, &st), EBADF);
        EXPECT_ERRNO(syscall(SYS_fstat, INT_MAX, &st), EBADF);
        EXPECT_ERRNO(syscall(SYS_fstat, test_unused_fd(), &st), EBADF);
        EXPECT_ERRNO(syscall(SYS_newfstatat, -1, "", &st, AT_EMPTY_PATH), EBADF);
        EXPECT_ERRNO(syscall(SYS_newfstatat, test_unused_fd(), "", &st, AT_EMPTY_PATH), EBADF);

        /* Bad buffers. */
        EXPECT_ERRNO(syscall(SYS_fstat, fd, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_fstat, fd, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_fstat, fd, KERNEL_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_newfstatat, fd, "", NULL, AT_EMPTY_PATH), EFAULT);
        EXPECT_ERRNO(syscall(SYS_newfstatat, fd, "", KERNEL_ADDR, AT_EMPTY_PATH), EFAULT);
        /* A path pointer that cannot be read. */
        EXPECT_ERRNO(syscall(SYS_newfstatat, fd, LOW_ADDR, &st, AT_EMPTY_PATH), EFAULT);

        /* "" names nothing unless AT_EMPTY_PATH is given. */
        EXPECT_ERRNO(syscall(SYS_newfstatat, fd, "", &st, 0), ENOENT);
        /*
         * Unknown flags are EINVAL. (Since Linux 6.11, "" with AT_EMPTY_PATH
         * on an open fd takes a fast path to fstat that ignores the other
         * flags, so only test unknown flags without AT_EMPTY_PATH.)
         */
        EXPECT_ERRNO(syscall(SYS_newfstatat, fd, "", &st, 0x80000000), EINVAL);
        EXPECT_ERRNO(syscall(SYS_newfstatat, fd, "", &st, AT_REMOVEDIR), EINVAL);
        return TEST_PASS;
}
