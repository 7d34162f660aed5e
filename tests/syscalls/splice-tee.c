/* SPDX-License-Identifier: Apache-2.0 */
/*
 * splice(2) and tee(2): file to pipe and pipe to file with an offset
 * (updated; the file position stays) or the file position (advances),
 * pipe to pipe; a file into a pipe fills it in one pass. tee copies
 * without consuming. Length 0 is 0 before anything is checked (splice),
 * unknown flags EINVAL, an offset on a pipe ESPIPE, no pipe at all or the
 * same pipe EINVAL, an O_APPEND output EINVAL, wrong access modes EBADF; an
 * empty pipe is EAGAIN with SPLICE_F_NONBLOCK and 0 without writers; no
 * reader is EPIPE with SIGPIPE.
 */
#include <fcntl.h>
#include <signal.h>

#include "test.h"

#define SPLICE_F_NONBLOCK_ 2

static int shm_file(void)
{
        char path[] = "/dev/shm/splice-XXXXXX";
        int fd = mkstemp(path);

        if (fd < 0)
                test_skip("no /dev/shm: %s", strerror(errno));
        unlink(path);
        return fd;
}

static long spl(int in, long long *oi, int out, long long *oo, size_t n, unsigned flags)
{
        return syscall(SYS_splice, in, oi, out, oo, n, flags);
}

int main(void)
{
        static char big[70000];
        int f = shm_file(), g = shm_file(), p[2], q[2], ap, sig;
        char buf[32] = { 0 }, path[64];
        sigset_t set, pending;
        long long off;

        EXPECT_RET(syscall(SYS_write, f, "0123456789", 10), 10);
        EXPECT_RET(syscall(SYS_pipe2, p, 0), 0);
        EXPECT_RET(syscall(SYS_pipe2, q, 0), 0);

        /* Nothing to do comes first; then flags; then fds. */
        EXPECT_RET(spl(999, NULL, 999, NULL, 0, 0xff), 0);
        EXPECT_ERRNO(spl(f, NULL, p[1], NULL, 1, 0x10), EINVAL);
        EXPECT_ERRNO(spl(999, NULL, p[1], NULL, 1, 0), EBADF);
        EXPECT_ERRNO(spl(f, NULL, g, NULL, 1, 0), EINVAL);

        /* File to pipe. */
        off = 3;
        EXPECT_RET(spl(f, &off, p[1], NULL, 4, 0), 4);
        EXPECT_EQ(off, 7);
        EXPECT_RET(syscall(SYS_lseek, f, 0L, SEEK_CUR), 10);
        EXPECT_RET(syscall(SYS_lseek, f, 8L, SEEK_SET), 8);
        EXPECT_RET(spl(f, NULL, p[1], NULL, 100, 0), 2);
        EXPECT_RET(syscall(SYS_lseek, f, 0L, SEEK_CUR), 10);
        EXPECT_RET(spl(f, NULL, p[1], NULL, 100, 0), 0);            /* EOF */

        /* tee copies what is in p into q; p keeps it. */
        EXPECT_RET(syscall(SYS_tee, p[0], q[1], 100, 0), 6);
        EXPECT_RET(syscall(SYS_read, q[0], buf, sizeof(buf)), 6);
        CHECK(memcmp(buf, "345689", 6) == 0, "tee gave '%.6s'", buf);

        /* Pipe to file: at an offset, then at the position. */
        off = 2;
        EXPECT_RET(spl(p[0], NULL, g, &off, 3, 0), 3);
        EXPECT_EQ(off, 5);
        EXPECT_RET(syscall(SYS_lseek, g, 0L, SEEK_CUR), 0);
        EXPECT_RET(spl(p[0], NULL, g, NULL, 100, 0), 3);
        EXPECT_RET(syscall(SYS_lseek, g, 0L, SEEK_CUR), 3);
        memset(buf, 0, sizeof(buf));
        EXPECT_RET(syscall(SYS_pread64, g, buf, sizeof(buf), 0L), 5);
        CHECK(memcmp(buf, "689" "45", 5) == 0, "file has '%.5s'", buf);

        /* Pipe to pipe. */
        EXPECT_RET(syscall(SYS_write, p[1], "pipe", 4), 4);
        EXPECT_RET(spl(p[0], NULL, q[1], NULL, 100, 0), 4);
        EXPECT_RET(syscall(SYS_read, q[0], buf, sizeof(buf)), 4);
        CHECK(memcmp(buf, "pipe", 4) == 0, "pipe to pipe gave '%.4s'", buf);

        /* Errors. */
        off = 0;
        EXPECT_ERRNO(spl(p[0], &off, g, NULL, 1, 0), ESPIPE);
        EXPECT_ERRNO(spl(f, &off, p[1], &off, 1, 0), ESPIPE);
        EXPECT_ERRNO(spl(p[0], NULL, p[1], NULL, 1, 0), EINVAL);
        EXPECT_ERRNO(spl(p[1], NULL, g, NULL, 1, 0), EBADF);
        EXPECT_ERRNO(spl(f, NULL, p[0], NULL, 1, 0), EBADF);
        EXPECT_ERRNO(spl(p[0], NULL, g, (long long *)16, 1, 0), EFAULT);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", g);
        ap = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND));
        EXPECT_RET(syscall(SYS_write, p[1], "x", 1), 1);
        EXPECT_ERRNO(spl(p[0], NULL, ap, NULL, 1, 0), EINVAL);
        EXPECT_RET(syscall(SYS_read, p[0], buf, 1), 1);
        EXPECT_ERRNO(syscall(SYS_tee, f, q[1], 1, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_tee, p[0], p[1], 1, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_tee, p[0], q[1], 1, 0x10), EINVAL);
        EXPECT_RET(syscall(SYS_tee, p[0], q[1], 0, 0), 0);
        EXPECT_ERRNO(syscall(SYS_tee, p[1], q[1], 1, 0), EBADF);

        /* Empty pipes. */
        EXPECT_ERRNO(spl(p[0], NULL, g, NULL, 1, SPLICE_F_NONBLOCK_), EAGAIN);
        EXPECT_ERRNO(spl(p[0], NULL, q[1], NULL, 1, SPLICE_F_NONBLOCK_), EAGAIN);
        EXPECT_ERRNO(syscall(SYS_tee, p[0], q[1], 1, SPLICE_F_NONBLOCK_), EAGAIN);

        /* A file fills a pipe in one pass. */
        memset(big, 'b', sizeof(big));
        EXPECT_RET(syscall(SYS_pwrite64, g, big, sizeof(big), 0L), sizeof(big));
        off = 0;
        EXPECT_RET(spl(g, &off, p[1], NULL, sizeof(big), 0), 65536);
        EXPECT_EQ(off, 65536);
        EXPECT_ERRNO(spl(g, &off, p[1], NULL, sizeof(big), SPLICE_F_NONBLOCK_), EAGAIN);

        /* No writer: 0 (once the output has room). No reader: EPIPE and
         * SIGPIPE. */
        for (long n = 0; n < 65536;)
                n += EXPECT_OK(syscall(SYS_read, p[0], big, sizeof(big)));
        EXPECT_RET(syscall(SYS_close, q[1]), 0);
        EXPECT_RET(syscall(SYS_tee, q[0], p[1], 1, 0), 0);
        EXPECT_RET(spl(q[0], NULL, g, NULL, 1, 0), 0);
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        EXPECT_RET(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8), 0);
        EXPECT_RET(syscall(SYS_close, p[0]), 0);
        EXPECT_ERRNO(spl(f, &off, p[1], NULL, 1, 0), EPIPE);
        EXPECT_RET(syscall(SYS_rt_sigpending, &pending, 8), 0);
        CHECK(sigismember(&pending, SIGPIPE), "no SIGPIPE");
        EXPECT_RET(sigwait(&set, &sig), 0);
        return TEST_PASS;
}
