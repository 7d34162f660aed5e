/* Path walk: "." and ".." (never above the root), repeated slashes, dirfds,
 * symlinks in the middle, and the 40-symlink limit. */
#include "fs-test.h"

int main(void)
{
        char name[32], target[32];
        struct stat st, root;
        int dfd;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(stat("/", &root) == 0);
        CHECK(stat("/..", &st) == 0 && st.st_ino == root.st_ino && st.st_dev == root.st_dev);
        CHECK(stat("/../../..", &st) == 0 && st.st_ino == root.st_ino);
        CHECK(stat("/tmp/../tmp/./", &st) == 0 && S_ISDIR(st.st_mode));

        CHECK(mkdir("a", 0755) == 0 && mkdir("a/b", 0755) == 0);
        CHECK(write_file("a/b/f", "x") == 0);
        CHECK(stat("a//b///f", &st) == 0 && S_ISREG(st.st_mode));
        CHECK(stat("a/b/../b/./f", &st) == 0);
        CHECK(stat("a/b/f/..", &st) == -1 && errno == ENOTDIR);
        CHECK(stat("a/b/f/.", &st) == -1 && errno == ENOTDIR);
        CHECK(stat("a/./b/", &st) == 0 && S_ISDIR(st.st_mode));

        dfd = open("a", O_RDONLY | O_DIRECTORY);
        CHECK(dfd >= 0);
        CHECK(fstatat(dfd, "b/f", &st, 0) == 0);
        CHECK(fstatat(dfd, "..", &st, 0) == 0);
        CHECK(fstatat(dfd, test_dir, &st, 0) == 0);     /* absolute ignores the dirfd */
        CHECK(mkdirat(dfd, "c", 0755) == 0 && stat("a/c", &st) == 0);
        CHECK(symlinkat("b", dfd, "lb") == 0);
        CHECK(stat("a/lb/f", &st) == 0);
        CHECK(symlink("/tmp/../", "a/abs") == 0);
        CHECK(stat("a/abs", &st) == 0 && st.st_ino == root.st_ino);
        close(dfd);

        /* A chain of 40 symlinks resolves; 41 is ELOOP. */
        CHECK(symlink("a/b/f", "l0") == 0);
        for (int i = 1; i <= 40; i++) {
                snprintf(name, sizeof(name), "l%d", i);
                snprintf(target, sizeof(target), "l%d", i - 1);
                CHECK(symlink(target, name) == 0);
        }
        CHECK(stat("l39", &st) == 0 && S_ISREG(st.st_mode));
        FAILS(stat("l40", &st), ELOOP);
        CHECK(lstat("l40", &st) == 0 && S_ISLNK(st.st_mode));
        return 0;
}
