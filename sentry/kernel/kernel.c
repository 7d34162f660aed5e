/* Creating and destroying the per-sandbox kernel. */
#include "kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sentry/mm/mm.h"

/* The memory file is sparse: its size only bounds how much guest memory the
 * sandbox may ever hold at once. */
#define MEMFILE_DEFAULT_SIZE (64ULL << 30)

int kernel_create(const struct kernel_config *cfg, struct kernel **ret)
{
        const char *pname = cfg->platform ? cfg->platform : PLATFORM_DEFAULT;
        struct kernel *k;
        int r;

        k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;
        pthread_mutex_init(&k->lock, NULL);
        ktimer_service_init(&k->timers);
        k->next_tid = 1;
        k->strace = cfg->strace;
        k->strace_fd = cfg->strace_fd;
        clock_gettime(CLOCK_MONOTONIC, &k->boot_monotonic);
        snprintf(k->hostname, sizeof(k->hostname), "%s", cfg->hostname ? cfg->hostname : "conternel");
        snprintf(k->domainname, sizeof(k->domainname), "(none)");

        k->platform_ops = platform_lookup(pname);
        if (!k->platform_ops) {
                r = -ENOENT;
                goto fail;
        }
        r = memfile_create(cfg->memfile_size ? cfg->memfile_size : MEMFILE_DEFAULT_SIZE,
                           &k->memfile);
        if (r < 0)
                goto fail;
        r = k->platform_ops->create(memfile_fd(k->memfile), &k->platform);
        if (r < 0)
                goto fail;
        log_debug("kernel: platform %s, memory file %llu GiB, host name %s", pname,
                  (unsigned long long)((cfg->memfile_size ? cfg->memfile_size : MEMFILE_DEFAULT_SIZE) >> 30),
                  k->hostname);
        *ret = k;
        return 0;
fail:
        kernel_destroy(k);
        return r;
}

void kernel_destroy(struct kernel *k)
{
        if (!k)
                return;
        if (k->platform)
                k->platform_ops->destroy(k->platform);
        if (k->memfile)
                memfile_destroy(k->memfile);
        ktimer_service_destroy(&k->timers);
        pthread_mutex_destroy(&k->lock);
        free(k);
}

int kernel_alloc_tid(struct kernel *k)
{
        int tid;

        pthread_mutex_lock(&k->lock);
        tid = k->next_tid++;
        pthread_mutex_unlock(&k->lock);
        return tid;
}
