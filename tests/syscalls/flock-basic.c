/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flock(2): locks belong to the open file description (dup and fork share
 * it; another open of the file is another owner), shared locks coexist,
 * an exclusive one excludes (EWOULDBLOCK with LOCK_NB), converting drops
 * the old lock first (as Linux), the lock goes with the description's last
 * close. A blocked LOCK_EX waits for the holder and is interrupted by a
 * signal (EINTR without SA_RESTART). Bad operations are EINVAL, LOCK_MAND
 * is ignored.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "test.h"

static char path[64];

static void cleanup(void)
{
        unlink(path);
}

static int open_it(void)
{
        return (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDWR));
}

static void on_alarm(int sig)
{
        (void)sig;
}

static int wait_child(long pid)
{
        int status;

        EXPECT_RET(waitpid((pid_t)pid, &status, 0), pid);
        CHECK(WIFEXITED(status), "child status %#x", status);
        return WEXITSTATUS(status);
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_alarm };
        int a, b, c, dup_a, ready[2];
        long pid;
        char x;

        strcpy(path, "/tmp/flock-XXXXXX");
        a = mkstemp(path);
        CHECK(a >= 0, "mkstemp: %s", strerror(errno));
        atexit(cleanup);
        b = open_it();

        EXPECT_ERRNO(syscall(SYS_flock, a, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_flock, a, LOCK_SH | LOCK_EX), EINVAL);
        EXPECT_ERRNO(syscall(SYS_flock, a, 64), EINVAL);
        EXPECT_ERRNO(syscall(SYS_flock, 999, LOCK_SH), EBADF);
        EXPECT_RET(syscall(SYS_flock, a, LOCK_MAND | LOCK_READ), 0);
        EXPECT_RET(syscall(SYS_flock, a, LOCK_UN), 0);

        /* Shared with shared; exclusive against both. */
        EXPECT_RET(syscall(SYS_flock, a, LOCK_SH), 0);
        EXPECT_RET(syscall(SYS_flock, b, LOCK_SH | LOCK_NB), 0);
        c = open_it();
        EXPECT_ERRNO(syscall(SYS_flock, c, LOCK_EX | LOCK_NB), EWOULDBLOCK);
        /* Converting drops the old lock even when the new one fails. */
        EXPECT_ERRNO(syscall(SYS_flock, a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
        EXPECT_RET(syscall(SYS_flock, b, LOCK_EX | LOCK_NB), 0);
        EXPECT_ERRNO(syscall(SYS_flock, a, LOCK_SH | LOCK_NB), EWOULDBLOCK);
        EXPECT_RET(syscall(SYS_flock, b, LOCK_EX | LOCK_NB), 0);      /* already */
        EXPECT_RET(syscall(SYS_flock, b, LOCK_UN), 0);

        /* A dup shares the lock; it goes with the last close. */
        EXPECT_RET(syscall(SYS_flock, a, LOCK_EX), 0);
        dup_a = (int)EXPECT_OK(syscall(SYS_dup, a));
        EXPECT_RET(syscall(SYS_flock, dup_a, LOCK_EX | LOCK_NB), 0);
        EXPECT_RET(syscall(SYS_close, a), 0);
        EXPECT_ERRNO(syscall(SYS_flock, b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
        /* A child shares it too. */
        pid = EXPECT_OK(fork());
        if (pid == 0)
                _exit(syscall(SYS_flock, dup_a, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
        EXPECT_EQ(wait_child(pid), 0);
        EXPECT_RET(syscall(SYS_close, dup_a), 0);
        EXPECT_RET(syscall(SYS_flock, b, LOCK_SH | LOCK_NB), 0);
        EXPECT_RET(syscall(SYS_flock, b, LOCK_UN), 0);

        /* A blocked LOCK_EX gets the lock when the holder lets go. */
        a = open_it();
        EXPECT_RET(syscall(SYS_flock, a, LOCK_SH), 0);
        EXPECT_RET(syscall(SYS_pipe2, ready, 0), 0);
        pid = EXPECT_OK(fork());
        if (pid == 0) {
                int mine;

                close(a);               /* the parent's description: not ours to hold */
                mine = open_it();
                if (write(ready[1], "r", 1) != 1)
                        _exit(3);
                _exit(syscall(SYS_flock, mine, LOCK_EX) == 0 ? 0 : 1);
        }
        EXPECT_RET(read(ready[0], &x, 1), 1);
        usleep(50000);
        EXPECT_RET(syscall(SYS_close, a), 0);
        EXPECT_EQ(wait_child(pid), 0);

        /* A signal interrupts the wait. */
        a = open_it();
        EXPECT_RET(syscall(SYS_flock, a, LOCK_EX), 0);
        pid = EXPECT_OK(fork());
        if (pid == 0) {
                struct itimerval it = { .it_value = { 0, 50000 } };
                int mine;

                close(a);
                sigaction(SIGALRM, &sa, NULL);
                mine = open_it();
                setitimer(ITIMER_REAL, &it, NULL);
                errno = 0;
                if (syscall(SYS_flock, mine, LOCK_EX) != -1)
                        _exit(1);
                _exit(errno == EINTR ? 0 : 2);
        }
        EXPECT_EQ(wait_child(pid), 0);
        EXPECT_RET(syscall(SYS_close, a), 0);
        return TEST_PASS;
}
