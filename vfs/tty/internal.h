/* vfs/tty inside: the pair every file of a pty points at. */
#ifndef CONTERNEL_VFS_TTY_INTERNAL_H
#define CONTERNEL_VFS_TTY_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/ioctl.h>

#include "lib/waitqueue.h"
#include "vfs/tty/ldisc.h"
#include "vfs/tty/tty.h"

_Static_assert(sizeof(struct ktermios) == 44, "struct termios2 is 44 bytes");

struct tty {
        atomic_int refcount;
        int index;                      /* immutable: /dev/pts/N */
        struct devpts *pts;             /* immutable; sb kept by the reference below */
        struct super_block *sb;         /* a reference: devpts lives while its pairs do */

        pthread_mutex_t lock;
        /* protected by lock: */
        struct ldisc ld;
        struct winsize ws;
        bool locked;                    /* TIOCSPTLCK: the slave can't be opened */
        int masters, slaves;            /* open files on each side */
        bool slave_closed;              /* the last slave file went (Linux's TTY_OTHER_CLOSED) */
        bool hung_up;                   /* the master went: slave reads 0, the rest EIO */
        struct dentry *node;            /* /dev/pts/N while the master lives (pinned by devpts) */
        int sid, pgrp;                  /* the owning session and its foreground group, 0: none */
        const struct tty_ctl_ops *ctl;  /* with ctl_ctx: set with sid */
        void *ctl_ctx;

        struct waitqueue master_wq, slave_wq;
};

/* Notify both sides' queues (after a change, without tty->lock). */
void tty_wake(struct tty *tty);
/* Signal the foreground group (signals: LDISC_SIG() bits) outside the lock;
 * pgrp, ctl and ctx were read under it. */
void tty_signal_pgrp(int pgrp, const struct tty_ctl_ops *ctl, void *ctx, unsigned signals);

/* termios.c: TCSETS (size KTERMIOS_V1_SIZE: no speeds) or TCSETS2 (size
 * sizeof(struct ktermios)) with the new settings at arg; tty->lock held. */
void tty_set_termios_locked(struct tty *tty, const void *arg, size_t size);

/* ioctl.c: the terminal ioctls on either side. */
int pty_ioctl(struct file *f, unsigned cmd, void *arg);

#endif
