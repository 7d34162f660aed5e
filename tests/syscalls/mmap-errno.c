/* mmap and munmap reject bad arguments with Linux's errnos. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PG 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno); \
        return 1; } } while (0)
/* The call fails with exactly this errno. */
#define FAILS(call, err) do { errno = 0; void *_r = (void *)(intptr_t)(call); \
        if (_r != MAP_FAILED || errno != (err)) { \
                fprintf(stderr, "%s:%d: %s: got %p errno %d, want errno %d\n", \
                        __FILE__, __LINE__, #call, _r, errno, err); \
                return 1; } } while (0)

int main(void)
{
        char *p = mmap(NULL, 4 * PG, RW, ANON, -1, 0);
        CHECK(p != MAP_FAILED);

        FAILS(mmap(NULL, 0, RW, ANON, -1, 0), EINVAL);                          /* len 0 */
        FAILS(mmap(p + 1, PG, RW, ANON | MAP_FIXED, -1, 0), EINVAL);            /* unaligned */
        FAILS(mmap(NULL, PG, RW, MAP_ANONYMOUS, -1, 0), EINVAL);                /* no type */
        FAILS(mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL);
        FAILS(mmap(NULL, SIZE_MAX, RW, ANON, -1, 0), ENOMEM);                   /* wraps */
        FAILS(mmap(NULL, (size_t)1 << 62, RW, ANON, -1, 0), ENOMEM);            /* too big */
        FAILS(mmap((void *)(UINTPTR_MAX & ~(PG - 1)), 2 * PG, RW, ANON | MAP_FIXED, -1, 0), ENOMEM);
        /* MAP_FIXED_NOREPLACE over a mapping. Kernels before 4.17 ignore
         * the flag and place it elsewhere: skip then. */
        errno = 0;
        void *q = mmap(p + PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
        if (q != MAP_FAILED && q != p + PG) {
                fprintf(stderr, "MAP_FIXED_NOREPLACE not supported: skip\n");
                return 77;
        }
        CHECK(q == MAP_FAILED && errno == EEXIST);
        /* ...but next to it is fine. */
        CHECK(munmap(p + 3 * PG, PG) == 0);
        CHECK(mmap(p + 3 * PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0) == p + 3 * PG);

        /* munmap */
        errno = 0;
        CHECK(munmap(p + 1, PG) == -1 && errno == EINVAL);
        errno = 0;
        CHECK(munmap(p, 0) == -1 && errno == EINVAL);
        errno = 0;
        CHECK(munmap(p, SIZE_MAX) == -1 && errno == EINVAL);
        CHECK(munmap(p, 4 * PG) == 0);
        CHECK(munmap(p, 4 * PG) == 0);          /* nothing there: still 0 */
        return 0;
}
