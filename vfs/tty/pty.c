/*
 * Pseudo-terminal pairs, after Linux's pty.c with n_tty over it: the
 * master's writes are the keyboard, its reads the screen.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "lib/macro.h"
#include "vfs/tty/internal.h"

#define PTY_CHUNK 4096

struct pty_file {
        struct file base;
        struct tty *tty;                /* a reference */
};

static const struct file_ops pty_master_ops, pty_slave_ops;

static struct tty *to_tty(struct file *f)
{
        return container_of(f, struct pty_file, base)->tty;
}

struct tty *file_tty(struct file *f, bool *ret_master)
{
        if (f->ops != &pty_master_ops && f->ops != &pty_slave_ops)
                return NULL;
        if (ret_master)
                *ret_master = f->ops == &pty_master_ops;
        return to_tty(f);
}

int tty_index(const struct tty *tty)
{
        return tty->index;
}

struct tty *tty_ref(struct tty *tty)
{
        atomic_fetch_add(&tty->refcount, 1);
        return tty;
}

struct tty *tty_unref(struct tty *tty)
{
        if (!tty || atomic_fetch_sub_explicit(&tty->refcount, 1, memory_order_acq_rel) != 1)
                return NULL;
        devpts_free_index(tty->pts, tty->index);
        waitqueue_destroy(&tty->master_wq);
        waitqueue_destroy(&tty->slave_wq);
        pthread_mutex_destroy(&tty->lock);
        sb_unref(tty->sb);
        free(tty);
        return NULL;
}

void tty_wake(struct tty *tty)
{
        const unsigned all = EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM | EPOLLHUP |
                             EPOLLERR;

        waitqueue_notify(&tty->master_wq, all);
        waitqueue_notify(&tty->slave_wq, all);
}

void tty_signal_pgrp(int pgrp, const struct tty_ctl_ops *ctl, void *ctx, unsigned signals)
{
        if (pgrp <= 0 || !ctl)
                return;
        for (int signo = 1; signo < 32; signo++)
                if (signals & LDISC_SIG(signo))
                        ctl->kill_pgrp(ctx, pgrp, signo);
}

static int pty_file_new(struct tty *tty, bool master, unsigned flags, struct file **ret)
{
        struct pty_file *pf = calloc(1, sizeof(*pf));

        if (!pf)
                return -ENOMEM;
        file_init(&pf->base, master ? &pty_master_ops : &pty_slave_ops, flags, true);
        pf->base.wq = master ? &tty->master_wq : &tty->slave_wq;
        pf->tty = tty_ref(tty);
        *ret = &pf->base;
        return 0;
}

/* ---- the master: keyboard in, screen out --------------------------------- */

/* In packet mode a read is one packet (Linux's n_tty_read() on the
 * master): the status byte alone when there is news, else TIOCPKT_DATA
 * and the data. */
static size_t master_read_packet(struct tty *tty, uint8_t *buf, size_t n)
{
        if (tty->ld.pktstatus) {
                buf[0] = tty->ld.pktstatus;
                tty->ld.pktstatus = 0;
                return 1;
        }
        if (!ldisc_out_avail(&tty->ld))
                return 0;
        buf[0] = TIOCPKT_DATA;
        return 1 + ldisc_out_read(&tty->ld, buf + 1, n - 1);
}

static ssize_t master_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct tty *tty = to_tty(f);
        uint8_t buf[PTY_CHUNK];
        struct iov_cursor c;
        size_t n;

        (void)pos;
        pthread_mutex_lock(&tty->lock);
        if (tty->ld.packet && dst->count > 0)
                n = master_read_packet(tty, buf, MIN(dst->count, sizeof(buf)));
        else
                n = ldisc_out_read(&tty->ld, buf, MIN(dst->count, sizeof(buf)));
        if (n == 0 && dst->count > 0) {
                bool eio = tty->slave_closed;

                pthread_mutex_unlock(&tty->lock);
                return eio ? -EIO : -EAGAIN;
        }
        pthread_mutex_unlock(&tty->lock);
        iov_cursor_init(&c, dst);
        iov_cursor_copy_to(&c, buf, n);
        tty_wake(tty);                  /* room for the slave's writers */
        return (ssize_t)n;
}

static ssize_t master_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        struct tty *tty = to_tty(f);
        uint8_t buf[PTY_CHUNK];
        const struct tty_ctl_ops *ctl;
        struct iov_cursor c;
        unsigned signals;
        size_t n, took;
        void *ctx;
        int pgrp;

        (void)pos;
        iov_cursor_init(&c, src);
        n = iov_cursor_copy_from(&c, buf, MIN(src->count, sizeof(buf)));
        if (n == 0)
                return 0;
        pthread_mutex_lock(&tty->lock);
        took = ldisc_receive(&tty->ld, buf, n, &signals);
        pgrp = tty->pgrp;
        ctl = tty->ctl;
        ctx = tty->ctl_ctx;
        pthread_mutex_unlock(&tty->lock);
        tty_signal_pgrp(pgrp, ctl, ctx, signals);
        if (took == 0)
                return -EAGAIN;
        tty_wake(tty);
        return (ssize_t)took;
}

static unsigned master_poll(struct file *f)
{
        struct tty *tty = to_tty(f);
        unsigned r = 0;

        pthread_mutex_lock(&tty->lock);
        if (ldisc_out_avail(&tty->ld))
                r |= EPOLLIN | EPOLLRDNORM;
        if (tty->ld.packet && tty->ld.pktstatus)
                r |= EPOLLPRI | EPOLLIN | EPOLLRDNORM;
        if (ldisc_receive_room(&tty->ld))
                r |= EPOLLOUT | EPOLLWRNORM;
        if (tty->slave_closed)
                r |= EPOLLHUP;
        pthread_mutex_unlock(&tty->lock);
        return r;
}

static void master_release(struct file *f)
{
        struct pty_file *pf = container_of(f, struct pty_file, base);
        struct tty *tty = pf->tty;
        const struct tty_ctl_ops *ctl = NULL;
        struct dentry *node = NULL;
        void *ctx = NULL;
        int sid = 0;

        pthread_mutex_lock(&tty->lock);
        if (--tty->masters == 0) {
                tty->hung_up = true;
                node = tty->node;
                tty->node = NULL;
                if (tty->sid && tty->ctl) {
                        sid = tty->sid;
                        ctl = tty->ctl;
                        ctx = tty->ctl_ctx;
                }
                tty->sid = tty->pgrp = 0;
                tty->ctl = NULL;
                tty->ctl_ctx = NULL;
        }
        pthread_mutex_unlock(&tty->lock);
        if (node)
                devpts_remove_node(tty->pts, node);
        if (ctl)
                ctl->hangup_session(ctx, sid, tty);
        tty_wake(tty);
        tty_unref(tty);
        free(pf);
}

void tty_simulate_input(struct tty *tty, bool master, uint8_t ch)
{
        const struct tty_ctl_ops *ctl;
        unsigned signals = 0;
        void *ctx;
        int pgrp;

        pthread_mutex_lock(&tty->lock);
        if (master)
                ldisc_out_inject(&tty->ld, ch);
        else
                ldisc_receive(&tty->ld, &ch, 1, &signals);
        pgrp = tty->pgrp;
        ctl = tty->ctl;
        ctx = tty->ctl_ctx;
        pthread_mutex_unlock(&tty->lock);
        tty_signal_pgrp(pgrp, ctl, ctx, signals);
        tty_wake(tty);
}

/* ---- the slave: the terminal ---------------------------------------------- */

static ssize_t slave_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct tty *tty = to_tty(f);
        uint8_t buf[PTY_CHUNK];
        struct iov_cursor c;
        size_t n = 0;

        (void)pos;
        pthread_mutex_lock(&tty->lock);
        if (tty->hung_up) {
                pthread_mutex_unlock(&tty->lock);
                return 0;
        }
        /* Non-blocking, any byte will do (Linux's n_tty_read() returns what
         * it copied rather than EAGAIN). */
        if (!ldisc_readable(&tty->ld, dst->count,
                            (dst->flags & IOV_TTY_TIMEDOUT) ||
                            ((f->flags & O_NONBLOCK) && tty->ld.in_len > 0 &&
                             !(tty->ld.t.c_lflag & ICANON)))) {
                pthread_mutex_unlock(&tty->lock);
                return -EAGAIN;
        }
        n = ldisc_read(&tty->ld, buf, MIN(dst->count, sizeof(buf)));
        pthread_mutex_unlock(&tty->lock);
        iov_cursor_init(&c, dst);
        iov_cursor_copy_to(&c, buf, n);
        tty_wake(tty);
        return (ssize_t)n;
}

static ssize_t slave_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        struct tty *tty = to_tty(f);
        uint8_t buf[PTY_CHUNK];
        struct iov_cursor c;
        size_t n, took;

        (void)pos;
        iov_cursor_init(&c, src);
        n = iov_cursor_copy_from(&c, buf, MIN(src->count, sizeof(buf)));
        pthread_mutex_lock(&tty->lock);
        if (tty->hung_up) {
                pthread_mutex_unlock(&tty->lock);
                return -EIO;
        }
        took = ldisc_write(&tty->ld, buf, n);
        pthread_mutex_unlock(&tty->lock);
        if (n > 0 && took == 0)
                return -EAGAIN;
        tty_wake(tty);
        return (ssize_t)took;
}

static unsigned slave_poll(struct file *f)
{
        struct tty *tty = to_tty(f);
        unsigned r = 0;

        pthread_mutex_lock(&tty->lock);
        if (tty->hung_up) {
                r = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDNORM | EPOLLWRNORM;
        } else {
                if (ldisc_input_available(&tty->ld))
                        r |= EPOLLIN | EPOLLRDNORM;
                if (ldisc_out_room(&tty->ld))
                        r |= EPOLLOUT | EPOLLWRNORM;
        }
        pthread_mutex_unlock(&tty->lock);
        return r;
}

static void slave_release(struct file *f)
{
        struct pty_file *pf = container_of(f, struct pty_file, base);
        struct tty *tty = pf->tty;

        pthread_mutex_lock(&tty->lock);
        if (--tty->slaves == 0)
                tty->slave_closed = true;
        pthread_mutex_unlock(&tty->lock);
        tty_wake(tty);
        tty_unref(tty);
        free(pf);
}

static int pty_stat(struct file *f, struct stat *ret)
{
        struct inode *inode = file_inode(f);

        if (inode)
                return vfs_getattr(inode, ret);
        return vfs_anon_stat(f, ret);
}

static const struct file_ops pty_master_ops = {
        .read = master_read,
        .write = master_write,
        .stat = pty_stat,
        .ioctl = pty_ioctl,
        .poll = master_poll,
        .release = master_release,
};

static const struct file_ops pty_slave_ops = {
        .read = slave_read,
        .write = slave_write,
        .stat = pty_stat,
        .ioctl = pty_ioctl,
        .poll = slave_poll,
        .release = slave_release,
};

/* ---- opening -------------------------------------------------------------- */

int pty_open_master(struct devpts *pts, unsigned flags, struct file **ret)
{
        struct tty *tty;
        struct file *f;
        int index, r;

        r = devpts_new_index(pts, &index);
        if (r < 0)
                return r;
        tty = calloc(1, sizeof(*tty));
        if (!tty) {
                devpts_free_index(pts, index);
                return -ENOMEM;
        }
        atomic_init(&tty->refcount, 1);
        tty->index = index;
        tty->pts = pts;
        tty->sb = sb_ref(devpts_sb(pts));
        pthread_mutex_init(&tty->lock, NULL);
        ldisc_init(&tty->ld);
        tty->locked = true;             /* until unlockpt() */
        waitqueue_init(&tty->master_wq);
        waitqueue_init(&tty->slave_wq);
        r = pty_file_new(tty, true, flags, &f);
        if (r == 0) {
                tty->masters = 1;
                r = devpts_add_node(pts, index, tty, &tty->node);
                if (r < 0) {
                        tty->masters = 0;
                        file_unref(f);
                }
        }
        tty_unref(tty);
        if (r < 0)
                return r;
        *ret = f;
        return 0;
}

int pty_open_slave(struct tty *tty, unsigned flags, struct file **ret)
{
        int r = 0;

        pthread_mutex_lock(&tty->lock);
        if (tty->locked || tty->hung_up)
                r = -EIO;
        else
                r = pty_file_new(tty, false, flags, ret);
        if (r == 0) {
                tty->slaves++;
                tty->slave_closed = false;
        }
        pthread_mutex_unlock(&tty->lock);
        return r;
}

int pty_open_peer(struct file *master, unsigned flags, struct file **ret)
{
        bool is_master;
        struct tty *tty = file_tty(master, &is_master);
        struct dentry *node;
        struct file *f;
        int r;

        if (!tty || !is_master)
                return -EINVAL;
        r = pty_open_slave(tty, flags, &f);
        if (r < 0)
                return r;
        pthread_mutex_lock(&tty->lock);
        node = tty->node ? dentry_ref(tty->node) : NULL;
        pthread_mutex_unlock(&tty->lock);
        if (node && master->path.mnt)
                f->path = (struct path){ mount_ref(master->path.mnt), node };
        else
                dentry_unref(node);
        *ret = f;
        return 0;
}
