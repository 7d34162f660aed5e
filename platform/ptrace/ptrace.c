/*
 * The ptrace platform: guest code runs in stub processes traced with
 * PTRACE_SYSEMU. This file holds the ops table, its registration and the
 * per-sandbox object; see as.c, ctx.c, stub.c and inject.c for the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/macro.h"
#include "internal.h"

static int ptrace_create(int memfd, struct platform **ret);
static void ptrace_destroy(struct platform *p);
static int ptrace_as_usage(struct platform_as *a, bool cpu_only, struct platform_usage *ret);
static int ptrace_ctx_usage(struct platform_ctx *c, bool cpu_only, struct platform_usage *ret);

static const struct platform_ops ptrace_ops = {
        .name = "ptrace",
        .create = ptrace_create,
        .destroy = ptrace_destroy,
        .as_create = ptrace_as_create,
        .as_map = ptrace_as_map,
        .as_unmap = ptrace_as_unmap,
        .as_protect = ptrace_as_protect,
        .as_release = ptrace_as_release,
        .ctx_create = ptrace_ctx_create,
        .switch_to = ptrace_switch_to,
        .interrupt = ptrace_interrupt,
        .xstate_get = ptrace_xstate_get,
        .xstate_set = ptrace_xstate_set,
        .ctx_release = ptrace_ctx_release,
        .as_usage = ptrace_as_usage,
        .ctx_usage = ptrace_ctx_usage,
};

static int ptrace_as_usage(struct platform_as *a, bool cpu_only, struct platform_usage *ret)
{
        struct ptrace_as *as = container_of(a, struct ptrace_as, base);
        struct ptrace_platform *pp = container_of(a->platform, struct ptrace_platform, base);

        return stub_usage_process(pp->procfd, as->pid, cpu_only, ret);
}

static int ptrace_ctx_usage(struct platform_ctx *c, bool cpu_only, struct platform_usage *ret)
{
        struct ptrace_ctx *ctx = container_of(c, struct ptrace_ctx, base);
        struct ptrace_platform *pp = container_of(c->as->platform, struct ptrace_platform, base);

        return stub_usage_thread(pp->procfd, ctx->tgid, ctx->tid, cpu_only, ret);
}

static int ptrace_create(int memfd, struct platform **ret)
{
        struct ptrace_platform *pp;
        uintptr_t trampoline;
        int r;

        if (memfd < 0)
                return -EBADF;
        r = stub_trampoline_get(&trampoline);
        if (r < 0)
                return r;
        pp = calloc(1, sizeof(*pp));
        if (!pp)
                return -ENOMEM;
        pp->base.ops = &ptrace_ops;
        pp->memfd = memfd;
        pp->trampoline = trampoline;
        atomic_init(&pp->next_cpu, 0);
        r = stub_cpus_get(&pp->cpus);
        if (r < 0) {
                free(pp);
                return r;
        }
        pp->procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (pp->procfd < 0) {
                free(pp);
                return -errno;
        }
        r = service_start(&pp->service);
        if (r < 0) {
                close(pp->procfd);
                free(pp);
                return r;
        }
        *ret = &pp->base;
        return 0;
}

/* Address spaces must be released first (a stub left over dies with the
 * platform thread anyway). The trampoline page stays mapped in the sentry
 * for the next platform. */
static void ptrace_destroy(struct platform *p)
{
        struct ptrace_platform *pp;

        if (!p)
                return;
        pp = container_of(p, struct ptrace_platform, base);
        service_stop(&pp->service);
        close(pp->procfd);
        free(pp);
}

pid_t ptrace_self_tid(void)
{
        static __thread pid_t tid;

        if (tid == 0)
                tid = gettid();
        return tid;
}

static __attribute__((constructor)) void ptrace_register(void)
{
        platform_register(&ptrace_ops);
}
