/* unlink and rmdir remove names with Linux's errnos; an open file outlives
 * its last name. */
#include "fs-test.h"

int main(void)
{
        struct stat st;
        char buf[4];
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("f", "abc") == 0);
        CHECK(mkdir("d", 0755) == 0);
        CHECK(mkdir("full", 0755) == 0 && write_file("full/x", "x") == 0);

        fd = open("f", O_RDONLY);
        CHECK(fd >= 0);
        CHECK(unlink("f") == 0);
        FAILS(unlink("f"), ENOENT);
        CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0);
        CHECK(read(fd, buf, 3) == 3 && memcmp(buf, "abc", 3) == 0);
        close(fd);

        FAILS(unlink("d"), EISDIR);
        FAILS(unlink("full/x/"), ENOTDIR);
        FAILS(unlink("d/"), EISDIR);
        FAILS(unlink("."), EISDIR);
        FAILS(unlink(""), ENOENT);
        FAILS(rmdir("full"), ENOTEMPTY);
        FAILS(rmdir("full/x"), ENOTDIR);
        FAILS(rmdir("."), EINVAL);
        FAILS(rmdir("d/."), EINVAL);
        FAILS(rmdir("d/.."), ENOTEMPTY);
        FAILS(rmdir("missing"), ENOENT);
        FAILS(unlinkat(AT_FDCWD, "d", 0x1), EINVAL);
        FAILS(unlinkat(AT_FDCWD, "full/x", AT_REMOVEDIR), ENOTDIR);
        CHECK(unlinkat(AT_FDCWD, "full/x", 0) == 0);
        CHECK(unlinkat(AT_FDCWD, "full", AT_REMOVEDIR) == 0);
        CHECK(rmdir("d/") == 0);
        FAILS(stat("d", &st), ENOENT);

        /* A removed working directory: nothing can be made in it. */
        CHECK(mkdir("gone", 0755) == 0 && chdir("gone") == 0);
        CHECK(rmdir("../gone") == 0);
        FAILS(open("x", O_CREAT | O_RDWR, 0644), ENOENT);
        FAILS(mkdir("x", 0755), ENOENT);
        CHECK(chdir("..") == 0);
        return 0;
}
