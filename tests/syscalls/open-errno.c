/* open fails with Linux's errnos: ENOENT, ENOTDIR, EISDIR, ELOOP,
 * ENAMETOOLONG, EFAULT. */
#include "fs-test.h"
#include <sys/syscall.h>

int main(void)
{
        char name[300], *path;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("file", "x") == 0);
        CHECK(mkdir("dir", 0755) == 0);
        CHECK(symlink("file", "link") == 0);
        CHECK(symlink("loop2", "loop1") == 0 && symlink("loop1", "loop2") == 0);

        FAILS(open("missing", O_RDONLY), ENOENT);
        FAILS(open("missing/x", O_RDONLY), ENOENT);
        FAILS(open("", O_RDONLY), ENOENT);
        FAILS(open("file/x", O_RDONLY), ENOTDIR);
        FAILS(open("file/", O_RDONLY), ENOTDIR);
        FAILS(open("link/", O_RDONLY), ENOTDIR);
        FAILS(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
        FAILS(open("dir", O_WRONLY), EISDIR);
        FAILS(open("dir", O_RDWR), EISDIR);
        FAILS(open("dir", O_RDONLY | O_TRUNC), EISDIR);
        FAILS(open("link", O_RDONLY | O_NOFOLLOW), ELOOP);
        FAILS(open("loop1", O_RDONLY), ELOOP);
        FAILS(open("loop1/x", O_RDONLY), ELOOP);

        memset(name, 'a', 256);
        name[256] = '\0';
        FAILS(open(name, O_RDONLY), ENAMETOOLONG);
        FAILS(open(name, O_CREAT | O_RDWR, 0644), ENAMETOOLONG);
        name[255] = '\0';
        FAILS(open(name, O_RDONLY), ENOENT);            /* 255 is fine */
        path = malloc(5000);
        CHECK(path);
        for (int i = 0; i < 4999; i += 2)
                memcpy(path + i, "./", 2);
        path[4999] = '\0';
        FAILS(open(path, O_RDONLY), ENAMETOOLONG);
        path[4095] = '\0';                              /* 4095 bytes + NUL: fits */
        path[4094] = '.';
        CHECK(open(path, O_RDONLY | O_DIRECTORY) >= 0);
        free(path);

        FAILS(syscall(SYS_open, (char *)1, O_RDONLY), EFAULT);
        FAILS(syscall(SYS_openat, AT_FDCWD, (char *)-4096L, O_RDONLY), EFAULT);
        FAILS(openat(12345, "file", O_RDONLY), EBADF);
        FAILS(openat(open("file", O_RDONLY), "x", O_RDONLY), ENOTDIR);
        return 0;
}
