/* access and faccessat as root: read and write always, execute only with an
 * x bit (or on a directory); mode and flag checks. */
#include "fs-test.h"
#include <sys/syscall.h>

int main(void)
{
        if (getuid() != 0) {
                fprintf(stderr, "needs root\n");
                return 77;
        }
        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("none", "") == 0 && chmod("none", 0) == 0);
        CHECK(write_file("x", "") == 0 && chmod("x", 0100) == 0);
        CHECK(mkdir("d", 0) == 0);

        CHECK(access("none", F_OK) == 0);
        CHECK(access("none", R_OK | W_OK) == 0);
        FAILS(access("none", X_OK), EACCES);
        CHECK(access("x", X_OK) == 0);
        CHECK(access("d", R_OK | W_OK | X_OK) == 0);
        FAILS(access("missing", F_OK), ENOENT);
        FAILS(access("none/x", F_OK), ENOTDIR);
        FAILS(access("none", 8), EINVAL);
        FAILS(access("", F_OK), ENOENT);

        CHECK(symlink("missing", "dangling") == 0);
        FAILS(faccessat(AT_FDCWD, "dangling", F_OK, 0), ENOENT);
        CHECK(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW) == 0);
        CHECK(syscall(SYS_faccessat2, AT_FDCWD, "x", X_OK, AT_EACCESS) == 0);
        FAILS(syscall(SYS_faccessat2, AT_FDCWD, "x", X_OK, 0x1), EINVAL);
        int fd = open("d", O_RDONLY);
        CHECK(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH) == 0);
        FAILS(faccessat(fd, "nothing", F_OK, 0), ENOENT);
        return 0;
}
