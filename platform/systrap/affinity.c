/*
 * Placement of a sentry thread and the stub thread it runs (see README.md
 * for the measurements behind the default). On a ctx's first switch_to:
 *   SPLIT: the two on different CPUs, so that each can spin while the other
 *          works (a hand-off across CPUs through a spinning reader costs
 *          ~0.1 us; a futex wakeup across CPUs 37-58 us on these VMs);
 *   SAME:  both on one CPU (futex hand-offs, ~4 us, no spinning); also what
 *          SPLIT gives with a single CPU;
 *   FREE:  left to the scheduler.
 * CPUs are chosen round robin among those the sentry thread may use, so
 * several guest threads spread out.
 */
#include <sched.h>

#include "internal.h"

static int pin(pid_t tid, int cpu)
{
        cpu_set_t set;

        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        return sched_setaffinity(tid, sizeof(set), &set);
}

/* The n-th CPU (modulo their number) that the calling thread may run on. */
static int allowed_cpu(unsigned n, int *ret_count)
{
        cpu_set_t set;
        int count, cpu;

        if (sched_getaffinity(0, sizeof(set), &set) < 0)
                return -1;
        count = CPU_COUNT(&set);
        *ret_count = count;
        if (count <= 0)
                return -1;
        n %= (unsigned)count;
        for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
                if (CPU_ISSET(cpu, &set) && n-- == 0)
                        return cpu;
        return -1;
}

void systrap_place(struct systrap_platform *sp, struct systrap_ctx *ctx)
{
        enum systrap_placement mode = systrap_tuning.placement;
        unsigned n;
        int count, mine, theirs;

        if (ctx->cpu >= 0 || mode == SYSTRAP_PLACE_FREE)
                return;
        n = atomic_fetch_add(&sp->next_cpu, 2);
        mine = allowed_cpu(n, &count);
        if (mine < 0)
                return;
        theirs = mode == SYSTRAP_PLACE_SPLIT && count > 1 ? allowed_cpu(n + 1, &count) : mine;
        if (theirs < 0 || pin(0, mine) < 0 || pin(ctx->tid, theirs) < 0)
                return;
        ctx->cpu = theirs;
        ctx->colocated = mine == theirs;
}
