/* getdents64 lists every entry once, "." and ".." included; d_off resumes a
 * listing; a buffer too small for one entry is EINVAL. */
#include "fs-test.h"
#include <dirent.h>
#include <stdint.h>
#include <sys/syscall.h>

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

static const char *names[] = { ".", "..", "alpha", "beta", "gamma", "sub" };
#define N (int)(sizeof(names) / sizeof(names[0]))

static int find(const char *name)
{
        for (int i = 0; i < N; i++)
                if (strcmp(names[i], name) == 0)
                        return i;
        return -1;
}

int main(void)
{
        char buf[4096];
        int seen[N] = { 0 }, fd, total = 0;
        int64_t resume = -1;
        long n;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("alpha", "") == 0 && write_file("beta", "") == 0);
        CHECK(write_file("gamma", "") == 0 && mkdir("sub", 0755) == 0);
        fd = open(".", O_RDONLY | O_DIRECTORY);
        CHECK(fd >= 0);
        FAILS(syscall(SYS_getdents64, fd, buf, 10), EINVAL);
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
                for (long off = 0; off < n;) {
                        struct linux_dirent64 *d = (void *)(buf + off);
                        int i = find(d->d_name);

                        CHECK(i >= 0 && !seen[i]);
                        seen[i] = 1;
                        total++;
                        CHECK(d->d_type == (i == 0 || i == 1 || i == 5 ? DT_DIR : DT_REG));
                        CHECK(d->d_reclen % 8 == 0);
                        if (total == 3)
                                resume = d->d_off;
                        off += d->d_reclen;
                }
        }
        CHECK(n == 0 && total == N);
        CHECK(syscall(SYS_getdents64, fd, buf, sizeof(buf)) == 0);

        /* Resume after the third entry: exactly the other three come. */
        CHECK(lseek(fd, resume, SEEK_SET) == resume);
        n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
        total = 0;
        for (long off = 0; off < n; off += ((struct linux_dirent64 *)(buf + off))->d_reclen)
                total++;
        CHECK(total == N - 3);
        close(fd);

        fd = open("alpha", O_RDONLY);
        FAILS(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
        close(fd);
        FAILS(syscall(SYS_getdents64, 9999, buf, sizeof(buf)), EBADF);
        fd = open(".", O_PATH);
        FAILS(syscall(SYS_getdents64, fd, buf, sizeof(buf)), EBADF);
        return 0;
}
