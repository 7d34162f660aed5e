/*
 * Controlling terminals (Linux's tty_jobctrl.c, the process half): which
 * terminal a process has (tg->ctty, a reference, under kernel->lock), the
 * terminal ioctls that name processes, and the background checks that turn
 * a read or write into SIGTTIN or SIGTTOU.
 *
 * Lock order: kernel->lock → tty->lock (the terminal's own, vfs/tty/tty.h).
 */
#ifndef CONTERNEL_SENTRY_KERNEL_CTTY_H
#define CONTERNEL_SENTRY_KERNEL_CTTY_H

#include <stdbool.h>

struct kernel;
struct task;
struct thread_group;
struct tty;

/* How terminals reach this kernel's processes (tty_attach_session()). */
extern const struct tty_ctl_ops ctty_ops;

/* TIOCSCTTY: the caller (a session leader without one) takes tty; steal
 * (arg 1, with CAP_SYS_ADMIN) takes it from another session. readable: the
 * fd is open for reading (else -EPERM without CAP_SYS_ADMIN). */
int ctty_set(struct task *t, struct tty *tty, bool readable, long arg);
/* TIOCNOTTY: -ENOTTY unless tty is the caller's; a session leader lets
 * the whole session go (SIGHUP, SIGCONT to the foreground group). */
int ctty_notty(struct task *t, struct tty *tty);
/* TIOCGPGRP, TIOCGSID: on the slave only for its session's members
 * (-ENOTTY); the master may always ask. TIOCGSID: -ENOTTY without one. */
int ctty_get_pgrp(struct task *t, struct tty *tty, bool master, int *ret);
int ctty_get_sid(struct task *t, struct tty *tty, bool master, int *ret);
/* TIOCSPGRP: -ENOTTY unless tty is the caller's terminal, -EINVAL (< 0),
 * -ESRCH (no such group), -EPERM (a group of another session). */
int ctty_set_pgrp(struct task *t, struct tty *tty, int pgrp);
/* Linux's __tty_check_change(): a member of a background group touching
 * its controlling terminal gets signo (SIGTTIN, SIGTTOU) and the call
 * restarts (-ERESTARTSYS); -EIO when the group is orphaned, or for SIGTTIN
 * when ignored or blocked; 0 when it may go on. */
int ctty_check_change(struct task *t, struct tty *tty, int signo);

/* The caller's controlling terminal (a new reference) or NULL: /dev/tty. */
struct tty *ctty_get(struct task *t);
/* The runtime's `do -t`: init (a session leader) gets tty. */
int ctty_attach_init(struct kernel *k, struct thread_group *init, struct tty *tty);

/* The process tree's hooks. kernel->lock held for the _locked ones. */
void ctty_fork_locked(struct thread_group *child, struct thread_group *parent);
/* setsid: the old terminal stays behind; returns it to tty_unref() after
 * the lock is dropped. */
struct tty *ctty_clear_locked(struct thread_group *tg);
/* A session leader's group ended: its session loses its terminal and the
 * foreground group gets SIGHUP (Linux's disassociate_ctty(1)). */
void ctty_leader_exit(struct kernel *k, struct thread_group *tg);
/* The device number of tg's terminal for /proc/PID/stat (0: none). */
int ctty_dev_locked(const struct thread_group *tg);

#endif
