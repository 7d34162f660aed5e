/* mmap of a file the sandbox reaches on the host (its own executable, read
 * only): MAP_SHARED shows the file's bytes, as read(2) does; a MAP_PRIVATE
 * mapping written to changes neither the file nor another mapping; a fresh
 * mapping after that still shows the file. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "test.h"

int main(void)
{
        int fd = open("/proc/self/exe", O_RDONLY);
        unsigned char head[64], *shared, *priv, *again;
        struct stat st;
        size_t len;

        EXPECT_TRUE(fd >= 0);
        EXPECT_OK(fstat(fd, &st));
        len = (size_t)st.st_size < 3 * 4096 ? (size_t)st.st_size : 3 * 4096;
        EXPECT_EQ(pread(fd, head, sizeof(head), 4096), (ssize_t)sizeof(head));
        shared = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
        CHECK(shared != MAP_FAILED, "MAP_SHARED: %s", test_errname(errno));
        CHECK(memcmp(shared, "\x7f" "ELF", 4) == 0, "not the ELF header");
        CHECK(memcmp(shared + 4096, head, sizeof(head)) == 0, "MAP_SHARED differs from read");
        priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        CHECK(priv != MAP_FAILED, "MAP_PRIVATE: %s", test_errname(errno));
        memset(priv + 4096, 0xab, 64);
        CHECK(memcmp(shared + 4096, head, sizeof(head)) == 0, "a private write showed in MAP_SHARED");
        EXPECT_EQ(pread(fd, head, sizeof(head), 4096), (ssize_t)sizeof(head));
        CHECK(head[0] != 0xab || head[1] != 0xab, "a private write reached the file");
        again = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        CHECK(again != MAP_FAILED, "MAP_PRIVATE again: %s", test_errname(errno));
        CHECK(memcmp(again + 4096, head, sizeof(head)) == 0, "a fresh mapping saw a private write");
        /* Writable shared mappings need a file opened for writing. */
        errno = 0;
        CHECK(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
              errno == EACCES, "MAP_SHARED|PROT_WRITE of a read-only fd: %s", test_errname(errno));
        return TEST_PASS;
}
