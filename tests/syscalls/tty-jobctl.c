/* Job control on a controlling terminal: a background group reading gets
 * SIGTTIN, writing with TOSTOP or changing the modes gets SIGTTOU (unless
 * it ignores SIGTTOU; an ignored SIGTTIN makes the read EIO), a read from
 * an orphaned background group is EIO, and TIOCSPGRP moves the foreground. */
#include "tty-test.h"

enum action { READ, WRITE, SETATTR };

/* A background child doing act: how it ended (stopped by which signal, or
 * its exit status as 100 + the errno it saw, 99 for success). */
static int background(int s, enum action act, int ignore)
{
        int pid = (int)EXPECT_OK(fork());

        if (pid == 0) {
                struct kterm t;
                char c;
                long r = 0;

                if (setpgid(0, 0) < 0)
                        _exit(98);
                if (ignore)
                        signal(ignore, SIG_IGN);
                if (act == READ)
                        r = syscall(SYS_read, s, &c, 1);
                else if (act == WRITE)
                        r = syscall(SYS_write, s, "w", 1);
                else if (tty_ioctl(s, TCGETS, (unsigned long)&t) == 0)
                        r = tty_ioctl(s, TCSETS, (unsigned long)&t);
                _exit(r < 0 ? 100 + errno : 99);
        }
        int st = tty_wait_child(pid, WUNTRACED);
        if (WIFSTOPPED(st)) {
                kill(pid, SIGKILL);
                tty_wait_child(pid, 0);
                return -WSTOPSIG(st);
        }
        CHECK(WIFEXITED(st), "status %#x", st);
        return WEXITSTATUS(st);
}

static int leader(int m, int s, int s2, const int report[2])
{
        struct kterm t;
        int v, pid;
        char c;

        tty_take_ctty(s);
        EXPECT_EQ(background(s, READ, 0), -SIGTTIN);
        EXPECT_EQ(background(s, READ, SIGTTIN), 100 + EIO);
        EXPECT_EQ(background(s, WRITE, 0), 99);          /* no TOSTOP */
        EXPECT_EQ(background(s, SETATTR, 0), -SIGTTOU);
        EXPECT_EQ(background(s, SETATTR, SIGTTOU), 99);
        tty_get(s, &t);
        t.c_lflag |= TOSTOP;
        tty_set(s, &t);
        EXPECT_EQ(background(s, WRITE, 0), -SIGTTOU);
        EXPECT_EQ(background(s, WRITE, SIGTTOU), 99);
        /* The master is nobody's terminal: no checks there. */
        EXPECT_RET(syscall(SYS_write, m, "\n", 1), 1);

        /* TIOCSPGRP's checks. */
        v = -1;
        EXPECT_ERRNO(tty_ioctl(s, TIOCSPGRP, (unsigned long)&v), EINVAL);
        v = 0x3ffffff;
        EXPECT_ERRNO(tty_ioctl(s, TIOCSPGRP, (unsigned long)&v), ESRCH);
        v = getpgrp();
        EXPECT_ERRNO(tty_ioctl(s2, TIOCSPGRP, (unsigned long)&v), ENOTTY);
        EXPECT_ERRNO(tty_ioctl(s, TIOCSPGRP, 8), EFAULT);

        /* A foreground child reads: no signal. */
        pid = (int)EXPECT_OK(fork());
        if (pid == 0) {
                EXPECT_OK(setpgid(0, 0));
                /* From the background, TIOCSPGRP is SIGTTOU's unless
                 * ignored (as a shell does). */
                v = getpid();
                signal(SIGTTOU, SIG_IGN);
                EXPECT_OK(tty_ioctl(s, TIOCSPGRP, (unsigned long)&v));
                EXPECT_RET(syscall(SYS_read, s, &c, 1), 1);
                /* Give the terminal back, as a shell's job ends. */
                v = getppid();
                EXPECT_OK(tty_ioctl(s, TIOCSPGRP, (unsigned long)&v));
                _exit(0);
        }
        EXPECT_CHILD_OK(pid);
        EXPECT_OK(tty_ioctl(s, TIOCGPGRP, (unsigned long)&v));
        EXPECT_EQ(v, getpgrp());

        /* An orphaned background group: its read is EIO. The grandchild's
         * group loses its last parent in the session when its parent goes. */
        pid = (int)EXPECT_OK(fork());
        if (pid == 0) {
                int me = getpid();

                EXPECT_OK(setpgid(0, 0));
                if (fork() == 0) {
                        char r;

                        while (getppid() == me)
                                usleep(10000);
                        r = syscall(SYS_read, s, &c, 1) < 0 && errno == EIO ? 'E' : 'x';
                        syscall(SYS_write, report[1], &r, 1);
                        _exit(0);
                }
                _exit(0);
        }
        EXPECT_CHILD_OK(pid);
        /* Still the session's leader while the orphan reads. */
        CHECK(tty_wait_readable(report[0], 5000) & POLLIN, "orphan did not report");
        EXPECT_RET(syscall(SYS_read, report[0], &c, 1), 1);
        EXPECT_EQ(c, 'E');
        return 0;
}

int main(void)
{
        int m, s, m2, s2, pid, p[2];

        tty_open_pair(&m, &s, NULL);
        tty_open_pair(&m2, &s2, NULL);
        EXPECT_OK(pipe(p));
        pid = (int)EXPECT_OK(fork());
        if (pid == 0)
                exit(leader(m, s, s2, p));
        EXPECT_CHILD_OK(pid);
        return TEST_PASS;
}
