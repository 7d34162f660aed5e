/* socketpair(AF_UNIX): stream, datagram and seqpacket pairs move data both
 * ways with each type's boundaries; fstat says S_IFSOCK; the flags work. */
#include <fcntl.h>
#include <sys/socket.h>

#include "test.h"

static void pair(int type, int sv[2])
{
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, type, 0, sv));
}

int main(void)
{
        char buf[64];
        struct stat st;
        int sv[2];

        /* Stream: bytes, no boundaries. */
        pair(SOCK_STREAM, sv);
        EXPECT_EQ(syscall(SYS_write, sv[0], "abc", 3), 3);
        EXPECT_EQ(syscall(SYS_write, sv[0], "def", 3), 3);
        EXPECT_EQ(syscall(SYS_read, sv[1], buf, sizeof(buf)), 6);
        CHECK(memcmp(buf, "abcdef", 6) == 0, "stream data");
        EXPECT_EQ(syscall(SYS_write, sv[1], "xy", 2), 2);
        EXPECT_EQ(syscall(SYS_read, sv[0], buf, 1), 1);
        EXPECT_EQ(syscall(SYS_read, sv[0], buf + 1, 1), 1);
        CHECK(memcmp(buf, "xy", 2) == 0, "stream reply");
        EXPECT_OK(fstat(sv[0], &st));
        EXPECT_EQ(st.st_mode, S_IFSOCK | 0777);
        close(sv[0]);
        EXPECT_EQ(syscall(SYS_read, sv[1], buf, sizeof(buf)), 0);      /* EOF */
        close(sv[1]);

        /* Datagram: one message per read, the rest of a long one dropped. */
        pair(SOCK_DGRAM, sv);
        EXPECT_EQ(syscall(SYS_write, sv[0], "one", 3), 3);
        EXPECT_EQ(syscall(SYS_write, sv[0], "twotwo", 6), 6);
        EXPECT_EQ(syscall(SYS_write, sv[0], "", 0), 0);
        EXPECT_EQ(syscall(SYS_read, sv[1], buf, sizeof(buf)), 3);
        EXPECT_EQ(syscall(SYS_read, sv[1], buf, 3), 3);
        CHECK(memcmp(buf, "two", 3) == 0, "datagram truncated");
        EXPECT_EQ(syscall(SYS_read, sv[1], buf, sizeof(buf)), 0);      /* the empty one */
        close(sv[0]);
        close(sv[1]);

        /* Seqpacket: boundaries, and EOF once the peer is gone. */
        pair(SOCK_SEQPACKET, sv);
        EXPECT_EQ(syscall(SYS_write, sv[1], "hello", 5), 5);
        EXPECT_EQ(syscall(SYS_write, sv[1], "world!", 6), 6);
        EXPECT_EQ(syscall(SYS_read, sv[0], buf, sizeof(buf)), 5);
        EXPECT_EQ(syscall(SYS_read, sv[0], buf, sizeof(buf)), 6);
        close(sv[1]);
        EXPECT_EQ(syscall(SYS_read, sv[0], buf, sizeof(buf)), 0);
        close(sv[0]);

        /* SOCK_NONBLOCK and SOCK_CLOEXEC. */
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
        EXPECT_EQ(syscall(SYS_fcntl, sv[0], F_GETFL) & (O_NONBLOCK | O_ACCMODE), O_NONBLOCK | O_RDWR);
        EXPECT_EQ(syscall(SYS_fcntl, sv[1], F_GETFD), FD_CLOEXEC);
        EXPECT_ERRNO(syscall(SYS_read, sv[0], buf, sizeof(buf)), EAGAIN);
        close(sv[0]);
        close(sv[1]);
        return 0;
}
