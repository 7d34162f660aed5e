/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fcntl record locks. POSIX locks (F_SETLK/F_SETLKW/F_GETLK) belong to the
 * process: its own never conflict, a child's do (EAGAIN; F_GETLK shows the
 * holder's range and pid), unlocking splits a lock and same-type neighbours
 * merge, and closing any fd of the file drops them. F_SETLKW waits, is
 * interrupted by a signal (EINTR) and refuses a deadlock (EDEADLK). OFD
 * locks (F_OFD_*) belong to the open file description: two opens in one
 * process conflict, F_GETLK shows pid -1, l_pid must be 0, and only the
 * description's last close drops them. Argument errors: EINVAL, EBADF.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "test.h"

static char path[64];

static void cleanup(void)
{
        unlink(path);
}

static int open_it(int flags)
{
        return (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, flags));
}

static long lk(int fd, int cmd, int type, long start, long len)
{
        struct flock l = { .l_type = (short)type, .l_whence = SEEK_SET, .l_start = start,
                           .l_len = len };

        return syscall(SYS_fcntl, fd, cmd, &l);
}

/* F_GETLK (or F_OFD_GETLK) for a write lock on [start, start+len). */
static struct flock getlk(int fd, int cmd, long start, long len)
{
        struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start,
                           .l_len = len };

        EXPECT_RET(syscall(SYS_fcntl, fd, cmd, &l), 0);
        return l;
}

static int wait_child(long pid)
{
        int status;

        EXPECT_RET(waitpid((pid_t)pid, &status, 0), pid);
        CHECK(WIFEXITED(status), "child status %#x", status);
        return WEXITSTATUS(status);
}

/* In a child (another owner): the F_GETLK answer for [start, start+len),
 * packed as type | start << 8 | len << 16 (small numbers), or 255. */
static void expect_held(int fd, long start, long len, int type, long hstart, long hlen, long hpid)
{
        int p[2];
        long pid;
        struct flock l;

        EXPECT_RET(syscall(SYS_pipe2, p, 0), 0);
        pid = EXPECT_OK(fork());
        if (pid == 0) {
                l = getlk(fd, F_GETLK, start, len);
                _exit(write(p[1], &l, sizeof(l)) == sizeof(l) ? 0 : 1);
        }
        EXPECT_EQ(wait_child(pid), 0);
        EXPECT_RET(read(p[0], &l, sizeof(l)), sizeof(l));
        close(p[0]);
        close(p[1]);
        EXPECT_EQ(l.l_type, type);
        if (type == F_UNLCK)
                return;
        EXPECT_EQ(l.l_whence, SEEK_SET);
        EXPECT_EQ(l.l_start, hstart);
        EXPECT_EQ(l.l_len, hlen);
        EXPECT_EQ(l.l_pid, hpid);
}

static void on_alarm(int sig)
{
        (void)sig;
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_alarm };
        int fd, fd2, wo, ready[2];
        struct flock l;
        long pid, me = getpid();
        char x;

        strcpy(path, "/tmp/fcntl-locks-XXXXXX");
        fd = mkstemp(path);
        CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
        atexit(cleanup);
        EXPECT_RET(syscall(SYS_ftruncate, fd, 100L), 0);

        /* Arguments. */
        EXPECT_ERRNO(lk(fd, F_SETLK, 7, 0, 1), EINVAL);
        EXPECT_ERRNO(lk(fd, F_GETLK, F_UNLCK, 0, 1), EINVAL);
        EXPECT_ERRNO(lk(fd, F_SETLK, F_RDLCK, -1, 1), EINVAL);
        EXPECT_ERRNO(lk(fd, F_SETLK, F_RDLCK, 5, -6), EINVAL);
        l = (struct flock){ .l_type = F_RDLCK, .l_whence = 3 };
        EXPECT_ERRNO(syscall(SYS_fcntl, fd, F_SETLK, &l), EINVAL);
        EXPECT_ERRNO(syscall(SYS_fcntl, fd, F_SETLK, NULL), EFAULT);
        EXPECT_ERRNO(lk(fd, F_SETLK, F_RDLCK, 0x7fffffffffffffffL, 2), EOVERFLOW);
        wo = open_it(O_WRONLY);
        EXPECT_ERRNO(lk(wo, F_SETLK, F_RDLCK, 0, 1), EBADF);
        EXPECT_RET(lk(wo, F_SETLK, F_UNLCK, 0, 1), 0);
        l = (struct flock){ .l_type = F_RDLCK, .l_pid = 1 };
        EXPECT_ERRNO(syscall(SYS_fcntl, fd, F_OFD_SETLK, &l), EINVAL);
        EXPECT_ERRNO(syscall(SYS_fcntl, fd, F_OFD_GETLK, &l), EINVAL);

        /* Own locks never conflict; another process's do. */
        EXPECT_RET(lk(fd, F_SETLK, F_WRLCK, 0, 100), 0);
        EXPECT_RET(lk(fd, F_SETLK, F_RDLCK, 10, 5), 0);          /* splits our write lock */
        l = getlk(fd, F_GETLK, 0, 0);
        EXPECT_EQ(l.l_type, F_UNLCK);
        expect_held(fd, 12, 1, F_RDLCK, 10, 5, me);
        expect_held(fd, 5, 1, F_WRLCK, 0, 10, me);
        expect_held(fd, 50, 1, F_WRLCK, 15, 85, me);
        /* Unlock the middle of the tail; relock it as write: merges back. */
        EXPECT_RET(lk(fd, F_SETLK, F_UNLCK, 40, 20), 0);
        expect_held(fd, 45, 10, F_UNLCK, 0, 0, 0);
        expect_held(fd, 55, 10, F_WRLCK, 60, 40, me);
        EXPECT_RET(lk(fd, F_SETLK, F_WRLCK, 10, 50), 0);
        expect_held(fd, 50, 1, F_WRLCK, 0, 100, me);
        /* Through EOF and beyond: len 0; from SEEK_END; a negative length. */
        EXPECT_RET(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
        l = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_END, .l_start = -10, .l_len = -5 };
        EXPECT_RET(syscall(SYS_fcntl, fd, F_SETLK, &l), 0);
        expect_held(fd, 0, 0, F_RDLCK, 85, 5, me);
        EXPECT_RET(lk(fd, F_SETLK, F_RDLCK, 200, 0), 0);
        expect_held(fd, 1000, 1, F_RDLCK, 200, 0, me);

        /* A child's conflicting F_SETLK is EAGAIN; closing any fd of the
         * file drops our locks. */
        pid = EXPECT_OK(fork());
        if (pid == 0)
                _exit(lk(fd, F_SETLK, F_WRLCK, 86, 1) == -1 && errno == EAGAIN ? 0 : 1);
        EXPECT_EQ(wait_child(pid), 0);
        fd2 = open_it(O_RDONLY);
        EXPECT_RET(syscall(SYS_close, fd2), 0);
        expect_held(fd, 0, 0, F_UNLCK, 0, 0, 0);

        /* F_SETLKW waits for the holder. */
        EXPECT_RET(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
        EXPECT_RET(syscall(SYS_pipe2, ready, 0), 0);
        pid = EXPECT_OK(fork());
        if (pid == 0) {
                if (write(ready[1], "r", 1) != 1)
                        _exit(3);
                _exit(lk(fd, F_SETLKW, F_WRLCK, 5, 1) == 0 ? 0 : 1);
        }
        EXPECT_RET(read(ready[0], &x, 1), 1);
        usleep(50000);
        EXPECT_RET(lk(fd, F_SETLK, F_UNLCK, 0, 10), 0);
        EXPECT_EQ(wait_child(pid), 0);

        /* ... and a signal interrupts it. */
        EXPECT_RET(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
        pid = EXPECT_OK(fork());
        if (pid == 0) {
                struct itimerval it = { .it_value = { 0, 50000 } };

                sigaction(SIGALRM, &sa, NULL);
                setitimer(ITIMER_REAL, &it, NULL);
                errno = 0;
                if (lk(fd, F_SETLKW, F_RDLCK, 0, 1) != -1)
                        _exit(1);
                _exit(errno == EINTR ? 0 : 2);
        }
        EXPECT_EQ(wait_child(pid), 0);

        /* Deadlock: we hold [0,10) and wait for the child's [20,30), which
         * waits for ours. Exactly one side gets EDEADLK. */
        pid = EXPECT_OK(fork());
        if (pid == 0) {
                if (lk(fd, F_SETLK, F_WRLCK, 20, 10) != 0)
                        _exit(3);
                if (write(ready[1], "r", 1) != 1)
                        _exit(3);
                if (lk(fd, F_SETLKW, F_WRLCK, 0, 1) == 0)
                        _exit(0);
                _exit(errno == EDEADLK ? 2 : 1);
        }
        EXPECT_RET(read(ready[0], &x, 1), 1);
        usleep(100000);
        errno = 0;
        if (lk(fd, F_SETLKW, F_WRLCK, 20, 1) == -1) {
                EXPECT_EQ(errno, EDEADLK);
                EXPECT_RET(lk(fd, F_SETLK, F_UNLCK, 0, 10), 0);
                EXPECT_EQ(wait_child(pid), 0);
        } else {
                EXPECT_EQ(wait_child(pid), 2);
        }
        EXPECT_RET(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);

        /* OFD locks: per open file description. */
        fd2 = open_it(O_RDWR);
        EXPECT_RET(lk(fd, F_OFD_SETLK, F_WRLCK, 0, 10), 0);
        EXPECT_ERRNO(lk(fd2, F_OFD_SETLK, F_RDLCK, 5, 1), EAGAIN);
        EXPECT_RET(lk(fd, F_OFD_SETLK, F_RDLCK, 5, 1), 0);      /* its own: fine */
        l = getlk(fd2, F_OFD_GETLK, 0, 0);
        EXPECT_EQ(l.l_type, F_WRLCK);
        EXPECT_EQ(l.l_pid, -1);
        /* POSIX and OFD locks conflict with each other. */
        EXPECT_ERRNO(lk(fd2, F_SETLK, F_RDLCK, 0, 1), EAGAIN);
        l = getlk(fd2, F_GETLK, 0, 1);
        EXPECT_EQ(l.l_type, F_WRLCK);
        EXPECT_EQ(l.l_pid, -1);
        /* Closing another fd of the file leaves it; the last close of the
         * description drops it. */
        EXPECT_RET(syscall(SYS_close, wo), 0);
        EXPECT_ERRNO(lk(fd2, F_OFD_SETLK, F_RDLCK, 0, 1), EAGAIN);
        int dupfd = (int)EXPECT_OK(syscall(SYS_dup, fd));
        EXPECT_RET(syscall(SYS_close, fd), 0);
        EXPECT_ERRNO(lk(fd2, F_OFD_SETLK, F_RDLCK, 0, 1), EAGAIN);
        EXPECT_RET(syscall(SYS_close, dupfd), 0);
        EXPECT_RET(lk(fd2, F_OFD_SETLKW, F_WRLCK, 0, 10), 0);
        return TEST_PASS;
}
