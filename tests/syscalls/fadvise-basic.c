/* posix_fadvise: accepted advice on a file, ESPIPE on a pipe, EINVAL for
 * unknown advice or a negative length, EBADF for bad and O_PATH fds. */
#include <fcntl.h>

#include "test.h"

int main(void)
{
        int fd = open("/proc/self/exe", O_RDONLY), pfd[2], path;

        EXPECT_TRUE(fd >= 0);
        for (int advice = POSIX_FADV_NORMAL; advice <= POSIX_FADV_NOREUSE; advice++)
                EXPECT_OK(syscall(SYS_fadvise64, fd, (off_t)0, (off_t)4096, advice));
        EXPECT_ERRNO(syscall(SYS_fadvise64, fd, (off_t)0, (off_t)0, 99), EINVAL);
        EXPECT_ERRNO(syscall(SYS_fadvise64, fd, (off_t)0, (off_t)-1, POSIX_FADV_NORMAL), EINVAL);
        EXPECT_OK(pipe(pfd));
        EXPECT_ERRNO(syscall(SYS_fadvise64, pfd[0], (off_t)0, (off_t)0, POSIX_FADV_NORMAL), ESPIPE);
        EXPECT_ERRNO(syscall(SYS_fadvise64, 999, (off_t)0, (off_t)0, POSIX_FADV_NORMAL), EBADF);
        path = open("/proc/self/exe", O_PATH);
        EXPECT_TRUE(path >= 0);
        EXPECT_ERRNO(syscall(SYS_fadvise64, path, (off_t)0, (off_t)0, POSIX_FADV_NORMAL), EBADF);
        return TEST_PASS;
}
