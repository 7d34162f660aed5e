/*
 * Address spaces: one stub process each. map/unmap/protect are system calls
 * injected into the stub's main thread; they run only on the tracer thread.
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
        as->tracer = gettid();
        r = stub_spawn(pp->memfd, pp->trampoline, &as->pid, &as->pidfd, &as->init_regs);
        if (r < 0) {
                free(as);
                return r;
        }
        *ret = &as->base;
        return 0;
}

/* A range of guest pages: aligned, non-empty, below GUEST_ADDR_MAX. */
static bool range_valid(guest_ptr_t addr, uint64_t len)
{
        return PAGE_ALIGNED(addr) && PAGE_ALIGNED(len) && len > 0 &&
               addr < GUEST_ADDR_MAX && len <= GUEST_ADDR_MAX - addr;
}

static int as_syscall(struct ptrace_as *as, long nr, uint64_t a0, uint64_t a1,
                      uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, long *ret)
{
        int r;

        if (as->dead)
                return -ESRCH;
        r = stub_inject_syscall(as, as->pid, nr, a0, a1, a2, a3, a4, a5, ret);
        if (r == -ESRCH)
                as->dead = true;
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

void ptrace_as_release(struct platform_as *a)
{
        struct ptrace_as *as;

        if (!a)
                return;
        as = container_of(a, struct ptrace_as, base);
        assert(as->nctx == 0);          /* release the ctxs first */
        stub_kill(as->pidfd);
        free(as);
}
