/* mmap(2) of files and mprotect(2) of file mappings: Linux's errnos. */
#include <sys/mman.h>

#include "fs-test.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

int main(void)
{
        int fd, ro, wo, pfd[2];
        char *p;

        if (test_dir_enter() < 0)
                return 1;
        fd = open("f", O_CREAT | O_RDWR, 0644);
        CHECK(fd >= 0);
        CHECK(ftruncate(fd, 8192) == 0);
        ro = open("f", O_RDONLY);
        wo = open("f", O_WRONLY);
        CHECK(ro >= 0 && wo >= 0);

        FAILS(mmap(NULL, 4096, PROT_READ, MAP_SHARED, 999, 0), EBADF);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_SHARED, -1, 0), EBADF);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 100), EINVAL);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_SHARED, 999, 100), EINVAL);
        FAILS(mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0), EINVAL);
        FAILS(mmap(NULL, 4096, PROT_READ, 0, fd, 0), EINVAL);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_PRIVATE | 0x4, fd, 0), EINVAL);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0), EINVAL);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, fd, 0), EOPNOTSUPP);

        /* Access modes. */
        FAILS(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_SHARED, wo, 0), EACCES);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
        FAILS(mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, wo, 0), EACCES);
        p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
        CHECK(p != MAP_FAILED);
        CHECK(munmap(p, 4096) == 0);

        /* mprotect honours the open mode of a shared mapping only. */
        p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, ro, 0);
        CHECK(p != MAP_FAILED);
        FAILS(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES);
        CHECK(mprotect(p, 8192, PROT_NONE) == 0);
        CHECK(mprotect(p, 8192, PROT_READ | PROT_EXEC) == 0);
        CHECK(munmap(p, 8192) == 0);
        p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
        CHECK(p != MAP_FAILED);
        CHECK(mprotect(p + 4096, 4096, PROT_READ | PROT_WRITE) == 0);
        p[4096] = 1;
        CHECK(munmap(p, 8192) == 0);
        p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, ro, 0);
        CHECK(p != MAP_FAILED);
        CHECK(mprotect(p, 8192, PROT_READ | PROT_WRITE) == 0);
        p[0] = 1;
        CHECK(munmap(p, 8192) == 0);

        /* Files that cannot be mapped. */
        CHECK(pipe(pfd) == 0);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, pfd[0], 0), ENODEV);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_SHARED, pfd[0], 0), ENODEV);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, pfd[1], 0), EACCES);
        close(pfd[0]);
        close(pfd[1]);
        CHECK(mkdir("d", 0755) == 0);
        int dfd = open("d", O_RDONLY | O_DIRECTORY);
        CHECK(dfd >= 0);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dfd, 0), ENODEV);
        close(dfd);
        int pathfd = open("f", O_PATH);
        CHECK(pathfd >= 0);
        FAILS(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, pathfd, 0), EBADF);
        close(pathfd);

        /* MAP_ANONYMOUS ignores the fd. */
        p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 999, 0);
        CHECK(p != MAP_FAILED);
        CHECK(munmap(p, 4096) == 0);
        /* A mapping larger than the file is fine (SIGBUS only on access). */
        p = mmap(NULL, 1 << 20, PROT_READ, MAP_SHARED, fd, 0);
        CHECK(p != MAP_FAILED);
        CHECK(munmap(p, 1 << 20) == 0);
        /* So is an offset past the end. */
        p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 1 << 20);
        CHECK(p != MAP_FAILED);
        CHECK(munmap(p, 4096) == 0);
        close(ro);
        close(wo);
        close(fd);
        return 0;
}
