/* eventfd: a counter read and written 8 bytes at a time; semaphore mode;
 * non-blocking EAGAIN; Linux's argument checks. */
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "test.h"

int main(void)
{
        uint64_t v;
        int fd, s;
        struct pollfd pfd;

        fd = EXPECT_OK(eventfd(3, EFD_NONBLOCK));
        EXPECT_RET(read(fd, &v, sizeof(v)), 8);
        EXPECT_EQ(v, 3);
        EXPECT_ERRNO(read(fd, &v, sizeof(v)), EAGAIN);
        v = 5;
        EXPECT_RET(write(fd, &v, sizeof(v)), 8);
        EXPECT_RET(write(fd, &v, sizeof(v)), 8);
        EXPECT_RET(read(fd, &v, sizeof(v)), 8);
        EXPECT_EQ(v, 10);
        EXPECT_ERRNO(read(fd, &v, 4), EINVAL);
        EXPECT_ERRNO(write(fd, &v, 4), EINVAL);
        v = UINT64_MAX;
        EXPECT_ERRNO(write(fd, &v, sizeof(v)), EINVAL);
        v = UINT64_MAX - 1;
        EXPECT_RET(write(fd, &v, sizeof(v)), 8);
        v = 1;
        EXPECT_ERRNO(write(fd, &v, sizeof(v)), EAGAIN);
        pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
        EXPECT_RET(poll(&pfd, 1, 0), 1);
        EXPECT_EQ(pfd.revents, POLLIN);
        EXPECT_OK(close(fd));

        /* Semaphore: each read takes one. */
        s = EXPECT_OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC));
        EXPECT_RET(read(s, &v, sizeof(v)), 8);
        EXPECT_EQ(v, 1);
        EXPECT_RET(read(s, &v, sizeof(v)), 8);
        EXPECT_EQ(v, 1);
        EXPECT_ERRNO(read(s, &v, sizeof(v)), EAGAIN);
        EXPECT_OK(close(s));

        EXPECT_ERRNO(eventfd(0, 0x10), EINVAL);
        return 0;
}
