/* Inside the lock code (lock.c, flock.c): the per-inode lock context. */
#ifndef CONTERNEL_VFS_LOCK_INTERNAL_H
#define CONTERNEL_VFS_LOCK_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/waitqueue.h"
#include "lock.h"

struct file_lock {
        int type;                       /* F_RDLCK, F_WRLCK */
        int64_t start, end;             /* record locks: inclusive */
        void *owner;                    /* fd table (POSIX), struct file (OFD, flock) */
        int pid;
        bool ofd;
        struct file_lock *next;
};

struct file_lock_context {
        pthread_mutex_t lock;
        struct file_lock *posix;        /* protected by lock: POSIX and OFD locks */
        struct file_lock *flock;        /* protected by lock */
        struct waitqueue wq;            /* EPOLLIN when a lock goes or shrinks */
};

/* The inode's context, made if missing (-ENOMEM; -EINVAL without inode). */
int lock_context_get(struct file *f, struct file_lock_context **ret);
/* The context if there is one, else NULL. */
struct file_lock_context *lock_context_peek(struct file *f);
/* flock.c: f's flock lock goes (its last reference). */
void flock_remove_file(struct file *f);

#endif
