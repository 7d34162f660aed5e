/* MADV_DONTNEED zeroes private anonymous memory and keeps shared; advice
 * and argument checks. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PG 4096UL
#define RW (PROT_READ | PROT_WRITE)
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
        char *p = mmap(NULL, 3 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(p != MAP_FAILED);
        memset(p, 'x', 3 * PG);
        CHECK(madvise(p + PG, PG, MADV_DONTNEED) == 0);
        CHECK(p[0] == 'x' && p[PG - 1] == 'x');
        for (size_t i = PG; i < 2 * PG; i++)
                CHECK(p[i] == 0);
        CHECK(p[2 * PG] == 'x');
        p[PG] = 'y';                    /* still mapped and writable */
        CHECK(p[PG] == 'y');

        char *s = mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(s != MAP_FAILED);
        s[10] = 's';
        CHECK(madvise(s, PG, MADV_DONTNEED) == 0);
        CHECK(s[10] == 's');            /* shared memory keeps its pages */
        FAILS(madvise(s, PG, MADV_FREE), EINVAL);               /* private anon only */
        FAILS(madvise(p, PG, MADV_REMOVE), EINVAL);             /* shared only */
        CHECK(madvise(s, PG, MADV_REMOVE) == 0);
        CHECK(s[10] == 0);

        /* Hints are accepted. */
        CHECK(madvise(p, 3 * PG, MADV_NORMAL) == 0);
        CHECK(madvise(p, 3 * PG, MADV_RANDOM) == 0);
        CHECK(madvise(p, 3 * PG, MADV_SEQUENTIAL) == 0);
        CHECK(madvise(p, 3 * PG, MADV_WILLNEED) == 0);
        CHECK(madvise(p, PG, MADV_FREE) == 0);
        CHECK(madvise(p, 0, MADV_DONTNEED) == 0);

        FAILS(madvise(p, PG, 9999), EINVAL);                    /* unknown advice */
        FAILS(madvise(p + 1, PG, MADV_DONTNEED), EINVAL);       /* unaligned */
        FAILS(madvise(p, SIZE_MAX, MADV_NORMAL), EINVAL);       /* wraps */
        CHECK(munmap(p + PG, PG) == 0);
        FAILS(madvise(p, 3 * PG, MADV_WILLNEED), ENOMEM);       /* hole inside */
        /* The hole does not stop the advice on the mapped parts. */
        p[2 * PG] = 'z';
        FAILS(madvise(p, 3 * PG, MADV_DONTNEED), ENOMEM);
        CHECK(p[2 * PG] == 0);
        return 0;
}
