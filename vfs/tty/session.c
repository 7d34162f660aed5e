/* A terminal's session and foreground process group (Linux's tty_jobctrl.c,
 * the part that is the terminal's; the process side is the caller's). */
#include <errno.h>
#include <signal.h>
#include <termios.h>

#include "vfs/tty/internal.h"

void tty_get_session(struct tty *tty, int *ret_sid, int *ret_pgrp)
{
        pthread_mutex_lock(&tty->lock);
        *ret_sid = tty->sid;
        *ret_pgrp = tty->pgrp;
        pthread_mutex_unlock(&tty->lock);
}

int tty_attach_session(struct tty *tty, int sid, int pgrp, const struct tty_ctl_ops *ops,
                       void *ctx, bool steal)
{
        int r = 0;

        pthread_mutex_lock(&tty->lock);
        if (tty->hung_up)
                r = -EIO;
        else if (tty->sid && tty->sid != sid && !steal)
                r = -EPERM;
        if (r == 0) {
                tty->sid = sid;
                tty->pgrp = pgrp;
                tty->ctl = ops;
                tty->ctl_ctx = ctx;
        }
        pthread_mutex_unlock(&tty->lock);
        return r;
}

void tty_detach_session(struct tty *tty, int sid, bool on_exit)
{
        const struct tty_ctl_ops *ctl = NULL;
        void *ctx = NULL;
        int pgrp = 0;

        pthread_mutex_lock(&tty->lock);
        if (tty->sid == sid) {
                pgrp = tty->pgrp;
                ctl = tty->ctl;
                ctx = tty->ctl_ctx;
                tty->sid = tty->pgrp = 0;
                tty->ctl = NULL;
                tty->ctl_ctx = NULL;
        }
        pthread_mutex_unlock(&tty->lock);
        tty_signal_pgrp(pgrp, ctl, ctx, LDISC_SIG(SIGHUP) | (on_exit ? 0 : LDISC_SIG(SIGCONT)));
}

int tty_set_pgrp(struct tty *tty, int sid, int pgrp)
{
        int r = 0;

        pthread_mutex_lock(&tty->lock);
        if (tty->sid != sid || sid == 0)
                r = -ENOTTY;
        else
                tty->pgrp = pgrp;
        pthread_mutex_unlock(&tty->lock);
        return r;
}

bool tty_hung_up(struct tty *tty)
{
        bool r;

        pthread_mutex_lock(&tty->lock);
        r = tty->hung_up;
        pthread_mutex_unlock(&tty->lock);
        return r;
}

bool tty_tostop(struct tty *tty)
{
        bool r;

        pthread_mutex_lock(&tty->lock);
        r = tty->ld.t.c_lflag & TOSTOP;
        pthread_mutex_unlock(&tty->lock);
        return r;
}

bool tty_read_timeout(struct tty *tty, struct timespec *ret_rel)
{
        bool r = false;
        unsigned vtime;

        pthread_mutex_lock(&tty->lock);
        vtime = tty->ld.t.c_cc[VTIME];
        if (!(tty->ld.t.c_lflag & ICANON) && vtime > 0 && !tty->hung_up &&
            (tty->ld.t.c_cc[VMIN] == 0 || tty->ld.in_len > 0)) {
                ret_rel->tv_sec = vtime / 10;
                ret_rel->tv_nsec = (long)(vtime % 10) * 100000000L;
                r = true;
        }
        pthread_mutex_unlock(&tty->lock);
        return r;
}

static struct tty *(*current_ctty)(void);      /* set once at start-up */

void tty_set_current_ctty_fn(struct tty *(*fn)(void))
{
        current_ctty = fn;
}

int tty_open_current(unsigned flags, struct file **ret)
{
        struct tty *tty = current_ctty ? current_ctty() : NULL;
        int r;

        if (!tty)
                return -ENXIO;
        r = pty_open_slave(tty, flags, ret);
        tty_unref(tty);
        return r;
}
