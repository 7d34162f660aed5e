/*
 * The systrap platform: guest system calls trap into a seccomp SIGSYS
 * handler in the stub, which hands them to the sentry through a shared
 * message page. This file holds the ops table, its registration, the tuning
 * and the per-sandbox object; see README.md for the design.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "lib/macro.h"
#include "internal.h"

static int systrap_create(int memfd, struct platform **ret);
static void systrap_destroy(struct platform *p);
static int systrap_as_usage(struct platform_as *a, bool cpu_only, struct platform_usage *ret);
static int systrap_ctx_usage(struct platform_ctx *c, bool cpu_only, struct platform_usage *ret);

static const struct platform_ops systrap_ops = {
        .name = "systrap",
        .create = systrap_create,
        .destroy = systrap_destroy,
        .as_create = systrap_as_create,
        .as_map = systrap_as_map,
        .as_unmap = systrap_as_unmap,
        .as_protect = systrap_as_protect,
        .as_apply = systrap_as_apply,
        .as_release = systrap_as_release,
        .ctx_create = systrap_ctx_create,
        .switch_to = systrap_switch_to,
        .interrupt = systrap_interrupt,
        .xstate_get = systrap_xstate_get,
        .xstate_set = systrap_xstate_set,
        .ctx_release = systrap_ctx_release,
        .ctx_exec = systrap_ctx_exec,
        .as_usage = systrap_as_usage,
        .ctx_usage = systrap_ctx_usage,
};

static int systrap_as_usage(struct platform_as *a, bool cpu_only, struct platform_usage *ret)
{
        struct systrap_as *as = container_of(a, struct systrap_as, base);
        struct systrap_platform *sp = container_of(a->platform, struct systrap_platform, base);
        int r = stub_usage_process(sp->procfd, as->pid, cpu_only, ret);

        /* A reused stub: its earlier guests' part is not this one's. */
        if (r == 0)
                stub_usage_since(ret, cpu_only ? &as->used_before_cpu : &as->used_before);
        return r;
}

static int systrap_ctx_usage(struct platform_ctx *c, bool cpu_only, struct platform_usage *ret)
{
        struct systrap_ctx *ctx = container_of(c, struct systrap_ctx, base);
        struct systrap_as *as = container_of(c->as, struct systrap_as, base);
        struct systrap_platform *sp = container_of(c->as->platform, struct systrap_platform, base);
        int r = stub_usage_thread(sp->procfd, as->pid, ctx->tid, cpu_only, ret);

        /* A parked thread: its earlier guest's part is not this one's. */
        if (r == 0)
                stub_usage_since(ret, cpu_only ? &ctx->used_before_cpu : &ctx->used_before);
        return r;
}

/* Chosen with bench/systrap-modes and bench/procs.sh (README.md): SPLIT with
 * a 50 us spin keeps a quick system call near the SIGSYS floor. A spinner
 * pauses for the first microsecond, then yields the CPU at every turn: two
 * spinners that share a CPU (two guest threads' sentry threads, or their
 * stubs) then take turns instead of each holding it for its whole spin
 * while the other's answer waits. But a yield to a task not ours lasts its
 * time slice: one that took 300 us or more means contention, and for 10 ms
 * after it the spinner only pauses (a CPU hog next to the sandbox made each
 * quick call cost a slice: gofer-escape's host-side rename loop, 5 -> 89 s).
 * Read at as/ctx creation and on every switch; the bench sets it before
 * creating anything. */
struct systrap_tuning systrap_tuning = {
        .sentry_spin_ns = 50 * 1000,
        .stub_spin_ns = 50 * 1000,
        .pause_ns = 1000,
        .yield_slow_ns = 300 * 1000,
        .noyield_ns = 10 * 1000 * 1000,
        .placement = SYSTRAP_PLACE_SPLIT,
};

static uint64_t tsc_per_us;
static pthread_once_t tsc_once = PTHREAD_ONCE_INIT;

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The stub has no clock but the TSC: measure its rate for 1 ms, once. */
static void tsc_calibrate(void)
{
        uint64_t t0 = now_ns(), c0 = __builtin_ia32_rdtsc(), t, c;

        do {
                t = now_ns();
        } while (t - t0 < 1000 * 1000);
        c = __builtin_ia32_rdtsc();
        tsc_per_us = (c - c0) * 1000 / (t - t0);
        if (tsc_per_us == 0)
                tsc_per_us = 1000;
}

static int systrap_create(int memfd, struct platform **ret)
{
        struct systrap_platform *sp;
        int r;

        if (memfd < 0)
                return -EBADF;
        sp = calloc(1, sizeof(*sp));
        if (!sp)
                return -ENOMEM;
        sp->base.ops = &systrap_ops;
        sp->memfd = memfd;
        atomic_init(&sp->next_cpu, 0);
        pthread_mutex_init(&sp->factory_lock, NULL);
        sp->procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (sp->procfd < 0) {
                r = -errno;
                goto fail_free;
        }
        r = systrap_data_init(sp);
        if (r == 0)
                r = stub_cpus_get(&sp->cpus);
        if (r == 0)
                r = systrap_region_get(&sp->region);
        if (r == 0)
                r = systrap_filters_build(sp);
        if (r == 0)
                r = stub_spawner_create(&sp->spawner);
        if (r < 0)
                goto fail;
        systrap_pool_init(sp);
        pthread_once(&tsc_once, tsc_calibrate);
        sp->tsc_per_us = tsc_per_us;
        *ret = &sp->base;
        return 0;

fail:
        free(sp->allow);
        systrap_data_fini(sp);
        close(sp->procfd);
fail_free:
        pthread_mutex_destroy(&sp->factory_lock);
        free(sp);
        return r;
}

/* Address spaces must be released first. The region stays reserved in the
 * sentry for the next platform. */
static void systrap_destroy(struct platform *p)
{
        struct systrap_platform *sp;

        if (!p)
                return;
        sp = container_of(p, struct systrap_platform, base);
        systrap_pool_fini(sp);
        systrap_factory_stop(sp);
        stub_spawner_destroy(sp->spawner);
        free(sp->allow);
        systrap_data_fini(sp);
        close(sp->procfd);
        pthread_mutex_destroy(&sp->factory_lock);
        free(sp);
}

static __attribute__((constructor)) void systrap_register(void)
{
        platform_register(&systrap_ops);
}
