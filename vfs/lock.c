/* Record locks (POSIX and OFD) and the per-inode lock context, in the
 * shape of Linux's fs/locks.c: posix_lock_inode(), posix_test_lock(), the
 * F_SETLKW deadlock walk. See lock.h. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "file.h"
#include "lock_internal.h"
#include "lib/waitqueue.h"

/* ---- The context ---------------------------------------------------------- */

int lock_context_get(struct file *f, struct file_lock_context **ret)
{
        struct inode *inode = file_inode(f);
        struct file_lock_context *ctx;

        if (!inode)
                return -EINVAL;
        pthread_mutex_lock(&inode->lock);
        ctx = inode->flctx;
        if (!ctx) {
                ctx = calloc(1, sizeof(*ctx));
                if (ctx) {
                        pthread_mutex_init(&ctx->lock, NULL);
                        waitqueue_init(&ctx->wq);
                        inode->flctx = ctx;
                }
        }
        pthread_mutex_unlock(&inode->lock);
        if (!ctx)
                return -ENOMEM;
        *ret = ctx;
        return 0;
}

/* The context if the inode ever had a lock, else NULL. */
struct file_lock_context *lock_context_peek(struct file *f)
{
        struct inode *inode = file_inode(f);
        struct file_lock_context *ctx;

        if (!inode)
                return NULL;
        pthread_mutex_lock(&inode->lock);
        ctx = inode->flctx;
        pthread_mutex_unlock(&inode->lock);
        return ctx;
}

int file_lock_waitqueue(struct file *f, struct waitqueue **ret)
{
        struct file_lock_context *ctx;
        int r = lock_context_get(f, &ctx);

        if (r == 0)
                *ret = &ctx->wq;
        return r;
}

static void free_list(struct file_lock *l)
{
        while (l) {
                struct file_lock *next = l->next;

                free(l);
                l = next;
        }
}

void locks_free_context(struct inode *inode)
{
        struct file_lock_context *ctx = inode->flctx;

        if (!ctx)
                return;
        free_list(ctx->posix);
        free_list(ctx->flock);
        waitqueue_destroy(&ctx->wq);
        pthread_mutex_destroy(&ctx->lock);
        free(ctx);
        inode->flctx = NULL;
}

/* ---- Record locks ----------------------------------------------------------- */

static bool overlap(const struct file_lock *l, int64_t start, int64_t end)
{
        return l->start <= end && start <= l->end;
}

/* Linux's posix_locks_conflict(): another owner, overlapping, one a write. */
static bool posix_conflict(const struct file_lock *l, const struct file_lock_req *req)
{
        if (l->owner == req->owner)
                return false;
        if (!overlap(l, req->start, req->end))
                return false;
        return l->type == F_WRLCK || req->type == F_WRLCK;
}

static struct file_lock *lock_new(int type, int64_t start, int64_t end,
                                  const struct file_lock_req *req)
{
        struct file_lock *l = malloc(sizeof(*l));

        if (!l)
                return NULL;
        *l = (struct file_lock){ .type = type, .start = start, .end = end, .owner = req->owner,
                                 .pid = req->pid, .ofd = req->ofd };
        return l;
}

/* Insert l where Linux's posix_lock_inode() would: an owner's locks stay
 * together, sorted by start; a new owner's go last. F_GETLK reports the
 * first conflict in this order. */
static void posix_insert(struct file_lock_context *ctx, struct file_lock *add)
{
        struct file_lock **pp = &ctx->posix, *l;
        bool seen = false;

        for (; (l = *pp); pp = &l->next) {
                if (l->owner == add->owner) {
                        seen = true;
                        if (l->start > add->start)
                                break;
                } else if (seen) {
                        break;
                }
        }
        add->next = *pp;
        *pp = add;
}

/* Apply req to the owner's locks (the conflict check passed): take its
 * range out of every own lock (splitting one that covers it), add the new
 * lock, and merge it with own locks of the same type that touch it.
 * ctx->lock held. Returns whether a lock went or shrank. */
static int posix_apply(struct file_lock_context *ctx, const struct file_lock_req *req,
                       bool *ret_released)
{
        struct file_lock *add = NULL, *split = NULL, **pp, *l;
        int64_t start = req->start, end = req->end;
        bool released = false;

        /* Allocate first, so nothing changes when memory runs out. */
        if (req->type != F_UNLCK && !(add = lock_new(req->type, start, end, req)))
                return -ENOMEM;
        for (l = ctx->posix; l; l = l->next)
                if (l->owner == req->owner && l->start < start && l->end > end)
                        break;
        if (l && !(split = lock_new(l->type, end + 1, l->end, req))) {
                free(add);
                return -ENOMEM;
        }
        if (split) {
                split->pid = l->pid;
                split->ofd = l->ofd;
        }

        /* Merge: own locks of the same type touching the range widen it. */
        if (add) {
                for (pp = &ctx->posix; (l = *pp);) {
                        if (l->owner == req->owner && l->type == add->type &&
                            l->start <= (add->end == LOCK_OFFSET_MAX ? add->end : add->end + 1) &&
                            add->start <= (l->end == LOCK_OFFSET_MAX ? l->end : l->end + 1)) {
                                if (l->start < add->start)
                                        add->start = l->start;
                                if (l->end > add->end)
                                        add->end = l->end;
                                *pp = l->next;
                                free(l);
                                continue;
                        }
                        pp = &l->next;
                }
                start = add->start;
                end = add->end;
        }
        /* Cut the range out of the other own locks. */
        for (pp = &ctx->posix; (l = *pp);) {
                if (l->owner != req->owner || !overlap(l, start, end)) {
                        pp = &l->next;
                        continue;
                }
                if (!add || l->type != add->type)
                        released = true;        /* unlocked or changed type */
                if (l->start < start && l->end > end) {
                        split->next = l->next;
                        l->next = split;
                        l->end = start - 1;
                        split = NULL;
                        pp = &l->next->next;
                } else if (l->start < start) {
                        l->end = start - 1;
                        pp = &l->next;
                } else if (l->end > end) {
                        l->start = end + 1;
                        pp = &l->next;
                } else {
                        *pp = l->next;
                        free(l);
                }
        }
        free(split);
        if (add)
                posix_insert(ctx, add);
        *ret_released = released;
        return 0;
}

int posix_lock_file(struct file *f, const struct file_lock_req *req, void **ret_blocker)
{
        struct file_lock_context *ctx;
        bool released = false;
        int r;

        if (req->type == F_UNLCK) {
                ctx = lock_context_peek(f);
                if (!ctx)
                        return file_inode(f) ? 0 : -EINVAL;
        } else {
                r = lock_context_get(f, &ctx);
                if (r < 0)
                        return r;
        }
        pthread_mutex_lock(&ctx->lock);
        r = 0;
        if (req->type != F_UNLCK) {
                for (struct file_lock *l = ctx->posix; l; l = l->next) {
                        if (posix_conflict(l, req)) {
                                if (ret_blocker)
                                        *ret_blocker = l->owner;
                                r = -EAGAIN;
                                break;
                        }
                }
        }
        if (r == 0)
                r = posix_apply(ctx, req, &released);
        pthread_mutex_unlock(&ctx->lock);
        if (released)
                waitqueue_notify(&ctx->wq, EPOLLIN);
        return r;
}

int posix_test_lock(struct file *f, struct file_lock_req *req)
{
        struct file_lock_context *ctx = lock_context_peek(f);
        int type = F_UNLCK;

        if (!file_inode(f))
                return -EINVAL;
        if (ctx) {
                pthread_mutex_lock(&ctx->lock);
                for (struct file_lock *l = ctx->posix; l; l = l->next) {
                        if (!posix_conflict(l, req))
                                continue;
                        type = l->type;
                        req->start = l->start;
                        req->end = l->end;
                        req->pid = l->ofd ? -1 : l->pid;
                        req->ofd = l->ofd;
                        break;
                }
                pthread_mutex_unlock(&ctx->lock);
        }
        req->type = type;
        return 0;
}

/* Drop the record locks for which match() holds. */
static void posix_remove_if(struct file *f, bool (*match)(const struct file_lock *, const void *),
                            const void *arg)
{
        struct file_lock_context *ctx = lock_context_peek(f);
        struct file_lock **pp, *l;
        bool released = false;

        if (!ctx)
                return;
        pthread_mutex_lock(&ctx->lock);
        for (pp = &ctx->posix; (l = *pp);) {
                if (match(l, arg)) {
                        *pp = l->next;
                        free(l);
                        released = true;
                } else {
                        pp = &l->next;
                }
        }
        pthread_mutex_unlock(&ctx->lock);
        if (released)
                waitqueue_notify(&ctx->wq, EPOLLIN);
}

static bool owned_posix(const struct file_lock *l, const void *owner)
{
        return !l->ofd && l->owner == owner;
}

static bool owned_ofd(const struct file_lock *l, const void *file)
{
        return l->ofd && l->owner == file;
}

void locks_remove_posix(struct file *f, void *owner)
{
        posix_remove_if(f, owned_posix, owner);
}

void locks_remove_file(struct file *f)
{
        posix_remove_if(f, owned_ofd, f);
        flock_remove_file(f);
}

/* ---- The F_SETLKW wait-for graph ---------------------------------------------- */

#define MAX_DEADLK_ITERATIONS 10

void lock_wait_graph_init(struct lock_wait_graph *g)
{
        pthread_mutex_init(&g->lock, NULL);
        g->head = NULL;
}

void lock_wait_graph_destroy(struct lock_wait_graph *g)
{
        pthread_mutex_destroy(&g->lock);
}

int posix_wait_begin(struct lock_wait_graph *g, struct lock_wait *w, void *owner, void *blocker)
{
        void *who = blocker;
        int r = 0;

        pthread_mutex_lock(&g->lock);
        for (int i = 0; i < MAX_DEADLK_ITERATIONS && who; i++) {
                struct lock_wait *e;

                if (who == owner) {
                        r = -EDEADLK;
                        break;
                }
                for (e = g->head; e && e->owner != who; e = e->next)
                        ;
                who = e ? e->blocker : NULL;
        }
        if (r == 0) {
                *w = (struct lock_wait){ .owner = owner, .blocker = blocker, .graph = g,
                                         .next = g->head };
                g->head = w;
        }
        pthread_mutex_unlock(&g->lock);
        return r;
}

void posix_wait_end(struct lock_wait *w)
{
        struct lock_wait_graph *g = w->graph;

        pthread_mutex_lock(&g->lock);
        for (struct lock_wait **pp = &g->head; *pp; pp = &(*pp)->next)
                if (*pp == w) {
                        *pp = w->next;
                        break;
                }
        pthread_mutex_unlock(&g->lock);
}
