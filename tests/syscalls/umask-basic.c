/* umask returns the previous mask and shapes new files and directories. */
#include "fs-test.h"

int main(void)
{
        struct stat st;
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        umask(022);
        CHECK(umask(027) == 022);
        CHECK(umask(027) == 027);
        fd = open("f", O_CREAT | O_RDWR, 0777);
        CHECK(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0750);
        close(fd);
        CHECK(mkdir("d", 0777) == 0 && stat("d", &st) == 0 && (st.st_mode & 07777) == 0750);
        CHECK(mkdir("s", 01777) == 0 && stat("s", &st) == 0 && (st.st_mode & 07777) == 01750);
        CHECK(umask(0) == 027);
        CHECK(mkdir("z", 0777) == 0 && stat("z", &st) == 0 && (st.st_mode & 07777) == 0777);
        CHECK(umask(0123456) == 0);                     /* only the permission bits */
        CHECK(umask(022) == 0456);
        CHECK(symlink("f", "l") == 0 && lstat("l", &st) == 0 && (st.st_mode & 07777) == 0777);
        return 0;
}
