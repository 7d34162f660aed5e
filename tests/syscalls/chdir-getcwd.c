/* chdir, fchdir and getcwd agree; getcwd's ERANGE, a removed cwd's ENOENT. */
#include "fs-test.h"
#include <sys/syscall.h>

int main(void)
{
        char buf[4096], want[4096];
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, test_dir) == 0);
        CHECK(mkdir("a", 0755) == 0 && mkdir("a/b", 0755) == 0);
        CHECK(write_file("file", "") == 0);
        CHECK(chdir("a/b") == 0);
        snprintf(want, sizeof(want), "%s/a/b", test_dir);
        CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, want) == 0);
        CHECK(syscall(SYS_getcwd, buf, sizeof(buf)) == (long)strlen(want) + 1);
        FAILS(syscall(SYS_getcwd, buf, strlen(want)), ERANGE);
        FAILS(syscall(SYS_getcwd, buf, 0), ERANGE);
        FAILS(syscall(SYS_getcwd, (char *)8, sizeof(buf)), EFAULT);
        CHECK(chdir("../..") == 0);
        CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, test_dir) == 0);

        FAILS(chdir("file"), ENOTDIR);
        FAILS(chdir("missing"), ENOENT);
        FAILS(chdir(""), ENOENT);
        fd = open("a", O_RDONLY);
        CHECK(fd >= 0 && fchdir(fd) == 0);
        close(fd);
        snprintf(want, sizeof(want), "%s/a", test_dir);
        CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, want) == 0);
        fd = open("../file", O_RDONLY);
        FAILS(fchdir(fd), ENOTDIR);
        close(fd);
        FAILS(fchdir(9999), EBADF);

        /* ".." at the root stays there. */
        CHECK(chdir("/..") == 0);
        CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0);
        CHECK(chdir(test_dir) == 0);

        CHECK(chdir("a/b") == 0 && rmdir("../b") == 0);
        FAILS(syscall(SYS_getcwd, buf, sizeof(buf)), ENOENT);
        CHECK(chdir("..") == 0);
        return 0;
}
