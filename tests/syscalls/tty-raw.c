/* Raw mode: VMIN and VTIME decide when a read returns, and nothing is
 * edited or echoed. */
#include "tty-test.h"

static long ms_since(const struct timespec *a)
{
        struct timespec b;

        raw_clock_gettime(&b);
        return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(void)
{
        struct timespec start;
        char buf[16];
        struct kterm t;
        int m, s, n;

        tty_open_pair(&m, &s, NULL);
        tty_get(s, &t);
        t.c_lflag &= ~(ICANON | ECHO | ISIG);
        t.c_iflag &= ~ICRNL;
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        tty_set(s, &t);

        /* VMIN 0, VTIME 0: never waits. */
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 0);
        tty_type(m, "a\177\r");
        EXPECT_EQ(tty_wait_readable(s, 2000), POLLIN);
        EXPECT_OK(tty_ioctl(s, FIONREAD, (unsigned long)&n));
        EXPECT_EQ(n, 3);
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 3);
        CHECK(!memcmp(buf, "a\177\r", 3), "raw bytes changed");
        EXPECT_EQ(tty_wait_readable(m, 50), 0);         /* no echo */

        /* VMIN 0, VTIME 2: waits 0.2 s for a byte, then reads 0. */
        t.c_cc[VTIME] = 2;
        tty_set(s, &t);
        raw_clock_gettime(&start);
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 0);
        n = (int)ms_since(&start);
        CHECK(n >= 150 && n < 2000, "VTIME 2 waited %d ms", n);

        /* VMIN 3, VTIME 0: waits for three bytes (fewer if fewer asked). */
        t.c_cc[VMIN] = 3;
        t.c_cc[VTIME] = 0;
        tty_set(s, &t);
        tty_type(m, "xy");
        EXPECT_RET(syscall(SYS_read, s, buf, 1), 1);
        EXPECT_EQ(buf[0], 'x');
        /* Poll waits for VMIN bytes; a non-blocking read takes fewer. */
        EXPECT_EQ(tty_wait_readable(s, 100), 0);
        EXPECT_OK(fcntl(s, F_SETFL, O_NONBLOCK));
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], 'y');
        EXPECT_ERRNO(syscall(SYS_read, s, buf, sizeof(buf)), EAGAIN);
        EXPECT_OK(fcntl(s, F_SETFL, 0));
        tty_type(m, "zwv");
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 3);
        CHECK(!memcmp(buf, "zwv", 3), "got %.3s", buf);

        /* VMIN 2, VTIME 2: after the first byte, 0.2 s for the second. */
        t.c_cc[VMIN] = 2;
        t.c_cc[VTIME] = 2;
        tty_set(s, &t);
        tty_type(m, "q");
        raw_clock_gettime(&start);
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 1);
        n = (int)ms_since(&start);
        CHECK(n >= 150 && n < 2000, "VTIME 2 after a byte waited %d ms", n);

        /* Back to canonical: what is queued reads as a line. */
        tty_type(m, "ab");
        EXPECT_EQ(tty_wait_readable(s, 2000), POLLIN);
        t.c_lflag |= ICANON;
        tty_set(s, &t);
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 2);
        return TEST_PASS;
}
