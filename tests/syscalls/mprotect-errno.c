/* mprotect's argument checks and its effect, seen through EFAULT. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

#define PG 4096UL

int main(void)
{
        char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        EXPECT_TRUE(p != MAP_FAILED);
        EXPECT_TRUE(munmap(p + 2 * PG, PG) == 0);     /* a hole right after the range */

        EXPECT_ERRNO(mprotect(p + 1, PG, PROT_READ), EINVAL);                  /* unaligned */
        EXPECT_ERRNO(mprotect(p, PG, 0x100), EINVAL);                          /* unknown bit */
        EXPECT_ERRNO(mprotect(p, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
        EXPECT_ERRNO(mprotect(p, PG, PROT_READ | PROT_GROWSDOWN), EINVAL);     /* not growsdown */
        EXPECT_ERRNO(mprotect(p, SIZE_MAX, PROT_READ), ENOMEM);                /* wraps */
        EXPECT_ERRNO(mprotect(p, 3 * PG, PROT_READ | PROT_WRITE), ENOMEM);     /* runs into the hole */
        EXPECT_TRUE(mprotect(p, 0, PROT_READ) == 0);                          /* len 0: nothing */
        EXPECT_ERRNO(mprotect(p + 1, 0, PROT_READ), EINVAL);                   /* ...but checked first */

        /* Read-only: the kernel can read it but not write it. */
        EXPECT_TRUE(mprotect(p, PG, PROT_READ) == 0);
        EXPECT_ERRNO(uname((struct utsname *)p), EFAULT);
        EXPECT_TRUE(*(volatile char *)p == 0);
        EXPECT_TRUE(uname((struct utsname *)(p + PG)) == 0);                 /* the other page */
        EXPECT_TRUE(mprotect(p, PG, PROT_READ | PROT_WRITE) == 0);
        EXPECT_TRUE(uname((struct utsname *)p) == 0);

        EXPECT_TRUE(mprotect(p, 2 * PG, PROT_NONE) == 0);
        EXPECT_ERRNO(raw_clock_gettime((struct timespec *)(p + PG)), EFAULT);
        EXPECT_TRUE(munmap(p, 2 * PG) == 0);
        return 0;
}
