/* The initial stack: map it, lay it out (stack_layout_amd64.c) and copy it in. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "lib/macro.h"
#include "sentry/loader/internal.h"
#include "sentry/mm/mm.h"

/* The stack VMA is mapped whole up front (no MAP_GROWSDOWN growth yet), so
 * its size is the RLIMIT_STACK soft limit capped here; memory-file pages
 * are only used once touched. */
#define LOADER_STACK_MAX       (64UL << 20)
/* Room below the arguments at the least, like Linux's stack_expand. */
#define LOADER_STACK_EXPAND    (128UL << 10)
/* The top of the stack VMA: the highest guest page. */
#define LOADER_STACK_TOP       GUEST_ADDR_MAX

static int fill_random(void *buf, size_t len)
{
        uint8_t *p = buf;

        while (len > 0) {
                ssize_t n = getrandom(p, len, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int loader_setup_stack(struct mm *mm, struct stack_args *a, bool exec_stack,
                       guest_ptr_t image_end, guest_ptr_t *ret_sp)
{
        _cleanup_free_ void *buf = NULL;
        const guest_ptr_t top = LOADER_STACK_TOP;
        struct stack_layout l;
        uint16_t align_rand;
        uint64_t size;
        long addr;
        int r;

        r = fill_random(a->random, sizeof(a->random));
        if (r < 0)
                return r;
        r = fill_random(&align_rand, sizeof(align_rand));
        if (r < 0)
                return r;
        a->align_rand = align_rand % 8192;

        r = loader_stack_layout(a, top, NULL, 0, &l);
        if (r < 0)
                return r;

        size = MIN(a->stack_limit, LOADER_STACK_MAX);
        size = MAX(size, l.size + LOADER_STACK_EXPAND);
        size = PAGE_ROUND_UP(size);
        if (size > top || top - size < image_end)
                return -ENOMEM;

        int prot = PROT_READ | PROT_WRITE | (exec_stack ? PROT_EXEC : 0);
        addr = mm_mmap(mm, top - size, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
        if (addr < 0)
                return (int)addr;

        buf = malloc(l.size);
        if (!buf)
                return -ENOMEM;
        r = loader_stack_layout(a, top, buf, l.size, &l);
        if (r < 0)
                return r;
        r = mm_copy_out_force(mm, l.sp, buf, l.size);
        if (r < 0)
                return r;

        *ret_sp = l.sp;
        return 0;
}
