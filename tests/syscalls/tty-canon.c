/* Canonical mode: lines come whole, erase/kill/werase edit them, VEOF ends
 * one (an empty one reads 0), ICRNL turns CR into NL, and the echo shows it
 * all (ECHOE's "\b \b", ECHOCTL's ^X, ONLCR's CR NL). */
#include "tty-test.h"

static void expect_read(int s, const char *want)
{
        char buf[256];
        long n;

        CHECK(tty_wait_readable(s, 2000) & POLLIN, "slave not readable for \"%s\"", want);
        n = syscall(SYS_read, s, buf, sizeof(buf) - 1);
        CHECK(n >= 0, "read: %s", test_errname(errno));
        buf[n] = '\0';
        CHECK(!strcmp(buf, want), "read \"%s\", want \"%s\"", buf, want);
}

static void expect_echo(int m, const char *want)
{
        char buf[256];

        tty_read_some(m, buf, sizeof(buf), 2000);
        CHECK(!strcmp(buf, want), "echo \"%s\" (%zu), want \"%s\"", buf, strlen(buf), want);
}

int main(void)
{
        int m, s, n = -1;
        struct kterm t;
        char c;

        tty_open_pair(&m, &s, NULL);
        tty_get(s, &t);
        /* Linux's defaults. */
        EXPECT_EQ(t.c_iflag, ICRNL | IXON);
        EXPECT_EQ(t.c_oflag, OPOST | ONLCR);
        EXPECT_EQ(t.c_lflag, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN);
        EXPECT_EQ(t.c_cc[VERASE], 0177);
        EXPECT_EQ(t.c_cc[VMIN], 1);

        /* No line yet: nothing to read. */
        tty_type(m, "ab");
        EXPECT_EQ(tty_wait_readable(s, 100), 0);
        EXPECT_OK(tty_ioctl(s, FIONREAD, (unsigned long)&n));
        EXPECT_EQ(n, 0);
        tty_type(m, "\177c\r");
        expect_echo(m, "ab\b \bc\r\n");
        EXPECT_OK(tty_ioctl(s, FIONREAD, (unsigned long)&n));
        EXPECT_EQ(n, 3);
        expect_read(s, "ac\n");

        /* Kill (ECHOKE: erased one by one), then a word erase. */
        tty_type(m, "xyz\025one two\027three\n");
        expect_echo(m, "xyz\b \b\b \b\b \bone two\b \b\b \b\b \bthree\r\n");
        expect_read(s, "one three\n");

        /* A line is read in parts by short reads. */
        tty_type(m, "hello\n");
        expect_echo(m, "hello\r\n");
        EXPECT_RET(syscall(SYS_read, s, &c, 1), 1);
        EXPECT_EQ(c, 'h');
        expect_read(s, "ello\n");

        /* VEOF: ends the line without itself; alone, reads as end of file. */
        tty_type(m, "ab\004");
        expect_read(s, "ab");
        tty_type(m, "\004");
        EXPECT_RET(syscall(SYS_read, s, &c, 1), 0);

        /* ECHOCTL shows control characters as ^X. */
        tty_type(m, "\001\n");
        expect_echo(m, "ab^A\r\n");
        expect_read(s, "\001\n");

        /* Without ECHOE the erase character shows itself; ECHONL without ECHO. */
        t.c_lflag &= ~(ECHOE | ECHO);
        t.c_lflag |= ECHONL;
        tty_set(s, &t);
        tty_type(m, "quiet\n");
        expect_echo(m, "\r\n");
        expect_read(s, "quiet\n");
        t.c_lflag |= ECHO;
        tty_set(s, &t);
        tty_type(m, "q\177\n");
        expect_echo(m, "q^?\r\n");
        expect_read(s, "\n");

        /* IGNCR drops CR; INLCR turns NL into CR (no line then). */
        t.c_iflag = IGNCR;
        t.c_lflag &= ~ECHO;
        tty_set(s, &t);
        tty_type(m, "a\rb\n");
        expect_read(s, "ab\n");

        /* Output: ONLCR, then OPOST off. */
        tty_type(s, "1\n");
        expect_echo(m, "\r\n1\r\n");    /* ECHONL's newline, then the output */
        t.c_oflag = 0;
        tty_set(s, &t);
        tty_type(s, "2\n");
        expect_echo(m, "2\n");
        /* A pty's output waits in the master's input: TIOCOUTQ is 0, the
         * slave's TCOFLUSH leaves it, the master's TCIFLUSH drops it. */
        tty_type(s, "345");
        EXPECT_OK(tty_ioctl(s, TIOCOUTQ, (unsigned long)&n));
        EXPECT_EQ(n, 0);
        EXPECT_EQ(tty_wait_readable(m, 2000), POLLIN);
        EXPECT_OK(tty_ioctl(m, FIONREAD, (unsigned long)&n));
        EXPECT_EQ(n, 3);
        EXPECT_OK(tty_ioctl(s, TCFLSH, TCOFLUSH));
        EXPECT_EQ(tty_wait_readable(m, 100), POLLIN);
        EXPECT_OK(tty_ioctl(m, TCFLSH, TCIFLUSH));
        EXPECT_EQ(tty_wait_readable(m, 100), 0);
        /* And the other way: the master's TCOFLUSH leaves the slave's input. */
        t.c_lflag &= ~ICANON;
        tty_set(s, &t);
        tty_type(m, "in");
        EXPECT_EQ(tty_wait_readable(s, 2000), POLLIN);
        EXPECT_OK(tty_ioctl(m, TCFLSH, TCOFLUSH));
        EXPECT_EQ(tty_wait_readable(s, 100), POLLIN);
        EXPECT_OK(tty_ioctl(s, TCFLSH, TCIFLUSH));
        EXPECT_EQ(tty_wait_readable(s, 100), 0);
        EXPECT_ERRNO(tty_ioctl(s, TCFLSH, 7), EINVAL);
        return TEST_PASS;
}
