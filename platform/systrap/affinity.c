/*
 * Placement of a sentry thread and the stub thread it runs (see README.md
 * for the measurements behind the default). On a ctx's first switch_to:
 *   SPLIT: the two on different CPUs, so that each can spin while the other
 *          works (a hand-off across CPUs through a spinning reader costs
 *          ~0.1 us; a futex wakeup across CPUs 37-58 us on these VMs);
 *   SAME:  both on one CPU (futex hand-offs, ~4 us, no spinning); also what
 *          SPLIT gives with a single CPU;
 *   FREE:  left to the scheduler.
 * CPUs are chosen round robin among those the sentry could use when the
 * platform was made, so several guest threads spread out (a sentry thread
 * inherits its creator's pinning: its own mask says nothing).
 */
#include <sched.h>

#include "internal.h"
#include "platform/stub/stub.h"

void systrap_place(struct systrap_platform *sp, struct systrap_ctx *ctx)
{
        enum systrap_placement mode = systrap_tuning.placement;
        unsigned n;
        int count, mine, theirs;

        if (ctx->cpu >= 0 || mode == SYSTRAP_PLACE_FREE)
                return;
        /* SPLIT takes two CPUs a pair, SAME one. */
        n = atomic_fetch_add(&sp->next_cpu, mode == SYSTRAP_PLACE_SPLIT ? 2 : 1);
        mine = stub_allowed_cpu(&sp->cpus, n, &count);
        if (mine < 0)
                return;
        theirs = mode == SYSTRAP_PLACE_SPLIT && count > 1 ?
                 stub_allowed_cpu(&sp->cpus, n + 1, &count) : mine;
        if (theirs < 0 || stub_pin(0, mine) < 0 || stub_pin(ctx->tid, theirs) < 0)
                return;
        ctx->cpu = theirs;
        ctx->colocated = mine == theirs;
}
