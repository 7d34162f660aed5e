/*
 * The line discipline, after Linux's drivers/tty/n_tty.c: input
 * processing (ICRNL/INLCR/IGNCR, IXON, ISIG keys, canonical editing with
 * erase, kill, werase and lnext), echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL,
 * ECHOCTL) and output processing (OPOST: ONLCR, OCRNL, ONOCR, ONLRET).
 */
#include "ldisc.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#define IN_EOL 0x1u                     /* ends a line */
#define IN_EOF 0x2u                     /* an EOF character: ends a line, never read */

void ldisc_default_termios(struct ktermios *t)
{
        static const uint8_t cc[KNCCS] = {
                [VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025,
                [VEOF] = 004, [VTIME] = 0, [VMIN] = 1, [VSWTC] = 0,
                [VSTART] = 021, [VSTOP] = 023, [VSUSP] = 032, [VEOL] = 0,
                [VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027,
                [VLNEXT] = 026, [VEOL2] = 0,
        };

        memset(t, 0, sizeof(*t));
        t->c_iflag = ICRNL | IXON;
        t->c_oflag = OPOST | ONLCR;
        t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
        t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
        memcpy(t->c_cc, cc, sizeof(cc));
        t->c_ispeed = t->c_ospeed = 38400;
}

void ldisc_packet_event(struct ldisc *l, uint8_t event)
{
        static const uint8_t opposite[][2] = {
                { TIOCPKT_STOP, TIOCPKT_START }, { TIOCPKT_START, TIOCPKT_STOP },
                { TIOCPKT_DOSTOP, TIOCPKT_NOSTOP }, { TIOCPKT_NOSTOP, TIOCPKT_DOSTOP },
        };

        if (!l->packet)
                return;
        for (size_t i = 0; i < sizeof(opposite) / sizeof(opposite[0]); i++)
                if (event == opposite[i][0])
                        l->pktstatus &= (uint8_t)~opposite[i][1];
        l->pktstatus |= event;
}

/* Output stopped or restarted: news for a packet-mode master when it
 * changes (Linux's stop_tty()/start_tty() reaching pty_stop/pty_start). */
static void set_stopped(struct ldisc *l, bool stop)
{
        if (l->stopped == stop)
                return;
        l->stopped = stop;
        ldisc_packet_event(l, stop ? TIOCPKT_STOP : TIOCPKT_START);
}

void ldisc_init(struct ldisc *l)
{
        memset(l, 0, sizeof(*l));
        ldisc_default_termios(&l->t);
}

void ldisc_set_termios(struct ldisc *l, const struct ktermios *t)
{
        bool was_canon = l->t.c_lflag & ICANON;

        l->t = *t;
        if (was_canon != !!(t->c_lflag & ICANON))
                l->canon_len = l->in_len;       /* everything queued: readable */
        if (!(t->c_iflag & IXON))
                set_stopped(l, false);
        l->lnext = false;
}

static bool is_char(const struct ldisc *l, uint8_t c, int idx)
{
        return l->t.c_cc[idx] != _POSIX_VDISABLE && c == l->t.c_cc[idx];
}

/* ---- output ------------------------------------------------------------- */

static size_t out_room(const struct ldisc *l)
{
        return LDISC_OUT_SIZE - l->out_len;
}

static void out_put(struct ldisc *l, uint8_t c)
{
        l->out[l->out_len++] = c;
}

/* One character through OPOST (Linux's do_output_char): the bytes it needs,
 * or 0 if they don't fit (nothing is queued then). */
static size_t output_char(struct ldisc *l, uint8_t c)
{
        const struct ktermios *t = &l->t;

        if (!(t->c_oflag & OPOST)) {
                if (out_room(l) < 1)
                        return 0;
                out_put(l, c);
                return 1;
        }
        switch (c) {
        case '\n':
                if (t->c_oflag & ONLCR) {
                        if (out_room(l) < 2)
                                return 0;
                        out_put(l, '\r');
                        out_put(l, '\n');
                        l->column = 0;
                        return 2;
                }
                if (t->c_oflag & ONLRET)
                        l->column = 0;
                break;
        case '\r':
                if ((t->c_oflag & ONOCR) && l->column == 0)
                        return 1;               /* taken, nothing to show */
                if (t->c_oflag & OCRNL) {
                        c = '\n';
                        if (t->c_oflag & ONLRET)
                                l->column = 0;
                        break;
                }
                l->column = 0;
                break;
        case '\t': {
                unsigned spaces = 8 - (l->column & 7);

                if ((t->c_oflag & TABDLY) == XTABS) {
                        if (out_room(l) < spaces)
                                return 0;
                        for (unsigned i = 0; i < spaces; i++)
                                out_put(l, ' ');
                        l->column += spaces;
                        return spaces;
                }
                l->column += spaces;
                break;
        }
        case '\b':
                if (l->column > 0)
                        l->column--;
                break;
        default:
                if (c >= 0x20 && c != 0x7f)
                        l->column++;
                break;
        }
        if (out_room(l) < 1)
                return 0;
        out_put(l, c);
        return 1;
}

size_t ldisc_write(struct ldisc *l, const uint8_t *buf, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++)
                if (output_char(l, buf[i]) == 0)
                        break;
        return i;
}

/* ---- echo (dropped when the output queue is full, as Linux's echo buffer
 * overruns) --------------------------------------------------------------- */

static bool is_ctl_echo(const struct ldisc *l, uint8_t c)
{
        return (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n' &&
               !is_char(l, c, VSTART) && !is_char(l, c, VSTOP);
}

/* The width an echoed character takes (ECHOCTL shows ^X). */
static unsigned echo_width(const struct ldisc *l, uint8_t c)
{
        return (l->t.c_lflag & ECHOCTL) && is_ctl_echo(l, c) ? 2 : 1;
}

static void echo_char(struct ldisc *l, uint8_t c)
{
        if ((l->t.c_lflag & ECHOCTL) && is_ctl_echo(l, c)) {
                if (out_room(l) >= 2) {
                        out_put(l, '^');
                        out_put(l, c ^ 0100);
                        l->column += 2;
                }
                return;
        }
        output_char(l, c);
}

static void echo_raw(struct ldisc *l, uint8_t c)
{
        if (out_room(l) >= 1)
                out_put(l, c);
}

/* ---- input -------------------------------------------------------------- */

static void in_put(struct ldisc *l, uint8_t c, uint8_t flags)
{
        l->in[l->in_len] = c;
        l->in_flags[l->in_len] = flags;
        l->in_len++;
        if (flags & IN_EOL)
                l->canon_len = l->in_len;
}

/* The screen width of the edited line up to (not including) position end,
 * for erasing a tab. */
static unsigned line_column(const struct ldisc *l, size_t end)
{
        unsigned col = 0;

        for (size_t i = l->canon_len; i < end; i++) {
                if (l->in[i] == '\t')
                        col = (col | 7) + 1;
                else
                        col += echo_width(l, l->in[i]);
        }
        return col;
}

/* Take the last character off the edited line, showing it as ECHOE does. */
static void erase_one(struct ldisc *l, bool visual)
{
        uint8_t c = l->in[--l->in_len];
        unsigned n;

        if (!visual)
                return;
        if (c == '\t')
                n = (line_column(l, l->in_len + 1)) - line_column(l, l->in_len);
        else
                n = echo_width(l, c);
        for (unsigned i = 0; i < n; i++) {
                if (c == '\t') {
                        echo_raw(l, '\b');
                } else if (out_room(l) >= 3) {
                        out_put(l, '\b');
                        out_put(l, ' ');
                        out_put(l, '\b');
                }
                if (l->column > 0)
                        l->column--;
        }
}

static bool is_word_char(uint8_t c)
{
        return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
               (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Linux's eraser(): VERASE, VWERASE or VKILL on the edited line. */
static void eraser(struct ldisc *l, uint8_t c)
{
        const uint32_t lflag = l->t.c_lflag;
        bool echo = lflag & ECHO;

        if (l->in_len == l->canon_len)
                return;                 /* nothing to erase */
        if (is_char(l, c, VKILL)) {
                if (!echo) {
                        l->in_len = l->canon_len;
                        return;
                }
                if (!(lflag & ECHOK) || !(lflag & ECHOKE) || !(lflag & ECHOE)) {
                        l->in_len = l->canon_len;
                        echo_char(l, c);
                        if (lflag & ECHOK)
                                output_char(l, '\n');
                        return;
                }
                while (l->in_len > l->canon_len)
                        erase_one(l, true);
                return;
        }
        if (is_char(l, c, VWERASE) && (lflag & IEXTEN)) {
                while (l->in_len > l->canon_len && !is_word_char(l->in[l->in_len - 1]))
                        erase_one(l, echo && (lflag & ECHOE));
                while (l->in_len > l->canon_len && is_word_char(l->in[l->in_len - 1]))
                        erase_one(l, echo && (lflag & ECHOE));
                return;
        }
        /* VERASE */
        if (echo && !(lflag & ECHOE)) {
                l->in_len--;
                echo_char(l, c);
                return;
        }
        erase_one(l, echo);
}

static void flush_in(struct ldisc *l)
{
        l->in_len = l->canon_len = 0;
        l->lnext = false;
}

/* An ISIG key: the signal, the queues flushed (unless NOFLSH), output
 * restarted (IXON), the key echoed (Linux's n_tty_receive_signal_char). */
static unsigned receive_signal(struct ldisc *l, uint8_t c, int signo)
{
        if (!(l->t.c_lflag & NOFLSH)) {
                flush_in(l);
                l->out_len = 0;
                ldisc_packet_event(l, TIOCPKT_FLUSHREAD);
                ldisc_packet_event(l, TIOCPKT_FLUSHWRITE);
        }
        if (l->t.c_iflag & IXON)
                set_stopped(l, false);
        if (l->t.c_lflag & ECHO)
                echo_char(l, c);
        return LDISC_SIG(signo);
}

/* Room for one more input byte: the canonical line keeps a last byte for
 * its newline (Linux drops the rest of an over-long line). */
static bool room_for(const struct ldisc *l, uint8_t c, bool canon)
{
        if (l->in_len >= LDISC_IN_SIZE)
                return false;
        if (canon && l->in_len >= LDISC_IN_SIZE - 1)
                return c == '\n';
        return true;
}

bool ldisc_receive_room(const struct ldisc *l)
{
        /* Canonical input never makes the writer wait: extra bytes drop. */
        return (l->t.c_lflag & ICANON) || l->in_len < LDISC_IN_SIZE;
}

size_t ldisc_receive(struct ldisc *l, const uint8_t *buf, size_t n, unsigned *ret_signals)
{
        const struct ktermios *t = &l->t;
        size_t i;

        *ret_signals = 0;
        for (i = 0; i < n; i++) {
                uint8_t c = buf[i];
                bool canon = t->c_lflag & ICANON;
                bool echo = t->c_lflag & ECHO;

                if (!canon && l->in_len >= LDISC_IN_SIZE)
                        break;          /* raw and full: the writer waits */
                if (t->c_iflag & ISTRIP)
                        c &= 0x7f;
                if (l->lnext) {
                        /* Literal: over the "^\b" the VLNEXT key showed. */
                        l->lnext = false;
                        if (room_for(l, c, canon)) {
                                if (echo)
                                        echo_char(l, c);
                                in_put(l, c, 0);
                        }
                        continue;
                }
                if (c == '\r') {
                        if (t->c_iflag & IGNCR)
                                continue;
                        if (t->c_iflag & ICRNL)
                                c = '\n';
                } else if (c == '\n' && (t->c_iflag & INLCR)) {
                        c = '\r';
                }
                if (t->c_iflag & IXON) {
                        if (is_char(l, c, VSTART)) {
                                set_stopped(l, false);
                                continue;
                        }
                        if (is_char(l, c, VSTOP)) {
                                set_stopped(l, true);
                                continue;
                        }
                        if (t->c_iflag & IXANY)
                                set_stopped(l, false);
                }
                if (t->c_lflag & ISIG) {
                        int signo = is_char(l, c, VINTR) ? SIGINT :
                                    is_char(l, c, VQUIT) ? SIGQUIT :
                                    is_char(l, c, VSUSP) ? SIGTSTP : 0;

                        if (signo) {
                                *ret_signals |= receive_signal(l, c, signo);
                                continue;
                        }
                }
                if (canon) {
                        if (is_char(l, c, VERASE) || is_char(l, c, VKILL) ||
                            (is_char(l, c, VWERASE) && (t->c_lflag & IEXTEN))) {
                                eraser(l, c);
                                continue;
                        }
                        if (is_char(l, c, VLNEXT) && (t->c_lflag & IEXTEN)) {
                                l->lnext = true;
                                if (echo && (t->c_lflag & ECHOCTL) && out_room(l) >= 2) {
                                        out_put(l, '^');
                                        out_put(l, '\b');
                                }
                                continue;
                        }
                        if (c == '\n' || is_char(l, c, VEOL) ||
                            (is_char(l, c, VEOL2) && (t->c_lflag & IEXTEN))) {
                                if (!room_for(l, c, false))
                                        continue;
                                if (echo || (c == '\n' && (t->c_lflag & ECHONL)))
                                        echo_char(l, c);
                                in_put(l, c, IN_EOL);
                                continue;
                        }
                        if (is_char(l, c, VEOF)) {
                                if (room_for(l, '\n', false))
                                        in_put(l, c, IN_EOL | IN_EOF);
                                continue;
                        }
                }
                if (!room_for(l, c, canon))
                        continue;
                if (echo)
                        echo_char(l, c);
                in_put(l, c, 0);
        }
        return i;
}

/* ---- reading ------------------------------------------------------------ */

bool ldisc_input_available(const struct ldisc *l)
{
        if (l->t.c_lflag & ICANON)
                return l->canon_len > 0;
        /* VMIN bytes, when VTIME does not end the wait (Linux's
         * input_available_p() for poll). */
        if (l->t.c_cc[VTIME] == 0 && l->t.c_cc[VMIN] > 0)
                return l->in_len >= l->t.c_cc[VMIN];
        return l->in_len > 0;
}

bool ldisc_readable(const struct ldisc *l, size_t want, bool timed_out)
{
        size_t min;

        if (l->t.c_lflag & ICANON)
                return l->canon_len > 0;
        if (timed_out)
                return true;
        min = l->t.c_cc[VMIN];
        if (min == 0)
                return l->t.c_cc[VTIME] == 0 || l->in_len > 0;
        if (min > want)
                min = want;
        return l->in_len >= min;
}

static void in_consume(struct ldisc *l, size_t n)
{
        memmove(l->in, l->in + n, l->in_len - n);
        memmove(l->in_flags, l->in_flags + n, l->in_len - n);
        l->in_len -= n;
        l->canon_len = l->canon_len > n ? l->canon_len - n : 0;
}

size_t ldisc_read(struct ldisc *l, uint8_t *buf, size_t n)
{
        size_t got = 0, used = 0;

        if (!(l->t.c_lflag & ICANON)) {
                got = n < l->in_len ? n : l->in_len;
                memcpy(buf, l->in, got);
                in_consume(l, got);
                if (l->canon_len > l->in_len)
                        l->canon_len = l->in_len;
                return got;
        }
        /* One line at most; its EOF character is taken but not read. */
        while (used < l->canon_len) {
                uint8_t flags = l->in_flags[used];

                if (flags & IN_EOF) {
                        used++;
                        break;
                }
                if (got == n)
                        break;
                buf[got++] = l->in[used++];
                if (flags & IN_EOL)
                        break;
        }
        in_consume(l, used);
        return got;
}

size_t ldisc_inq(const struct ldisc *l)
{
        size_t n = 0;

        if (!(l->t.c_lflag & ICANON))
                return l->in_len;
        for (size_t i = 0; i < l->canon_len; i++)
                n += !(l->in_flags[i] & IN_EOF);
        return n;
}

/* ---- the master's side -------------------------------------------------- */

size_t ldisc_out_avail(const struct ldisc *l)
{
        return l->stopped ? 0 : l->out_len;
}

void ldisc_out_inject(struct ldisc *l, uint8_t c)
{
        if (out_room(l) >= 1)
                out_put(l, c);
}

bool ldisc_out_room(const struct ldisc *l)
{
        return out_room(l) >= 8;        /* the widest character (an expanded tab) */
}

size_t ldisc_out_read(struct ldisc *l, uint8_t *buf, size_t n)
{
        size_t got = ldisc_out_avail(l);

        if (got > n)
                got = n;
        memcpy(buf, l->out, got);
        memmove(l->out, l->out + got, l->out_len - got);
        l->out_len -= got;
        return got;
}

void ldisc_flush_in(struct ldisc *l)
{
        flush_in(l);
        ldisc_packet_event(l, TIOCPKT_FLUSHREAD);
}

void ldisc_flush_out(struct ldisc *l)
{
        l->out_len = 0;
}

int ldisc_flow(struct ldisc *l, int action)
{
        switch (action) {
        case TCOOFF:
                set_stopped(l, true);
                return 0;
        case TCOON:
                set_stopped(l, false);
                return 0;
        case TCIOFF:
                if (l->t.c_cc[VSTOP] != _POSIX_VDISABLE)
                        echo_raw(l, l->t.c_cc[VSTOP]);
                return 0;
        case TCION:
                if (l->t.c_cc[VSTART] != _POSIX_VDISABLE)
                        echo_raw(l, l->t.c_cc[VSTART]);
                return 0;
        default:
                return -EINVAL;
        }
}
