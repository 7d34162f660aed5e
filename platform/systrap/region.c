/*
 * The stub region (layout.h), reserved once in the sentry: a PROT_NONE range
 * above GUEST_ADDR_MAX whose first page holds the trampoline code. Forked
 * stubs inherit it, map their data memfd over the rest and seal it all.
 * Reserving it in the sentry too keeps the sentry's own mappings (stacks,
 * vdso, which ASLR may put up there) out of the way.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/guest.h"
#include "lib/macro.h"
#include "internal.h"

/* Set once under pthread_once, read-only afterwards. */
static uintptr_t region;
static int region_err;
static pthread_once_t region_once = PTHREAD_ONCE_INIT;

static void region_setup(void)
{
        size_t code = (size_t)(systrap_tramp_end - systrap_tramp_start);

        if (code > SYSTRAP_PAGE - 16) {         /* no syscall may end the page */
                region_err = -E2BIG;
                return;
        }
        for (uintptr_t a = GUEST_ADDR_MAX; a + SYSTRAP_REGION_SIZE <= STUB_USER_ADDR_END;
             a += 256 * SYSTRAP_PAGE) {
                void *p = mmap((void *)a, SYSTRAP_REGION_SIZE, PROT_NONE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                               MAP_FIXED_NOREPLACE, -1, 0);
                if (p == MAP_FAILED)
                        continue;
                if (p != (void *)a) {           /* a kernel without NOREPLACE */
                        munmap(p, SYSTRAP_REGION_SIZE);
                        continue;
                }
                if (mprotect(p, SYSTRAP_PAGE, PROT_READ | PROT_WRITE) < 0)
                        goto fail;
                memcpy(p, systrap_tramp_start, code);
                if (mprotect(p, SYSTRAP_PAGE, PROT_READ | PROT_EXEC) < 0)
                        goto fail;
                region = a;
                return;
fail:
                region_err = -errno;
                munmap(p, SYSTRAP_REGION_SIZE);
                return;
        }
        region_err = -ENOMEM;
}

int systrap_region_get(uintptr_t *ret)
{
        pthread_once(&region_once, region_setup);
        if (region_err < 0)
                return region_err;
        *ret = region;
        return 0;
}
