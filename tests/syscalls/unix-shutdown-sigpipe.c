/* shutdown(2) on AF_UNIX streams: SHUT_WR gives the peer EOF and the writer
 * EPIPE with SIGPIPE (none with MSG_NOSIGNAL); SHUT_RD makes the peer's
 * writes EPIPE; a bad `how` is EINVAL. Seqpacket sends EPIPE without
 * SIGPIPE. */
#include <signal.h>
#include <sys/socket.h>

#include "test.h"

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
        (void)sig;
        sigpipes++;
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_sigpipe };
        char buf[8];
        int sv[2];

        sigaction(SIGPIPE, &sa, NULL);
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
        EXPECT_ERRNO(syscall(SYS_shutdown, sv[0], 3), EINVAL);
        EXPECT_ERRNO(syscall(SYS_shutdown, sv[0], -1), EINVAL);
        EXPECT_EQ(syscall(SYS_write, sv[0], "ab", 2), 2);
        EXPECT_OK(syscall(SYS_shutdown, sv[0], SHUT_WR));
        /* What was sent is still read, then EOF. */
        EXPECT_EQ(syscall(SYS_read, sv[1], buf, sizeof(buf)), 2);
        EXPECT_EQ(syscall(SYS_read, sv[1], buf, sizeof(buf)), 0);
        EXPECT_ERRNO(syscall(SYS_write, sv[0], "c", 1), EPIPE);
        EXPECT_EQ(sigpipes, 1);
        EXPECT_ERRNO(syscall(SYS_sendto, sv[0], "c", 1, MSG_NOSIGNAL, NULL, 0), EPIPE);
        EXPECT_EQ(sigpipes, 1);
        /* The other way still works. */
        EXPECT_EQ(syscall(SYS_write, sv[1], "zz", 2), 2);
        EXPECT_EQ(syscall(SYS_read, sv[0], buf, sizeof(buf)), 2);
        /* SHUT_RD on sv[0]: sv[1] can no longer write to it. */
        EXPECT_OK(syscall(SYS_shutdown, sv[0], SHUT_RD));
        EXPECT_ERRNO(syscall(SYS_sendto, sv[1], "q", 1, MSG_NOSIGNAL, NULL, 0), EPIPE);
        EXPECT_EQ(syscall(SYS_read, sv[0], buf, sizeof(buf)), 0);
        close(sv[0]);
        close(sv[1]);

        /* A closed peer: EPIPE and SIGPIPE. */
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
        close(sv[1]);
        EXPECT_ERRNO(syscall(SYS_write, sv[0], "x", 1), EPIPE);
        EXPECT_EQ(sigpipes, 2);
        close(sv[0]);

        /* Seqpacket: EPIPE, no signal. */
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv));
        close(sv[1]);
        EXPECT_ERRNO(syscall(SYS_sendto, sv[0], "x", 1, 0, NULL, 0), EPIPE);
        EXPECT_EQ(sigpipes, 2);
        close(sv[0]);
        return 0;
}
