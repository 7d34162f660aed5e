/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memfd_create(2): an anonymous tmpfs file open O_RDWR|O_LARGEFILE, mode
 * 0777 (0666 with MFD_NOEXEC_SEAL), no links, /proc/self/fd text
 * "/memfd:NAME (deleted)"; MFD_CLOEXEC; names up to 249 bytes (250 is
 * EINVAL, NULL EFAULT); unknown flags and MFD_EXEC|MFD_NOEXEC_SEAL EINVAL.
 * Its data is shared by every mapping, across fork too.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "test.h"

#define MFD_CLOEXEC_       0x01
#define MFD_ALLOW_SEALING_ 0x02
#define MFD_NOEXEC_SEAL_   0x08
#define MFD_EXEC_          0x10

static void expect_link(int fd, const char *want)
{
        char path[64], buf[512];
        long n;

        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        n = EXPECT_OK(syscall(SYS_readlink, path, buf, sizeof(buf) - 1));
        buf[n] = '\0';
        CHECK(strcmp(buf, want) == 0, "link '%s', want '%s'", buf, want);
}

int main(void)
{
        char name[300], want[320];
        struct stat st;
        int fd, status;
        char *p, buf[8];
        long pid;

        fd = (int)EXPECT_OK(syscall(SYS_memfd_create, "hello", 0));
        EXPECT_RET(syscall(SYS_fstat, fd, &st), 0);
        EXPECT_EQ(st.st_mode, S_IFREG | 0777);
        EXPECT_EQ(st.st_nlink, 0);
        EXPECT_EQ(st.st_size, 0);
        EXPECT_EQ(st.st_uid, getuid());
        EXPECT_RET(syscall(SYS_fcntl, fd, F_GETFL), O_RDWR | 0100000);
        EXPECT_RET(syscall(SYS_fcntl, fd, F_GETFD), 0);
        expect_link(fd, "/memfd:hello (deleted)");

        /* I/O like any tmpfs file. */
        EXPECT_RET(syscall(SYS_write, fd, "abcdef", 6), 6);
        EXPECT_RET(syscall(SYS_pread64, fd, buf, 3, 2L), 3);
        CHECK(memcmp(buf, "cde", 3) == 0, "read '%.3s'", buf);
        EXPECT_RET(syscall(SYS_ftruncate, fd, 8192L), 0);

        /* A shared mapping, written by a child, read by the parent. */
        p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
        pid = EXPECT_OK(fork());
        if (pid == 0) {
                memcpy(p + 4096, "child", 5);
                _exit(memcmp(p, "abcdef", 6) == 0 ? 0 : 1);
        }
        EXPECT_RET(waitpid((pid_t)pid, &status, 0), pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
        CHECK(memcmp(p + 4096, "child", 5) == 0, "mapping '%.5s'", p + 4096);
        EXPECT_RET(syscall(SYS_pread64, fd, buf, 5, 4096L), 5);
        CHECK(memcmp(buf, "child", 5) == 0, "file '%.5s'", buf);
        EXPECT_RET(syscall(SYS_munmap, p, 8192), 0);

        /* Flags. */
        int cl = (int)EXPECT_OK(syscall(SYS_memfd_create, "", MFD_CLOEXEC_ | MFD_ALLOW_SEALING_));
        EXPECT_RET(syscall(SYS_fcntl, cl, F_GETFD), FD_CLOEXEC);
        expect_link(cl, "/memfd: (deleted)");
        int nx = (int)EXPECT_OK(syscall(SYS_memfd_create, "nx", MFD_NOEXEC_SEAL_));
        EXPECT_RET(syscall(SYS_fstat, nx, &st), 0);
        EXPECT_EQ(st.st_mode, S_IFREG | 0666);
        int ex = (int)EXPECT_OK(syscall(SYS_memfd_create, "a/b", MFD_EXEC_));
        EXPECT_RET(syscall(SYS_fstat, ex, &st), 0);
        EXPECT_EQ(st.st_mode, S_IFREG | 0777);
        expect_link(ex, "/memfd:a/b (deleted)");
        EXPECT_ERRNO(syscall(SYS_memfd_create, "x", MFD_EXEC_ | MFD_NOEXEC_SEAL_), EINVAL);
        EXPECT_ERRNO(syscall(SYS_memfd_create, "x", 0x20), EINVAL);
        EXPECT_ERRNO(syscall(SYS_memfd_create, "x", 21u << 26), EINVAL);
        EXPECT_ERRNO(syscall(SYS_memfd_create, "x", 1u << 31), EINVAL);

        /* Names. */
        memset(name, 'n', sizeof(name));
        name[249] = '\0';
        int longest = (int)EXPECT_OK(syscall(SYS_memfd_create, name, 0));
        snprintf(want, sizeof(want), "/memfd:%s (deleted)", name);
        expect_link(longest, want);
        name[249] = 'n';
        name[250] = '\0';
        EXPECT_ERRNO(syscall(SYS_memfd_create, name, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_memfd_create, NULL, 0), EFAULT);
        EXPECT_ERRNO(syscall(SYS_memfd_create, KERNEL_ADDR, 0), EFAULT);
        return TEST_PASS;
}
