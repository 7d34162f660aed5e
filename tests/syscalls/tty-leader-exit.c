/* Hang-ups: when a session leader exits, its terminal's foreground group
 * gets SIGHUP; when the master closes, the session leader does. */
#include "tty-test.h"

static int report_fd;

static void on_hup(int signo)
{
        char c = 'H';

        (void)signo;
        syscall(SYS_write, report_fd, &c, 1);
        _exit(0);
}

static char wait_report(int fd)
{
        char c = 0;

        CHECK(tty_wait_readable(fd, 5000) & POLLIN, "no report");
        EXPECT_RET(syscall(SYS_read, fd, &c, 1), 1);
        return c;
}

int main(void)
{
        int m, s, p[2], ready[2], pid;

        EXPECT_OK(pipe(p));
        EXPECT_OK(pipe(ready));
        report_fd = p[1];

        /* The leader exits: its child, in the foreground group, hears SIGHUP. */
        tty_open_pair(&m, &s, NULL);
        pid = (int)EXPECT_OK(fork());
        if (pid == 0) {
                tty_take_ctty(s);
                if (fork() == 0) {
                        tty_on_signal(SIGHUP, on_hup);
                        syscall(SYS_write, ready[1], "r", 1);
                        for (int i = 0; i < 500; i++)
                                usleep(10000);
                        _exit(1);
                }
                wait_report(ready[0]);
                _exit(0);
        }
        EXPECT_CHILD_OK(pid);
        EXPECT_EQ(wait_report(p[0]), 'H');
        EXPECT_OK(close(m));
        EXPECT_OK(close(s));

        /* The master closes: the session leader hears SIGHUP. */
        tty_open_pair(&m, &s, NULL);
        pid = (int)EXPECT_OK(fork());
        if (pid == 0) {
                close(m);
                tty_take_ctty(s);
                tty_on_signal(SIGHUP, on_hup);
                syscall(SYS_write, ready[1], "r", 1);
                for (int i = 0; i < 500; i++)
                        usleep(10000);
                _exit(1);
        }
        EXPECT_EQ(wait_report(ready[0]), 'r');
        EXPECT_OK(close(m));
        EXPECT_EQ(wait_report(p[0]), 'H');
        EXPECT_CHILD_OK(pid);
        return TEST_PASS;
}
