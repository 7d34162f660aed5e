/* ISIG: INTR and QUIT typed on the master reach the foreground process
 * group of the terminal's session as SIGINT and SIGQUIT (a blocked read is
 * interrupted), the key echoes as ^C, and pending input is flushed. */
#include "tty-test.h"

static volatile sig_atomic_t got_int, got_quit;

static void on_int(int signo)
{
        (void)signo;
        got_int = 1;
}

static void on_quit(int signo)
{
        (void)signo;
        got_quit = 1;
}

static int child(int s)
{
        char c;
        int v = -1;

        tty_take_ctty(s);
        tty_on_signal(SIGINT, on_int);
        tty_on_signal(SIGQUIT, on_quit);
        EXPECT_OK(tty_ioctl(s, TIOCGPGRP, (unsigned long)&v));
        EXPECT_EQ(v, getpgrp());
        EXPECT_OK(tty_ioctl(s, TIOCGSID, (unsigned long)&v));
        EXPECT_EQ(v, getpid());
        tty_type(s, "R");
        /* A read blocked on the terminal ends with EINTR (no SA_RESTART). */
        errno = 0;
        long n = syscall(SYS_read, s, &c, 1);
        CHECK(n == -1 && errno == EINTR, "read: %ld %s", n, test_errname(errno));
        CHECK(got_int, "no SIGINT");
        tty_type(s, "Q");
        CHECK(tty_wait_flag(&got_quit, 5000), "no SIGQUIT");
        return 0;
}

int main(void)
{
        int m, s, pid, v = -1;
        char buf[64];

        tty_open_pair(&m, &s, NULL);
        /* No session owns it yet: the master may ask, and gets 0 / ENOTTY. */
        EXPECT_OK(tty_ioctl(m, TIOCGPGRP, (unsigned long)&v));
        EXPECT_EQ(v, 0);
        EXPECT_ERRNO(tty_ioctl(m, TIOCGSID, (unsigned long)&v), ENOTTY);
        EXPECT_ERRNO(tty_ioctl(s, TIOCGPGRP, (unsigned long)&v), ENOTTY);
        pid = (int)EXPECT_OK(fork());
        if (pid == 0)
                exit(child(s));
        tty_read_some(m, buf, sizeof(buf), 5000);
        CHECK(!strcmp(buf, "R"), "child said \"%s\"", buf);
        EXPECT_OK(tty_ioctl(m, TIOCGPGRP, (unsigned long)&v));
        EXPECT_EQ(v, pid);
        EXPECT_OK(tty_ioctl(m, TIOCGSID, (unsigned long)&v));
        EXPECT_EQ(v, pid);
        /* Half a line, then ^C: the line is dropped, ^C echoed. */
        usleep(100000);
        tty_type(m, "abc\003");
        /* The echo of abc went with the flush: ^C, then the child's Q. */
        size_t got = tty_read_some(m, buf, sizeof(buf), 5000);
        if (got < 3)
                tty_read_some(m, buf + got, sizeof(buf) - got, 5000);
        CHECK(!strcmp(buf, "^CQ"), "echo \"%s\"", buf);
        tty_type(m, "\034");
        EXPECT_CHILD_OK(pid);
        return TEST_PASS;
}
