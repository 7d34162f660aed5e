/* /dev/null, /dev/zero, /dev/full and /dev/tty: device numbers, modes and
 * Linux's read, write and lseek semantics (drivers/char/mem.c). */
#include <fcntl.h>
#include <sys/wait.h>

#include "test.h"

static int open_dev(const char *path, int major_, int minor_)
{
        struct stat st;
        int fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDWR | O_CLOEXEC));

        EXPECT_OK(syscall(SYS_fstat, fd, &st));
        CHECK(S_ISCHR(st.st_mode), "%s: mode %o", path, st.st_mode);
        EXPECT_EQ(st.st_mode & 07777, 0666);
        EXPECT_EQ(major(st.st_rdev), major_);
        EXPECT_EQ(minor(st.st_rdev), minor_);
        EXPECT_OK(syscall(SYS_stat, path, &st));
        EXPECT_EQ(major(st.st_rdev), major_);
        return fd;
}

static void check_zeroes(const char *buf, size_t n)
{
        for (size_t i = 0; i < n; i++)
                CHECK(buf[i] == 0, "byte %zu is %d", i, buf[i]);
}

int main(void)
{
        char buf[4096];
        int fd, status;
        pid_t pid;

        fd = open_dev("/dev/null", 1, 3);
        memset(buf, 'x', sizeof(buf));
        EXPECT_RET(syscall(SYS_read, fd, buf, sizeof(buf)), 0);
        EXPECT_RET(syscall(SYS_write, fd, buf, 100), 100);
        EXPECT_RET(syscall(SYS_pwrite64, fd, buf, 7, (off_t)12345), 7);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)100, SEEK_SET), 0);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)-5, SEEK_SET), 0);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)10, SEEK_END), 0);
        close(fd);

        fd = open_dev("/dev/zero", 1, 5);
        memset(buf, 'x', sizeof(buf));
        EXPECT_RET(syscall(SYS_read, fd, buf, sizeof(buf)), sizeof(buf));
        check_zeroes(buf, sizeof(buf));
        memset(buf, 'x', sizeof(buf));
        EXPECT_RET(syscall(SYS_pread64, fd, buf, 100, (off_t)1 << 40), 100);
        check_zeroes(buf, 100);
        EXPECT_RET(syscall(SYS_write, fd, buf, 33), 33);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)0, SEEK_CUR), 0);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)4096, SEEK_SET), 0);
        close(fd);

        fd = open_dev("/dev/full", 1, 7);
        memset(buf, 'x', sizeof(buf));
        EXPECT_RET(syscall(SYS_read, fd, buf, 512), 512);
        check_zeroes(buf, 512);
        EXPECT_ERRNO(syscall(SYS_write, fd, buf, 1), ENOSPC);
        EXPECT_ERRNO(syscall(SYS_write, fd, buf, 0), ENOSPC);
        EXPECT_RET(syscall(SYS_lseek, fd, (off_t)77, SEEK_SET), 0);
        close(fd);

        /* Read-only and write-only opens keep their access modes. */
        fd = (int)EXPECT_OK(syscall(SYS_open, "/dev/null", O_WRONLY | O_CLOEXEC));
        EXPECT_ERRNO(syscall(SYS_read, fd, buf, 1), EBADF);
        close(fd);

        /* /dev/tty without a controlling terminal: ENXIO. */
        pid = fork();
        if (pid == 0) {
                if (setsid() < 0)
                        _exit(2);
                errno = 0;
                fd = (int)syscall(SYS_open, "/dev/tty", O_RDWR);
                _exit(fd < 0 && errno == ENXIO ? 0 : 1);
        }
        EXPECT_OK(pid);
        EXPECT_RET(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "/dev/tty: child status %#x",
              status);
        return TEST_PASS;
}
