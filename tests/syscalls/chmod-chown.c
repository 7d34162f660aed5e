/* chmod and chown families as root: modes, owners, setuid cleared by chown,
 * O_PATH refused by fchmod/fchown. */
#include "fs-test.h"

int main(void)
{
        struct stat st;
        int fd;

        if (getuid() != 0) {
                fprintf(stderr, "needs root\n");
                return 77;
        }
        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("f", "") == 0);
        CHECK(chmod("f", 04755) == 0 && stat("f", &st) == 0 && (st.st_mode & 07777) == 04755);
        CHECK(chmod("f", 0170644) == 0 && stat("f", &st) == 0 && S_ISREG(st.st_mode));
        CHECK((st.st_mode & 07777) == 0644);
        fd = open("f", O_RDONLY);
        CHECK(fchmod(fd, 0600) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600);
        CHECK(fchmodat(AT_FDCWD, "f", 0640, 0) == 0 && stat("f", &st) == 0);
        CHECK((st.st_mode & 07777) == 0640);
        FAILS(chmod("missing", 0644), ENOENT);

        CHECK(chown("f", 1000, 2000) == 0 && stat("f", &st) == 0);
        CHECK(st.st_uid == 1000 && st.st_gid == 2000);
        CHECK(fchown(fd, -1, 3000) == 0 && fstat(fd, &st) == 0);
        CHECK(st.st_uid == 1000 && st.st_gid == 3000);
        CHECK(chmod("f", 06755) == 0);
        CHECK(chown("f", 0, 0) == 0 && stat("f", &st) == 0 && (st.st_mode & 07777) == 0755);
        close(fd);

        CHECK(symlink("f", "l") == 0);
        CHECK(lchown("l", 5, 6) == 0);
        CHECK(lstat("l", &st) == 0 && st.st_uid == 5 && st.st_gid == 6);
        CHECK(stat("l", &st) == 0 && st.st_uid == 0);
        CHECK(fchownat(AT_FDCWD, "l", 7, 7, AT_SYMLINK_NOFOLLOW) == 0);
        CHECK(lstat("l", &st) == 0 && st.st_uid == 7);
        FAILS(fchownat(AT_FDCWD, "l", 7, 7, 0x1), EINVAL);

        fd = open("f", O_PATH);
        FAILS(fchmod(fd, 0600), EBADF);
        FAILS(fchown(fd, 0, 0), EBADF);
        CHECK(fchownat(fd, "", 9, 9, AT_EMPTY_PATH) == 0);
        CHECK(stat("f", &st) == 0 && st.st_uid == 9);
        return 0;
}
