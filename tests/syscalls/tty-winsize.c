/* TIOCSWINSZ on the master: the slave's TIOCGWINSZ sees it and the
 * foreground group gets SIGWINCH, only when the size changes. */
#include "tty-test.h"

static volatile sig_atomic_t winch;

static void on_winch(int signo)
{
        (void)signo;
        winch++;
}

static int child(int s)
{
        struct winsize ws;

        tty_on_signal(SIGWINCH, on_winch);
        tty_take_ctty(s);
        tty_type(s, "R");
        CHECK(tty_wait_flag(&winch, 5000), "no SIGWINCH");
        EXPECT_OK(tty_ioctl(s, TIOCGWINSZ, (unsigned long)&ws));
        EXPECT_EQ(ws.ws_row, 33);
        EXPECT_EQ(ws.ws_col, 101);
        /* The same size again: no signal. */
        tty_type(s, "S");
        usleep(300000);
        EXPECT_EQ(winch, 1);
        return 0;
}

int main(void)
{
        struct winsize ws = { 0 }, big = { .ws_row = 33, .ws_col = 101 };
        int m, s, pid;
        char buf[16];

        tty_open_pair(&m, &s, NULL);
        EXPECT_OK(tty_ioctl(s, TIOCGWINSZ, (unsigned long)&ws));
        EXPECT_EQ(ws.ws_row, 0);
        EXPECT_EQ(ws.ws_col, 0);
        EXPECT_ERRNO(tty_ioctl(s, TIOCGWINSZ, 16), EFAULT);
        pid = (int)EXPECT_OK(fork());
        if (pid == 0)
                exit(child(s));
        tty_read_some(m, buf, sizeof(buf), 5000);
        CHECK(!strcmp(buf, "R"), "child said \"%s\"", buf);
        EXPECT_OK(tty_ioctl(m, TIOCSWINSZ, (unsigned long)&big));
        tty_read_some(m, buf, sizeof(buf), 5000);
        CHECK(!strcmp(buf, "S"), "child said \"%s\"", buf);
        EXPECT_OK(tty_ioctl(m, TIOCSWINSZ, (unsigned long)&big));
        EXPECT_CHILD_OK(pid);
        return TEST_PASS;
}
