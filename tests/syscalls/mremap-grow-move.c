/* mremap: shrink in place, grow in place, move (contents preserved, old range
 * gone), MREMAP_FIXED, and the argument checks. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#define PG 4096UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno); \
        return 1; } } while (0)
#define FAILS(call, err) do { errno = 0; void *_r = (call); \
        if (_r != MAP_FAILED || errno != (err)) { \
                fprintf(stderr, "%s:%d: %s: got %p errno %d, want errno %d\n", \
                        __FILE__, __LINE__, #call, _r, errno, err); \
                return 1; } } while (0)

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
        CHECK(p != MAP_FAILED);
        fill(p, PG);
        CHECK(mremap(p, 4 * PG, PG, 0) == p);                           /* shrink */
        errno = 0;
        CHECK(mprotect(p + PG, PG, PROT_READ) == -1 && errno == ENOMEM);
        char *g = mremap(p, PG, 3 * PG, 0);                             /* grow in place */
        if (g == MAP_FAILED && errno == ENOMEM) {
                fprintf(stderr, "something was mapped above: skip\n");
                return 77;
        }
        CHECK(g == p);
        CHECK(same(p, PG));
        CHECK(p[3 * PG - 1] == 0);

        /* Block growth: a different mapping right above. */
        CHECK(mremap(p, 3 * PG, 2 * PG, 0) == p);
        CHECK(mmap(p + 2 * PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0) == p + 2 * PG);
        fill(p, 2 * PG);
        FAILS(mremap(p, 2 * PG, 4 * PG, 0), ENOMEM);
        char *m = mremap(p, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
        CHECK(m != MAP_FAILED && m != p);
        CHECK(same(m, 2 * PG));
        CHECK(m[4 * PG - 1] == 0);
        m[4 * PG - 1] = 1;
        /* The old range is gone, the blocker is still there. */
        errno = 0;
        CHECK(mprotect(p, 2 * PG, PROT_READ) == -1 && errno == ENOMEM);
        errno = 0;
        CHECK(uname((struct utsname *)p) == -1 && errno == EFAULT);
        CHECK(mprotect(p + 2 * PG, PG, PROT_READ) == 0);

        /* MREMAP_FIXED onto the old place (now free) and over the blocker. */
        char *f = mremap(m, 4 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p);
        CHECK(f == p);
        CHECK(same(p, 2 * PG));
        errno = 0;
        CHECK(mprotect(m, PG, PROT_READ) == -1 && errno == ENOMEM);
        CHECK(mprotect(p, 3 * PG, RW) == 0);                            /* one RW range now */

        /* Argument checks. */
        FAILS(mremap(p + 1, PG, PG, 0), EINVAL);
        FAILS(mremap(p, PG, 0, 0), EINVAL);
        FAILS(mremap(p, PG, PG, 0x80), EINVAL);
        FAILS(mremap(p, PG, PG, MREMAP_FIXED, m), EINVAL);              /* FIXED needs MAYMOVE */
        FAILS(mremap(p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + PG), EINVAL); /* overlap */
        FAILS(mremap(p, PG, 2 * PG, MREMAP_MAYMOVE | 4 /* DONTUNMAP */, NULL), EINVAL);
        FAILS(mremap(p, 4 * PG, 8 * PG, MREMAP_MAYMOVE), EFAULT);       /* past the VMA */
        CHECK(munmap(p, 3 * PG) == 0);
        FAILS(mremap(p, PG, 2 * PG, MREMAP_MAYMOVE), EFAULT);           /* unmapped */
        return 0;
}
