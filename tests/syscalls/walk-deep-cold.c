/* Walks of several components through names nothing has looked up yet
 * (sandboxed: the host's files through the gofer, several names per round
 * trip): errors come from the right component (ENOENT, ENOTDIR past a
 * regular file, a trailing slash), a symlink in the middle is followed,
 * "." and ".." in the middle work, and every way to the same file finds the
 * same inode. Uses the C headers the build needs (/usr/include). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>

#include "test.h"

static void expect_same(const struct stat *a, const struct stat *b, const char *what)
{
        if (a->st_ino != b->st_ino || a->st_dev != b->st_dev || a->st_size != b->st_size ||
            a->st_mode != b->st_mode)
                FAIL("%s: ino %lu size %ld mode %o, want ino %lu size %ld mode %o", what,
                     (unsigned long)a->st_ino, (long)a->st_size, a->st_mode,
                     (unsigned long)b->st_ino, (long)b->st_size, b->st_mode);
}

static void stat_ok(const char *path, struct stat *st)
{
        if (syscall(SYS_newfstatat, AT_FDCWD, path, st, 0) != 0)
                FAIL("stat %s: %s", path, test_errname(errno));
}

int main(void)
{
        const char *deep = "/usr/include/linux/netfilter/nf_tables.h";
        struct stat st, st2, lst;
        int dfd;

        if (access(deep, R_OK) != 0 || access("/usr/include/asm-generic/errno.h", R_OK) != 0 ||
            access("/usr/include/x86_64-linux-gnu/sys/types.h", R_OK) != 0)
                test_skip("no kernel or libc headers in /usr/include");

        /* Cold: a walk past a regular file, then one ending in a slash. */
        EXPECT_ERRNO(syscall(SYS_newfstatat, AT_FDCWD,
                             "/usr/include/linux/netfilter/nf_tables.h/x/y", &st, 0), ENOTDIR);
        EXPECT_ERRNO(syscall(SYS_newfstatat, AT_FDCWD,
                             "/usr/include/linux/netfilter/nf_tables.h/", &st, 0), ENOTDIR);
        /* Cold: a missing directory in the middle, then the same name again
         * and a missing last name. */
        EXPECT_ERRNO(syscall(SYS_newfstatat, AT_FDCWD,
                             "/usr/include/linux/conternel-none/a/b/c.h", &st, 0), ENOENT);
        EXPECT_ERRNO(syscall(SYS_newfstatat, AT_FDCWD,
                             "/usr/include/linux/conternel-none", &st, 0), ENOENT);
        EXPECT_ERRNO(syscall(SYS_newfstatat, AT_FDCWD,
                             "/usr/include/asm-generic/conternel-none.h", &st, 0), ENOENT);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, "/usr/include/asm-generic/conternel-none.h",
                             O_RDONLY), ENOENT);

        /* The file, and the same file reached in other ways. */
        stat_ok(deep, &st);
        CHECK(S_ISREG(st.st_mode) && st.st_size > 0, "mode %o size %ld", st.st_mode,
              (long)st.st_size);
        stat_ok("/usr/include/linux/../linux/./netfilter//nf_tables.h", &st2);
        expect_same(&st2, &st, "through .. and .");
        dfd = (int)syscall(SYS_openat, AT_FDCWD, "/usr/include/linux", O_RDONLY | O_DIRECTORY);
        EXPECT_TRUE(dfd >= 0);
        EXPECT_OK(syscall(SYS_newfstatat, dfd, "netfilter/nf_tables.h", &st2, 0));
        expect_same(&st2, &st, "relative to /usr/include/linux");
        close(dfd);

        /* Cold again, with ".." right after the first new name. */
        stat_ok("/usr/include/x86_64-linux-gnu/../asm-generic/errno.h", &st);
        stat_ok("/usr/include/asm-generic/errno.h", &st2);
        expect_same(&st, &st2, "asm-generic through ..");

        /* A symlink first (/lib -> usr/lib on merged-/usr systems), then
         * names never walked: the same inode as the real path. */
        EXPECT_OK(syscall(SYS_newfstatat, AT_FDCWD, "/lib", &lst, AT_SYMLINK_NOFOLLOW));
        if (S_ISLNK(lst.st_mode)) {
                char target[64];
                long n = syscall(SYS_readlinkat, AT_FDCWD, "/lib", target, sizeof(target) - 1);

                EXPECT_TRUE(n > 0);
                target[n] = '\0';
                if (strcmp(target, "usr/lib") == 0) {
                        stat_ok("/lib/x86_64-linux-gnu/../../include/x86_64-linux-gnu/sys/types.h",
                                &st);
                        stat_ok("/usr/include/x86_64-linux-gnu/sys/types.h", &st2);
                        expect_same(&st, &st2, "through the /lib symlink");
                }
        }
        return TEST_PASS;
}
