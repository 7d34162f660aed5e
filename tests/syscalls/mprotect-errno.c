/* mprotect's argument checks and its effect, seen through EFAULT. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PG 4096UL

/* The raw call: glibc's clock_gettime runs in the vDSO and would fault in
 * user space instead of returning EFAULT. */
static int raw_clock_gettime(struct timespec *ts)
{
        return (int)syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
}
#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno); \
        return 1; } } while (0)
#define FAILS(call, err) do { errno = 0; int _r = (call); \
        if (_r != -1 || errno != (err)) { \
                fprintf(stderr, "%s:%d: %s: got %d errno %d, want errno %d\n", \
                        __FILE__, __LINE__, #call, _r, errno, err); \
                return 1; } } while (0)

int main(void)
{
        char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(p != MAP_FAILED);
        CHECK(munmap(p + 2 * PG, PG) == 0);     /* a hole right after the range */

        FAILS(mprotect(p + 1, PG, PROT_READ), EINVAL);                  /* unaligned */
        FAILS(mprotect(p, PG, 0x100), EINVAL);                          /* unknown bit */
        FAILS(mprotect(p, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
        FAILS(mprotect(p, PG, PROT_READ | PROT_GROWSDOWN), EINVAL);     /* not growsdown */
        FAILS(mprotect(p, SIZE_MAX, PROT_READ), ENOMEM);                /* wraps */
        FAILS(mprotect(p, 3 * PG, PROT_READ | PROT_WRITE), ENOMEM);     /* runs into the hole */
        CHECK(mprotect(p, 0, PROT_READ) == 0);                          /* len 0: nothing */
        FAILS(mprotect(p + 1, 0, PROT_READ), EINVAL);                   /* ...but checked first */

        /* Read-only: the kernel can read it but not write it. */
        CHECK(mprotect(p, PG, PROT_READ) == 0);
        FAILS(uname((struct utsname *)p), EFAULT);
        CHECK(*(volatile char *)p == 0);
        CHECK(uname((struct utsname *)(p + PG)) == 0);                 /* the other page */
        CHECK(mprotect(p, PG, PROT_READ | PROT_WRITE) == 0);
        CHECK(uname((struct utsname *)p) == 0);

        CHECK(mprotect(p, 2 * PG, PROT_NONE) == 0);
        FAILS(raw_clock_gettime((struct timespec *)(p + PG)), EFAULT);
        CHECK(munmap(p, 2 * PG) == 0);
        return 0;
}
