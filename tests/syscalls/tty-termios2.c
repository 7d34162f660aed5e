/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCGETS2/TCSETS2/TCSETSW2/TCSETSF2 on a pty: struct termios2 carries the
 * speeds. A new pty runs at 38400 both ways; BOTHER keeps the speeds given,
 * a Bnnn value sets them from the table (input B0: the output speed); the
 * old TCSETS keeps BOTHER's speeds from before. TCGETS shows the same
 * flags. A pty keeps CS8|CREAD and never PARENB. TCSETSF2 flushes the
 * slave's input. The master's calls reach the slave's termios. Bad
 * pointers are EFAULT.
 */
#include "tty-test.h"

struct kterm2 {
        unsigned c_iflag, c_oflag, c_cflag, c_lflag;
        unsigned char c_line, c_cc[19];
        unsigned c_ispeed, c_ospeed;
};

#define K_TCGETS2 _IOR('T', 0x2A, struct kterm2)
#define K_TCSETS2 _IOW('T', 0x2B, struct kterm2)
#define K_TCSETSW2 _IOW('T', 0x2C, struct kterm2)
#define K_TCSETSF2 _IOW('T', 0x2D, struct kterm2)
#define K_BOTHER 0010000
#define K_CBAUD 0010017
#define K_IBSHIFT 16

static void get2(int fd, struct kterm2 *t)
{
        memset(t, 0xa5, sizeof(*t));
        EXPECT_OK(tty_ioctl(fd, K_TCGETS2, (unsigned long)t));
}

int main(void)
{
        struct kterm2 t, u;
        struct kterm k;
        int m, s, n;

        tty_open_pair(&m, &s, NULL);
        get2(s, &t);
        EXPECT_EQ(t.c_ispeed, 38400u);
        EXPECT_EQ(t.c_ospeed, 38400u);
        EXPECT_EQ(t.c_cflag & K_CBAUD, (unsigned)B38400);
        EXPECT_EQ((t.c_cflag >> K_IBSHIFT) & K_CBAUD, 0u);
        tty_get(s, &k);
        EXPECT_EQ(memcmp(&k, &t, sizeof(k)), 0);
        get2(m, &u);                    /* the master sees the slave's */
        EXPECT_EQ(memcmp(&u, &t, sizeof(u)), 0);

        /* Arbitrary speeds with BOTHER, both ways. */
        t.c_cflag = (t.c_cflag & ~(unsigned)K_CBAUD) | K_BOTHER | (K_BOTHER << K_IBSHIFT);
        t.c_ispeed = 12345;
        t.c_ospeed = 54321;
        EXPECT_OK(tty_ioctl(s, K_TCSETS2, (unsigned long)&t));
        get2(s, &u);
        EXPECT_EQ(u.c_cflag, t.c_cflag);
        EXPECT_EQ(u.c_ispeed, 12345u);
        EXPECT_EQ(u.c_ospeed, 54321u);
        tty_get(m, &k);
        EXPECT_EQ(k.c_cflag, t.c_cflag);

        /* The old TCSETS keeps BOTHER's speeds: it carries none. */
        k.c_lflag &= ~(unsigned)ECHO;
        tty_set(s, &k);
        get2(s, &u);
        EXPECT_EQ(u.c_ispeed, 12345u);
        EXPECT_EQ(u.c_ospeed, 54321u);
        EXPECT_EQ(u.c_lflag & ECHO, 0u);

        /* Bnnn values set the speeds from the table; input B0 follows the
         * output; a CBAUDEX value too. */
        k.c_cflag = (k.c_cflag & ~(unsigned)(K_CBAUD | (K_CBAUD << K_IBSHIFT))) | B9600;
        tty_set(s, &k);
        get2(s, &u);
        EXPECT_EQ(u.c_ispeed, 9600u);
        EXPECT_EQ(u.c_ospeed, 9600u);
        t = u;
        t.c_cflag = (t.c_cflag & ~(unsigned)K_CBAUD) | B115200 | (B1200 << K_IBSHIFT);
        t.c_ispeed = t.c_ospeed = 7;    /* ignored: not BOTHER */
        EXPECT_OK(tty_ioctl(m, K_TCSETSW2, (unsigned long)&t));
        get2(s, &u);
        EXPECT_EQ(u.c_ospeed, 115200u);
        EXPECT_EQ(u.c_ispeed, 1200u);
        EXPECT_EQ(u.c_cflag, t.c_cflag);
        /* Output BOTHER, input from the table. */
        t.c_cflag = (t.c_cflag & ~(unsigned)(K_CBAUD | (K_CBAUD << K_IBSHIFT))) | K_BOTHER |
                    (B300 << K_IBSHIFT);
        t.c_ispeed = 1;
        t.c_ospeed = 250000;
        EXPECT_OK(tty_ioctl(s, K_TCSETS2, (unsigned long)&t));
        get2(s, &u);
        EXPECT_EQ(u.c_ospeed, 250000u);
        EXPECT_EQ(u.c_ispeed, 300u);

        /* A pty is 8 bits, receiving, without parity, whatever is asked. */
        t.c_cflag = (t.c_cflag & ~(unsigned)(CSIZE | CREAD)) | CS7 | PARENB | PARODD;
        EXPECT_OK(tty_ioctl(s, K_TCSETS2, (unsigned long)&t));
        get2(s, &u);
        EXPECT_EQ(u.c_cflag & (CSIZE | CREAD | PARENB), (unsigned)(CS8 | CREAD));
        EXPECT_EQ(u.c_cflag & PARODD, (unsigned)PARODD);
        k.c_cflag = (k.c_cflag & ~(unsigned)CSIZE) | CS5 | PARENB;
        tty_set(s, &k);
        tty_get(s, &k);
        EXPECT_EQ(k.c_cflag & (CSIZE | CREAD | PARENB), (unsigned)(CS8 | CREAD));

        /* TCSETSF2 drops the slave's unread input, TCSETSW2 does not. */
        get2(s, &t);
        t.c_lflag &= ~(unsigned)ICANON;
        EXPECT_OK(tty_ioctl(s, K_TCSETS2, (unsigned long)&t));
        tty_type(m, "abc");
        EXPECT_TRUE(tty_wait_readable(s, 2000) & POLLIN);
        EXPECT_OK(tty_ioctl(s, K_TCSETSW2, (unsigned long)&t));
        EXPECT_OK(tty_ioctl(s, FIONREAD, (unsigned long)&n));
        EXPECT_EQ(n, 3);
        EXPECT_OK(tty_ioctl(m, K_TCSETSF2, (unsigned long)&t));
        EXPECT_OK(tty_ioctl(s, FIONREAD, (unsigned long)&n));
        EXPECT_EQ(n, 0);

        EXPECT_ERRNO(tty_ioctl(s, K_TCGETS2, (unsigned long)KERNEL_ADDR), EFAULT);
        EXPECT_ERRNO(tty_ioctl(s, K_TCSETS2, (unsigned long)KERNEL_ADDR), EFAULT);
        EXPECT_ERRNO(tty_ioctl(m, K_TCSETSF2, (unsigned long)LOW_ADDR), EFAULT);
        return TEST_PASS;
}
