/* stat fields: types, sizes, links, owners, inode identity, blocks, and the
 * times a write and a chmod move. */
#include "fs-test.h"
#include <sys/sysmacros.h>
#include <time.h>

static int ts_le(struct timespec a, struct timespec b)
{
        return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

int main(void)
{
        struct stat st, st2, dst;
        struct timespec before;
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        clock_gettime(CLOCK_REALTIME, &before);
        before.tv_sec -= 1;             /* file systems keep coarse times */
        CHECK(mkdir("d", 0700) == 0 && mkdir("d/s1", 0700) == 0 && mkdir("d/s2", 0700) == 0);
        CHECK(stat("d", &dst) == 0 && S_ISDIR(dst.st_mode) && dst.st_nlink == 4);
        CHECK((dst.st_mode & 07777) == 0700);

        fd = open("f", O_CREAT | O_RDWR, 0640);
        CHECK(fd >= 0);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 0 && st.st_blocks == 0);
        CHECK(st.st_uid == getuid() && st.st_gid == getgid());
        CHECK(st.st_blksize == 4096);
        CHECK(ts_le(before, st.st_mtim) && ts_le(before, st.st_ctim) && ts_le(before, st.st_atim));
        CHECK(write(fd, "0123456789", 10) == 10);
        CHECK(fstat(fd, &st2) == 0 && st2.st_size == 10 && st2.st_blocks >= 8);
        CHECK(ts_le(st.st_mtim, st2.st_mtim) && ts_le(st.st_ctim, st2.st_ctim));
        CHECK(st2.st_ino == st.st_ino && st2.st_dev == st.st_dev);
        CHECK(stat("f", &st) == 0 && st.st_ino == st2.st_ino && st.st_size == 10);
        CHECK(st.st_dev == dst.st_dev && st.st_ino != dst.st_ino);
        CHECK(st.st_rdev == 0);
        close(fd);

        CHECK(chmod("f", 0604) == 0);
        CHECK(stat("f", &st2) == 0 && (st2.st_mode & 07777) == 0604);
        CHECK(ts_le(st.st_ctim, st2.st_ctim));
        CHECK(st2.st_mtim.tv_sec == st.st_mtim.tv_sec && st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec);

        CHECK(symlink("f", "l") == 0);
        CHECK(lstat("l", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 1);
        CHECK(fstatat(AT_FDCWD, "l", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
        CHECK(fstatat(AT_FDCWD, "l", &st, 0) == 0 && S_ISREG(st.st_mode));
        fd = open("d", O_RDONLY);
        CHECK(fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 && st.st_ino == dst.st_ino);
        CHECK(fstatat(fd, "s1", &st, 0) == 0 && S_ISDIR(st.st_mode));
        FAILS(fstatat(fd, "", &st, 0), ENOENT);
        FAILS(fstatat(fd, "s1", &st, 0x1), EINVAL);
        FAILS(stat("f/", &st), ENOTDIR);
        close(fd);

        struct statx stx;
        CHECK(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &stx) == 0);
        CHECK((stx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
        CHECK(stx.stx_size == 10 && (stx.stx_mode & 07777) == 0604 && S_ISREG(stx.stx_mode));
        CHECK(stx.stx_nlink == 1 && stx.stx_ino == st2.st_ino);
        CHECK(makedev(stx.stx_dev_major, stx.stx_dev_minor) == st2.st_dev);
        FAILS(statx(AT_FDCWD, "f", 0x6000, STATX_BASIC_STATS, &stx), EINVAL);
        return 0;
}
