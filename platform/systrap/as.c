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

int systrap_as_create(struct platform *p, struct platform_as **ret)
{
        struct systrap_platform *sp = container_of(p, struct systrap_platform, base);
        struct systrap_as *as;
        void *data;
        int r;

        as = calloc(1, sizeof(*as));
        if (!as)
                return -ENOMEM;
        as->base.platform = p;
        as->pidfd = -1;
        as->slot_used = 1;              /* the service thread's */
        atomic_init(&as->dead, false);
        atomic_init(&as->nctx, 0);
        pthread_mutex_init(&as->lock, NULL);
        as->datafd = memfd_create("systrap-stub", MFD_CLOEXEC);
        if (as->datafd < 0) {
                r = -errno;
                goto fail_free;
        }
        if (ftruncate(as->datafd, SYSTRAP_DATA_SIZE) < 0) {
                r = -errno;
                goto fail_close;
        }
        data = mmap(NULL, SYSTRAP_DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, as->datafd, 0);
        if (data == MAP_FAILED) {
                r = -errno;
                goto fail_close;
        }
        as->data = data;
        r = systrap_stub_spawn(sp, as);
        if (r < 0)
                goto fail_unmap;
        *ret = &as->base;
        return 0;

fail_unmap:
        munmap(as->data, SYSTRAP_DATA_SIZE);
fail_close:
        close(as->datafd);
fail_free:
        pthread_mutex_destroy(&as->lock);
        free(as);
        return r;
}

int systrap_as_syscall(struct systrap_as *as, long nr, const uint64_t args[6], long *ret)
{
        struct systrap_stopped *st = &systrap_stopped;
        struct systrap_ctx *ctx;
        int r;

        if (atomic_load(&as->dead))
                return -ESRCH;
        pthread_mutex_lock(&as->lock);
        ctx = st->as == as ? as->slot_ctx[st->slot] : NULL;
        if (ctx && ctx->id == st->id && ctx->stopped && !ctx->dead)
                r = handoff_request(as, as_msg(as, ctx->slot), ctx->tid, nr, args, ret);
        else
                r = handoff_request(as, as_msg(as, 0), as->pid, nr, args, ret);
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

void systrap_as_release(struct platform_as *a)
{
        struct systrap_as *as;

        if (!a)
                return;
        as = to_as(a);
        assert(atomic_load(&as->nctx) == 0);    /* release the ctxs first */
        atomic_store(&as->dead, true);
        stub_kill(as->pidfd);
        munmap(as->data, SYSTRAP_DATA_SIZE);
        close(as->datafd);
        pthread_mutex_destroy(&as->lock);
        free(as);
}
