/* recv flags on AF_UNIX sockets: MSG_PEEK leaves the data, MSG_TRUNC on a
 * datagram returns its full length (and msg_flags says MSG_TRUNC),
 * MSG_DONTWAIT does not wait on a blocking socket, MSG_WAITALL gathers a
 * stream until the buffer is full, a datagram larger than the send buffer
 * is EMSGSIZE. */
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "test.h"

int main(void)
{
        char buf[64];
        struct iovec iov = { buf, 4 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        int sv[2], sndbuf;
        socklen_t sl = sizeof(sndbuf);
        pid_t pid;
        int status;

        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
        EXPECT_ERRNO(syscall(SYS_recvfrom, sv[0], buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL), EAGAIN);
        EXPECT_EQ(syscall(SYS_write, sv[1], "abcdef", 6), 6);
        EXPECT_EQ(syscall(SYS_recvfrom, sv[0], buf, 3, MSG_PEEK, NULL, NULL), 3);
        CHECK(memcmp(buf, "abc", 3) == 0, "peek");
        EXPECT_EQ(syscall(SYS_recvfrom, sv[0], buf, sizeof(buf), MSG_PEEK, NULL, NULL), 6);
        EXPECT_EQ(syscall(SYS_recvfrom, sv[0], buf, 2, 0, NULL, NULL), 2);
        EXPECT_EQ(syscall(SYS_recvfrom, sv[0], buf, sizeof(buf), 0, NULL, NULL), 4);
        CHECK(memcmp(buf, "cdef", 4) == 0, "rest");

        /* MSG_WAITALL: a child writes in three pieces. */
        pid = fork();
        if (pid == 0) {
                struct timespec ts = { 0, 10 * 1000 * 1000 };

                for (int i = 0; i < 3; i++) {
                        nanosleep(&ts, NULL);
                        if (syscall(SYS_write, sv[1], "12345", 5) != 5)
                                _exit(1);
                }
                _exit(0);
        }
        EXPECT_EQ(syscall(SYS_recvfrom, sv[0], buf, 15, MSG_WAITALL, NULL, NULL), 15);
        CHECK(memcmp(buf, "123451234512345", 15) == 0, "waitall data");
        EXPECT_EQ(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(status, 0);
        /* MSG_WAITALL stops at EOF with what came. */
        EXPECT_EQ(syscall(SYS_write, sv[1], "xy", 2), 2);
        close(sv[1]);
        EXPECT_EQ(syscall(SYS_recvfrom, sv[0], buf, 10, MSG_WAITALL, NULL, NULL), 2);
        close(sv[0]);

        /* Datagrams: MSG_TRUNC and MSG_PEEK. */
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv));
        EXPECT_EQ(syscall(SYS_write, sv[1], "0123456789", 10), 10);
        EXPECT_EQ(syscall(SYS_recvfrom, sv[0], buf, 4, MSG_PEEK | MSG_TRUNC, NULL, NULL), 10);
        EXPECT_EQ(syscall(SYS_recvmsg, sv[0], &mh, 0), 4);
        EXPECT_EQ(mh.msg_flags & MSG_TRUNC, MSG_TRUNC);
        CHECK(memcmp(buf, "0123", 4) == 0, "truncated datagram");
        EXPECT_ERRNO(syscall(SYS_recvfrom, sv[0], buf, 4, MSG_DONTWAIT, NULL, NULL), EAGAIN);
        /* Too large for the send buffer at all. */
        EXPECT_OK(getsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl));
        {
                char *big = calloc(1, (size_t)sndbuf);

                EXPECT_ERRNO(syscall(SYS_write, sv[1], big, (size_t)sndbuf), EMSGSIZE);
                free(big);
        }
        /* Seqpacket: MSG_TRUNC too. */
        close(sv[0]);
        close(sv[1]);
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv));
        EXPECT_EQ(syscall(SYS_write, sv[1], "0123456789", 10), 10);
        EXPECT_EQ(syscall(SYS_recvfrom, sv[0], buf, 3, MSG_TRUNC, NULL, NULL), 10);
        EXPECT_ERRNO(syscall(SYS_recvfrom, sv[0], buf, 4, MSG_DONTWAIT, NULL, NULL), EAGAIN);
        close(sv[0]);
        close(sv[1]);
        return 0;
}
