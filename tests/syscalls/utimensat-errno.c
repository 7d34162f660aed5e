/* utimensat, futimesat, utimes, utime: the errors, in Linux's order. */
#include "fs-test.h"
#include <sys/syscall.h>
#include <sys/time.h>
#include <utime.h>

#define BAD_PTR ((void *)16)

int main(void)
{
        struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
        struct timeval tv[2] = { { 1, 0 }, { 2, 0 } };
        struct stat st;
        int fd, opath;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("f", "x") == 0);
        fd = open("f", O_RDONLY);
        opath = open("f", O_PATH);
        CHECK(fd >= 0 && opath >= 0);

        /* The times come first. */
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "missing", BAD_PTR, 0), EFAULT);
        /* tv_nsec out of range: EINVAL, but only once the file is found. */
        ts[0].tv_nsec = 1000000000;
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0), EINVAL);
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "missing", ts, 0), ENOENT);
        ts[0].tv_nsec = -1;
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0), EINVAL);
        ts[0].tv_nsec = 0;
        ts[1].tv_nsec = UTIME_OMIT - 2;
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0), EINVAL);
        ts[1].tv_nsec = 0;

        /* Flags. */
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0x1), EINVAL);
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "f", ts, AT_REMOVEDIR), EINVAL);
        /* A NULL name with an fd allows no flag at all. */
        FAILS(syscall(SYS_utimensat, fd, NULL, ts, AT_SYMLINK_NOFOLLOW), EINVAL);
        FAILS(syscall(SYS_utimensat, fd, NULL, ts, AT_EMPTY_PATH), EINVAL);

        /* Names and fds. */
        FAILS(syscall(SYS_utimensat, AT_FDCWD, NULL, ts, 0), EFAULT);
        FAILS(syscall(SYS_utimensat, AT_FDCWD, BAD_PTR, ts, 0), EFAULT);
        FAILS(syscall(SYS_utimensat, 999, NULL, ts, 0), EBADF);
        FAILS(syscall(SYS_utimensat, opath, NULL, ts, 0), EBADF);
        FAILS(syscall(SYS_utimensat, 999, "f", ts, 0), EBADF);
        FAILS(syscall(SYS_utimensat, fd, "x", ts, 0), ENOTDIR);
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "", ts, 0), ENOENT);
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "missing", ts, 0), ENOENT);
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "f/", ts, 0), ENOTDIR);
        FAILS(syscall(SYS_utimensat, AT_FDCWD, "missing/f", NULL, 0), ENOENT);

        /* futimesat and utimes: microseconds; UTIME_NOW is no valid usec. */
        tv[1].tv_usec = 1000000;
        FAILS(syscall(SYS_utimes, "f", tv), EINVAL);
        tv[1].tv_usec = -1;
        FAILS(syscall(SYS_futimesat, AT_FDCWD, "f", tv), EINVAL);
        tv[1].tv_usec = UTIME_NOW;
        FAILS(syscall(SYS_utimes, "f", tv), EINVAL);
        tv[1].tv_usec = 999999;
        CHECK(syscall(SYS_utimes, "f", tv) == 0);
        CHECK(stat("f", &st) == 0 && st.st_mtim.tv_sec == 2 && st.st_mtim.tv_nsec == 999999000);
        CHECK(st.st_atim.tv_sec == 1 && st.st_atim.tv_nsec == 0);
        FAILS(syscall(SYS_utimes, "f", BAD_PTR), EFAULT);
        FAILS(syscall(SYS_utimes, "missing", tv), ENOENT);
        FAILS(syscall(SYS_futimesat, 999, "f", tv), EBADF);
        FAILS(syscall(SYS_futimesat, AT_FDCWD, NULL, tv), EFAULT);
        /* futimesat with a NULL name and an fd: that file (old futimes). */
        tv[1] = (struct timeval){ 77, 5 };
        CHECK(syscall(SYS_futimesat, fd, NULL, tv) == 0);
        CHECK(stat("f", &st) == 0 && st.st_mtim.tv_sec == 77 && st.st_mtim.tv_nsec == 5000);
        CHECK(syscall(SYS_utimes, "f", NULL) == 0);
        CHECK(stat("f", &st) == 0 && st.st_mtim.tv_sec > 77);

        /* utime: whole seconds. */
        struct utimbuf ub = { .actime = 10, .modtime = 20 };
        CHECK(syscall(SYS_utime, "f", &ub) == 0);
        CHECK(stat("f", &st) == 0 && st.st_atim.tv_sec == 10 && st.st_mtim.tv_sec == 20);
        CHECK(st.st_mtim.tv_nsec == 0);
        CHECK(syscall(SYS_utime, "f", NULL) == 0);
        CHECK(stat("f", &st) == 0 && st.st_mtim.tv_sec > 20);
        FAILS(syscall(SYS_utime, "f", BAD_PTR), EFAULT);
        FAILS(syscall(SYS_utime, "missing", &ub), ENOENT);
        FAILS(syscall(SYS_utime, NULL, &ub), EFAULT);
        return 0;
}
