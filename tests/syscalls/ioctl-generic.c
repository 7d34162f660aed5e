/* The ioctls every fd answers: FIONBIO sets and clears O_NONBLOCK (its
 * argument read as an int: EFAULT), FIOCLEX and FIONCLEX the close-on-exec
 * flag; EBADF for a closed fd. */
#include <fcntl.h>
#include <sys/ioctl.h>

#include "test.h"

int main(void)
{
        int p[2], on = 1, off = 0;
        char c;

        EXPECT_OK(pipe(p));
        EXPECT_OK(syscall(SYS_ioctl, p[0], FIONBIO, &on));
        EXPECT_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
        EXPECT_ERRNO(read(p[0], &c, 1), EAGAIN);
        EXPECT_OK(syscall(SYS_ioctl, p[0], FIONBIO, &off));
        EXPECT_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
        EXPECT_ERRNO(syscall(SYS_ioctl, p[0], FIONBIO, KERNEL_ADDR), EFAULT);
        EXPECT_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
        EXPECT_OK(syscall(SYS_ioctl, p[1], FIOCLEX));
        EXPECT_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
        EXPECT_OK(syscall(SYS_ioctl, p[1], FIONCLEX));
        EXPECT_EQ(fcntl(p[1], F_GETFD), 0);
        EXPECT_OK(close(p[1]));
        EXPECT_ERRNO(syscall(SYS_ioctl, p[1], FIOCLEX), EBADF);
        EXPECT_ERRNO(syscall(SYS_ioctl, p[1], FIONBIO, &on), EBADF);
        EXPECT_OK(close(p[0]));
        return 0;
}
