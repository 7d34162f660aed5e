/*
 * The keeper: a platform thread that takes stub creation and stub death off
 * the guest's critical path.
 *
 *   - Ready stubs. After the first address space is taken from the pool
 *     (i.e. once the guest forks at all), the keeper keeps up to POOL_SIZE
 *     stubs ready, each with a spare context thread already stopped at its
 *     first ud2, so fork's as_create and ctx_create cost a list operation.
 *     A stub in the pool runs no guest code: which guest it serves is
 *     decided when it is taken. New stubs are forked once a take empties
 *     the pool, until it is full again: a guest that forks one child at a
 *     time gets the stubs of its exited children back and needs no new one.
 *   - Released stubs. A stub whose address space is released, with every
 *     thread but the service thread told to exit, becomes a ready stub
 *     again when the pool has room: the keeper unmaps the whole guest range
 *     in it and gives it a spare context if its last thread wasn't parked
 *     as one. That costs one munmap request; a
 *     new stub costs a fork of the factory, its set-up and, later, the
 *     teardown of the old one (several hundred microseconds of page-table
 *     work on these VMs, competing with the guest for the CPUs). A reused
 *     stub is what a new one is: its filters, namespaces and handlers never
 *     change, nothing of the guest's is mapped below GUEST_ADDR_MAX, and
 *     its data part is as hostile as it always was. It never leaves the
 *     sandbox it served. gVisor's ptrace and systrap platforms reuse their
 *     subprocesses in the same way.
 *   - Dying stubs. as_release kills the others and leaves them here; the
 *     keeper waits for the exit (the host tears the address space down
 *     meanwhile) and then frees the data part, so that an exiting guest
 *     process (and its parent's wait) doesn't wait for that.
 *
 * Lock order: pool.lock, then an address space's lock (never the reverse).
 */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "lib/guest.h"
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
                        systrap_as_drop(sp, as);
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

/* Makes a released stub as good as a new one: nothing of the guest's left
 * mapped, a spare context (made unless the process's last thread was
 * parked as one, ctx.c), and its usage counted from here (the host's
 * counters go on: getrusage and times in the next guest start from what
 * they say now). The spin settings of the service thread's page are
 * rewritten: the guest could write that page. */
static int stub_clean(struct systrap_platform *sp, struct systrap_as *as)
{
        struct platform_ctx *ctx;
        int r;

        systrap_msg_spin(sp, as_msg(as, 0), false);
        r = systrap_as_unmap(&as->base, 0, GUEST_ADDR_MAX);
        if (r == 0 && !as->spare) {
                r = systrap_ctx_create(&as->base, &ctx);
                if (r == 0)
                        as->spare = container_of(ctx, struct systrap_ctx, base);
        }
        if (r == 0)
                r = stub_usage_reset_peak(sp->procfd, as->pid);
        if (r == 0)
                r = stub_usage_process(sp->procfd, as->pid, false, &as->used_before);
        if (r == 0)
                r = stub_usage_process(sp->procfd, as->pid, true, &as->used_before_cpu);
        return r;
}

static bool keeper_has_work(const struct systrap_pool *pool)
{
        return pool->stopping || pool->dying || pool->released ||
               (pool->wanted && pool->refill && pool->nready + pool->nreleased < POOL_SIZE);
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
                        pool->dying = as->next;
                        pthread_mutex_unlock(&pool->lock);
                        stub_bury(sp, as);
                        pthread_mutex_lock(&pool->lock);
                        continue;
                }
                if ((as = pool->released)) {
                        pool->released = as->next;
                        pthread_mutex_unlock(&pool->lock);
                        int r = stub_clean(sp, as);
                        pthread_mutex_lock(&pool->lock);
                        pool->nreleased--;
                        if (r == 0 && pool->nready < POOL_SIZE) {
                                pool->ready[pool->nready++] = as;
                        } else {
                                pthread_mutex_unlock(&pool->lock);
                                systrap_as_drop(sp, as);
                                pthread_mutex_lock(&pool->lock);
                        }
                        continue;
                }
                pthread_mutex_unlock(&pool->lock);
                int r = stub_new(sp, &as, true);
                pthread_mutex_lock(&pool->lock);
                if (r < 0)
                        pool->wanted = false;   /* until the next take asks again */
                else
                        pool->ready[pool->nready++] = as;
                if (pool->nready >= POOL_SIZE)
                        pool->refill = false;
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
        if (!pool->nready && !pool->nreleased)
                pool->refill = true;
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

/* Whether every thread of a released stub but the service thread (and the
 * spare's, stopped at its first ud2) was told to exit: one that was running
 * guest code when its ctx was released could not be, and runs on. */
static bool stub_quiet(struct systrap_as *as)
{
        uint64_t running;

        pthread_mutex_lock(&as->lock);
        running = as->slot_used & ~as->slot_exiting & ~1ULL;
        if (as->spare)
                running &= ~(1ULL << as->spare->slot);
        pthread_mutex_unlock(&as->lock);
        return running == 0 && !atomic_load(&as->dead);
}

bool systrap_pool_reuse(struct systrap_platform *sp, struct systrap_as *as)
{
        struct systrap_pool *pool = &sp->pool;
        bool taken = false;

        if (!stub_quiet(as))
                return false;
        pthread_mutex_lock(&pool->lock);
        if (pool->running && !pool->stopping && pool->wanted &&
            pool->nready + pool->nreleased < POOL_SIZE) {
                as->next = pool->released;
                pool->released = as;
                pool->nreleased++;
                pthread_cond_broadcast(&pool->cond);
                taken = true;
        }
        pthread_mutex_unlock(&pool->lock);
        return taken;
}

void systrap_pool_bury(struct systrap_platform *sp, struct systrap_as *as)
{
        struct systrap_pool *pool = &sp->pool;

        pthread_mutex_lock(&pool->lock);
        if (pool->running && !pool->stopping) {
                as->next = pool->dying;
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
                systrap_as_drop(sp, pool->ready[--pool->nready]);
        while ((as = pool->released)) {
                pool->released = as->next;
                systrap_as_drop(sp, as);
        }
        pool->nreleased = 0;
        while ((as = pool->dying)) {
                pool->dying = as->next;
                stub_bury(sp, as);
        }
        pthread_cond_destroy(&pool->cond);
        pthread_mutex_destroy(&pool->lock);
}
