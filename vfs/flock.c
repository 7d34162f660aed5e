/* flock(2) locks: one per open file description and inode, shared or
 * exclusive, as Linux's flock_lock_inode(). See lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "file.h"
#include "lock_internal.h"

int flock_lock_file(struct file *f, int type)
{
        struct file_lock_context *ctx;
        struct file_lock **pp, *l, *add = NULL;
        bool released = false;
        int r;

        if (type == F_UNLCK) {
                ctx = lock_context_peek(f);
                if (!ctx)
                        return file_inode(f) ? 0 : -EINVAL;
        } else {
                r = lock_context_get(f, &ctx);
                if (r < 0)
                        return r;
                add = malloc(sizeof(*add));
                if (!add)
                        return -ENOMEM;
                *add = (struct file_lock){ .type = type, .owner = f };
        }
        pthread_mutex_lock(&ctx->lock);
        r = 0;
        /* Our own lock: the same type is nothing to do; another goes first. */
        for (pp = &ctx->flock; (l = *pp); pp = &l->next) {
                if (l->owner != f)
                        continue;
                if (l->type == type)
                        goto out;
                *pp = l->next;
                free(l);
                released = true;
                break;
        }
        if (!add)
                goto out;
        for (l = ctx->flock; l; l = l->next) {
                if (l->type == F_WRLCK || type == F_WRLCK) {
                        r = -EAGAIN;
                        goto out;
                }
        }
        add->next = ctx->flock;
        ctx->flock = add;
        add = NULL;
out:
        pthread_mutex_unlock(&ctx->lock);
        free(add);
        if (released)
                waitqueue_notify(&ctx->wq, EPOLLIN);
        return r;
}

void flock_remove_file(struct file *f)
{
        struct file_lock_context *ctx = lock_context_peek(f);
        struct file_lock **pp, *l;
        bool released = false;

        if (!ctx)
                return;
        pthread_mutex_lock(&ctx->lock);
        for (pp = &ctx->flock; (l = *pp); pp = &l->next) {
                if (l->owner == f) {
                        *pp = l->next;
                        free(l);
                        released = true;
                        break;
                }
        }
        pthread_mutex_unlock(&ctx->lock);
        if (released)
                waitqueue_notify(&ctx->wq, EPOLLIN);
}
