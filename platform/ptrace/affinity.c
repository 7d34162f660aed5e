/*
 * Placement of a tracer thread and its stub thread.
 *
 * Every guest system call is two wakeups (stub -> tracer, tracer -> stub).
 * On these VMs a wakeup across vCPUs costs far more than on one, and the
 * scheduler, left alone, puts the woken tracer on the idle vCPU every time:
 * letting the stub merely follow the tracer's CPU makes the tracer migrate
 * on every other call and gains nothing. Pinning both to one CPU does (see
 * README.md for the numbers). So, on a ctx's first switch_to, the calling
 * (tracer) thread and the stub thread are pinned to one CPU, chosen round
 * robin among the CPUs the sentry could use when the platform was made, so
 * that several guest threads spread out; afterwards the stub follows the tracer if the sentry moves it.
 */
#include <sched.h>

#include "internal.h"
#include "platform/stub/stub.h"

void ctx_place(struct ptrace_platform *pp, struct ptrace_ctx *ctx)
{
        int cpu;

        if (ctx->stub_cpu < 0) {
                cpu = stub_allowed_cpu(&pp->cpus, atomic_fetch_add(&pp->next_cpu, 1), NULL);
                if (cpu >= 0)
                        (void)stub_pin(0, cpu);
        }
        /* Cheap: glibc reads it from the rseq area. */
        cpu = sched_getcpu();
        if (cpu < 0 || cpu == ctx->stub_cpu)
                return;
        if (stub_pin(ctx->tid, cpu) == 0)
                ctx->stub_cpu = cpu;
}
