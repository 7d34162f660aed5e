/*
 * The terminal ioctls on a pty's files (Linux's tty_ioctl.c and
 * pty_unix98_ioctl), but those that need processes (TIOCSCTTY, TIOCNOTTY,
 * TIOCSPGRP, TIOCGPGRP, TIOCGSID, TIOCGPTPEER: syscalls/sys_tty.c). Both
 * sides act on the one terminal, as Linux's tty_pair_get_tty() has the
 * master's termios calls reach the slave.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>

#include "vfs/tty/internal.h"

size_t tty_ioctl_arg_size(unsigned cmd, bool *ret_in, bool *ret_out)
{
        *ret_in = *ret_out = false;
        switch (cmd) {
        case TCGETS:
                *ret_out = true;
                return KTERMIOS_V1_SIZE;
        case TCSETS:
        case TCSETSW:
        case TCSETSF:
                *ret_in = true;
                return KTERMIOS_V1_SIZE;
        case TTY_TCGETS2:
                *ret_out = true;
                return sizeof(struct ktermios);
        case TTY_TCSETS2:
        case TTY_TCSETSW2:
        case TTY_TCSETSF2:
                *ret_in = true;
                return sizeof(struct ktermios);
        case TIOCGWINSZ:
                *ret_out = true;
                return sizeof(struct winsize);
        case TIOCSWINSZ:
                *ret_in = true;
                return sizeof(struct winsize);
        case FIONREAD:
        case TIOCOUTQ:
        case TIOCGPTN:
        case TIOCGPTLCK:
        case TIOCGPKT:
                *ret_out = true;
                return sizeof(int);
        case TIOCSPTLCK:
        case TIOCPKT:
                *ret_in = true;
                return sizeof(int);
        case TCFLSH:
        case TCXONC:
        case TCSBRK:
        case TCSBRKP:
        case TIOCSBRK:
        case TIOCCBRK:
                return 0;               /* the argument is the value itself */
        default:
                return SIZE_MAX;        /* not a terminal ioctl here */
        }
}

/* TCFLSH: each side's input is its own queue (the slave's: the line
 * discipline's; the master's: the slave's output); a pty's output waits in
 * the other side's input, so flushing it drops nothing (pty_flush_buffer
 * only wakes writers, and tells a packet-mode master of the slave's). */
static int flush(struct tty *tty, bool master, long how)
{
        if (how != TCIFLUSH && how != TCOFLUSH && how != TCIOFLUSH)
                return -EINVAL;
        if (how != TCOFLUSH) {
                if (master)
                        ldisc_flush_out(&tty->ld);
                else
                        ldisc_flush_in(&tty->ld);
        }
        if (how != TCIFLUSH && !master)
                ldisc_packet_event(&tty->ld, TIOCPKT_FLUSHWRITE);
        return 0;
}

/* Under tty->lock. *ret_winch: the size changed (SIGWINCH for the
 * foreground group). */
static int ioctl_locked(struct tty *tty, bool master, unsigned cmd, void *arg, bool *ret_winch)
{
        long val = (long)(uintptr_t)arg;

        if (tty->hung_up && !master)
                return -EIO;
        switch (cmd) {
        case TCGETS:
                memcpy(arg, &tty->ld.t, KTERMIOS_V1_SIZE);
                return 0;
        case TTY_TCGETS2:
                memcpy(arg, &tty->ld.t, sizeof(struct ktermios));
                return 0;
        case TCSETSF:
                ldisc_flush_in(&tty->ld);
                /* fall through */
        case TCSETS:
        case TCSETSW:
                tty_set_termios_locked(tty, arg, KTERMIOS_V1_SIZE);
                return 0;
        case TTY_TCSETSF2:
                ldisc_flush_in(&tty->ld);
                /* fall through */
        case TTY_TCSETS2:
        case TTY_TCSETSW2:
                tty_set_termios_locked(tty, arg, sizeof(struct ktermios));
                return 0;
        case TIOCGWINSZ:
                memcpy(arg, &tty->ws, sizeof(tty->ws));
                return 0;
        case TIOCSWINSZ: {
                struct winsize ws;

                memcpy(&ws, arg, sizeof(ws));
                *ret_winch = memcmp(&ws, &tty->ws, sizeof(ws)) != 0;
                tty->ws = ws;
                return 0;
        }
        case FIONREAD:
                *(int *)arg = (int)(master ? ldisc_out_avail(&tty->ld) : ldisc_inq(&tty->ld));
                return 0;
        case TIOCOUTQ:
                *(int *)arg = 0;        /* nothing waits in a pty's driver */
                return 0;
        case TIOCGPTN:
                if (!master)
                        return -ENOTTY;
                *(int *)arg = tty->index;
                return 0;
        case TIOCGPTLCK:
                if (!master)
                        return -ENOTTY;
                *(int *)arg = tty->locked;
                return 0;
        case TIOCSPTLCK:
                if (!master)
                        return -ENOTTY;
                tty->locked = *(int *)arg != 0;
                return 0;
        case TIOCPKT:
                /* Entering packet mode forgets older news (pty_set_pktmode). */
                if (!master)
                        return -ENOTTY;
                if (*(int *)arg && !tty->ld.packet)
                        tty->ld.pktstatus = 0;
                tty->ld.packet = *(int *)arg != 0;
                return 0;
        case TIOCGPKT:
                if (!master)
                        return -ENOTTY;
                *(int *)arg = tty->ld.packet;
                return 0;
        case TCFLSH:
                return flush(tty, master, val);
        case TCXONC:
                return ldisc_flow(&tty->ld, (int)val);
        case TCSBRK:
        case TCSBRKP:
        case TIOCSBRK:
        case TIOCCBRK:
                return 0;               /* a pty has no line to break */
        default:
                return -ENOTTY;
        }
}

int pty_ioctl(struct file *f, unsigned cmd, void *arg)
{
        bool master, winch = false;
        struct tty *tty = file_tty(f, &master);
        const struct tty_ctl_ops *ctl;
        void *ctx;
        int pgrp, r;

        pthread_mutex_lock(&tty->lock);
        r = ioctl_locked(tty, master, cmd, arg, &winch);
        pgrp = tty->pgrp;
        ctl = tty->ctl;
        ctx = tty->ctl_ctx;
        pthread_mutex_unlock(&tty->lock);
        if (r == 0 && winch)
                tty_signal_pgrp(pgrp, ctl, ctx, LDISC_SIG(SIGWINCH));
        if (r == 0)
                tty_wake(tty);          /* new modes may make a read possible */
        return r;
}
