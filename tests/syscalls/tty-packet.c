/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TIOCPKT: packet mode on a pty's master. Each read of the master is one
 * packet: TIOCPKT_DATA (0) and the slave's output, or one status byte
 * alone when something happened to the slave since the last read:
 * TIOCPKT_FLUSHREAD (its input flushed: TCIFLUSH, TCSETSF, an ISIG key),
 * TIOCPKT_FLUSHWRITE (its output flushed: TCOFLUSH, an ISIG key),
 * TIOCPKT_STOP/START (output stopped and restarted: TCXONC, ^S/^Q),
 * TIOCPKT_NOSTOP/DOSTOP (IXON with ^S/^Q turned off or on). Poll says
 * POLLPRI while a status byte waits. TIOCGPKT reads the mode; neither is a
 * slave's ioctl. Status from before packet mode is forgotten.
 */
#include "tty-test.h"

#ifndef TIOCGPKT
#define TIOCGPKT _IOR('T', 0x38, int)
#endif

static int m, s;

/* One packet from the master (waiting up to 2 s): its length. */
static long packet(unsigned char *buf, size_t size)
{
        if (!(tty_wait_readable(m, 2000) & POLLIN))
                return -1;
        return syscall(SYS_read, m, buf, size);
}

static int master_revents(void)
{
        struct pollfd p = { .fd = m, .events = POLLIN | POLLPRI };

        return syscall(SYS_poll, &p, 1, 0) > 0 ? p.revents : 0;
}

/* A status byte: it is there at once, alone. */
static void expect_status(int want)
{
        unsigned char buf[16];

        EXPECT_EQ(master_revents(), POLLIN | POLLPRI);
        EXPECT_RET(syscall(SYS_read, m, buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], want);
        EXPECT_EQ(master_revents() & POLLPRI, 0);
}

int main(void)
{
        unsigned char buf[64];
        struct kterm t;
        int on = 1, v = -1;

        tty_open_pair(&m, &s, NULL);
        EXPECT_OK(tty_ioctl(m, TIOCGPKT, (unsigned long)&v));
        EXPECT_EQ(v, 0);
        EXPECT_ERRNO(tty_ioctl(s, TIOCPKT, (unsigned long)&on), ENOTTY);
        EXPECT_ERRNO(tty_ioctl(s, TIOCGPKT, (unsigned long)&v), ENOTTY);
        EXPECT_ERRNO(tty_ioctl(m, TIOCPKT, (unsigned long)KERNEL_ADDR), EFAULT);
        EXPECT_ERRNO(tty_ioctl(m, TIOCGPKT, (unsigned long)KERNEL_ADDR), EFAULT);

        /* Before packet mode: nothing is recorded. */
        EXPECT_OK(tty_ioctl(s, TCFLSH, TCIFLUSH));
        EXPECT_OK(tty_ioctl(m, TIOCPKT, (unsigned long)&on));
        EXPECT_OK(tty_ioctl(m, TIOCGPKT, (unsigned long)&v));
        EXPECT_EQ(v, 1);
        EXPECT_EQ(master_revents() & (POLLIN | POLLPRI), 0);
        EXPECT_ERRNO(tty_ioctl(m, TIOCPKT, (unsigned long)LOW_ADDR), EFAULT);
        EXPECT_OK(tty_ioctl(m, TIOCGPKT, (unsigned long)&v));
        EXPECT_EQ(v, 1);

        /* Data: prefixed by TIOCPKT_DATA. */
        tty_type(s, "hi");
        EXPECT_RET(packet(buf, sizeof(buf)), 3);
        EXPECT_EQ(buf[0], TIOCPKT_DATA);
        EXPECT_EQ(memcmp(buf + 1, "hi", 2), 0);

        /* Flushes on the slave. */
        EXPECT_OK(tty_ioctl(s, TCFLSH, TCIFLUSH));
        expect_status(TIOCPKT_FLUSHREAD);
        EXPECT_OK(tty_ioctl(s, TCFLSH, TCOFLUSH));
        expect_status(TIOCPKT_FLUSHWRITE);
        EXPECT_OK(tty_ioctl(s, TCFLSH, TCIOFLUSH));
        expect_status(TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE);
        /* The master's own flushes are not news. */
        EXPECT_OK(tty_ioctl(m, TCFLSH, TCIOFLUSH));
        EXPECT_EQ(master_revents() & POLLPRI, 0);
        /* TCSETSF flushes the slave's input, from either side. */
        tty_get(s, &t);
        EXPECT_OK(tty_ioctl(m, TCSETSF, (unsigned long)&t));
        expect_status(TIOCPKT_FLUSHREAD);

        /* Output stopped and started. */
        EXPECT_OK(tty_ioctl(s, TCXONC, TCOOFF));
        expect_status(TIOCPKT_STOP);
        EXPECT_OK(tty_ioctl(s, TCXONC, TCOON));
        expect_status(TIOCPKT_START);
        EXPECT_OK(tty_ioctl(s, TCXONC, TCOOFF));
        EXPECT_OK(tty_ioctl(s, TCXONC, TCOON));
        expect_status(TIOCPKT_START);   /* the last of the two */
        /* ^S and ^Q typed (IXON). */
        tty_type(m, "\023");
        EXPECT_RET(packet(buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], TIOCPKT_STOP);
        tty_type(m, "\021");
        EXPECT_RET(packet(buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], TIOCPKT_START);

        /* IXON off: ^S no longer stops; IXON on again. */
        t.c_iflag &= ~(unsigned)IXON;
        tty_set(s, &t);
        expect_status(TIOCPKT_NOSTOP);
        t.c_iflag |= IXON;
        tty_set(s, &t);
        expect_status(TIOCPKT_DOSTOP);
        /* Same flow rules: nothing to say. */
        t.c_lflag &= ~(unsigned)ECHOCTL;
        tty_set(s, &t);
        EXPECT_EQ(master_revents() & POLLPRI, 0);
        /* Another STOP character is no ^S: NOSTOP. */
        t.c_cc[VSTOP] = 'x';
        tty_set(s, &t);
        expect_status(TIOCPKT_NOSTOP);
        t.c_cc[VSTOP] = 023;
        tty_set(s, &t);
        expect_status(TIOCPKT_DOSTOP);

        /* An ISIG key flushes both ways. Echo off: nothing else to read. */
        t.c_lflag &= ~(unsigned)ECHO;
        tty_set(s, &t);
        tty_type(m, "\003");
        EXPECT_RET(packet(buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE);

        /* Status first, then the data that waited. */
        tty_type(s, "ab");
        EXPECT_TRUE(tty_wait_readable(m, 2000) & POLLIN);
        EXPECT_OK(tty_ioctl(s, TCFLSH, TCIFLUSH));
        expect_status(TIOCPKT_FLUSHREAD);
        EXPECT_RET(packet(buf, sizeof(buf)), 3);
        EXPECT_EQ(buf[0], TIOCPKT_DATA);

        /* Off again: plain reads, no status kept. */
        on = 0;
        EXPECT_OK(tty_ioctl(m, TIOCPKT, (unsigned long)&on));
        EXPECT_OK(tty_ioctl(s, TCFLSH, TCIFLUSH));
        tty_type(s, "z");
        EXPECT_RET(packet(buf, sizeof(buf)), 1);
        EXPECT_EQ(buf[0], 'z');
        on = 1;
        EXPECT_OK(tty_ioctl(m, TIOCPKT, (unsigned long)&on));
        EXPECT_EQ(master_revents() & (POLLIN | POLLPRI), 0);
        return TEST_PASS;
}
