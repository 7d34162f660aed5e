/* O_TRUNC empties a file, O_APPEND writes at the end whatever the offset,
 * O_PATH gives a name only: no I/O, but fstat and fchdir. */
#include "fs-test.h"

int main(void)
{
        char buf[16] = { 0 };
        struct stat st;
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("f", "hello") == 0);
        fd = open("f", O_WRONLY | O_APPEND);
        CHECK(fd >= 0);
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        CHECK(write(fd, "!", 1) == 1);
        CHECK(lseek(fd, 0, SEEK_CUR) == 6);
        CHECK(pwrite(fd, "?", 1, 0) == 1);              /* Linux appends here too */
        close(fd);
        fd = open("f", O_RDONLY);
        CHECK(read(fd, buf, sizeof(buf)) == 7 && memcmp(buf, "hello!?", 7) == 0);
        close(fd);

        fd = open("f", O_RDONLY | O_TRUNC);             /* truncates even read-only */
        CHECK(fd >= 0);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 0);
        close(fd);

        CHECK(mkdir("d", 0755) == 0);
        fd = open("d", O_PATH);
        CHECK(fd >= 0);
        FAILS(read(fd, buf, 1), EBADF);
        CHECK(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
        CHECK(fchdir(fd) == 0);
        CHECK(write_file("inside", "x") == 0);
        CHECK(chdir("..") == 0);
        CHECK(stat("d/inside", &st) == 0);
        FAILS(fchmod(fd, 0700), EBADF);
        close(fd);
        CHECK(symlink("f", "l") == 0);
        fd = open("l", O_PATH | O_NOFOLLOW);
        CHECK(fd >= 0);
        CHECK(fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
        close(fd);
        return 0;
}
