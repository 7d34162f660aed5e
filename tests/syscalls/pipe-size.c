/* F_GETPIPE_SZ and F_SETPIPE_SZ: the default 64 KiB, rounding to a power of
 * two pages, EBUSY below what the pipe holds, EBADF on a non-pipe. */
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>

#include "test.h"

int main(void)
{
        char buf[20000];
        int p[2];

        EXPECT_OK(pipe(p));
        EXPECT_RET(fcntl(p[0], F_GETPIPE_SZ), 65536);
        EXPECT_RET(fcntl(p[1], F_SETPIPE_SZ, 5000), 8192);
        EXPECT_RET(fcntl(p[0], F_GETPIPE_SZ), 8192);
        EXPECT_RET(fcntl(p[1], F_SETPIPE_SZ, 1), 4096);
        memset(buf, 'x', sizeof(buf));
        EXPECT_RET(fcntl(p[1], F_SETPIPE_SZ, 65536), 65536);
        EXPECT_RET(write(p[1], buf, sizeof(buf)), (long)sizeof(buf));
        EXPECT_ERRNO(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
        EXPECT_RET(read(p[0], buf, sizeof(buf)), (long)sizeof(buf));
        /* Not a pipe. */
        int e = EXPECT_OK(eventfd(0, 0));
        EXPECT_ERRNO(fcntl(e, F_GETPIPE_SZ), EBADF);
        EXPECT_ERRNO(fcntl(e, F_SETPIPE_SZ, 4096), EBADF);
        return 0;
}
