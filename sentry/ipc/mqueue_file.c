/*
 * The open files of POSIX message queues: read(2) gives Linux's status line,
 * poll/epoll the queue's readiness, fstat a regular file; a close by the
 * process registered with mq_notify ends its registration; the last close
 * drops the file's reference to the queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "sentry/ipc/mqueue.h"
#include "sentry/kernel/current.h"
#include "sentry/kernel/task.h"
#include "vfs/file.h"

static const struct file_ops mq_file_ops;

struct mq_file {
        struct file base;
        struct mqueue *q;               /* a reference */
};

struct mqueue *mq_from_file(struct file *f)
{
        return f->ops == &mq_file_ops ? container_of(f, struct mq_file, base)->q : NULL;
}

static ssize_t mq_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct mqueue *q = mq_from_file(f);
        char buf[MQ_FILENT_SIZE];
        size_t len, n, done = 0;
        int kind = 0, signo = 0, pid = 0;

        pthread_mutex_lock(&q->ns->mq_lock);
        if (mq_notify_owner_alive(q)) {
                kind = q->notify.sigev_notify;
                signo = kind == SIGEV_SIGNAL ? q->notify.sigev_signo : 0;
                pid = q->notify_tg->tgid;
        }
        snprintf(buf, sizeof(buf), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
                 (unsigned long)q->qsize, kind, signo, pid);
        q->atime = ipc_now();
        pthread_mutex_unlock(&q->ns->mq_lock);
        len = strlen(buf);
        if (*pos < 0)
                return -EINVAL;
        if ((uint64_t)*pos >= len)
                return 0;
        n = MIN(len - (size_t)*pos, dst->count);
        for (int i = 0; i < dst->nr && done < n; i++) {
                size_t c = MIN(n - done, dst->iov[i].iov_len);

                memcpy(dst->iov[i].iov_base, buf + *pos + done, c);
                done += c;
        }
        *pos += (int64_t)n;
        return (ssize_t)n;
}

static int mq_stat(struct file *f, struct stat *ret)
{
        struct mqueue *q = mq_from_file(f);

        memset(ret, 0, sizeof(*ret));
        pthread_mutex_lock(&q->ns->mq_lock);
        ret->st_mode = S_IFREG | q->mode;
        ret->st_uid = q->uid;
        ret->st_gid = q->gid;
        ret->st_atim.tv_sec = q->atime;
        ret->st_mtim.tv_sec = q->mtime;
        ret->st_ctim.tv_sec = q->ctime;
        pthread_mutex_unlock(&q->ns->mq_lock);
        ret->st_nlink = 1;
        ret->st_size = MQ_FILENT_SIZE;
        ret->st_blksize = 4096;
        ret->st_ino = (ino_t)(uintptr_t)q >> 4;
        return 0;
}

static unsigned mq_poll(struct file *f)
{
        struct mqueue *q = mq_from_file(f);
        unsigned r = 0;

        pthread_mutex_lock(&q->ns->mq_lock);
        if (q->curmsgs)
                r |= EPOLLIN | EPOLLRDNORM;
        if (q->curmsgs < q->maxmsg)
                r |= EPOLLOUT | EPOLLWRNORM;
        pthread_mutex_unlock(&q->ns->mq_lock);
        return r;
}

/* Any descriptor of the queue closed by the process registered for its
 * notification ends the registration (Linux's mqueue_flush_file()). */
static void mq_flush(struct file *f)
{
        struct mqueue *q = container_of(f, struct mq_file, base)->q;
        struct task *t = task_current();

        pthread_mutex_lock(&q->ns->mq_lock);
        if (t && q->notify_tg && q->notify_tg == t->tg)
                mq_notify_end(q, MQ_NOTIFY_REMOVED);
        pthread_mutex_unlock(&q->ns->mq_lock);
}

static void mq_release(struct file *f)
{
        struct mq_file *mf = container_of(f, struct mq_file, base);
        struct ipc_ns *ns = mf->q->ns;

        pthread_mutex_lock(&ns->mq_lock);
        mq_put(mf->q);
        pthread_mutex_unlock(&ns->mq_lock);
        free(mf);
}

static const struct file_ops mq_file_ops = {
        .read = mq_read,
        .stat = mq_stat,
        .poll = mq_poll,
        .flush = mq_flush,
        .release = mq_release,
};

int mq_file_new(struct mqueue *q, int oflag, struct file **ret)
{
        struct mq_file *mf = calloc(1, sizeof(*mf));

        if (!mf)
                return -ENOMEM;
        file_init(&mf->base, &mq_file_ops, (unsigned)oflag & (O_ACCMODE | O_NONBLOCK), false);
        mf->base.wq = &q->wq;
        mf->q = q;
        q->refs++;
        *ret = &mf->base;
        return 0;
}
