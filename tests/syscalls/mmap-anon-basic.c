/* Anonymous mmap: zero-filled, readable and writable, private and shared,
 * gone after munmap. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "test.h"

#define PG 4096UL

int main(void)
{
        unsigned char *p, *s, *ro;

        p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        EXPECT_TRUE(p != MAP_FAILED);
        EXPECT_TRUE(((unsigned long)p & (PG - 1)) == 0);
        for (size_t i = 0; i < 3 * PG; i++)
                EXPECT_TRUE(p[i] == 0);
        memset(p, 0xab, 3 * PG);
        EXPECT_TRUE(p[0] == 0xab && p[3 * PG - 1] == 0xab);
        /* The kernel can write into it too. */
        EXPECT_TRUE(uname((struct utsname *)(p + PG)) == 0);

        /* Odd length rounds up to a page. */
        s = mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        EXPECT_TRUE(s != MAP_FAILED);
        s[PG - 1] = 7;
        EXPECT_TRUE(s[PG - 1] == 7);
        EXPECT_TRUE(munmap(s, 10) == 0);

        ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        EXPECT_TRUE(ro != MAP_FAILED);
        EXPECT_TRUE(ro[100] == 0);
        /* Not writable: the kernel's write fails. */
        errno = 0;
        EXPECT_TRUE(uname((struct utsname *)ro) == -1 && errno == EFAULT);
        EXPECT_TRUE(munmap(ro, PG) == 0);

        EXPECT_TRUE(munmap(p, 3 * PG) == 0);
        errno = 0;
        EXPECT_TRUE(uname((struct utsname *)p) == -1 && errno == EFAULT);
        /* Nothing left: mprotect says there's no mapping. */
        EXPECT_TRUE(mprotect(p, PG, PROT_READ) == -1 && errno == ENOMEM);
        return 0;
}
