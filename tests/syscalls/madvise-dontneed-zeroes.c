/* MADV_DONTNEED zeroes private anonymous memory and keeps shared; advice
 * and argument checks. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "test.h"

#define PG 4096UL
#define RW (PROT_READ | PROT_WRITE)

int main(void)
{
        char *p = mmap(NULL, 3 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        EXPECT_TRUE(p != MAP_FAILED);
        memset(p, 'x', 3 * PG);
        EXPECT_TRUE(madvise(p + PG, PG, MADV_DONTNEED) == 0);
        EXPECT_TRUE(p[0] == 'x' && p[PG - 1] == 'x');
        for (size_t i = PG; i < 2 * PG; i++)
                EXPECT_TRUE(p[i] == 0);
        EXPECT_TRUE(p[2 * PG] == 'x');
        p[PG] = 'y';                    /* still mapped and writable */
        EXPECT_TRUE(p[PG] == 'y');

        char *s = mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        EXPECT_TRUE(s != MAP_FAILED);
        s[10] = 's';
        EXPECT_TRUE(madvise(s, PG, MADV_DONTNEED) == 0);
        EXPECT_TRUE(s[10] == 's');            /* shared memory keeps its pages */
        EXPECT_ERRNO(madvise(s, PG, MADV_FREE), EINVAL);               /* private anon only */
        EXPECT_ERRNO(madvise(p, PG, MADV_REMOVE), EINVAL);             /* shared only */
        EXPECT_TRUE(madvise(s, PG, MADV_REMOVE) == 0);
        EXPECT_TRUE(s[10] == 0);

        /* Hints are accepted. */
        EXPECT_TRUE(madvise(p, 3 * PG, MADV_NORMAL) == 0);
        EXPECT_TRUE(madvise(p, 3 * PG, MADV_RANDOM) == 0);
        EXPECT_TRUE(madvise(p, 3 * PG, MADV_SEQUENTIAL) == 0);
        EXPECT_TRUE(madvise(p, 3 * PG, MADV_WILLNEED) == 0);
        EXPECT_TRUE(madvise(p, PG, MADV_FREE) == 0);
        EXPECT_TRUE(madvise(p, 0, MADV_DONTNEED) == 0);

        EXPECT_ERRNO(madvise(p, PG, 9999), EINVAL);                    /* unknown advice */
        EXPECT_ERRNO(madvise(p + 1, PG, MADV_DONTNEED), EINVAL);       /* unaligned */
        EXPECT_ERRNO(madvise(p, SIZE_MAX, MADV_NORMAL), EINVAL);       /* wraps */
        EXPECT_TRUE(munmap(p + PG, PG) == 0);
        EXPECT_ERRNO(madvise(p, 3 * PG, MADV_WILLNEED), ENOMEM);       /* hole inside */
        /* The hole does not stop the advice on the mapped parts. */
        p[2 * PG] = 'z';
        EXPECT_ERRNO(madvise(p, 3 * PG, MADV_DONTNEED), ENOMEM);
        EXPECT_TRUE(p[2 * PG] == 0);
        return 0;
}
