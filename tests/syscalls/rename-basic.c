/* rename moves files and directories, replaces a file or an empty
 * directory, and renameat2 knows RENAME_NOREPLACE and RENAME_EXCHANGE. */
#include "fs-test.h"

static int content_is(const char *path, const char *want)
{
        char buf[64] = { 0 };
        int fd = open(path, O_RDONLY);
        ssize_t n;

        if (fd < 0)
                return 0;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        return n == (ssize_t)strlen(want) && strcmp(buf, want) == 0;
}

int main(void)
{
        struct stat st, st2;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("a", "A") == 0);
        CHECK(write_file("b", "B") == 0);
        CHECK(rename("a", "c") == 0);
        FAILS(stat("a", &st), ENOENT);
        CHECK(content_is("c", "A"));
        CHECK(rename("c", "b") == 0);                   /* replaces b */
        CHECK(content_is("b", "A"));
        CHECK(rename("b", "b") == 0);                   /* itself: nothing */

        CHECK(mkdir("d1", 0755) == 0 && mkdir("d2", 0755) == 0);
        CHECK(write_file("d1/f", "F") == 0);
        CHECK(rename("d1", "d2") == 0);                 /* over an empty directory */
        CHECK(content_is("d2/f", "F"));
        CHECK(stat(".", &st) == 0 && st.st_nlink == 3);
        CHECK(mkdir("d3", 0755) == 0);
        CHECK(rename("d2", "d3/moved") == 0);
        CHECK(content_is("d3/moved/f", "F"));
        CHECK(stat("d3", &st) == 0 && st.st_nlink == 3);
        CHECK(rename("d3/moved/f", "f") == 0);
        CHECK(content_is("f", "F"));

        CHECK(link("f", "hard") == 0);
        CHECK(rename("f", "hard") == 0);                /* same inode: both stay */
        CHECK(stat("f", &st) == 0 && stat("hard", &st2) == 0 && st.st_ino == st2.st_ino);

        CHECK(write_file("x", "X") == 0 && write_file("y", "Y") == 0);
        FAILS(renameat2(AT_FDCWD, "x", AT_FDCWD, "y", RENAME_NOREPLACE), EEXIST);
        CHECK(renameat2(AT_FDCWD, "x", AT_FDCWD, "z", RENAME_NOREPLACE) == 0);
        CHECK(renameat2(AT_FDCWD, "z", AT_FDCWD, "y", RENAME_EXCHANGE) == 0);
        CHECK(content_is("z", "Y") && content_is("y", "X"));
        CHECK(renameat2(AT_FDCWD, "z", AT_FDCWD, "d3", RENAME_EXCHANGE) == 0);
        CHECK(stat("z", &st) == 0 && S_ISDIR(st.st_mode) && content_is("d3", "Y"));
        FAILS(renameat2(AT_FDCWD, "y", AT_FDCWD, "nope", RENAME_EXCHANGE), ENOENT);
        FAILS(renameat2(AT_FDCWD, "y", AT_FDCWD, "z", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
        FAILS(renameat2(AT_FDCWD, "y", AT_FDCWD, "w", 0x100), EINVAL);
        return 0;
}
