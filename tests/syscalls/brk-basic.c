/* brk: query, grow, use, shrink; a break below the start is refused and the
 * current break returned. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "test.h"

#define PG 4096UL

static uintptr_t sys_brk(uintptr_t b)
{
        return (uintptr_t)syscall(SYS_brk, b);
}

int main(void)
{
        uintptr_t cur = sys_brk(0);
        EXPECT_TRUE(cur != 0);
        EXPECT_TRUE(sys_brk(0) == cur);                       /* a query changes nothing */

        uintptr_t want = cur + 3 * PG + 123;
        EXPECT_TRUE(sys_brk(want) == want);                   /* unaligned break kept as given */
        volatile char *heap = (volatile char *)cur;
        heap[0] = 1;
        heap[3 * PG + 122] = 2;
        EXPECT_TRUE(heap[0] == 1 && heap[3 * PG + 122] == 2);

        /* Shrink: the pages above the new break are gone. */
        uintptr_t top_page = (want + PG - 1) & ~(PG - 1);
        EXPECT_TRUE(sys_brk(cur + PG) == cur + PG);
        uintptr_t gone = ((cur + PG + PG - 1) & ~(PG - 1));
        if (gone < top_page) {
                errno = 0;
                EXPECT_TRUE(mprotect((void *)gone, PG, PROT_READ) == -1 && errno == ENOMEM);
                errno = 0;
                EXPECT_TRUE(uname((struct utsname *)gone) == -1 && errno == EFAULT);
        }

        /* Growing again gives zeroed memory. */
        EXPECT_TRUE(sys_brk(want) == want);
        EXPECT_TRUE(heap[3 * PG + 122] == 0);

        /* Below the start of the heap: refused, the break is unchanged. */
        EXPECT_TRUE(sys_brk(PG) == want);
        EXPECT_TRUE(sys_brk(0) == want);
        /* Absurdly high: refused too. */
        EXPECT_TRUE(sys_brk(UINTPTR_MAX - PG) == want);

        EXPECT_TRUE(sys_brk(cur) == cur);
        return 0;
}
