/*
 * The keeper: a platform thread that takes stub creation and stub death off
 * the guest's critical path.
 *
 *   - Ready stubs. After the first address space is taken from the pool
 *     (i.e. once the guest forks at all), the keeper keeps POOL_SIZE stubs
 *     forked from the factory, each with a spare context thread already
 *     stopped at its first ud2, so fork's as_create and ctx_create cost a
 *     list operation. A stub in the pool has run nothing: which guest it
 *     serves is decided when it is taken.
 *   - Dying stubs. as_release kills the stub and leaves it here; the keeper
 *     waits for its exit (the host tears its address space down meanwhile)
 *     and then frees its data part, so that an exiting guest process (and
 *     its parent's wait) doesn't wait for that.
 *
 * Lock order: pool.lock, then an address space's lock (never the reverse).
 */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "lib/macro.h"
#include "internal.h"

static void *keeper_main(void *arg);

int systrap_pool_init(struct systrap_platform *sp)
{
        struct systrap_pool *pool = &sp->pool;
        sigset_t all, old;
        int r;

        pthread_mutex_init(&pool->lock, NULL);
        pthread_cond_init(&pool->cond, NULL);
        /* No sentry signal handler runs on it. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        r = -pthread_create(&pool->thread, NULL, keeper_main, sp);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pool->running = r == 0;
        return 0;               /* without a keeper, everything is done inline */
}

/* A new stub with its spare context. */
static int stub_new(struct systrap_platform *sp, struct systrap_as **ret, bool spare)
{
        struct systrap_as *as;
        struct platform_ctx *ctx;
        int r;

        r = systrap_as_new(sp, &as);
        if (r < 0)
                return r;
        if (spare) {
                r = systrap_ctx_create(&as->base, &ctx);
                if (r < 0) {
                        systrap_as_release(&as->base);
                        return r;
                }
                as->spare = container_of(ctx, struct systrap_ctx, base);
        }
        *ret = as;
        return 0;
}

/* Waits for a killed stub's exit, then frees what it held. */
static void stub_bury(struct systrap_platform *sp, struct systrap_as *as)
{
        systrap_stub_reap(as);
        systrap_as_free(sp, as);
}

static bool keeper_has_work(const struct systrap_pool *pool)
{
        return pool->stopping || pool->dying || (pool->wanted && pool->nready < POOL_SIZE);
}

static void *keeper_main(void *arg)
{
        struct systrap_platform *sp = arg;
        struct systrap_pool *pool = &sp->pool;

        pthread_mutex_lock(&pool->lock);
        for (;;) {
                struct systrap_as *as;

                while (!keeper_has_work(pool)) {
                        pool->busy = false;
                        pthread_cond_broadcast(&pool->cond);
                        pthread_cond_wait(&pool->cond, &pool->lock);
                }
                if (pool->stopping)
                        break;
                pool->busy = true;
                if ((as = pool->dying)) {
                        pool->dying = as->next_dying;
                        pthread_mutex_unlock(&pool->lock);
                        stub_bury(sp, as);
                        pthread_mutex_lock(&pool->lock);
                        continue;
                }
                pthread_mutex_unlock(&pool->lock);
                int r = stub_new(sp, &as, true);
                pthread_mutex_lock(&pool->lock);
                if (r < 0)
                        pool->wanted = false;   /* until the next take asks again */
                else
                        pool->ready[pool->nready++] = as;
        }
        pool->busy = false;
        pthread_cond_broadcast(&pool->cond);
        pthread_mutex_unlock(&pool->lock);
        return NULL;
}

struct systrap_as *systrap_pool_take(struct systrap_platform *sp)
{
        struct systrap_pool *pool = &sp->pool;
        struct systrap_as *as = NULL;

        if (!pool->running)
                return NULL;
        pthread_mutex_lock(&pool->lock);
        if (pool->nready)
                as = pool->ready[--pool->nready];
        if (!pool->wanted) {
                /* The first address space is the guest's first process: not
                 * a sign of forks to come. */
                pool->wanted = pool->seen_first;
                pool->seen_first = true;
        }
        pthread_cond_broadcast(&pool->cond);
        pthread_mutex_unlock(&pool->lock);
        return as;
}

void systrap_pool_bury(struct systrap_platform *sp, struct systrap_as *as)
{
        struct systrap_pool *pool = &sp->pool;

        pthread_mutex_lock(&pool->lock);
        if (pool->running && !pool->stopping) {
                as->next_dying = pool->dying;
                pool->dying = as;
                pthread_cond_broadcast(&pool->cond);
                as = NULL;
        }
        pthread_mutex_unlock(&pool->lock);
        if (as)
                stub_bury(sp, as);
}

void systrap_pool_settle(struct systrap_platform *sp)
{
        struct systrap_pool *pool = &sp->pool;

        pthread_mutex_lock(&pool->lock);
        while (pool->running && (pool->busy || keeper_has_work(pool)))
                pthread_cond_wait(&pool->cond, &pool->lock);
        pthread_mutex_unlock(&pool->lock);
}

void systrap_pool_fini(struct systrap_platform *sp)
{
        struct systrap_pool *pool = &sp->pool;
        struct systrap_as *as;

        pthread_mutex_lock(&pool->lock);
        pool->stopping = true;
        pthread_cond_broadcast(&pool->cond);
        pthread_mutex_unlock(&pool->lock);
        if (pool->running)
                pthread_join(pool->thread, NULL);
        pool->running = false;
        while (pool->nready)
                systrap_as_release(&pool->ready[--pool->nready]->base);
        while ((as = pool->dying)) {
                pool->dying = as->next_dying;
                stub_bury(sp, as);
        }
        pthread_cond_destroy(&pool->cond);
        pthread_mutex_destroy(&pool->lock);
}
