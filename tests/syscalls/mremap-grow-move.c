/* mremap: shrink in place, grow in place, move (contents preserved, old range
 * gone), MREMAP_FIXED, and the argument checks. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "test.h"

#define PG 4096UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static void fill(char *p, size_t len)
{
        for (size_t i = 0; i < len; i++)
                p[i] = (char)(i * 7 + 3);
}

static int same(const char *p, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (p[i] != (char)(i * 7 + 3))
                        return 0;
        return 1;
}

int main(void)
{
        /* Room to grow in place: map 4 pages, keep 1. */
        char *p = mmap(NULL, 4 * PG, RW, ANON, -1, 0);
        EXPECT_TRUE(p != MAP_FAILED);
        fill(p, PG);
        EXPECT_TRUE(mremap(p, 4 * PG, PG, 0) == p);                           /* shrink */
        errno = 0;
        EXPECT_TRUE(mprotect(p + PG, PG, PROT_READ) == -1 && errno == ENOMEM);
        char *g = mremap(p, PG, 3 * PG, 0);                             /* grow in place */
        if (g == MAP_FAILED && errno == ENOMEM) {
                fprintf(stderr, "something was mapped above: skip\n");
                return 77;
        }
        EXPECT_TRUE(g == p);
        EXPECT_TRUE(same(p, PG));
        EXPECT_TRUE(p[3 * PG - 1] == 0);

        /* Block growth: a different mapping right above. */
        EXPECT_TRUE(mremap(p, 3 * PG, 2 * PG, 0) == p);
        EXPECT_TRUE(mmap(p + 2 * PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0) == p + 2 * PG);
        fill(p, 2 * PG);
        EXPECT_ERRNO(mremap(p, 2 * PG, 4 * PG, 0), ENOMEM);
        char *m = mremap(p, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
        EXPECT_TRUE(m != MAP_FAILED && m != p);
        EXPECT_TRUE(same(m, 2 * PG));
        EXPECT_TRUE(m[4 * PG - 1] == 0);
        m[4 * PG - 1] = 1;
        /* The old range is gone, the blocker is still there. */
        errno = 0;
        EXPECT_TRUE(mprotect(p, 2 * PG, PROT_READ) == -1 && errno == ENOMEM);
        errno = 0;
        EXPECT_TRUE(uname((struct utsname *)p) == -1 && errno == EFAULT);
        EXPECT_TRUE(mprotect(p + 2 * PG, PG, PROT_READ) == 0);

        /* MREMAP_FIXED onto the old place (now free) and over the blocker. */
        char *f = mremap(m, 4 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p);
        EXPECT_TRUE(f == p);
        EXPECT_TRUE(same(p, 2 * PG));
        errno = 0;
        EXPECT_TRUE(mprotect(m, PG, PROT_READ) == -1 && errno == ENOMEM);
        EXPECT_TRUE(mprotect(p, 3 * PG, RW) == 0);                            /* one RW range now */

        /* Argument checks. */
        EXPECT_ERRNO(mremap(p + 1, PG, PG, 0), EINVAL);
        EXPECT_ERRNO(mremap(p, PG, 0, 0), EINVAL);
        EXPECT_ERRNO(mremap(p, PG, PG, 0x80), EINVAL);
        EXPECT_ERRNO(mremap(p, PG, PG, MREMAP_FIXED, m), EINVAL);              /* FIXED needs MAYMOVE */
        EXPECT_ERRNO(mremap(p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + PG), EINVAL); /* overlap */
        EXPECT_ERRNO(mremap(p, PG, 2 * PG, MREMAP_MAYMOVE | 4 /* DONTUNMAP */, NULL), EINVAL);
        EXPECT_ERRNO(mremap(p, 4 * PG, 8 * PG, MREMAP_MAYMOVE), EFAULT);       /* past the VMA */
        EXPECT_TRUE(munmap(p, 3 * PG) == 0);
        EXPECT_ERRNO(mremap(p, PG, 2 * PG, MREMAP_MAYMOVE), EFAULT);           /* unmapped */
        return 0;
}
