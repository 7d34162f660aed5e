/*
 * Address spaces: one stub process each. map/unmap/protect are host calls
 * the stub runs on request: by the stub thread of the ctx the calling host
 * thread has just stopped, when it is in this address space (it is still
 * spinning in its handler, so this costs no wakeup), else by the service
 * thread. Both under the address space's lock. Any host thread may call
 * them.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/macro.h"
#include "internal.h"

#define PROT_ALLOWED (PROT_READ | PROT_WRITE | PROT_EXEC)

__thread struct systrap_stopped systrap_stopped;

static inline struct systrap_as *to_as(struct platform_as *a)
{
        return container_of(a, struct systrap_as, base);
}

int systrap_as_alloc(struct systrap_platform *sp, struct systrap_as **ret)
{
        struct systrap_as *as;
        int r;

        as = calloc(1, sizeof(*as));
        if (!as)
                return -ENOMEM;
        as->base.platform = &sp->base;
        as->pidfd = -1;
        as->slot_used = 1;              /* the service thread's */
        atomic_init(&as->dead, false);
        atomic_init(&as->nctx, 0);
        pthread_mutex_init(&as->lock, NULL);
        r = systrap_data_get(sp, as);
        if (r < 0) {
                pthread_mutex_destroy(&as->lock);
                free(as);
                return r;
        }
        *ret = as;
        return 0;
}

void systrap_as_free(struct systrap_platform *sp, struct systrap_as *as)
{
        systrap_data_put(sp, as);
        pthread_mutex_destroy(&as->lock);
        free(as);
}

int systrap_as_new(struct systrap_platform *sp, struct systrap_as **ret)
{
        struct systrap_as *as;
        int r;

        r = systrap_as_alloc(sp, &as);
        if (r < 0)
                return r;
        r = systrap_stub_fork(sp, as);
        if (r < 0) {
                systrap_as_free(sp, as);
                return r;
        }
        *ret = as;
        return 0;
}

int systrap_as_create(struct platform *p, struct platform_as **ret)
{
        struct systrap_platform *sp = container_of(p, struct systrap_platform, base);
        struct systrap_as *as = systrap_pool_take(sp);
        int r = 0;

        if (!as)
                r = systrap_as_new(sp, &as);
        if (r == 0)
                *ret = &as->base;
        return r;
}

/* Under as->lock: the message page to run requests through, and its
 * thread. */
static volatile struct systrap_msg *request_page(struct systrap_as *as, pid_t *ret_tid)
{
        struct systrap_stopped *st = &systrap_stopped;
        struct systrap_ctx *ctx = st->as == as ? as->slot_ctx[st->slot] : NULL;

        if (ctx && ctx->id == st->id && ctx->stopped && !ctx->dead) {
                *ret_tid = ctx->tid;
                return as_msg(as, ctx->slot);
        }
        *ret_tid = as->pid;
        return as_msg(as, 0);
}

int systrap_as_syscall(struct systrap_as *as, long nr, const uint64_t args[6], long *ret)
{
        volatile struct systrap_msg *m;
        pid_t tid;
        int r;

        if (atomic_load(&as->dead))
                return -ESRCH;
        pthread_mutex_lock(&as->lock);
        m = request_page(as, &tid);
        r = handoff_request(as, m, tid, nr, args, ret);
        pthread_mutex_unlock(&as->lock);
        return r;
}

/* A range of guest pages: aligned, non-empty, below GUEST_ADDR_MAX. */
static bool range_valid(guest_ptr_t addr, uint64_t len)
{
        return PAGE_ALIGNED(addr) && PAGE_ALIGNED(len) && len > 0 &&
               addr < GUEST_ADDR_MAX && len <= GUEST_ADDR_MAX - addr;
}

/* A host call's result: the kernel's -errno range, else success. */
static int host_result(long res)
{
        return res < 0 && res >= -4095 ? (int)res : 0;
}

int systrap_as_map(struct platform_as *a, guest_ptr_t addr, uint64_t len,
                   int prot, uint64_t off)
{
        struct systrap_as *as = to_as(a);
        uint64_t args[6] = { addr, len, (uint64_t)prot, MAP_SHARED | MAP_FIXED,
                             STUB_MEMFD, off };
        long res;
        int r;

        if (!range_valid(addr, len) || !PAGE_ALIGNED(off) || off > INT64_MAX - len ||
            (prot & ~PROT_ALLOWED))
                return -EINVAL;
        r = systrap_as_syscall(as, SYS_mmap, args, &res);
        if (r < 0)
                return r;
        if (host_result(res) < 0)
                return host_result(res);
        return (uint64_t)res == addr ? 0 : -EIO;
}

int systrap_as_unmap(struct platform_as *a, guest_ptr_t addr, uint64_t len)
{
        uint64_t args[6] = { addr, len };
        long res;
        int r;

        if (!range_valid(addr, len))
                return -EINVAL;
        r = systrap_as_syscall(to_as(a), SYS_munmap, args, &res);
        return r < 0 ? r : host_result(res);
}

int systrap_as_protect(struct platform_as *a, guest_ptr_t addr, uint64_t len, int prot)
{
        uint64_t args[6] = { addr, len, (uint64_t)prot };
        long res;
        int r;

        if (!range_valid(addr, len) || (prot & ~PROT_ALLOWED))
                return -EINVAL;
        r = systrap_as_syscall(to_as(a), SYS_mprotect, args, &res);
        return r < 0 ? r : host_result(res);
}

/* One op as a host call, validated as the single calls are; the result it
 * must give. */
static int op_call(const struct platform_as_op *op, struct systrap_call *c, long *ret_want)
{
        switch (op->kind) {
        case PLATFORM_AS_MAP:
                if (!range_valid(op->addr, op->len) || !PAGE_ALIGNED(op->off) ||
                    op->off > INT64_MAX - op->len || (op->prot & ~PROT_ALLOWED))
                        return -EINVAL;
                *c = (struct systrap_call){ SYS_mmap, { op->addr, op->len, (uint64_t)op->prot,
                                                        MAP_SHARED | MAP_FIXED, STUB_MEMFD,
                                                        op->off } };
                *ret_want = (long)op->addr;
                return 0;
        case PLATFORM_AS_UNMAP:
                if (!range_valid(op->addr, op->len))
                        return -EINVAL;
                *c = (struct systrap_call){ SYS_munmap, { op->addr, op->len } };
                *ret_want = 0;
                return 0;
        case PLATFORM_AS_PROTECT:
                if (!range_valid(op->addr, op->len) || (op->prot & ~PROT_ALLOWED))
                        return -EINVAL;
                *c = (struct systrap_call){ SYS_mprotect, { op->addr, op->len,
                                                            (uint64_t)op->prot } };
                *ret_want = 0;
                return 0;
        }
        return -EINVAL;
}

int systrap_as_apply(struct platform_as *a, const struct platform_as_op *ops, unsigned n)
{
        struct systrap_as *as = to_as(a);
        struct systrap_call calls[SYSTRAP_BATCH_MAX];
        long want[SYSTRAP_BATCH_MAX], got[SYSTRAP_BATCH_MAX];
        volatile struct systrap_msg *m;
        unsigned done, chunk;
        pid_t tid;
        int r;

        for (unsigned at = 0; at < n; at += chunk) {
                chunk = MIN(n - at, (unsigned)SYSTRAP_BATCH_MAX);
                for (unsigned i = 0; i < chunk; i++) {
                        r = op_call(&ops[at + i], &calls[i], &want[i]);
                        if (r < 0)
                                return r;
                }
                if (atomic_load(&as->dead))
                        return -ESRCH;
                pthread_mutex_lock(&as->lock);
                m = request_page(as, &tid);
                r = handoff_request_batch(as, m, tid, calls, chunk, got, &done);
                pthread_mutex_unlock(&as->lock);
                if (r < 0)
                        return r;
                for (unsigned i = 0; i < done; i++)
                        if (got[i] != want[i])
                                return host_result(got[i]) < 0 ? host_result(got[i]) : -EIO;
                if (done != chunk)
                        return -EIO;
        }
        return 0;
}

void systrap_as_drop(struct systrap_platform *sp, struct systrap_as *as)
{
        if (as->spare) {
                /* Never handed out: it goes with the stub. */
                free(as->spare);
                as->spare = NULL;
                atomic_fetch_sub(&as->nctx, 1);
        }
        assert(atomic_load(&as->nctx) == 0);    /* release the ctxs first */
        systrap_as_kill(as);
        systrap_pool_bury(sp, as);
}

void systrap_as_release(struct platform_as *a)
{
        struct systrap_platform *sp;
        struct systrap_as *as;

        if (!a)
                return;
        as = to_as(a);
        sp = container_of(a->platform, struct systrap_platform, base);
        if (!systrap_pool_reuse(sp, as))
                systrap_as_drop(sp, as);
}
