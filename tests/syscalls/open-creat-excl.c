/* O_CREAT creates with the mode under the umask; O_EXCL refuses anything that
 * exists, dangling symlinks included; without O_EXCL a dangling symlink's
 * target is created. */
#include "fs-test.h"

int main(void)
{
        struct stat st;
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        umask(022);
        fd = open("f", O_CREAT | O_EXCL | O_RDWR, 0666);
        CHECK(fd >= 0);
        CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644);
        CHECK(st.st_size == 0 && st.st_nlink == 1);
        close(fd);
        FAILS(open("f", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
        fd = open("f", O_CREAT | O_RDWR, 0600);         /* exists: opened, mode kept */
        CHECK(fd >= 0);
        CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0644);
        close(fd);

        CHECK(mkdir("d", 0755) == 0);
        FAILS(open("d", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
        FAILS(open("d", O_CREAT | O_RDONLY, 0644), EISDIR);
        FAILS(open("new/", O_CREAT | O_RDWR, 0644), EISDIR);
        FAILS(open("missing/f", O_CREAT | O_RDWR, 0644), ENOENT);

        CHECK(symlink("target", "dangling") == 0);
        FAILS(open("dangling", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
        FAILS(open("dangling", O_CREAT | O_NOFOLLOW | O_RDWR, 0644), ELOOP);
        fd = open("dangling", O_CREAT | O_RDWR, 0644);
        CHECK(fd >= 0);
        close(fd);
        CHECK(lstat("target", &st) == 0 && S_ISREG(st.st_mode));

        fd = creat("c", 0640);
        CHECK(fd >= 0);
        CHECK(fcntl(fd, F_GETFL) >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY);
        close(fd);
        CHECK(stat("c", &st) == 0 && (st.st_mode & 07777) == 0640);
        return 0;
}
