/* Sparse files read zeroes in holes; truncate grows with zeroes and shrinks
 * for good; SEEK_DATA and SEEK_HOLE find the written pages. */
#include "fs-test.h"

#define MB (1024 * 1024)

static int all_zero(const char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return 0;
        return 1;
}

int main(void)
{
        static char buf[8192];
        struct stat st;
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        fd = open("f", O_CREAT | O_RDWR, 0644);
        CHECK(fd >= 0);
        memset(buf, 'a', 4096);
        CHECK(pwrite(fd, buf, 4096, 0) == 4096);
        CHECK(pwrite(fd, "z", 1, MB) == 1);
        CHECK(fstat(fd, &st) == 0 && st.st_size == MB + 1);
        CHECK(st.st_blocks < MB / 512);
        CHECK(pread(fd, buf, sizeof(buf), 4096) == sizeof(buf) && all_zero(buf, sizeof(buf)));
        CHECK(pread(fd, buf, 10, MB - 5) == 6 && all_zero(buf, 5) && buf[5] == 'z');
        CHECK(lseek(fd, 0, SEEK_HOLE) == 4096);
        CHECK(lseek(fd, 4096, SEEK_DATA) == MB);
        FAILS(lseek(fd, MB + 1, SEEK_DATA), ENXIO);
        CHECK(lseek(fd, 0, SEEK_END) == MB + 1);
        FAILS(lseek(fd, -1, SEEK_SET), EINVAL);

        /* Shrink into the first page, grow again: the cut bytes are zero. */
        CHECK(ftruncate(fd, 100) == 0);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 100);
        CHECK(ftruncate(fd, 8192) == 0);
        CHECK(pread(fd, buf, 8192, 0) == 8192 && buf[99] == 'a' && all_zero(buf + 100, 8092));
        CHECK(truncate("f", 0) == 0);
        CHECK(pread(fd, buf, 10, 0) == 0);

        /* A large offset. */
        CHECK(pwrite(fd, "end", 3, (off_t)1 << 40) == 3);
        CHECK(fstat(fd, &st) == 0 && st.st_size == ((off_t)1 << 40) + 3);
        CHECK(pread(fd, buf, 3, (off_t)1 << 40) == 3 && memcmp(buf, "end", 3) == 0);
        CHECK(ftruncate(fd, 0) == 0);
        close(fd);

        FAILS(truncate("f", -1), EINVAL);
        FAILS(truncate("missing", 0), ENOENT);
        CHECK(mkdir("d", 0755) == 0);
        FAILS(truncate("d", 0), EISDIR);
        fd = open("f", O_RDONLY);
        FAILS(ftruncate(fd, 0), EINVAL);
        close(fd);
        fd = open("d", O_RDONLY);
        FAILS(ftruncate(fd, 0), EINVAL);
        close(fd);
        FAILS(ftruncate(9999, 0), EBADF);
        return 0;
}
