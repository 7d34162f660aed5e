/* Writes and reads of tmpfs files (/dev/shm, natively and sandboxed) that
 * span many pages, past the sandbox's 2 MiB allocation runs, at unaligned
 * offsets, through many iovecs, over holes and pages already there: every
 * byte reads back (pread, readv and a mapping), holes read as zeroes, and
 * st_blocks counts exactly the pages written. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "test.h"

#define PG 4096L
#define BIG (3L * 1024 * 1024 + 1234)   /* over one 2 MiB run, ends mid-page */

static char path[64];

static void cleanup(void)
{
        unlink(path);
}

static unsigned char pattern(long off, unsigned seed)
{
        return (unsigned char)((off * 131 + seed) ^ (off >> 12));
}

static void fill(unsigned char *p, long off, long n, unsigned seed)
{
        for (long i = 0; i < n; i++)
                p[i] = pattern(off + i, seed);
}

/* Bytes [off, off + n) of the file hold pattern(seed); 0 seed: zeroes. */
static void expect_range(const unsigned char *got, long off, long n, unsigned seed,
                         const char *what)
{
        for (long i = 0; i < n; i++) {
                unsigned char want = seed ? pattern(off + i, seed) : 0;

                if (got[i] != want)
                        FAIL("%s: byte %ld is %#x, want %#x", what, off + i, got[i], want);
        }
}

static long blocks(int fd)
{
        struct stat st;

        EXPECT_OK(fstat(fd, &st));
        return (long)st.st_blocks;
}

int main(void)
{
        static unsigned char buf[BIG], back[BIG];
        struct iovec iov[100];
        int fd;

        strcpy(path, "/dev/shm/conternel-wruns-XXXXXX");
        fd = mkstemp(path);
        if (fd < 0)
                test_skip("no /dev/shm: %s", strerror(errno));
        atexit(cleanup);

        /* One big write from offset 100: pages 0..768, all new. */
        fill(buf, 100, BIG, 7);
        EXPECT_RET(syscall(SYS_pwrite64, fd, buf, BIG, (off_t)100), BIG);
        EXPECT_EQ(blocks(fd), (100 + BIG + PG - 1) / PG * (PG / 512));
        memset(back, 0xee, sizeof(back));
        EXPECT_RET(syscall(SYS_pread64, fd, back, 100L, (off_t)0), 100);
        expect_range(back, 0, 100, 0, "head before the write");
        EXPECT_RET(syscall(SYS_pread64, fd, back, BIG, (off_t)100), BIG);
        expect_range(back, 100, BIG, 7, "pread after one big write");

        /* A mapping sees the same bytes. */
        unsigned char *m = mmap(NULL, (size_t)(100 + BIG), PROT_READ, MAP_SHARED, fd, 0);
        CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
        expect_range(m + 100, 100, BIG, 7, "mapping");

        /* Overwrite across existing pages through 100 iovecs of 97 bytes. */
        fill(buf, 5000, 9700, 9);
        for (int i = 0; i < 100; i++)
                iov[i] = (struct iovec){ buf + i * 97, 97 };
        EXPECT_RET(syscall(SYS_pwritev, fd, iov, 100, (off_t)5000, 0L), 9700);
        expect_range(m + 5000, 5000, 9700, 9, "mapping after pwritev");
        expect_range(m + 14700, 14700, 1000, 7, "mapping after the pwritev's end");
        EXPECT_EQ(blocks(fd), (100 + BIG + PG - 1) / PG * (PG / 512));
        munmap(m, (size_t)(100 + BIG));

        /* Read it back through 100 iovecs too. */
        memset(back, 0, sizeof(back));
        for (int i = 0; i < 100; i++)
                iov[i] = (struct iovec){ back + i * 97, 97 };
        EXPECT_RET(syscall(SYS_preadv, fd, iov, 100, (off_t)5000, 0L), 9700);
        expect_range(back, 5000, 9700, 9, "preadv");

        /* A sparse file: pages 1 and 3 written, then a write over 0..5. */
        EXPECT_OK(ftruncate(fd, 0));
        EXPECT_EQ(blocks(fd), 0);
        fill(buf, PG, PG, 11);
        EXPECT_RET(syscall(SYS_pwrite64, fd, buf, PG, (off_t)PG), PG);
        fill(buf, 3 * PG + 10, 20, 11);
        EXPECT_RET(syscall(SYS_pwrite64, fd, buf, 20L, (off_t)(3 * PG + 10)), 20);
        EXPECT_EQ(blocks(fd), 2 * (PG / 512));
        memset(back, 0xee, sizeof(back));
        EXPECT_RET(syscall(SYS_pread64, fd, back, 5 * PG, (off_t)0), 3 * PG + 30);
        expect_range(back, 0, PG, 0, "hole at page 0");
        expect_range(back + PG, PG, PG, 11, "page 1");
        expect_range(back + 2 * PG, 2 * PG, PG + 10, 0, "hole at page 2");
        expect_range(back + 3 * PG + 10, 3 * PG + 10, 20, 11, "page 3");
        fill(buf, 300, 5 * PG, 13);
        EXPECT_RET(syscall(SYS_pwrite64, fd, buf, 5 * PG, (off_t)300), 5 * PG);
        EXPECT_EQ(blocks(fd), 6 * (PG / 512));
        EXPECT_RET(syscall(SYS_pread64, fd, back, 6 * PG, (off_t)0), 5 * PG + 300);
        expect_range(back, 0, 300, 0, "head of page 0");
        expect_range(back + 300, 300, 5 * PG, 13, "rewritten pages");

        /* Far out: a hole of 10 MiB, then 5000 bytes over two pages. */
        fill(buf, 10L << 20, 5000, 17);
        EXPECT_RET(syscall(SYS_pwrite64, fd, buf, 5000L, (off_t)(10L << 20)), 5000);
        EXPECT_EQ(blocks(fd), 8 * (PG / 512));
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)(6 * PG), SEEK_DATA), 10L << 20);
        EXPECT_RET(syscall(SYS_pread64, fd, back, 3 * PG, (off_t)((10L << 20) - PG)), PG + 5000);
        expect_range(back, (10L << 20) - PG, PG, 0, "hole before the far pages");
        expect_range(back + PG, 10L << 20, 5000, 17, "far pages");

        /* Appends continue where the file ends. */
        int afd = open(path, O_WRONLY | O_APPEND);
        EXPECT_TRUE(afd >= 0);
        fill(buf, (10L << 20) + 5000, 3 * PG, 19);
        EXPECT_RET(syscall(SYS_write, afd, buf, 3 * PG), 3 * PG);
        EXPECT_RET(syscall(SYS_pread64, fd, back, 3 * PG, (off_t)((10L << 20) + 5000)), 3 * PG);
        expect_range(back, (10L << 20) + 5000, 3 * PG, 19, "appended");
        close(afd);
        close(fd);
        return TEST_PASS;
}
