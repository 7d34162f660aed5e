/*
 * Terminals from the system calls' side: ioctl(2) on a pty's files (the
 * job control ones here, the rest through vfs/tty's ioctl op with the
 * argument copied in and out), and the background checks and VTIME wait a
 * read or write on a terminal needs (sys_file.c's do_rw()).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

#include "sentry/kernel/creds.h"
#include "sentry/kernel/ctty.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "vfs/tty/tty.h"

bool tty_rw_is_slave(struct file *f)
{
        bool master;

        return file_tty(f, &master) && !master;
}

int tty_rw_check(struct task *t, struct file *f, bool write)
{
        struct tty *tty = file_tty(f, NULL);

        if (!write)
                return ctty_check_change(t, tty, SIGTTIN);
        if (tty_tostop(tty))
                return ctty_check_change(t, tty, SIGTTOU);
        return 0;
}

bool tty_read_deadline(struct file *f, struct timespec *ret)
{
        struct timespec rel;

        if (!tty_read_timeout(file_tty(f, NULL), &rel))
                return false;
        clock_gettime(CLOCK_MONOTONIC, ret);
        ret->tv_sec += rel.tv_sec;
        ret->tv_nsec += rel.tv_nsec;
        if (ret->tv_nsec >= 1000000000L) {
                ret->tv_sec++;
                ret->tv_nsec -= 1000000000L;
        }
        return true;
}

static long put_int(struct task *t, guest_ptr_t p, int v)
{
        return mm_copy_out(t->mm, p, &v, sizeof(v));
}

static long get_int(struct task *t, guest_ptr_t p, int *v)
{
        return mm_copy_in(t->mm, v, p, sizeof(*v));
}

/* TIOCGPTPEER: the slave, at the lowest free fd. */
static long open_peer(struct task *t, struct file *f, unsigned long flags)
{
        struct file *peer;
        long r;

        r = pty_open_peer(f, (unsigned)flags & (O_ACCMODE | O_NONBLOCK), &peer);
        if (r < 0)
                return r;
        r = fdtable_install(t->fdt, peer, 0, flags & O_CLOEXEC, task_nofile_limit(t));
        file_unref(peer);
        return r;
}

/* FIONBIO, which every file takes (Linux's ioctl_fionbio()). */
static long set_nonblock(struct task *t, struct file *f, guest_ptr_t p)
{
        int on;
        long r = get_int(t, p, &on);

        if (r < 0)
                return r;
        pthread_mutex_lock(&f->pos_lock);
        if (on)
                f->flags |= O_NONBLOCK;
        else
                f->flags &= ~(unsigned)O_NONBLOCK;
        pthread_mutex_unlock(&f->pos_lock);
        return 0;
}

/* The calls a background process may not make on its terminal without
 * SIGTTOU (Linux's tty_check_change() callers). */
static bool changes_terminal(unsigned cmd)
{
        return cmd == TCSETS || cmd == TCSETSW || cmd == TCSETSF || cmd == TTY_TCSETS2 ||
               cmd == TTY_TCSETSW2 || cmd == TTY_TCSETSF2 || cmd == TCFLSH || cmd == TCXONC;
}

/* TIOCSTI (Linux's tiocsti()): anyone on their controlling terminal,
 * CAP_SYS_ADMIN elsewhere (a master is never one's terminal). Linux's
 * dev.tty.legacy_tiocsti is taken as 1, its default and this host's: at 0
 * it would be -EIO without CAP_SYS_ADMIN. */
static long simulate_input(struct task *t, struct tty *tty, bool master, guest_ptr_t arg)
{
        struct tty *ctty = master ? NULL : ctty_get(t);
        bool own = ctty == tty;
        uint8_t ch;
        long r;

        tty_unref(ctty);
        if (!own && !task_has_cap(t, CAP_SYS_ADMIN))
                return -EPERM;
        r = mm_copy_in(t->mm, &ch, arg, 1);
        if (r < 0)
                return r;
        tty_simulate_input(tty, master, ch);
        return 0;
}

long sys_tty_ioctl(struct task *t, struct file *f, unsigned cmd, guest_ptr_t arg)
{
        bool master, in, out;
        struct tty *tty = file_tty(f, &master);
        unsigned char buf[64];
        size_t size;
        int v = 0;
        long r;

        /* A hung-up slave answers every ioctl but FIONBIO so (Linux's
         * hung_up_tty_ioctl()). */
        if (!master && cmd != FIONBIO && tty_hung_up(tty))
                return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
        switch (cmd) {
        case TIOCSCTTY:
                return ctty_set(t, tty, file_readable(f), (long)arg);
        case TIOCNOTTY:
                return master ? -ENOTTY : ctty_notty(t, tty);
        case TIOCGPGRP:
                r = ctty_get_pgrp(t, tty, master, &v);
                return r < 0 ? r : put_int(t, arg, v);
        case TIOCGSID:
                r = ctty_get_sid(t, tty, master, &v);
                return r < 0 ? r : put_int(t, arg, v);
        case TIOCSPGRP:
                r = get_int(t, arg, &v);
                return r < 0 ? r : ctty_set_pgrp(t, tty, v);
        case TIOCGPTPEER:
                return master ? open_peer(t, f, arg) : -EIO;     /* Linux: not the ptm driver */
        case FIONBIO:
                return set_nonblock(t, f, arg);
        case TIOCSTI:
                return simulate_input(t, tty, master, arg);
        default:
                break;
        }
        size = tty_ioctl_arg_size(cmd, &in, &out);
        if (size == SIZE_MAX)
                return -ENOTTY;
        if (!master && changes_terminal(cmd)) {
                r = ctty_check_change(t, tty, SIGTTOU);
                if (r < 0)
                        return r;
        }
        if (size == 0)
                return vfs_ioctl(f, cmd, (void *)(uintptr_t)arg);
        if (in) {
                r = mm_copy_in(t->mm, buf, arg, size);
                if (r < 0)
                        return r;
        }
        r = vfs_ioctl(f, cmd, buf);
        if (r == 0 && out)
                r = mm_copy_out(t->mm, arg, buf, size);
        return r;
}
