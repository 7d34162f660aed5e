/* fcntl: F_GETFL/F_SETFL status flags, F_GETFD/F_SETFD, F_DUPFD(_CLOEXEC). */
#include "fs-test.h"

#define KERNEL_O_LARGEFILE 0100000

int main(void)
{
        char buf[8] = { 0 };
        int fd, fd2, fl;

        if (test_dir_enter() < 0)
                return 1;
        fd = open("f", O_CREAT | O_RDWR | O_TRUNC | O_EXCL | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        fl = fcntl(fd, F_GETFL);
        CHECK((fl & O_ACCMODE) == O_RDWR);
        CHECK(!(fl & (O_CREAT | O_TRUNC | O_EXCL | O_APPEND | O_NONBLOCK)));
        CHECK(fl & KERNEL_O_LARGEFILE);
        CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
        CHECK(fcntl(fd, F_SETFD, 0) == 0 && fcntl(fd, F_GETFD) == 0);
        CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC | 8) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);

        CHECK(write(fd, "ab", 2) == 2);
        CHECK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_RDONLY | O_TRUNC) == 0);
        fl = fcntl(fd, F_GETFL);
        CHECK((fl & O_ACCMODE) == O_RDWR && (fl & O_APPEND) && (fl & O_NONBLOCK) && !(fl & O_TRUNC));
        CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "c", 1) == 1);
        CHECK(pread(fd, buf, sizeof(buf), 0) == 3 && strcmp(buf, "abc") == 0);
        CHECK(fcntl(fd, F_SETFL, 0) == 0 && !(fcntl(fd, F_GETFL) & O_APPEND));

        fd2 = fcntl(fd, F_DUPFD, 100);
        CHECK(fd2 >= 100 && fcntl(fd2, F_GETFD) == 0);
        CHECK(fcntl(fd, F_DUPFD, 100) == fd2 + 1);
        fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        CHECK(fd2 > fd && fcntl(fd2, F_GETFD) == FD_CLOEXEC);
        CHECK(lseek(fd2, 1, SEEK_SET) == 1 && lseek(fd, 0, SEEK_CUR) == 1); /* shared */
        FAILS(fcntl(fd, F_DUPFD, -1), EINVAL);
        FAILS(fcntl(fd, F_DUPFD, 1 << 30), EINVAL);
        FAILS(fcntl(9999, F_GETFD), EBADF);
        FAILS(fcntl(9999, F_GETFL), EBADF);

        fd2 = open(".", O_PATH);
        CHECK(fd2 >= 0 && (fcntl(fd2, F_GETFL) & O_PATH));
        FAILS(fcntl(fd2, F_SETFL, 0), EBADF);
        CHECK(fcntl(fd2, F_DUPFD, 0) > fd2);
        return 0;
}
