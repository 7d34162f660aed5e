/*
 * Pipes: a ring buffer shared by a read end and a write end (Linux's
 * fs/pipe.c semantics): reads take what is there, writes of at most
 * PIPE_BUF bytes are atomic, a read with no writers left is end of file, a
 * write with no readers left is EPIPE (and SIGPIPE). Capacity is counted
 * in page buffers, as Linux does (16 by default), which is what makes
 * writes of up to PIPE_BUF atomic. O_DIRECT makes a packet pipe: each page
 * of a write is one packet, each read takes at most one.
 *
 * Neither end ever blocks here: when it would, it returns -EAGAIN, and the
 * syscall layer waits on the pipe's wait queue (see file_ops.poll).
 *
 * A FIFO is the same pipe, one per inode while any end is open
 * (inode->pipe), with Linux's fifo_open(): an end opened for reading or
 * for writing alone waits for its partner (fifo_open_ready()), O_RDWR never
 * does, and O_WRONLY|O_NONBLOCK with no reader is ENXIO.
 *
 * Lock order: inode->lock (FIFOs: inode->pipe) → pipe->lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>

#include "file.h"
#include "lib/macro.h"

#define PIPE_PAGE 4096
#define PIPE_DEF_SLOTS 16               /* Linux's 16 buffers of a page */
#define PIPE_MAX_SIZE (1024 * 1024)     /* /proc/sys/fs/pipe-max-size */

/* One pipe buffer: part of a page, as Linux's struct pipe_buffer. */
struct pipe_slot {
        unsigned offset, len;
        bool can_merge;                 /* a later small write may append here */
};

struct pipe {
        pthread_mutex_t lock;
        struct waitqueue wq;            /* has its own lock; notified unlocked */
        /* protected by lock: */
        unsigned char (*pages)[PIPE_PAGE];      /* one page per slot */
        struct pipe_slot *slots;
        unsigned nslots;                /* capacity: a power of two */
        unsigned tail, head;            /* slots in use: [tail, head), mod nslots */
        unsigned readers, writers;      /* open ends */
        unsigned r_counter, w_counter;  /* ends ever opened for reading / writing */
        int refs;                       /* the files on it */
        bool packet;                    /* O_DIRECT */
};

struct pipe_file {
        struct file base;
        struct pipe *pipe;
        bool reads, writes;             /* immutable: which ends this file counts as */
        /* Linux's filp->f_pipe: a reader sees no EPOLLHUP until w_counter
         * moves past it (a FIFO reader that never had a writer). */
        unsigned f_pipe;                /* protected by pipe->lock */
        /* FIFOs that must wait for their partner: until this counter of
         * the other side moves past wait_seen. */
        const unsigned *wait_counter;   /* protected by pipe->lock; NULL: no wait */
        unsigned wait_seen;
        struct inode *inode;            /* FIFOs: a reference; NULL for pipe(2) */
};

static struct pipe_file *to_pf(struct file *f)
{
        return container_of(f, struct pipe_file, base);
}

static const struct file_ops pipe_ops, fifo_ops;

static bool file_is_pipe(const struct file *f)
{
        return f->ops == &pipe_ops || f->ops == &fifo_ops;
}

static unsigned pipe_used(const struct pipe *p)
{
        return p->head - p->tail;
}

static size_t pipe_bytes(const struct pipe *p)
{
        size_t n = 0;

        for (unsigned i = p->tail; i != p->head; i++)
                n += p->slots[i % p->nslots].len;
        return n;
}

/* Copy n bytes between an iterator (starting `skip` bytes in) and memory. */
static void iter_copy(const struct iov_iter *it, size_t skip, unsigned char *mem, size_t n,
                      bool to_iter)
{
        for (int i = 0; i < it->nr && n; i++) {
                size_t len = it->iov[i].iov_len, chunk;

                if (skip >= len) {
                        skip -= len;
                        continue;
                }
                chunk = MIN(len - skip, n);
                if (to_iter)
                        memcpy((char *)it->iov[i].iov_base + skip, mem, chunk);
                else
                        memcpy(mem, (const char *)it->iov[i].iov_base + skip, chunk);
                mem += chunk;
                n -= chunk;
                skip = 0;
        }
}

static ssize_t pipe_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct pipe *p = to_pf(f)->pipe;
        size_t done = 0;

        (void)pos;
        if (dst->count == 0)
                return 0;
        pthread_mutex_lock(&p->lock);
        if (pipe_used(p) == 0) {
                ssize_t r = p->writers ? -EAGAIN : 0;

                pthread_mutex_unlock(&p->lock);
                return r;
        }
        /* Like pipe_read(): buffer after buffer until the caller's is full. */
        while (pipe_used(p) && done < dst->count) {
                unsigned idx = p->tail % p->nslots;
                struct pipe_slot *b = &p->slots[idx];
                size_t n = MIN((size_t)b->len, dst->count - done);

                iter_copy(dst, done, p->pages[idx] + b->offset, n, true);
                done += n;
                b->offset += (unsigned)n;
                b->len -= (unsigned)n;
                if (p->packet) {
                        b->len = 0;     /* the rest of a packet is dropped */
                        p->tail++;
                        break;
                }
                if (b->len == 0)
                        p->tail++;
        }
        pthread_mutex_unlock(&p->lock);
        waitqueue_notify(&p->wq, EPOLLOUT | EPOLLWRNORM);
        return (ssize_t)done;
}

static ssize_t pipe_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        struct pipe *p = to_pf(f)->pipe;
        size_t total = src->count, done = 0, chars = total & (PIPE_PAGE - 1);

        (void)pos;
        pthread_mutex_lock(&p->lock);
        if (!p->readers) {
                pthread_mutex_unlock(&p->lock);
                return -EPIPE;
        }
        if (total == 0) {
                pthread_mutex_unlock(&p->lock);
                return 0;
        }
        /* Like pipe_write(): the odd tail of the write joins the last buffer
         * if it fits there whole... */
        if (chars && pipe_used(p)) {
                unsigned idx = (p->head - 1) % p->nslots;
                struct pipe_slot *b = &p->slots[idx];
                unsigned end = b->offset + b->len;

                if (b->can_merge && end + chars <= PIPE_PAGE) {
                        iter_copy(src, 0, p->pages[idx] + end, chars, false);
                        b->len += (unsigned)chars;
                        done = chars;
                }
        }
        /* ...and the rest fills fresh buffers while there are free ones. So
         * a write of at most a page is never split: PIPE_BUF atomicity. */
        while (done < total && pipe_used(p) < p->nslots) {
                unsigned idx = p->head % p->nslots;
                size_t n = MIN((size_t)PIPE_PAGE, total - done);

                iter_copy(src, done, p->pages[idx], n, false);
                p->slots[idx] = (struct pipe_slot){ .offset = 0, .len = (unsigned)n,
                                                    .can_merge = !p->packet };
                p->head++;
                done += n;
        }
        pthread_mutex_unlock(&p->lock);
        if (!done)
                return -EAGAIN;
        waitqueue_notify(&p->wq, EPOLLIN | EPOLLRDNORM);
        return (ssize_t)done;
}

static unsigned pipe_poll(struct file *f)
{
        struct pipe_file *pf = to_pf(f);
        struct pipe *p = pf->pipe;
        unsigned r = 0;

        pthread_mutex_lock(&p->lock);
        if (pf->reads) {
                if (pipe_used(p))
                        r |= EPOLLIN | EPOLLRDNORM;
                if (!p->writers && pf->f_pipe != p->w_counter)
                        r |= EPOLLHUP;
        }
        if (pf->writes) {
                if (pipe_used(p) < p->nslots)
                        r |= EPOLLOUT | EPOLLWRNORM;
                if (!p->readers)
                        r |= EPOLLERR;
        }
        pthread_mutex_unlock(&p->lock);
        return r;
}

static int pipe_stat(struct file *f, struct stat *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->st_mode = S_IFIFO | 0600;
        ret->st_nlink = 1;
        ret->st_blksize = 4096;
        ret->st_ino = (ino_t)(uintptr_t)to_pf(f)->pipe >> 4;
        return 0;
}

static int pipe_ioctl(struct file *f, unsigned cmd, void *arg)
{
        struct pipe *p = to_pf(f)->pipe;

        if (cmd != FIONREAD)
                return -ENOTTY;
        pthread_mutex_lock(&p->lock);
        *(int *)arg = (int)pipe_bytes(p);
        pthread_mutex_unlock(&p->lock);
        return 0;
}

static void pipe_free(struct pipe *p)
{
        pthread_mutex_destroy(&p->lock);
        waitqueue_destroy(&p->wq);
        free(p->pages);
        free(p->slots);
        free(p);
}

static void pipe_release(struct file *f)
{
        struct pipe_file *pf = to_pf(f);
        struct pipe *p = pf->pipe;
        struct inode *inode = pf->inode;
        bool last;

        /* A FIFO's last end takes the pipe off its inode. */
        if (inode)
                pthread_mutex_lock(&inode->lock);
        pthread_mutex_lock(&p->lock);
        if (pf->reads)
                p->readers--;
        if (pf->writes)
                p->writers--;
        last = --p->refs == 0;
        if (last && inode)
                inode->pipe = NULL;
        pthread_mutex_unlock(&p->lock);
        if (inode)
                pthread_mutex_unlock(&inode->lock);
        if (last) {
                pipe_free(p);
        } else {
                /* The other end sees EOF (HUP) or EPIPE (ERR). */
                waitqueue_notify(&p->wq, EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLERR | EPOLLRDNORM |
                                         EPOLLWRNORM);
        }
        inode_unref(inode);
        free(pf);
}

static const struct file_ops pipe_ops = {
        .read = pipe_read,
        .write = pipe_write,
        .stat = pipe_stat,
        .ioctl = pipe_ioctl,
        .poll = pipe_poll,
        .release = pipe_release,
};

/* A FIFO's ends: the inode's attributes (vfs_stat() falls back to them). */
static const struct file_ops fifo_ops = {
        .read = pipe_read,
        .write = pipe_write,
        .ioctl = pipe_ioctl,
        .poll = pipe_poll,
        .release = pipe_release,
};

static struct pipe *pipe_alloc(void)
{
        struct pipe *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->pages = malloc(sizeof(*p->pages) * PIPE_DEF_SLOTS);
        p->slots = calloc(PIPE_DEF_SLOTS, sizeof(*p->slots));
        if (!p->pages || !p->slots) {
                free(p->pages);
                free(p->slots);
                free(p);
                return NULL;
        }
        pthread_mutex_init(&p->lock, NULL);
        waitqueue_init(&p->wq);
        p->nslots = PIPE_DEF_SLOTS;
        return p;
}

int pipe_create(unsigned flags, struct file **ret_read, struct file **ret_write)
{
        struct pipe_file *rf = NULL, *wf = NULL;
        struct pipe *p;

        p = pipe_alloc();
        rf = calloc(1, sizeof(*rf));
        wf = calloc(1, sizeof(*wf));
        if (!p || !rf || !wf) {
                if (p)
                        pipe_free(p);
                free(rf);
                free(wf);
                return -ENOMEM;
        }
        p->readers = p->writers = 1;
        p->r_counter = p->w_counter = 1;
        p->refs = 2;
        p->packet = flags & O_DIRECT;
        rf->pipe = wf->pipe = p;
        rf->reads = true;
        wf->writes = true;
        flags &= O_NONBLOCK | O_DIRECT;
        file_init(&rf->base, &pipe_ops, O_RDONLY | flags, true);
        file_init(&wf->base, &pipe_ops, O_WRONLY | flags, true);
        rf->base.wq = wf->base.wq = &p->wq;
        *ret_read = &rf->base;
        *ret_write = &wf->base;
        return 0;
}

long pipe_get_size(struct file *f)
{
        struct pipe *p;
        long r;

        if (!file_is_pipe(f))
                return -EBADF;
        p = to_pf(f)->pipe;
        pthread_mutex_lock(&p->lock);
        r = (long)p->nslots * PIPE_PAGE;
        pthread_mutex_unlock(&p->lock);
        return r;
}

long pipe_set_size(struct file *f, unsigned long size)
{
        unsigned char (*pages)[PIPE_PAGE];
        struct pipe_slot *slots;
        unsigned nslots = 1, used;
        struct pipe *p;

        if (!file_is_pipe(f))
                return -EBADF;
        if (size > PIPE_MAX_SIZE)
                return -EPERM;
        /* A power of two number of pages (round_pipe_size()). */
        while ((unsigned long)nslots * PIPE_PAGE < size)
                nslots <<= 1;
        pages = malloc(sizeof(*pages) * nslots);
        slots = calloc(nslots, sizeof(*slots));
        if (!pages || !slots) {
                free(pages);
                free(slots);
                return -ENOMEM;
        }
        p = to_pf(f)->pipe;
        pthread_mutex_lock(&p->lock);
        used = pipe_used(p);
        if (nslots < used) {
                pthread_mutex_unlock(&p->lock);
                free(pages);
                free(slots);
                return -EBUSY;
        }
        for (unsigned i = 0; i < used; i++) {
                unsigned idx = (p->tail + i) % p->nslots;

                memcpy(pages[i], p->pages[idx], PIPE_PAGE);
                slots[i] = p->slots[idx];
        }
        free(p->pages);
        free(p->slots);
        p->pages = pages;
        p->slots = slots;
        p->nslots = nslots;
        p->tail = 0;
        p->head = used;
        pthread_mutex_unlock(&p->lock);
        waitqueue_notify(&p->wq, EPOLLOUT | EPOLLWRNORM);
        return (long)nslots * PIPE_PAGE;
}

/* Linux's fifo_open(), without the wait: the syscall layer waits through
 * fifo_open_ready(). */
int fifo_open(struct inode *inode, unsigned flags, struct file **ret)
{
        struct pipe_file *pf = calloc(1, sizeof(*pf));
        bool wake = false, created = false;
        struct pipe *p;
        int r = 0;

        if (!pf)
                return -ENOMEM;
        pthread_mutex_lock(&inode->lock);
        p = inode->pipe;
        if (!p) {
                p = pipe_alloc();
                if (!p) {
                        pthread_mutex_unlock(&inode->lock);
                        free(pf);
                        return -ENOMEM;
                }
                inode->pipe = p;
                created = true;
        }
        pthread_mutex_lock(&p->lock);
        switch (flags & O_ACCMODE) {
        case O_RDONLY:
                pf->reads = true;
                p->r_counter++;
                if (p->readers++ == 0)
                        wake = true;
                if (!p->writers) {
                        if (flags & O_NONBLOCK) {
                                /* No EPOLLHUP until a writer has come. */
                                pf->f_pipe = p->w_counter;
                        } else {
                                pf->wait_counter = &p->w_counter;
                                pf->wait_seen = p->w_counter;
                        }
                }
                break;
        case O_WRONLY:
                if ((flags & O_NONBLOCK) && !p->readers) {
                        r = -ENXIO;
                        break;
                }
                pf->writes = true;
                p->w_counter++;
                if (p->writers++ == 0)
                        wake = true;
                if (!p->readers) {
                        pf->wait_counter = &p->r_counter;
                        pf->wait_seen = p->r_counter;
                }
                break;
        case O_RDWR:
                /* Never blocks: it is its own partner (POSIX leaves it open). */
                pf->reads = pf->writes = true;
                p->readers++;
                p->writers++;
                p->r_counter++;
                p->w_counter++;
                if (p->readers == 1 || p->writers == 1)
                        wake = true;
                break;
        default:
                r = -EINVAL;
                break;
        }
        if (r == 0)
                p->refs++;
        pthread_mutex_unlock(&p->lock);
        if (r < 0 && created) {
                inode->pipe = NULL;
                pthread_mutex_unlock(&inode->lock);
                pipe_free(p);
                free(pf);
                return r;
        }
        pthread_mutex_unlock(&inode->lock);
        if (r < 0) {
                free(pf);
                return r;
        }
        pf->pipe = p;
        pf->inode = inode_ref(inode);
        file_init(&pf->base, &fifo_ops, flags, true);
        pf->base.wq = &p->wq;
        if (wake)
                waitqueue_notify(&p->wq, EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM);
        *ret = &pf->base;
        return 0;
}

int fifo_open_ready(struct file *f)
{
        struct pipe_file *pf;
        int r = 0;

        if (f->ops != &fifo_ops)
                return 0;
        pf = to_pf(f);
        pthread_mutex_lock(&pf->pipe->lock);
        if (pf->wait_counter) {
                if (*pf->wait_counter == pf->wait_seen)
                        r = -EAGAIN;
                else
                        pf->wait_counter = NULL;
        }
        pthread_mutex_unlock(&pf->pipe->lock);
        return r;
}
