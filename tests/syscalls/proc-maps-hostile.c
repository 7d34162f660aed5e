/* /proc/PID/maps read the awkward ways: another process's, one byte at a
 * time, at lseek and pread offsets, into a bad buffer, a zombie's (empty)
 * and a reaped one's (ENOENT); an unlinked file with a newline in its
 * name. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "test.h"

#define PAGE 4096UL

static char buf[1 << 17], buf2[1 << 17];

static size_t read_whole(const char *path, char *out, size_t chunk)
{
        size_t len = 0;
        ssize_t n;
        int fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDONLY | O_CLOEXEC));

        while ((n = (ssize_t)syscall(SYS_read, fd, out + len, chunk)) > 0) {
                len += (size_t)n;
                CHECK(len + chunk < sizeof(buf), "%s is too big", path);
        }
        EXPECT_OK(n);
        close(fd);
        out[len] = '\0';
        return len;
}

/* A child maps a file at an offset and waits; we read its maps. */
static void test_other_process(void)
{
        char path[64], maps_path[64], want[128];
        int go[2], ready[2], status;
        unsigned long addr;
        struct stat st;
        pid_t pid;
        int fd;

        snprintf(path, sizeof(path), "/dev/shm/proc-maps-hostile.%d", getpid());
        fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        EXPECT_OK(syscall(SYS_ftruncate, fd, (off_t)(8 * PAGE)));
        EXPECT_OK(syscall(SYS_fstat, fd, &st));
        EXPECT_OK(pipe(go));
        EXPECT_OK(pipe(ready));
        pid = fork();
        if (pid == 0) {
                void *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, (off_t)(5 * PAGE));
                char c;

                close(go[1]);
                close(ready[0]);
                if (p == MAP_FAILED ||
                    write(ready[1], &p, sizeof(p)) != (ssize_t)sizeof(p))
                        _exit(1);
                _exit(read(go[0], &c, 1) == 0 ? 0 : 1);
        }
        EXPECT_OK(pid);
        close(go[0]);
        close(ready[1]);
        close(fd);
        EXPECT_RET(read(ready[0], &addr, sizeof(addr)), (long)sizeof(addr));
        EXPECT_OK(syscall(SYS_unlink, path));

        snprintf(maps_path, sizeof(maps_path), "/proc/%d/maps", pid);
        read_whole(maps_path, buf, sizeof(buf) / 2);
        snprintf(want, sizeof(want), "%08lx-%08lx r--s %08lx %02x:%02x %lu ", addr,
                 addr + 2 * PAGE, 5 * PAGE, major(st.st_dev), minor(st.st_dev),
                 (unsigned long)st.st_ino);
        CHECK(strstr(buf, want), "child's maps has no '%s'", want);
        snprintf(want, sizeof(want), " %s (deleted)\n", path);
        CHECK(strstr(buf, want), "child's maps has no '%s'", want + 1);

        /* Let it exit; wait without reaping: a zombie has no mappings. */
        close(go[1]);
        EXPECT_OK(waitid(P_PID, (id_t)pid, &(siginfo_t){ 0 }, WEXITED | WNOWAIT));
        EXPECT_RET(read_whole(maps_path, buf, 4096), 0);
        EXPECT_OK(waitpid(pid, &status, 0));
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
        EXPECT_ERRNO(syscall(SYS_open, maps_path, O_RDONLY | O_CLOEXEC), ENOENT);
        close(ready[0]);
}

/* The same bytes whatever the reads: one at a time, from lseek and pread
 * offsets; SEEK_END and negative offsets are EINVAL; a bad buffer EFAULT. */
static void test_reads(void)
{
        size_t len, i;
        ssize_t n;
        int fd;

        len = read_whole("/proc/self/maps", buf, sizeof(buf) / 2);
        CHECK(len > 100, "maps is %zu bytes", len);
        CHECK(read_whole("/proc/self/maps", buf2, 1) == len && !memcmp(buf, buf2, len),
              "maps read a byte at a time differs");

        fd = (int)EXPECT_OK(syscall(SYS_open, "/proc/self/maps", O_RDONLY | O_CLOEXEC));
        EXPECT_ERRNO(syscall(SYS_read, fd, (void *)16, 64), EFAULT);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)(len / 2), SEEK_SET), (long)(len / 2));
        n = (ssize_t)EXPECT_OK(syscall(SYS_read, fd, buf2, len));
        CHECK((size_t)n == len - len / 2 && !memcmp(buf2, buf + len / 2, (size_t)n),
              "read after lseek: %zd bytes", n);
        EXPECT_RET(syscall(SYS_read, fd, buf2, len), 0);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)-10, SEEK_CUR), (long)(len - 10));
        EXPECT_RET(syscall(SYS_read, fd, buf2, 100), 10);
        CHECK(!memcmp(buf2, buf + len - 10, 10), "read after SEEK_CUR differs");
        EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)0, SEEK_END), EINVAL);
        EXPECT_ERRNO(syscall(SYS_lseek, fd, (off_t)-1, SEEK_SET), EINVAL);
        for (i = 0; i < 3; i++) {
                size_t at = len / 3 * i + 7;

                n = (ssize_t)EXPECT_OK(syscall(SYS_pread64, fd, buf2, 16, (off_t)at));
                CHECK(n == 16 && !memcmp(buf2, buf + at, 16), "pread at %zu differs", at);
        }
        EXPECT_RET(syscall(SYS_pread64, fd, buf2, 16, (off_t)(len + 4096)), 0);
        EXPECT_ERRNO(syscall(SYS_write, fd, "x", 1), EBADF);
        close(fd);
}

/* Linux's seq_file_path() escapes a newline in the name as \012. */
static void test_newline_name(void)
{
        char path[64], want[96];
        void *p;
        int fd;

        snprintf(path, sizeof(path), "/dev/shm/proc-maps\nnl.%d", getpid());
        fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        EXPECT_OK(syscall(SYS_ftruncate, fd, (off_t)PAGE));
        p = (void *)EXPECT_OK(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, (off_t)0));
        close(fd);
        read_whole("/proc/self/maps", buf, sizeof(buf) / 2);
        snprintf(want, sizeof(want), " /dev/shm/proc-maps\\012nl.%d\n", getpid());
        CHECK(strstr(buf, want), "maps has no '%s'", want + 1);
        EXPECT_OK(syscall(SYS_unlink, path));
        EXPECT_OK(syscall(SYS_munmap, p, PAGE));
}

/* A child maps and unmaps a file (and closes its fd) in a loop, then
 * exits, while we read its maps: every read is whole lines, and once it is
 * a zombie, empty. */
static void test_racing_exit(void)
{
        char path[64], maps_path[64];
        int status, reads = 0;
        size_t len;
        pid_t pid;

        snprintf(path, sizeof(path), "/dev/shm/proc-maps-race.%d", getpid());
        close((int)EXPECT_OK(syscall(SYS_open, path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                                     0600)));
        EXPECT_OK(syscall(SYS_truncate, path, (off_t)(4 * PAGE)));
        pid = fork();
        if (pid == 0) {
                for (int i = 0; i < 300; i++) {
                        int fd = open(path, O_RDWR | O_CLOEXEC);
                        void *p = fd < 0 ? MAP_FAILED : mmap(NULL, (size_t)(1 + i % 4) * PAGE,
                                                             PROT_READ, i % 2 ? MAP_SHARED : MAP_PRIVATE,
                                                             fd, 0);

                        if (p == MAP_FAILED)
                                _exit(1);
                        close(fd);
                        if (i % 3 && munmap(p, (size_t)(1 + i % 4) * PAGE) < 0)
                                _exit(1);
                }
                _exit(0);
        }
        EXPECT_OK(pid);
        snprintf(maps_path, sizeof(maps_path), "/proc/%d/maps", pid);
        do {
                len = read_whole(maps_path, buf, sizeof(buf) / 2);
                CHECK(len == 0 || buf[len - 1] == '\n', "maps ends in '%c'", buf[len - 1]);
                reads++;
        } while (len > 0 && reads < 100000);
        CHECK(len == 0, "the child's maps never went empty");
        EXPECT_OK(waitpid(pid, &status, 0));
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
        EXPECT_OK(syscall(SYS_unlink, path));
}

int main(void)
{
        test_other_process();
        test_racing_exit();
        test_reads();
        test_newline_name();
        return TEST_PASS;
}
