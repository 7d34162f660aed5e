/*
 * Address spaces: one stub process each. map/unmap/protect are system calls
 * injected into a stub thread; any thread of the stub changes the mappings of
 * the whole process. The calling host thread uses the stub thread of its own
 * ctx in this address space if it has one (no hand-off: the common case of a
 * task faulting in its own memory), else asks the platform thread, which
 * uses the stub's main thread (an address space being built before its first
 * ctx, or a parent filling in its child's at fork).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/macro.h"
#include "internal.h"

#define PROT_ALLOWED (PROT_READ | PROT_WRITE | PROT_EXEC)

static inline struct ptrace_platform *as_platform(struct ptrace_as *as)
{
        return container_of(as->base.platform, struct ptrace_platform, base);
}

/* On the platform thread: the stub's parent and its main thread's tracer. */
static int spawn(void *arg)
{
        struct ptrace_as *as = arg;
        struct ptrace_platform *pp = as_platform(as);

        return stub_spawn(pp->memfd, pp->trampoline, &as->pid, &as->pidfd, &as->init_regs);
}

int ptrace_as_create(struct platform *p, struct platform_as **ret)
{
        struct ptrace_platform *pp = container_of(p, struct ptrace_platform, base);
        struct ptrace_as *as;
        int r;

        as = calloc(1, sizeof(*as));
        if (!as)
                return -ENOMEM;
        as->base.platform = p;
        as->trampoline = pp->trampoline;
        as->pidfd = -1;
        atomic_init(&as->dead, false);
        r = service_run(&pp->service, spawn, as);
        if (r < 0) {
                free(as);
                return r;
        }
        pthread_mutex_init(&as->lock, NULL);
        *ret = &as->base;
        return 0;
}

/* A range of guest pages: aligned, non-empty, below GUEST_ADDR_MAX. */
static bool range_valid(guest_ptr_t addr, uint64_t len)
{
        return PAGE_ALIGNED(addr) && PAGE_ALIGNED(len) && len > 0 &&
               addr < GUEST_ADDR_MAX && len <= GUEST_ADDR_MAX - addr;
}

/* The stub thread of a ctx of the calling thread in as, or NULL. Only its
 * tracer (we) can release it, so it stays valid after the lock is dropped. */
static struct ptrace_ctx *own_ctx(struct ptrace_as *as)
{
        pid_t self = ptrace_self_tid();
        struct ptrace_ctx *c;

        pthread_mutex_lock(&as->lock);
        for (c = as->ctxs; c; c = c->next)
                if (c->tracer == self && !c->released && !c->dead)
                        break;
        pthread_mutex_unlock(&as->lock);
        return c;
}

struct main_call {
        struct ptrace_as *as;
        long nr;
        uint64_t a[6];
        long res;
};

/* On the platform thread. */
static int main_syscall(void *arg)
{
        struct main_call *c = arg;

        return stub_inject_syscall(c->as, c->as->pid, c->nr, c->a[0], c->a[1], c->a[2],
                                   c->a[3], c->a[4], c->a[5], &c->res);
}

static int as_syscall(struct ptrace_as *as, long nr, uint64_t a0, uint64_t a1,
                      uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, long *ret)
{
        struct main_call c = { as, nr, { a0, a1, a2, a3, a4, a5 }, 0 };
        struct ptrace_ctx *ctx;
        int r;

        if (atomic_load_explicit(&as->dead, memory_order_relaxed))
                return -ESRCH;
        ctx = own_ctx(as);
        if (ctx)
                r = stub_inject_syscall(as, ctx->tid, nr, a0, a1, a2, a3, a4, a5, ret);
        else {
                r = service_run(&as_platform(as)->service, main_syscall, &c);
                *ret = c.res;
        }
        if (r == -ESRCH)
                atomic_store(&as->dead, true);
        return r;
}

int ptrace_as_map(struct platform_as *a, guest_ptr_t addr, uint64_t len,
                  int prot, uint64_t off)
{
        struct ptrace_as *as = container_of(a, struct ptrace_as, base);
        long res;
        int r;

        if (!range_valid(addr, len) || !PAGE_ALIGNED(off) || off > INT64_MAX - len ||
            (prot & ~PROT_ALLOWED))
                return -EINVAL;
        r = as_syscall(as, SYS_mmap, addr, len, (uint64_t)prot,
                       MAP_SHARED | MAP_FIXED, STUB_MEMFD, off, &res);
        if (r < 0)
                return r;
        if (res < 0 && res >= -4095)
                return (int)res;
        return (uint64_t)res == addr ? 0 : -EIO;
}

int ptrace_as_unmap(struct platform_as *a, guest_ptr_t addr, uint64_t len)
{
        struct ptrace_as *as = container_of(a, struct ptrace_as, base);
        long res;
        int r;

        if (!range_valid(addr, len))
                return -EINVAL;
        r = as_syscall(as, SYS_munmap, addr, len, 0, 0, 0, 0, &res);
        return r < 0 ? r : (int)res;
}

int ptrace_as_protect(struct platform_as *a, guest_ptr_t addr, uint64_t len, int prot)
{
        struct ptrace_as *as = container_of(a, struct ptrace_as, base);
        long res;
        int r;

        if (!range_valid(addr, len) || (prot & ~PROT_ALLOWED))
                return -EINVAL;
        r = as_syscall(as, SYS_mprotect, addr, len, (uint64_t)prot, 0, 0, 0, &res);
        return r < 0 ? r : (int)res;
}

/* Any thread. ctxs released from a thread other than their own could not
 * be made to exit: they are still traced, so they are reaped here. */
void ptrace_as_release(struct platform_as *a)
{
        struct ptrace_as *as;
        struct ptrace_ctx *c;

        if (!a)
                return;
        as = container_of(a, struct ptrace_as, base);
        assert(as->nctx == 0);          /* release the ctxs first */
        if (as->ctxs)
                (void)pidfd_send_signal(as->pidfd, SIGKILL, NULL, 0);
        while ((c = as->ctxs)) {
                as->ctxs = c->next;
                stub_thread_reap(c->tid);
                free(c);
        }
        stub_kill(as->pidfd);
        pthread_mutex_destroy(&as->lock);
        free(as);
}
