/* poll, ppoll, select and pselect on pipes: readiness, timeouts, POLLHUP,
 * POLLNVAL, and waking when another process writes. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>

#include "test.h"

int main(void)
{
        struct pollfd pfd[3];
        struct timespec ts = { 0, 10000000 };
        struct timeval tv;
        fd_set rd, wr;
        int p[2], status;
        pid_t child;
        char c;

        EXPECT_OK(pipe(p));
        /* Empty: writable, not readable; times out. */
        pfd[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
        pfd[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
        pfd[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
        EXPECT_RET(poll(pfd, 3, 10), 1);
        EXPECT_EQ(pfd[0].revents, 0);
        EXPECT_EQ(pfd[1].revents, POLLOUT);
        EXPECT_EQ(pfd[2].revents, 0);
        EXPECT_RET(poll(pfd, 1, 10), 0);
        EXPECT_RET(ppoll(pfd, 1, &ts, NULL), 0);

        /* Data: readable. */
        EXPECT_RET(write(p[1], "x", 1), 1);
        EXPECT_RET(poll(pfd, 1, 0), 1);
        EXPECT_EQ(pfd[0].revents, POLLIN);
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_SET(p[0], &rd);
        FD_SET(p[1], &wr);
        tv = (struct timeval){ 0, 0 };
        EXPECT_RET(select(p[1] + 1, &rd, &wr, NULL, &tv), 2);
        CHECK(FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr), "select sets");
        EXPECT_RET(read(p[0], &c, 1), 1);
        FD_ZERO(&rd);
        FD_SET(p[0], &rd);
        EXPECT_RET(pselect(p[0] + 1, &rd, NULL, NULL, &ts, NULL), 0);
        CHECK(!FD_ISSET(p[0], &rd), "pselect cleared the set");

        /* Writer closed: POLLHUP on the read end. A closed fd: POLLNVAL,
         * or EBADF from select. */
        EXPECT_OK(close(p[1]));
        EXPECT_RET(poll(pfd, 2, 0), 2);
        EXPECT_EQ(pfd[0].revents, POLLHUP);
        EXPECT_EQ(pfd[1].revents, POLLNVAL);
        FD_ZERO(&wr);
        FD_SET(p[1], &wr);
        tv = (struct timeval){ 0, 0 };
        EXPECT_ERRNO(select(p[1] + 1, NULL, &wr, NULL, &tv), EBADF);
        EXPECT_OK(close(p[0]));

        /* Woken by another process's write. */
        EXPECT_OK(pipe(p));
        child = EXPECT_OK(fork());
        if (child == 0) {
                struct timespec nap = { 0, 30000000 };

                nanosleep(&nap, NULL);
                _exit(write(p[1], "y", 1) == 1 ? 0 : 1);
        }
        pfd[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
        EXPECT_RET(poll(pfd, 1, 5000), 1);
        EXPECT_EQ(pfd[0].revents, POLLIN);
        EXPECT_RET(waitpid(child, &status, 0), child);

        /* Argument checks. */
        EXPECT_ERRNO(syscall(SYS_poll, (struct pollfd *)16, 1, 0), EFAULT);
        EXPECT_ERRNO(select(-1, NULL, NULL, NULL, NULL), EINVAL);
        ts.tv_nsec = 1000000000;
        EXPECT_ERRNO(ppoll(pfd, 1, &ts, NULL), EINVAL);
        return 0;
}
