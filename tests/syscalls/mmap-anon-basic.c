/* Anonymous mmap: zero-filled, readable and writable, private and shared,
 * gone after munmap. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#define PG 4096UL
#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno); \
        return 1; } } while (0)

int main(void)
{
        unsigned char *p, *s, *ro;

        p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(p != MAP_FAILED);
        CHECK(((unsigned long)p & (PG - 1)) == 0);
        for (size_t i = 0; i < 3 * PG; i++)
                CHECK(p[i] == 0);
        memset(p, 0xab, 3 * PG);
        CHECK(p[0] == 0xab && p[3 * PG - 1] == 0xab);
        /* The kernel can write into it too. */
        CHECK(uname((struct utsname *)(p + PG)) == 0);

        /* Odd length rounds up to a page. */
        s = mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(s != MAP_FAILED);
        s[PG - 1] = 7;
        CHECK(s[PG - 1] == 7);
        CHECK(munmap(s, 10) == 0);

        ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(ro != MAP_FAILED);
        CHECK(ro[100] == 0);
        /* Not writable: the kernel's write fails. */
        errno = 0;
        CHECK(uname((struct utsname *)ro) == -1 && errno == EFAULT);
        CHECK(munmap(ro, PG) == 0);

        CHECK(munmap(p, 3 * PG) == 0);
        errno = 0;
        CHECK(uname((struct utsname *)p) == -1 && errno == EFAULT);
        /* Nothing left: mprotect says there's no mapping. */
        CHECK(mprotect(p, PG, PROT_READ) == -1 && errno == ENOMEM);
        return 0;
}
