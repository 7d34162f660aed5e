/* mmap and munmap reject bad arguments with Linux's errnos. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include "test.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PG 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
/* The call fails with exactly this errno. */

int main(void)
{
        char *p = mmap(NULL, 4 * PG, RW, ANON, -1, 0);
        EXPECT_TRUE(p != MAP_FAILED);

        EXPECT_ERRNO(mmap(NULL, 0, RW, ANON, -1, 0), EINVAL);                          /* len 0 */
        EXPECT_ERRNO(mmap(p + 1, PG, RW, ANON | MAP_FIXED, -1, 0), EINVAL);            /* unaligned */
        EXPECT_ERRNO(mmap(NULL, PG, RW, MAP_ANONYMOUS, -1, 0), EINVAL);                /* no type */
        EXPECT_ERRNO(mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL);
        EXPECT_ERRNO(mmap(NULL, SIZE_MAX, RW, ANON, -1, 0), ENOMEM);                   /* wraps */
        EXPECT_ERRNO(mmap(NULL, (size_t)1 << 62, RW, ANON, -1, 0), ENOMEM);            /* too big */
        EXPECT_ERRNO(mmap((void *)(UINTPTR_MAX & ~(PG - 1)), 2 * PG, RW, ANON | MAP_FIXED, -1, 0), ENOMEM);
        /* MAP_FIXED_NOREPLACE over a mapping. Kernels before 4.17 ignore
         * the flag and place it elsewhere: skip then. */
        errno = 0;
        void *q = mmap(p + PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
        if (q != MAP_FAILED && q != p + PG) {
                fprintf(stderr, "MAP_FIXED_NOREPLACE not supported: skip\n");
                return 77;
        }
        EXPECT_TRUE(q == MAP_FAILED && errno == EEXIST);
        /* ...but next to it is fine. */
        EXPECT_TRUE(munmap(p + 3 * PG, PG) == 0);
        EXPECT_TRUE(mmap(p + 3 * PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0) == p + 3 * PG);

        /* munmap */
        errno = 0;
        EXPECT_TRUE(munmap(p + 1, PG) == -1 && errno == EINVAL);
        errno = 0;
        EXPECT_TRUE(munmap(p, 0) == -1 && errno == EINVAL);
        errno = 0;
        EXPECT_TRUE(munmap(p, SIZE_MAX) == -1 && errno == EINVAL);
        EXPECT_TRUE(munmap(p, 4 * PG) == 0);
        EXPECT_TRUE(munmap(p, 4 * PG) == 0);          /* nothing there: still 0 */
        return 0;
}
