/*
 * sentry/ipc's POSIX message queues: the queue (mqueue.c) and its open
 * files (mqueue_file.c). Everything here is protected by ns->mq_lock
 * unless it says otherwise.
 */
#ifndef CONTERNEL_SENTRY_IPC_MQUEUE_H
#define CONTERNEL_SENTRY_IPC_MQUEUE_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/waitqueue.h"
#include "sentry/ipc/internal.h"

struct file;
struct nl_skb;
struct thread_group;

#define MQ_PRIO_MAX_ 32768              /* Linux's MQ_PRIO_MAX */
#define MQ_MSG_DEFAULT 10               /* /proc/sys/fs/mqueue/msg_default */
#define MQ_MSGSIZE_DEFAULT 8192         /* msgsize_default */
#define MQ_MSG_MAX 10                   /* msg_max */
#define MQ_MSGSIZE_MAX 8192             /* msgsize_max */
#define MQ_QUEUES_MAX 256               /* queues_max */
#define MQ_HARD_MSGMAX 65536
#define MQ_HARD_MSGSIZEMAX (16 * 1024 * 1024)
#define MQ_NODE_SIZE 48                 /* sizeof(msg_msg), of posix_msg_tree_node */
#define MQ_FILENT_SIZE 80
#define MQ_NOTIFY_COOKIE_LEN 32
#define MQ_NOTIFY_WOKENUP 1              /* the cookie's last byte: a message came */
#define MQ_NOTIFY_REMOVED 2              /* the registration was dropped */

struct mq_msg {
        struct mq_msg *next;
        unsigned prio;
        size_t len;
        char data[];
};

/* What a user's queues are charged against RLIMIT_MSGQUEUE. */
struct mq_user {
        struct mq_user *next;
        uint32_t uid;
        uint64_t bytes;
};

struct mqueue {
        struct ipc_ns *ns;              /* immutable */
        /* protected by ns->mq_lock */
        int refs;                       /* the name, each open file */
        struct mqueue *next;            /* in ns->mq_named while linked */
        bool linked;
        char name[NAME_MAX + 1];        /* immutable */
        uint32_t uid, gid;              /* immutable */
        unsigned mode;                  /* immutable */
        long maxmsg, msgsize;           /* immutable */
        uint32_t charge_uid;            /* immutable */
        uint64_t charge;                /* immutable */
        long curmsgs;
        uint64_t qsize;
        struct mq_msg *head;            /* highest priority first, FIFO within one */
        int receivers;                  /* tasks waiting in mq_timedreceive */
        struct thread_group *notify_tg; /* a reference; NULL if none registered */
        struct sigevent notify;
        /* SIGEV_THREAD: the cookie, charged to the netlink socket it goes
         * to (owned; NULL otherwise). */
        struct nl_skb *notify_cookie;
        int64_t atime, mtime, ctime;
        struct waitqueue wq;            /* own lock */
};

/* mqueue.c, mq_lock held: drop a reference (the last frees the queue);
 * whether a registered mq_notify owner is still there (a gone one's
 * registration is removed); end the registration, queueing a SIGEV_THREAD
 * cookie with its last byte set to code (Linux's remove_notification() and
 * __do_notify()). */
void mq_put(struct mqueue *q);
bool mq_notify_owner_alive(struct mqueue *q);
void mq_notify_end(struct mqueue *q, unsigned char code);

/* mqueue_file.c: the queue behind an open file, NULL if it is not one; a
 * new file for q opened with oflag's access mode and O_NONBLOCK (takes a
 * reference to q; mq_lock held). */
struct mqueue *mq_from_file(struct file *f);
int mq_file_new(struct mqueue *q, int oflag, struct file **ret);

#endif
