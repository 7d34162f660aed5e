/*
 * Setting a pty's termios (Linux's set_termios() in tty_ioctl.c, the
 * speed rules of tty_baudrate.c and pty_set_termios()): which bytes each
 * TCSETS flavour carries, the speeds a CBAUD value stands for, and what a
 * pty forces or tells a packet-mode master.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "vfs/tty/internal.h"

#define K_BOTHER 0010000u               /* asm-generic termbits: speed in c_[io]speed */
#define K_IBSHIFT 16                    /* input speed's CBAUD, shifted */

/* Linux's baud_table: CBAUD values 0-15, then CBAUDEX|1.. as 16 on. */
static const uint32_t baud_table[] = {
        0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400,
        57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000,
        2000000, 2500000, 3000000, 3500000, 4000000,
};

/* The speed a CBAUD value names; BOTHER: the one given. */
static uint32_t cbaud_speed(uint32_t cbaud, uint32_t given)
{
        if (cbaud == K_BOTHER)
                return given;
        if (cbaud & CBAUDEX)
                cbaud = (cbaud & ~(uint32_t)CBAUDEX) + 15;
        return cbaud < sizeof(baud_table) / sizeof(baud_table[0]) ? baud_table[cbaud] : 0;
}

/* Linux's tty_termios_baud_rate() and tty_termios_input_baud_rate(): the
 * input speed B0 means "as the output". */
static void set_speeds(struct ktermios *t)
{
        uint32_t in = (t->c_cflag >> K_IBSHIFT) & CBAUD;

        t->c_ospeed = cbaud_speed(t->c_cflag & CBAUD, t->c_ospeed);
        t->c_ispeed = in == B0 ? t->c_ospeed : cbaud_speed(in, t->c_ispeed);
}

/* Whether ^S/^Q flow control is on as a packet-mode master reports it. */
static bool std_flow(const struct ktermios *t)
{
        return (t->c_iflag & IXON) && t->c_cc[VSTOP] == 023 && t->c_cc[VSTART] == 021;
}

void tty_set_termios_locked(struct tty *tty, const void *arg, size_t size)
{
        struct ktermios t = tty->ld.t;
        bool old_flow = std_flow(&tty->ld.t);

        memcpy(&t, arg, size);          /* the old TCSETS leaves the speeds */
        set_speeds(&t);
        /* A pty is 8 bits, receiving, without parity (pty_set_termios). */
        t.c_cflag &= ~(uint32_t)(CSIZE | PARENB);
        t.c_cflag |= CS8 | CREAD;
        if (old_flow != std_flow(&t))
                ldisc_packet_event(&tty->ld, std_flow(&t) ? TIOCPKT_DOSTOP : TIOCPKT_NOSTOP);
        ldisc_set_termios(&tty->ld, &t);
}
