/* Pipes: data through, end of file, EPIPE with SIGPIPE, non-blocking
 * EAGAIN, PIPE_BUF atomicity, FIONREAD, packet mode, and pipes across fork
 * with a blocking reader. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "test.h"

static volatile int sigpipes;

static void on_sigpipe(int signo)
{
        (void)signo;
        sigpipes++;
}

int main(void)
{
        int p[2], n, status;
        char buf[70000];
        pid_t child;

        /* Through and back; EOF once the writer is gone. */
        EXPECT_OK(pipe(p));
        EXPECT_RET(write(p[1], "hello", 5), 5);
        EXPECT_OK(ioctl(p[0], FIONREAD, &n));
        EXPECT_EQ(n, 5);
        EXPECT_RET(read(p[0], buf, sizeof(buf)), 5);
        CHECK(memcmp(buf, "hello", 5) == 0, "data");
        EXPECT_OK(close(p[1]));
        EXPECT_RET(read(p[0], buf, sizeof(buf)), 0);
        /* Wrong direction: EBADF. */
        EXPECT_ERRNO(write(p[0], "x", 1), EBADF);
        EXPECT_OK(close(p[0]));

        /* No reader: EPIPE and SIGPIPE. */
        signal(SIGPIPE, on_sigpipe);
        EXPECT_OK(pipe(p));
        EXPECT_OK(close(p[0]));
        EXPECT_ERRNO(write(p[1], "x", 1), EPIPE);
        EXPECT_EQ(sigpipes, 1);
        EXPECT_OK(close(p[1]));

        /* Non-blocking: EAGAIN on empty read and on a full pipe. Capacity is
         * 16 page buffers: a small write joins the last buffer if it fits
         * there whole, else needs a buffer of its own (PIPE_BUF atomicity);
         * a big one takes what buffers are free. */
        EXPECT_OK(pipe2(p, O_NONBLOCK));
        EXPECT_ERRNO(read(p[0], buf, 1), EAGAIN);
        memset(buf, 'a', sizeof(buf));
        EXPECT_RET(write(p[1], buf, 65536 - 100), 65536 - 100);
        EXPECT_RET(write(p[1], buf, 60), 60);           /* joins the last page */
        EXPECT_ERRNO(write(p[1], buf, 50), EAGAIN);     /* 40 left: not whole */
        EXPECT_ERRNO(write(p[1], buf, 4096), EAGAIN);
        EXPECT_RET(read(p[0], buf, 10000), 10000);      /* frees two pages */
        EXPECT_RET(write(p[1], buf, 20000), 8192);
        EXPECT_ERRNO(write(p[1], buf, 1), EAGAIN);
        EXPECT_OK(ioctl(p[0], FIONREAD, &n));
        EXPECT_EQ(n, 65536 - 40 - 10000 + 8192);
        EXPECT_RET(read(p[0], buf, sizeof(buf)), 65536 - 40 - 10000 + 8192);
        EXPECT_OK(close(p[0]));
        EXPECT_OK(close(p[1]));
        EXPECT_ERRNO(pipe2(p, 0x1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_pipe, (int *)16), EFAULT);

        /* Packet mode: one write, one read; the rest of a packet is dropped. */
        EXPECT_OK(pipe2(p, O_DIRECT));
        EXPECT_RET(write(p[1], "abc", 3), 3);
        EXPECT_RET(write(p[1], "defgh", 5), 5);
        EXPECT_RET(read(p[0], buf, 100), 3);
        EXPECT_RET(read(p[0], buf, 2), 2);
        CHECK(memcmp(buf, "de", 2) == 0, "packet data");
        EXPECT_OK(close(p[0]));
        EXPECT_OK(close(p[1]));

        /* Across fork: the parent blocks until the child writes; a blocking
         * write larger than the pipe completes as the reader drains it. */
        EXPECT_OK(pipe(p));
        child = EXPECT_OK(fork());
        if (child == 0) {
                char big[200000];

                close(p[0]);
                memset(big, 'z', sizeof(big));
                if (write(p[1], big, sizeof(big)) != (ssize_t)sizeof(big))
                        _exit(1);
                _exit(0);
        }
        EXPECT_OK(close(p[1]));
        {
                size_t total = 0;
                ssize_t r;

                while ((r = read(p[0], buf, sizeof(buf))) > 0) {
                        for (ssize_t i = 0; i < r; i++)
                                CHECK(buf[i] == 'z', "byte %zu", total + (size_t)i);
                        total += (size_t)r;
                }
                EXPECT_EQ(r, 0);
                EXPECT_EQ(total, 200000);
        }
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status %#x", status);
        EXPECT_OK(close(p[0]));
        return 0;
}
