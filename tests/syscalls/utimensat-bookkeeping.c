/* Which calls move which times: with old times set by utimensat, each
 * change must bring mtime and/or ctime back to now, and leave the others. */
#include "fs-test.h"
#include <stdbool.h>
#include <sys/syscall.h>
#include <time.h>

static const struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };

static int set_old(const char *name)
{
        return (int)syscall(SYS_utimensat, AT_FDCWD, name, old, AT_SYMLINK_NOFOLLOW);
}

/* 'm': mtime now, 'o': mtime still old; same for ctime, which utimensat
 * itself sets to now, so it is checked against `since`. */
static int times_are(const char *name, char m, bool ctime_new, struct timespec since)
{
        struct stat st;

        if (lstat(name, &st) < 0)
                return 0;
        if ((m == 'm') != (st.st_mtim.tv_sec > 1000))
                return 0;
        if (ctime_new != (st.st_ctim.tv_sec > since.tv_sec ||
                          (st.st_ctim.tv_sec == since.tv_sec && st.st_ctim.tv_nsec > since.tv_nsec)))
                return 0;
        return 1;
}

static struct timespec ctime_of(const char *name)
{
        struct stat st;

        lstat(name, &st);
        return st.st_ctim;
}

static void tick(void)
{
        struct timespec ts = { 0, 20 * 1000 * 1000 };

        nanosleep(&ts, NULL);   /* past the file system's time granularity */
}

int main(void)
{
        struct timespec c;
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(mkdir("d", 0755) == 0);
        CHECK(write_file("d/f", "abc") == 0);

        /* Creating a name: the directory's mtime and ctime. */
        CHECK(set_old("d") == 0);
        c = ctime_of("d");
        tick();
        CHECK(write_file("d/g", "") == 0);
        CHECK(times_are("d", 'm', true, c));

        /* write: the file's mtime and ctime; read: neither. */
        CHECK(set_old("d/f") == 0);
        c = ctime_of("d/f");
        tick();
        fd = open("d/f", O_RDWR);
        CHECK(fd >= 0);
        char buf[3];
        CHECK(read(fd, buf, 3) == 3);
        CHECK(times_are("d/f", 'o', false, c));
        CHECK(write(fd, "x", 1) == 1);
        CHECK(times_are("d/f", 'm', true, c));

        /* ftruncate: both, even to the same size. */
        CHECK(set_old("d/f") == 0);
        c = ctime_of("d/f");
        tick();
        CHECK(ftruncate(fd, 4) == 0);
        CHECK(times_are("d/f", 'm', true, c));
        close(fd);

        /* chmod and link: ctime only. */
        CHECK(set_old("d/f") == 0);
        c = ctime_of("d/f");
        tick();
        CHECK(chmod("d/f", 0600) == 0);
        CHECK(times_are("d/f", 'o', true, c));
        c = ctime_of("d/f");
        tick();
        CHECK(link("d/f", "d/h") == 0);
        CHECK(times_are("d/f", 'o', true, c));

        /* unlink: the directory's mtime and ctime, the file's ctime. */
        CHECK(set_old("d") == 0);
        CHECK(set_old("d/f") == 0);
        c = ctime_of("d/f");
        struct timespec cd = ctime_of("d");
        tick();
        CHECK(unlink("d/h") == 0);
        CHECK(times_are("d", 'm', true, cd));
        CHECK(times_are("d/f", 'o', true, c));

        /* rename: both directories, and the moved inode's ctime. */
        CHECK(mkdir("e", 0755) == 0);
        CHECK(set_old("d") == 0 && set_old("e") == 0 && set_old("d/f") == 0);
        cd = ctime_of("d");
        struct timespec ce = ctime_of("e");
        c = ctime_of("d/f");
        tick();
        CHECK(rename("d/f", "e/f") == 0);
        CHECK(times_are("d", 'm', true, cd) && times_are("e", 'm', true, ce));
        CHECK(times_are("e/f", 'o', true, c));

        /* mkdir and rmdir: the parent's mtime and ctime. */
        CHECK(set_old("e") == 0);
        ce = ctime_of("e");
        tick();
        CHECK(mkdir("e/sub", 0755) == 0);
        CHECK(times_are("e", 'm', true, ce));
        CHECK(set_old("e") == 0);
        ce = ctime_of("e");
        tick();
        CHECK(rmdir("e/sub") == 0);
        CHECK(times_are("e", 'm', true, ce));
        return 0;
}
