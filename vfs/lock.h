/*
 * File locks, as Linux's fs/locks.c: flock(2) locks, owned by the open file
 * description (flock.c), and record locks (lock.c): POSIX locks
 * (F_SETLK/F_SETLKW/F_GETLK), owned by the fd table (Linux's
 * current->files: every thread sharing it, released when the owner closes
 * any fd of the file) and OFD locks (F_OFD_*), owned by the open file
 * description and released with its last reference. Both kinds of record
 * lock live in one list per inode and conflict with each other; flock
 * locks are a separate list.
 *
 * Nothing here sleeps: a call that conflicts returns -EAGAIN and the
 * syscall layer waits on the inode's lock queue (file_lock_waitqueue(),
 * notified with EPOLLIN whenever a lock goes or shrinks), then retries.
 *
 * Lock order: inode->lock → ctx->lock → the wait-for graph's lock (a leaf,
 * struct lock_wait_graph). Files without an inode (pipes, eventfds) cannot be locked:
 * -EINVAL (Linux locks their anonymous inode).
 */
#ifndef CONTERNEL_VFS_LOCK_H
#define CONTERNEL_VFS_LOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct file;
struct inode;
struct waitqueue;

#define LOCK_OFFSET_MAX INT64_MAX       /* an end this far: to EOF and beyond */

/* A record lock request or a lock found by posix_test_lock(). */
struct file_lock_req {
        int type;               /* F_RDLCK, F_WRLCK, F_UNLCK */
        int64_t start, end;     /* inclusive bytes, 0 <= start <= end */
        void *owner;            /* POSIX: the fd table; OFD: the struct file */
        int pid;                /* shown by F_GETLK: the setter's tgid; -1 for OFD */
        bool ofd;
};

/* F_SETLK / F_OFD_SETLK: lock, change or unlock (F_UNLCK) req's range for
 * its owner, splitting and merging the owner's own locks. -EAGAIN when
 * another owner's lock conflicts (its owner in *ret_blocker, when not
 * NULL), -ENOMEM, -EINVAL (no inode). */
int posix_lock_file(struct file *f, const struct file_lock_req *req, void **ret_blocker);
/* F_GETLK / F_OFD_GETLK: the first lock of another owner that conflicts
 * with req, copied into req; req->type F_UNLCK if none. */
int posix_test_lock(struct file *f, struct file_lock_req *req);

/* F_SETLKW's deadlock detection (POSIX locks only, as Linux): who waits
 * for whom, one graph per sandbox (Linux's blocked_hash is per kernel; the
 * sentry keeps it in struct kernel). Its lock is a leaf. */
struct lock_wait;
struct lock_wait_graph {
        pthread_mutex_t lock;
        struct lock_wait *head;         /* protected by lock */
};
void lock_wait_graph_init(struct lock_wait_graph *g);
/* Once every wait has ended (the sandbox's threads are gone). */
void lock_wait_graph_destroy(struct lock_wait_graph *g);

/* owner is about to wait for blocker. -EDEADLK if blocker waits, through
 * at most ten owners, for owner; else the wait is recorded in g through w
 * (the caller's, until posix_wait_end()). */
struct lock_wait {
        void *owner, *blocker;
        struct lock_wait_graph *graph;
        struct lock_wait *next;
};
int posix_wait_begin(struct lock_wait_graph *g, struct lock_wait *w, void *owner, void *blocker);
void posix_wait_end(struct lock_wait *w);

/* flock(2): type F_RDLCK (LOCK_SH), F_WRLCK (LOCK_EX), F_UNLCK (LOCK_UN)
 * for f's description. Changing the type drops the old lock first, as
 * Linux (not atomic). -EAGAIN on a conflict, -EINVAL (no inode). */
int flock_lock_file(struct file *f, int type);

/* The queue to wait on for f's inode's locks. -ENOMEM, -EINVAL. */
int file_lock_waitqueue(struct file *f, struct waitqueue **ret);

/* owner closes an fd of f: its POSIX locks on f's inode go. */
void locks_remove_posix(struct file *f, void *owner);
/* The last reference to f goes: its flock and OFD locks go. */
void locks_remove_file(struct file *f);
/* The inode goes: free its lock context. */
void locks_free_context(struct inode *inode);

#endif
