/* utimensat: explicit times, UTIME_NOW and UTIME_OMIT, a NULL times array,
 * AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, a NULL name with an fd (futimens),
 * and ctime moving with every change. */
#include "fs-test.h"
#include <sys/syscall.h>
#include <time.h>

static int ts_le(struct timespec a, struct timespec b)
{
        return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

static int ts_eq(struct timespec a, long sec, long nsec)
{
        return a.tv_sec == sec && a.tv_nsec == nsec;
}

static long utimensat_raw(int dirfd, const char *name, const struct timespec *ts, int flags)
{
        return syscall(SYS_utimensat, dirfd, name, ts, flags);
}

int main(void)
{
        struct timespec before, ts[2];
        struct stat st, lst;
        int fd, dfd;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("f", "data") == 0);
        CHECK(symlink("f", "l") == 0);
        CHECK(mkdir("d", 0755) == 0);
        clock_gettime(CLOCK_REALTIME, &before);
        before.tv_sec -= 1;

        /* Explicit times, to the nanosecond; ctime becomes now. */
        ts[0] = (struct timespec){ 100, 5 };
        ts[1] = (struct timespec){ 200, 999999999 };
        CHECK(utimensat_raw(AT_FDCWD, "f", ts, 0) == 0);
        CHECK(stat("f", &st) == 0);
        CHECK(ts_eq(st.st_atim, 100, 5) && ts_eq(st.st_mtim, 200, 999999999));
        CHECK(ts_le(before, st.st_ctim));

        /* UTIME_OMIT keeps one, UTIME_NOW sets the other to now. */
        ts[0] = (struct timespec){ 0, UTIME_OMIT };
        ts[1] = (struct timespec){ 12345, UTIME_NOW };
        CHECK(utimensat_raw(AT_FDCWD, "f", ts, 0) == 0);
        CHECK(stat("f", &st) == 0);
        CHECK(ts_eq(st.st_atim, 100, 5) && ts_le(before, st.st_mtim));
        ts[0] = (struct timespec){ 300, 0 };
        ts[1] = (struct timespec){ 0, UTIME_OMIT };
        CHECK(utimensat_raw(AT_FDCWD, "f", ts, 0) == 0);
        CHECK(stat("f", &st) == 0);
        CHECK(ts_eq(st.st_atim, 300, 0) && ts_le(before, st.st_mtim));

        /* Both UTIME_OMIT: nothing happens and nothing is checked, not even
         * the name, the dirfd or the flags. */
        ts[0] = ts[1] = (struct timespec){ 0, UTIME_OMIT };
        CHECK(utimensat_raw(-1, "missing", ts, 0x12345) == 0);
        CHECK(utimensat_raw(AT_FDCWD, NULL, ts, 0) == 0);

        /* NULL times and both UTIME_NOW: now. */
        ts[0] = (struct timespec){ 1, 0 };
        ts[1] = (struct timespec){ 2, 0 };
        CHECK(utimensat_raw(AT_FDCWD, "f", ts, 0) == 0);
        CHECK(utimensat_raw(AT_FDCWD, "f", NULL, 0) == 0);
        CHECK(stat("f", &st) == 0);
        CHECK(ts_le(before, st.st_atim) && ts_le(before, st.st_mtim));
        CHECK(utimensat_raw(AT_FDCWD, "f", ts, 0) == 0);
        ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW;
        CHECK(utimensat_raw(AT_FDCWD, "f", ts, 0) == 0);
        CHECK(stat("f", &st) == 0);
        CHECK(ts_le(before, st.st_atim) && ts_le(before, st.st_mtim));

        /* Through a symlink by default; the link itself with NOFOLLOW. */
        ts[0] = (struct timespec){ 1000, 1 };
        ts[1] = (struct timespec){ 2000, 2 };
        CHECK(utimensat_raw(AT_FDCWD, "l", ts, 0) == 0);
        CHECK(stat("f", &st) == 0 && ts_eq(st.st_mtim, 2000, 2));
        CHECK(lstat("l", &lst) == 0 && !ts_eq(lst.st_mtim, 2000, 2));
        ts[1] = (struct timespec){ 3000, 3 };
        CHECK(utimensat_raw(AT_FDCWD, "l", ts, AT_SYMLINK_NOFOLLOW) == 0);
        CHECK(lstat("l", &lst) == 0 && ts_eq(lst.st_mtim, 3000, 3) && ts_eq(lst.st_atim, 1000, 1));
        CHECK(stat("f", &st) == 0 && ts_eq(st.st_mtim, 2000, 2));

        /* Relative to a dirfd; the dirfd itself with AT_EMPTY_PATH. */
        CHECK(write_file("d/g", "") == 0);
        dfd = open("d", O_RDONLY | O_DIRECTORY);
        CHECK(dfd >= 0);
        ts[1] = (struct timespec){ 4000, 4 };
        CHECK(utimensat_raw(dfd, "g", ts, 0) == 0);
        CHECK(stat("d/g", &st) == 0 && ts_eq(st.st_mtim, 4000, 4));
        ts[1] = (struct timespec){ 5000, 5 };
        CHECK(utimensat_raw(dfd, "", ts, AT_EMPTY_PATH) == 0);
        CHECK(stat("d", &st) == 0 && ts_eq(st.st_mtim, 5000, 5));

        /* A NULL name with an fd: that file (futimens), even a regular one,
         * and even when opened read-only. */
        fd = open("f", O_RDONLY);
        CHECK(fd >= 0);
        ts[1] = (struct timespec){ 6000, 6 };
        CHECK(utimensat_raw(fd, NULL, ts, 0) == 0);
        CHECK(stat("f", &st) == 0 && ts_eq(st.st_mtim, 6000, 6));
        ts[1] = (struct timespec){ 7000, 7 };
        CHECK(utimensat_raw(fd, "", ts, AT_EMPTY_PATH) == 0);
        CHECK(stat("f", &st) == 0 && ts_eq(st.st_mtim, 7000, 7));
        close(fd);

        /* An O_PATH fd names the file for AT_EMPTY_PATH. */
        fd = open("f", O_PATH);
        CHECK(fd >= 0);
        ts[1] = (struct timespec){ 8000, 8 };
        CHECK(utimensat_raw(fd, "", ts, AT_EMPTY_PATH) == 0);
        CHECK(stat("f", &st) == 0 && ts_eq(st.st_mtim, 8000, 8));
        close(fd);
        close(dfd);
        return 0;
}
