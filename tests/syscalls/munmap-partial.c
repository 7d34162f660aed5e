/* munmap of the middle page leaves a hole and keeps both sides. Checked
 * without signal handlers: the kernel's own accesses fail with EFAULT. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
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
        memset(p, 'a', 3 * PG);

        EXPECT_TRUE(munmap(p + PG, PG) == 0);
        errno = 0;
        EXPECT_TRUE(raw_clock_gettime((struct timespec *)(p + PG)) == -1 && errno == EFAULT);
        errno = 0;
        EXPECT_TRUE(uname((struct utsname *)(p + PG)) == -1 && errno == EFAULT);
        errno = 0;
        EXPECT_TRUE(mprotect(p + PG, PG, PROT_READ) == -1 && errno == ENOMEM);
        /* A range across the hole is not fully mapped either. */
        errno = 0;
        EXPECT_TRUE(mprotect(p, 3 * PG, PROT_READ | PROT_WRITE) == -1 && errno == ENOMEM);

        /* Both sides survive with their contents. */
        EXPECT_TRUE(p[0] == 'a' && p[PG - 1] == 'a' && p[2 * PG] == 'a' && p[3 * PG - 1] == 'a');
        EXPECT_TRUE(raw_clock_gettime((struct timespec *)p) == 0);
        EXPECT_TRUE(raw_clock_gettime((struct timespec *)(p + 2 * PG)) == 0);
        EXPECT_TRUE(mprotect(p + 2 * PG, PG, PROT_READ) == 0);

        /* A struct straddling the end of the first page into the hole. */
        errno = 0;
        EXPECT_TRUE(raw_clock_gettime((struct timespec *)(p + PG - 8)) == -1 &&
              errno == EFAULT);

        /* Unmapping across the hole takes the rest. */
        EXPECT_TRUE(munmap(p, 3 * PG) == 0);
        errno = 0;
        EXPECT_TRUE(uname((struct utsname *)p) == -1 && errno == EFAULT);
        return 0;
}
