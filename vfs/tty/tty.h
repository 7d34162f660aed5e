/*
 * Terminals: pseudo-terminal pairs (Linux's drivers/tty/pty.c and the
 * generic half of tty_io.c/tty_ioctl.c). A struct tty is one pair: the
 * master side is /dev/ptmx's file, the slave side is /dev/pts/N, the
 * terminal a session can own. Input written to the master goes through the
 * line discipline (ldisc.h) to the slave's readers; the slave's output is
 * processed into the queue the master reads.
 *
 * What needs processes lives above (syscalls/sys_tty.c, sentry/kernel): the
 * session and the foreground group are numbers here, and signals for them
 * leave through the tty_ctl_ops the session's owner attached. Job control
 * checks (SIGTTIN, SIGTTOU) are the caller's, before it reads or writes.
 *
 * Lock order: tty->lock is taken under kernel->lock (attaching a session),
 * never the other way; it is a leaf otherwise. Signals and wait queue
 * notifications happen after it is dropped.
 */
#ifndef CONTERNEL_VFS_TTY_TTY_H
#define CONTERNEL_VFS_TTY_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vfs/file.h"

struct tty;

/* iov_iter flag for a slave read: VTIME ran out, take what there is. */
#define IOV_TTY_TIMEDOUT 0x100u

/* How a terminal reaches its session's processes. */
struct tty_ctl_ops {
        /* Send signo to every live process of group pgrp. Called with no tty
         * lock held. */
        void (*kill_pgrp)(void *ctx, int pgrp, int signo);
        /* The master went away: hang the session up (its leader gets
         * SIGHUP and SIGCONT, and nobody in it keeps tty as its controlling
         * terminal: Linux's tty_signal_session_leader()). */
        void (*hangup_session)(void *ctx, int sid, struct tty *tty);
};

struct tty *tty_ref(struct tty *tty);
struct tty *tty_unref(struct tty *tty);          /* accepts NULL, returns NULL */

/* The terminal a file is on (borrowed, valid while f is), or NULL; whether f
 * is the master side. */
struct tty *file_tty(struct file *f, bool *ret_master);
/* Its number under /dev/pts. */
int tty_index(const struct tty *tty);

/* ---- sessions and job control (the caller decides who may) ----------- */

/* The session owning the terminal and its foreground group (0: none). */
void tty_get_session(struct tty *tty, int *ret_sid, int *ret_pgrp);
/* Make tty the terminal of session sid with foreground group pgrp; signals
 * go through ops with ctx. -EPERM if another session holds it and !steal. */
int tty_attach_session(struct tty *tty, int sid, int pgrp, const struct tty_ctl_ops *ops,
                       void *ctx, bool steal);
/* The session lets go (Linux's disassociate_ctty()), if sid still owns
 * it: its foreground group gets SIGHUP, and SIGCONT too unless the leader
 * is exiting (a pty's rule; TIOCNOTTY by the leader sends both). */
void tty_detach_session(struct tty *tty, int sid, bool on_exit);
/* TIOCSPGRP: -EPERM unless sid owns the terminal (the caller checked pgrp
 * is a group of that session). */
int tty_set_pgrp(struct tty *tty, int sid, int pgrp);
/* Whether the master side is gone (the slave is hung up). */
bool tty_hung_up(struct tty *tty);
/* Whether TOSTOP is set (a background write gets SIGTTOU). */
bool tty_tostop(struct tty *tty);

/* A slave read's wait: with VTIME in effect (raw mode, VTIME > 0, and for
 * VMIN > 0 once a byte came), the relative time to wait before reading what
 * there is (IOV_TTY_TIMEDOUT); false: wait without a limit. */
bool tty_read_timeout(struct tty *tty, struct timespec *ret_rel);

/* /dev/tty (session.c): the sentry registers, once at start, how to find
 * the calling task's controlling terminal (a new reference, or NULL). */
void tty_set_current_ctty_fn(struct tty *(*fn)(void));
/* Open the caller's controlling terminal: -ENXIO without one, -EIO once
 * hung up. */
int tty_open_current(unsigned flags, struct file **ret);

/* ---- ioctls (ioctl.c) ---------------------------------------------------- */

/* termios2's ioctls (Linux's struct termios2, 44 bytes, which <termios.h>
 * does not define: the number is built from its size). */
#define TTY_TERMIOS2_SIZE 44
#define TTY_IOC_T(dir, nr) (((unsigned)(dir) << 30) | (TTY_TERMIOS2_SIZE << 16) | ('T' << 8) | (nr))
#define TTY_TCGETS2 TTY_IOC_T(2u, 0x2A)         /* _IOR */
#define TTY_TCSETS2 TTY_IOC_T(1u, 0x2B)         /* _IOW */
#define TTY_TCSETSW2 TTY_IOC_T(1u, 0x2C)
#define TTY_TCSETSF2 TTY_IOC_T(1u, 0x2D)

/* TIOCSTI: ch as if typed on tty's side (the slave: its input, read by
 * the slave; the master: the master's input, the slave's output). The
 * caller checked who may. */
void tty_simulate_input(struct tty *tty, bool master, uint8_t ch);

/* The buffer a terminal ioctl moves through vfs_ioctl() and which way:
 * SIZE_MAX for none of them; 0 for those whose argument is the value
 * itself (TCFLSH, TCXONC: passed as the arg pointer). */
size_t tty_ioctl_arg_size(unsigned cmd, bool *ret_in, bool *ret_out);

/* ---- pairs (pty.c) ------------------------------------------------------ */

struct devpts;

/* /dev/ptmx: a new pair on pts and its master file (the caller sets the
 * path). -ENOSPC when every index is taken. */
int pty_open_master(struct devpts *pts, unsigned flags, struct file **ret);
/* /dev/pts/N: -EIO while locked (TIOCSPTLCK) or once the master is gone. */
int pty_open_slave(struct tty *tty, unsigned flags, struct file **ret);
/* TIOCGPTPEER: the slave of the master f, with its /dev/pts path. -EIO if
 * locked, -EINVAL if f is no master. */
int pty_open_peer(struct file *master, unsigned flags, struct file **ret);

/* The devpts instance's part (fs/devpts): number a new pair and show it
 * under /dev/pts, and take it away again. */
int devpts_new_index(struct devpts *pts, int *ret);
int devpts_add_node(struct devpts *pts, int index, struct tty *tty, struct dentry **ret_d);
void devpts_remove_node(struct devpts *pts, struct dentry *d);
void devpts_free_index(struct devpts *pts, int index);
struct super_block *devpts_sb(struct devpts *pts);

#endif
