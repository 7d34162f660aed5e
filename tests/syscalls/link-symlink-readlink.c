/* Hard links share an inode and count it; symlinks hold a target that
 * readlink returns (truncated to the buffer, no NUL). */
#include "fs-test.h"

int main(void)
{
        struct stat st, st2;
        char buf[64];

        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("f", "data") == 0);
        CHECK(mkdir("d", 0755) == 0);
        CHECK(link("f", "g") == 0);
        CHECK(stat("f", &st) == 0 && stat("g", &st2) == 0);
        CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev && st.st_nlink == 2);
        FAILS(link("f", "g"), EEXIST);
        FAILS(link("d", "d2"), EPERM);
        FAILS(link("missing", "x"), ENOENT);
        FAILS(link("f", "missing/x"), ENOENT);
        FAILS(link("f", "new/"), ENOENT);
        CHECK(unlink("g") == 0);
        CHECK(stat("f", &st) == 0 && st.st_nlink == 1);

        CHECK(symlink("f", "l") == 0);
        FAILS(symlink("f", "l"), EEXIST);
        FAILS(symlink("", "empty"), ENOENT);
        FAILS(symlink("f", "d/missing/x"), ENOENT);
        memset(buf, 'x', sizeof(buf));
        CHECK(readlink("l", buf, sizeof(buf)) == 1 && buf[0] == 'f' && buf[1] == 'x');
        CHECK(symlink("a/much/longer/target", "long") == 0);
        CHECK(readlink("long", buf, 6) == 6 && memcmp(buf, "a/much", 6) == 0);
        FAILS(readlink("f", buf, sizeof(buf)), EINVAL);
        FAILS(readlink("l", buf, 0), EINVAL);
        FAILS(readlink("missing", buf, sizeof(buf)), ENOENT);
        CHECK(readlinkat(open(".", O_RDONLY), "l", buf, sizeof(buf)) == 1);
        CHECK(lstat("l", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 1);
        CHECK(stat("l", &st2) == 0 && S_ISREG(st2.st_mode) && st2.st_size == 4);

        CHECK(link("l", "l2") == 0);                    /* link(2) does not follow */
        CHECK(lstat("l2", &st2) == 0 && S_ISLNK(st2.st_mode) && st2.st_ino == st.st_ino);
        CHECK(linkat(AT_FDCWD, "l", AT_FDCWD, "l3", AT_SYMLINK_FOLLOW) == 0);
        CHECK(lstat("l3", &st2) == 0 && S_ISREG(st2.st_mode));
        FAILS(linkat(AT_FDCWD, "l", AT_FDCWD, "l4", 0x1), EINVAL);

        /* Relative targets resolve from the link's directory. */
        CHECK(symlink("../f", "d/up") == 0);
        CHECK(stat("d/up", &st) == 0 && S_ISREG(st.st_mode));
        CHECK(symlink("d", "dl") == 0);
        CHECK(stat("dl/up", &st) == 0 && S_ISREG(st.st_mode));
        CHECK(lstat("dl/", &st) == 0 && S_ISDIR(st.st_mode));  /* '/' follows */
        return 0;
}
