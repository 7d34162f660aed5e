/* fallocate on tmpfs (/dev/shm, natively and sandboxed): allocation grows
 * the size unless FALLOC_FL_KEEP_SIZE, a punched hole reads as zeroes and
 * frees whole pages, the modes tmpfs lacks are EOPNOTSUPP, and the errors
 * come in Linux's order. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno); \
        return 1; } } while (0)
#define FAILS(call, err) do { errno = 0; long _r = (long)(call); \
        if (_r != -1 || errno != (err)) { \
                fprintf(stderr, "%s:%d: %s: got %ld errno %d, want errno %d\n", \
                        __FILE__, __LINE__, #call, _r, errno, err); \
                return 1; } } while (0)

static char path[64];

static void cleanup(void)
{
        unlink(path);
}

static long falloc(int fd, int mode, int64_t off, int64_t len)
{
        return syscall(SYS_fallocate, fd, mode, (off_t)off, (off_t)len);
}

static int all(const char *p, size_t n, char c)
{
        for (size_t i = 0; i < n; i++)
                if (p[i] != c)
                        return 0;
        return 1;
}

int main(void)
{
        static char buf[3 * 4096];
        struct stat st;
        int fd, ro, opath, pfd[2], null;

        strcpy(path, "/dev/shm/conternel-falloc-XXXXXX");
        fd = mkstemp(path);
        if (fd < 0) {
                fprintf(stderr, "no /dev/shm: %s\n", strerror(errno));
                return 1;
        }
        atexit(cleanup);

        /* Allocation grows the size, reads as zeroes, and counts blocks. */
        CHECK(falloc(fd, 0, 0, 10000) == 0);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 10000 && st.st_blocks == 24);
        memset(buf, 'x', sizeof(buf));
        CHECK(pread(fd, buf, sizeof(buf), 0) == 10000 && all(buf, 10000, 0));
        /* KEEP_SIZE: pages past the end, size unchanged. */
        CHECK(falloc(fd, FALLOC_FL_KEEP_SIZE, 10000, 10000) == 0);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 10000 && st.st_blocks == 40);
        /* Allocating what is there changes nothing but the blocks it adds. */
        CHECK(falloc(fd, 0, 0, 4096) == 0);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 10000 && st.st_blocks == 40);
        CHECK(falloc(fd, 0, 0, 20000) == 0);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 20000 && st.st_blocks == 40);

        /* Punching: partial pages zeroed, whole pages freed, size kept. */
        CHECK(ftruncate(fd, 0) == 0);
        memset(buf, 'a', sizeof(buf));
        CHECK(pwrite(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
        CHECK(falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 8192) == 0);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 3 * 4096 && st.st_blocks == 16);
        CHECK(pread(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
        CHECK(all(buf, 100, 'a') && all(buf + 100, 8192, 0) && all(buf + 8292, 3 * 4096 - 8292, 'a'));
        /* Within one page; and past the end, which is fine. */
        CHECK(falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 8292, 10) == 0);
        CHECK(pread(fd, buf, 20, 8292) == 20 && all(buf, 10, 0) && all(buf + 10, 10, 'a'));
        CHECK(falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1 << 20, 4096) == 0);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 3 * 4096);

        /* Modes tmpfs lacks, and combinations no file system takes. */
        FAILS(falloc(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
        FAILS(falloc(fd, FALLOC_FL_ZERO_RANGE, 0, 4096), EOPNOTSUPP);
        FAILS(falloc(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096), EOPNOTSUPP);
        FAILS(falloc(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), EOPNOTSUPP);
        FAILS(falloc(fd, FALLOC_FL_INSERT_RANGE, 0, 4096), EOPNOTSUPP);
        FAILS(falloc(fd, FALLOC_FL_UNSHARE_RANGE, 0, 4096), EOPNOTSUPP);
        FAILS(falloc(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096), EOPNOTSUPP);
        FAILS(falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE, 0, 4096), EOPNOTSUPP);
        FAILS(falloc(fd, FALLOC_FL_NO_HIDE_STALE, 0, 4096), EOPNOTSUPP);
        FAILS(falloc(fd, 0x100, 0, 4096), EOPNOTSUPP);

        /* EINVAL comes before the mode; EFBIG when the end overflows. */
        FAILS(falloc(fd, 0, -1, 4096), EINVAL);
        FAILS(falloc(fd, 0, 0, 0), EINVAL);
        FAILS(falloc(fd, 0x100, 0, -5), EINVAL);
        FAILS(falloc(fd, 0, INT64_MAX - 10, 100), EFBIG);
        FAILS(falloc(fd, FALLOC_FL_KEEP_SIZE, INT64_MAX, 1), EFBIG);
        /* More than tmpfs can hold: ENOSPC, and nothing changed. */
        FAILS(falloc(fd, 0, 0, (int64_t)1 << 50), ENOSPC);
        CHECK(fstat(fd, &st) == 0 && st.st_size == 3 * 4096 && st.st_blocks == 16);

        /* The file: EBADF first, then the mode, then the access mode, then the type. */
        FAILS(falloc(999, 0x100, 0, 1), EBADF);
        ro = open(path, O_RDONLY);
        opath = open(path, O_PATH);
        CHECK(ro >= 0 && opath >= 0);
        FAILS(falloc(ro, 0, 0, 1), EBADF);
        FAILS(falloc(ro, 0x100, 0, 1), EOPNOTSUPP);
        FAILS(falloc(opath, 0, 0, 1), EBADF);
        CHECK(pipe(pfd) == 0);
        FAILS(falloc(pfd[1], 0, 0, 1), ESPIPE);
        FAILS(falloc(pfd[0], 0, 0, 1), EBADF);
        null = open("/dev/null", O_WRONLY);
        CHECK(null >= 0);
        FAILS(falloc(null, 0, 0, 1), ENODEV);
        return 0;
}
