/* Non-blocking connect and accept on AF_UNIX streams: accept with nothing
 * queued is EAGAIN; a connect completes at once while the backlog has room
 * (backlog n holds n + 1) and is EAGAIN past it; accepting makes room; a
 * blocking accept waits for a child's connect; closing the listener resets
 * the connections never accepted. */
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "test.h"

int main(void)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        socklen_t len;
        int l, c[4], s, status;
        char buf[8];
        pid_t pid;

        signal(SIGPIPE, SIG_IGN);
        snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "ct-nb-%d", (int)getpid());
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1));
        l = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
        EXPECT_OK(syscall(SYS_bind, l, &a, len));
        EXPECT_OK(syscall(SYS_listen, l, 1));
        EXPECT_ERRNO(syscall(SYS_accept4, l, NULL, NULL, SOCK_NONBLOCK), EAGAIN);
        EXPECT_ERRNO(syscall(SYS_accept4, l, NULL, NULL, 0x40000000), EINVAL);

        for (int i = 0; i < 3; i++)
                c[i] = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
        EXPECT_OK(syscall(SYS_connect, c[0], &a, len));
        EXPECT_OK(syscall(SYS_connect, c[1], &a, len));
        EXPECT_ERRNO(syscall(SYS_connect, c[2], &a, len), EAGAIN);
        /* Connected already: data can go before the accept. */
        EXPECT_EQ(syscall(SYS_write, c[0], "x", 1), 1);
        s = (int)EXPECT_OK(syscall(SYS_accept4, l, NULL, NULL, SOCK_NONBLOCK));
        EXPECT_EQ(syscall(SYS_fcntl, s, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
        EXPECT_EQ(syscall(SYS_read, s, buf, sizeof(buf)), 1);
        EXPECT_ERRNO(syscall(SYS_read, s, buf, sizeof(buf)), EAGAIN);
        EXPECT_OK(syscall(SYS_connect, c[2], &a, len));        /* room again */
        close(s);

        /* The listener goes with two connections queued: both reset. */
        close(l);
        EXPECT_ERRNO(syscall(SYS_read, c[1], buf, sizeof(buf)), ECONNRESET);
        EXPECT_EQ(syscall(SYS_read, c[1], buf, sizeof(buf)), 0);
        EXPECT_ERRNO(syscall(SYS_write, c[2], "y", 1), EPIPE);
        for (int i = 0; i < 3; i++)
                close(c[i]);

        /* A blocking accept waits for a connect from a child. */
        l = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
        EXPECT_OK(syscall(SYS_bind, l, &a, len));
        EXPECT_OK(syscall(SYS_listen, l, 0));
        pid = fork();
        if (pid == 0) {
                int fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
                struct timespec ts = { 0, 20 * 1000 * 1000 };

                nanosleep(&ts, NULL);
                if (syscall(SYS_connect, fd, &a, len) < 0 || syscall(SYS_write, fd, "hi", 2) != 2)
                        _exit(1);
                _exit(0);
        }
        s = (int)EXPECT_OK(syscall(SYS_accept, l, NULL, NULL));
        EXPECT_EQ(syscall(SYS_read, s, buf, 2), 2);
        CHECK(memcmp(buf, "hi", 2) == 0, "data from the child");
        EXPECT_EQ(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(status, 0);
        EXPECT_EQ(syscall(SYS_read, s, buf, 2), 0);
        close(s);
        close(l);
        return 0;
}
