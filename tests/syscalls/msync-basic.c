/* msync(2): flags, alignment and unmapped ranges give Linux's errnos; on a
 * shared file mapping it succeeds and the data is in the file. */
#include <sys/mman.h>

#include "fs-test.h"

int main(void)
{
        char *p, c;
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        fd = open("f", O_CREAT | O_RDWR, 0644);
        CHECK(fd >= 0);
        CHECK(ftruncate(fd, 3 * 4096) == 0);
        p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        CHECK(p != MAP_FAILED);
        p[4096] = 'm';
        CHECK(msync(p, 3 * 4096, MS_SYNC) == 0);
        CHECK(pread(fd, &c, 1, 4096) == 1 && c == 'm');
        CHECK(msync(p, 4096, MS_ASYNC) == 0);
        CHECK(msync(p, 4096, MS_INVALIDATE) == 0);
        CHECK(msync(p, 4096, MS_SYNC | MS_INVALIDATE) == 0);
        CHECK(msync(p, 4096, 0) == 0);
        CHECK(msync(p, 0, MS_SYNC) == 0);
        CHECK(msync(p + 4096, 100, MS_SYNC) == 0);

        FAILS(msync(p, 4096, MS_SYNC | MS_ASYNC), EINVAL);
        FAILS(msync(p, 4096, 0x100), EINVAL);
        FAILS(msync(p + 1, 4096, MS_SYNC), EINVAL);

        /* A hole in the range, or at its start. */
        CHECK(munmap(p + 4096, 4096) == 0);
        FAILS(msync(p, 3 * 4096, MS_SYNC), ENOMEM);
        FAILS(msync(p, 3 * 4096, MS_ASYNC), ENOMEM);
        FAILS(msync(p + 4096, 4096, MS_SYNC), ENOMEM);
        CHECK(msync(p, 4096, MS_SYNC) == 0);
        /* Anonymous memory too. */
        char *a = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(a != MAP_FAILED);
        CHECK(msync(a, 4096, MS_SYNC) == 0);
        CHECK(munmap(a, 4096) == 0);
        FAILS(msync(a, 4096, MS_SYNC), ENOMEM);
        CHECK(munmap(p, 3 * 4096) == 0);
        close(fd);
        return 0;
}
