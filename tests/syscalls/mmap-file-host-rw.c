/* MAP_SHARED of a writable file on the host (sandboxed: goferfs with
 * --overlay=none, its page cache): stores through the mapping show in
 * read(2), write(2) shows in the mapping, msync(MS_SYNC), munmap and fsync
 * put the stores in the file itself (read through a hard link, which the
 * sandbox reaches as another inode), truncate and a punched hole show in
 * the mapping, and a MAP_PRIVATE mapping's stores stay its own. The file
 * lives next to the test's executable (a host directory). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <libgen.h>
#include <linux/falloc.h>
#include <sys/mman.h>

#include "test.h"

#define PG 4096L

static char path[4096], link_path[4200];

static void cleanup(void)
{
        unlink(path);
        unlink(link_path);
}

/* The file's bytes [off, off + n) as the host has them: read through the
 * hard link (its own open). */
static void host_bytes(long off, void *buf, long n)
{
        int fd = open(link_path, O_RDONLY);

        EXPECT_TRUE(fd >= 0);
        EXPECT_RET(syscall(SYS_pread64, fd, buf, n, (off_t)off), n);
        close(fd);
}

static void expect_bytes(const unsigned char *p, long n, unsigned char c, const char *what)
{
        for (long i = 0; i < n; i++)
                if (p[i] != c)
                        FAIL("%s: byte %ld is %#x, want %#x", what, i, p[i], c);
}

int main(void)
{
        static unsigned char buf[4 * PG], back[4 * PG];
        unsigned char *m, *priv;
        long n;
        int fd;

        n = readlink("/proc/self/exe", path, sizeof(path) - 64);
        EXPECT_TRUE(n > 0);
        path[n] = '\0';
        strcpy(path, dirname(path));
        strcat(path, "/mmap-host-rw.XXXXXX");
        fd = mkstemp(path);
        if (fd < 0)
                test_skip("cannot make a file next to the test: %s", strerror(errno));
        atexit(cleanup);
        snprintf(link_path, sizeof(link_path), "%s.link", path);
        if (link(path, link_path) < 0)
                test_skip("no hard links here: %s", strerror(errno));

        /* 3 pages and 100 bytes of 'a', then a shared mapping of 4 pages. */
        memset(buf, 'a', sizeof(buf));
        EXPECT_RET(syscall(SYS_write, fd, buf, 3 * PG + 100), 3 * PG + 100);
        m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        CHECK(m != MAP_FAILED, "mmap: %s", test_errname(errno));
        expect_bytes(m, 3 * PG + 100, 'a', "mapping after write");
        expect_bytes(m + 3 * PG + 100, PG - 100, 0, "mapping past EOF");

        /* A store shows in read(2); a write(2) shows in the mapping. */
        memset(m + PG + 10, 'b', 20);
        EXPECT_RET(syscall(SYS_pread64, fd, back, 40L, (off_t)PG), 40);
        expect_bytes(back, 10, 'a', "read before the store");
        expect_bytes(back + 10, 20, 'b', "read of the store");
        memset(buf, 'c', 30);
        EXPECT_RET(syscall(SYS_pwrite64, fd, buf, 30L, (off_t)(2 * PG - 10)), 30);
        expect_bytes(m + 2 * PG - 10, 30, 'c', "mapping after pwrite across pages");

        /* msync(MS_SYNC) puts the stores in the file. */
        EXPECT_OK(syscall(SYS_msync, m, 4 * PG, MS_SYNC));
        host_bytes(PG + 10, back, 20);
        expect_bytes(back, 20, 'b', "file after msync");
        host_bytes(2 * PG - 10, back, 30);
        expect_bytes(back, 30, 'c', "file after pwrite");

        /* fsync does too. */
        memset(m + 10, 'd', 5);
        EXPECT_OK(syscall(SYS_fsync, fd));
        host_bytes(10, back, 5);
        expect_bytes(back, 5, 'd', "file after fsync");

        /* A MAP_PRIVATE mapping's store is its own. */
        priv = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        CHECK(priv != MAP_FAILED, "mmap private: %s", test_errname(errno));
        expect_bytes(priv + 10, 5, 'd', "private mapping");
        memset(priv + 100, 'p', 10);
        expect_bytes(m + 100, 10, 'a', "shared mapping after a private store");
        EXPECT_RET(syscall(SYS_pread64, fd, back, 10L, (off_t)100), 10);
        expect_bytes(back, 10, 'a', "read after a private store");
        EXPECT_OK(munmap(priv, 2 * PG));

        /* munmap puts the stores in the file, even with the fd closed. */
        memset(m + 3 * PG, 'e', 100);
        EXPECT_OK(close(fd));
        memset(m + 3 * PG + 50, 'f', 10);
        EXPECT_OK(munmap(m, 4 * PG));
        host_bytes(3 * PG, back, 100);
        expect_bytes(back, 50, 'e', "file after munmap");
        expect_bytes(back + 50, 10, 'f', "file after close and munmap");
        expect_bytes(back + 60, 40, 'e', "file after munmap (end)");

        /* Truncation shows in a mapping: shrink mid-page (the rest of the
         * page reads as zeroes), grow again (zeroes). */
        fd = open(path, O_RDWR);
        EXPECT_TRUE(fd >= 0);
        m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        CHECK(m != MAP_FAILED, "mmap again: %s", test_errname(errno));
        expect_bytes(m + PG + 10, 20, 'b', "a new mapping");
        memset(m + PG, 'g', PG);
        EXPECT_OK(syscall(SYS_ftruncate, fd, (off_t)(PG + PG / 2)));
        EXPECT_OK(syscall(SYS_ftruncate, fd, (off_t)(3 * PG)));
        expect_bytes(m + PG, PG / 2, 'g', "mapping before the cut");
        expect_bytes(m + PG + PG / 2, PG / 2, 0, "mapping after shrink and grow");
        EXPECT_RET(syscall(SYS_pread64, fd, back, 3 * PG, (off_t)0), 3 * PG);
        expect_bytes(back + PG, PG / 2, 'g', "read before the cut");
        expect_bytes(back + PG + PG / 2, PG + PG / 2, 0, "read after shrink and grow");
        host_bytes(PG, back, PG / 2);
        expect_bytes(back, PG / 2, 'g', "file before the cut");

        /* A punched hole shows in the mapping. */
        memset(m + 2 * PG, 'h', PG);
        if (syscall(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    (off_t)(2 * PG), (off_t)PG) == 0) {
                expect_bytes(m + 2 * PG, PG, 0, "mapping after a punched hole");
                EXPECT_RET(syscall(SYS_pread64, fd, back, PG, (off_t)(2 * PG)), PG);
                expect_bytes(back, PG, 0, "read after a punched hole");
        } else if (errno != EOPNOTSUPP) {
                FAIL("fallocate punch: %s", test_errname(errno));
        }
        EXPECT_OK(munmap(m, 4 * PG));
        close(fd);
        return TEST_PASS;
}
