/* Creating and destroying the per-sandbox kernel. */
#include "kernel.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "net/socket.h"
#include "sentry/ipc/ipc.h"
#include "sentry/kernel/current.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

/* The memory file is sparse: its size only bounds how much guest memory the
 * sandbox may ever hold at once. */
#define MEMFILE_DEFAULT_SIZE (64ULL << 30)

/* For net/: who is calling, when a socket is read or written with no
 * system call of its own (write(2) to a unix socket). */
static void current_sock_cred(struct sock_cred *ret)
{
        struct task *t = task_current();

        *ret = (struct sock_cred){ 0 };
        if (t)
                *ret = (struct sock_cred){ .pid = t->tg->tgid, .uid = t->creds.ruid,
                                           .gid = t->creds.rgid };
}

int kernel_create(const struct kernel_config *cfg, struct kernel **ret)
{
        const char *pname = cfg->platform ? cfg->platform : PLATFORM_DEFAULT;
        struct kernel *k;
        int r;

        k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;
        pthread_mutex_init(&k->lock, NULL);
        pthread_cond_init(&k->threads_done, NULL);
        ktimer_service_init(&k->timers);
        futex_table_init(&k->futexes);
        lock_wait_graph_init(&k->lock_waits);
        k->tasks = calloc(KERNEL_PID_MAX, sizeof(*k->tasks));
        k->tgs = calloc(KERNEL_PID_MAX, sizeof(*k->tgs));
        if (!k->tasks || !k->tgs) {
                r = -ENOMEM;
                goto fail;
        }
        r = net_create(current_sock_cred, &k->net);
        if (r < 0)
                goto fail;
        k->next_tid = 1;
        k->strace = cfg->strace;
        k->strace_fd = cfg->strace_fd;
        k->pids_limit = cfg->pids_limit > 0 ? cfg->pids_limit : KERNEL_PIDS_LIMIT_DEFAULT;
        clock_gettime(CLOCK_MONOTONIC, &k->boot_monotonic);
        /* The CPUs the sandbox may use, read once while the host is in view. */
        if (sched_getaffinity(0, sizeof(k->cpus), &k->cpus) < 0 || CPU_COUNT(&k->cpus) == 0) {
                CPU_ZERO(&k->cpus);
                CPU_SET(0, &k->cpus);
        }
        k->nr_cpu_ids = (unsigned)MAX(sysconf(_SC_NPROCESSORS_CONF), 1L);
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
        r = ipc_ns_create(k->memfile, &k->ipc);
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
        /* Groups nobody reaped (init, orphans of a dying sandbox). */
        for (int pid = 0; k->tgs && pid < KERNEL_PID_MAX; pid++)
                thread_group_unref(k->tgs[pid]);
        ipc_ns_release_memory(k->ipc);  /* before the memory file its segments are in */
        if (k->memfile)
                memfile_destroy(k->memfile);
        ktimer_service_destroy(&k->timers);
        futex_table_destroy(&k->futexes);
        lock_wait_graph_destroy(&k->lock_waits);
        net_destroy(k->net);
        ipc_ns_destroy(k->ipc);         /* after the sockets: fds in flight */
        free(k->tasks);
        free(k->tgs);
        pthread_cond_destroy(&k->threads_done);
        pthread_mutex_destroy(&k->lock);
        free(k);
}

int kernel_alloc_tid_locked(struct kernel *k, struct task *t)
{
        /* Like Linux: the next number up, wrapping (above the reserved low
         * numbers) past the ones in use by tasks or unreaped groups. */
        for (int tries = 0; tries < KERNEL_PID_MAX; tries++) {
                int tid = k->next_tid++;

                if (k->next_tid >= KERNEL_PID_MAX)
                        k->next_tid = 300;
                if (!k->tasks[tid] && !k->tgs[tid]) {
                        k->tasks[tid] = t;
                        return tid;
                }
        }
        return -EAGAIN;
}

void kernel_wait_threads(struct kernel *k)
{
        pthread_mutex_lock(&k->lock);
        while (k->nthreads > 0)
                pthread_cond_wait(&k->threads_done, &k->lock);
        pthread_mutex_unlock(&k->lock);
}
