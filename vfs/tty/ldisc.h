/*
 * The line discipline (Linux's n_tty), pure: no locks, no files, no tasks.
 * The terminal it serves (pty.c) holds it under its own lock and does the
 * waiting and the signalling; here bytes go in from the keyboard side
 * (ldisc_receive(): the pty master's writes), come out to the reader
 * (ldisc_read(): the slave's reads), and the reader's output is processed
 * for the screen side (ldisc_write(): the slave's writes, read back raw by
 * the master from the output queue, where echoes go too).
 */
#ifndef CONTERNEL_VFS_TTY_LDISC_H
#define CONTERNEL_VFS_TTY_LDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Linux's struct termios2 (asm-generic termbits: 19 control characters,
 * then the speeds), as TCGETS2/TCSETS2 move it; TCGETS/TCSETS move the
 * first KTERMIOS_V1_SIZE bytes (struct termios, no speeds). The flag bits
 * are <termios.h>'s. */
#define KNCCS 19
struct ktermios {
        uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
        uint8_t c_line;
        uint8_t c_cc[KNCCS];
        uint32_t c_ispeed, c_ospeed;    /* baud: kept for BOTHER, else from CBAUD */
};
#define KTERMIOS_V1_SIZE offsetof(struct ktermios, c_ispeed)

#define LDISC_IN_SIZE  4096             /* Linux's N_TTY_BUF_SIZE */
#define LDISC_OUT_SIZE 8192

/* ldisc_receive() signals for the foreground process group, as bits
 * (1 << signo). */
#define LDISC_SIG(signo) (1u << (signo))

struct ldisc {
        struct ktermios t;
        /* Input: bytes [0, in_len); [0, canon_len) are complete lines in
         * canonical mode (everything is readable in raw mode). in_flags marks
         * line ends and EOF characters (which end a line and are never
         * read). */
        uint8_t in[LDISC_IN_SIZE];
        uint8_t in_flags[LDISC_IN_SIZE];
        size_t in_len, canon_len;
        bool lnext;                     /* the next byte is literal (VLNEXT) */
        /* Output, for the master to read: processed writes and echoes. */
        uint8_t out[LDISC_OUT_SIZE];
        size_t out_len;
        unsigned column;                /* output column, for ONOCR and tabs */
        bool stopped;                   /* ^S or TCOOFF: the master reads nothing */
        /* TIOCPKT (the master's packet mode): while packet is set, what
         * happens to the terminal is gathered in pktstatus as TIOCPKT_*
         * bits for the master's next read (Linux's ctrl.pktstatus). */
        bool packet;
        uint8_t pktstatus;
};

/* Linux's tty_std_termios: ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD|HUPCL,
 * ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN, INIT_C_CC, 38400
 * baud both ways. */
void ldisc_init(struct ldisc *l);
void ldisc_default_termios(struct ktermios *t);
/* TCSETS: take new settings (turning ICANON off makes the edited line
 * readable; on, makes what is queued one line, as Linux pushes it; turning
 * IXON off restarts stopped output). */
void ldisc_set_termios(struct ldisc *l, const struct ktermios *t);

/* Keyboard input: process up to n bytes; returns how many were taken (fewer
 * when the raw input queue is full: the writer waits). *ret_signals gets
 * LDISC_SIG() bits for ISIG keys. */
size_t ldisc_receive(struct ldisc *l, const uint8_t *buf, size_t n, unsigned *ret_signals);
/* Room for input: whether a receive would take anything now. */
bool ldisc_receive_room(const struct ldisc *l);

/* Whether a read may return now: a complete line (canonical), or at least
 * min(VMIN, want) bytes, any with VMIN 0 (raw). timed_out: VTIME ran out,
 * so whatever is there (even nothing) will do. */
bool ldisc_readable(const struct ldisc *l, size_t want, bool timed_out);
/* Whether poll says readable: a line; in raw mode VMIN bytes when VTIME is
 * 0, else any byte. */
bool ldisc_input_available(const struct ldisc *l);
/* Move up to n bytes of input out (one line at most in canonical mode; 0 at
 * an EOF character on an empty line). Call when ldisc_readable(). */
size_t ldisc_read(struct ldisc *l, uint8_t *buf, size_t n);
/* FIONREAD on the reader's side: the bytes a read could return now. */
size_t ldisc_inq(const struct ldisc *l);

/* The reader's output: OPOST processing into the output queue; returns the
 * bytes of buf taken (0 when the queue is full). */
size_t ldisc_write(struct ldisc *l, const uint8_t *buf, size_t n);
/* The master's side of the output queue; stopped output reads nothing. */
size_t ldisc_out_read(struct ldisc *l, uint8_t *buf, size_t n);
size_t ldisc_out_avail(const struct ldisc *l);
/* A byte for the master as is (TIOCSTI on the master, whose raw line
 * discipline takes it unchanged); dropped when the queue is full. */
void ldisc_out_inject(struct ldisc *l, uint8_t c);
bool ldisc_out_room(const struct ldisc *l);

/* In packet mode, record a TIOCPKT_* event: STOP and START replace each
 * other, so do DOSTOP and NOSTOP; flushes add up. */
void ldisc_packet_event(struct ldisc *l, uint8_t event);

/* TCFLSH's halves: the reader's input (TIOCPKT_FLUSHREAD in packet mode),
 * the master's. */
void ldisc_flush_in(struct ldisc *l);
void ldisc_flush_out(struct ldisc *l);
/* TCXONC: TCOOFF/TCOON stop and restart output (TIOCPKT_STOP/START on a
 * change); TCIOFF/TCION queue the
 * STOP/START character for the master. -EINVAL for another action. */
int ldisc_flow(struct ldisc *l, int action);

#endif
