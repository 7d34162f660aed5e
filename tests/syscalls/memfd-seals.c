/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File seals (F_ADD_SEALS/F_GET_SEALS) on memfds and tmpfs files: without
 * MFD_ALLOW_SEALING a memfd (and any tmpfs file) has F_SEAL_SEAL, so adding
 * is EPERM; SHRINK and GROW refuse truncation (EPERM), GROW refuses writes
 * past the end; WRITE refuses writes and writable shared mappings (EPERM),
 * and is EBUSY while a shared mapping that may write exists (even PROT_READ
 * from an O_RDWR fd); FUTURE_WRITE leaves existing mappings alone; EXEC
 * refuses chmod of the x bits and, on an executable file, brings the write
 * seals along. Unknown seals EINVAL, a read-only fd EPERM, a pipe EINVAL.
 */
#include <fcntl.h>
#include <sys/mman.h>

#include "test.h"

#define MFD_ALLOW_SEALING_  0x02
#define MFD_NOEXEC_SEAL_    0x08
#define F_SEAL_FUTURE_WRITE_ 0x10
#define F_SEAL_EXEC_        0x20

static int seals(int fd)
{
        return (int)syscall(SYS_fcntl, fd, F_GET_SEALS);
}

int main(void)
{
        char path[64], shm[] = "/dev/shm/seals-XXXXXX";
        int fd, ro, p[2];
        void *m;

        /* No sealing. */
        fd = (int)EXPECT_OK(syscall(SYS_memfd_create, "plain", 0));
        EXPECT_RET(seals(fd), F_SEAL_SEAL);
        EXPECT_ERRNO(syscall(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
        EXPECT_RET(syscall(SYS_close, fd), 0);
        fd = mkstemp(shm);
        if (fd >= 0) {
                unlink(shm);
                EXPECT_RET(seals(fd), F_SEAL_SEAL);
                EXPECT_ERRNO(syscall(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_GROW), EPERM);
                EXPECT_RET(syscall(SYS_close, fd), 0);
        }
        EXPECT_RET(syscall(SYS_pipe2, p, 0), 0);
        EXPECT_ERRNO(seals(p[0]), EINVAL);
        EXPECT_ERRNO(syscall(SYS_fcntl, p[1], F_ADD_SEALS, F_SEAL_GROW), EINVAL);
        EXPECT_ERRNO(syscall(SYS_fcntl, p[0], F_ADD_SEALS, F_SEAL_GROW), EPERM);

        fd = (int)EXPECT_OK(syscall(SYS_memfd_create, "sealed", MFD_ALLOW_SEALING_));
        EXPECT_RET(seals(fd), 0);
        EXPECT_RET(syscall(SYS_write, fd, "0123456789", 10), 10);
        EXPECT_ERRNO(syscall(SYS_fcntl, fd, F_ADD_SEALS, 0x40), EINVAL);
        /* The argument is an unsigned int: the upper half is ignored. */
        EXPECT_RET(syscall(SYS_fcntl, fd, F_ADD_SEALS, 1L << 32), 0);
        EXPECT_RET(syscall(SYS_fcntl, fd, F_ADD_SEALS, 0), 0);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        ro = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
        EXPECT_ERRNO(syscall(SYS_fcntl, ro, F_ADD_SEALS, F_SEAL_GROW), EPERM);
        EXPECT_RET(seals(ro), 0);

        /* SHRINK and GROW. */
        EXPECT_RET(syscall(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
        EXPECT_RET(seals(ro), F_SEAL_SHRINK | F_SEAL_GROW);
        EXPECT_ERRNO(syscall(SYS_ftruncate, fd, 5L), EPERM);
        EXPECT_ERRNO(syscall(SYS_ftruncate, fd, 11L), EPERM);
        EXPECT_RET(syscall(SYS_ftruncate, fd, 10L), 0);
        EXPECT_RET(syscall(SYS_pwrite64, fd, "ab", 2, 8L), 2);
        EXPECT_ERRNO(syscall(SYS_pwrite64, fd, "abc", 3, 8L), EPERM);
        EXPECT_ERRNO(syscall(SYS_pwrite64, fd, "x", 1, 10L), EPERM);

        /* WRITE: EBUSY while a shared mapping may write, even read-only. */
        m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
        CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
        EXPECT_ERRNO(syscall(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
        EXPECT_RET(seals(fd), F_SEAL_SHRINK | F_SEAL_GROW);
        /* FUTURE_WRITE does not care; the old mapping may still write. */
        EXPECT_RET(syscall(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE_), 0);
        EXPECT_RET(syscall(SYS_mprotect, m, 4096, PROT_READ | PROT_WRITE), 0);
        ((char *)m)[0] = 'M';
        EXPECT_ERRNO(syscall(SYS_write, fd, "x", 1), EPERM);
        EXPECT_RET(syscall(SYS_munmap, m, 4096), 0);
        EXPECT_RET(syscall(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
        EXPECT_ERRNO(syscall(SYS_pwrite64, fd, "x", 1, 0L), EPERM);
        EXPECT_ERRNO((long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
        /* A read-only shared mapping may not become writable. */
        m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
        CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
        CHECK(((char *)m)[0] == 'M', "mapping has '%c'", ((char *)m)[0]);
        EXPECT_ERRNO(syscall(SYS_mprotect, m, 4096, PROT_READ | PROT_WRITE), EACCES);
        /* A private mapping may write its own copy. */
        m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        CHECK(m != MAP_FAILED, "mmap private: %s", strerror(errno));
        ((char *)m)[1] = 'P';

        /* SEAL then nothing more. */
        EXPECT_RET(syscall(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_SEAL), 0);
        EXPECT_ERRNO(syscall(SYS_fcntl, fd, F_ADD_SEALS, 0), EPERM);
        EXPECT_RET(seals(fd), F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
                                  F_SEAL_FUTURE_WRITE_);

        /* EXEC. */
        int nx = (int)EXPECT_OK(syscall(SYS_memfd_create, "nx", MFD_NOEXEC_SEAL_));
        EXPECT_RET(seals(nx), F_SEAL_EXEC_);
        EXPECT_ERRNO(syscall(SYS_fchmod, nx, 0777), EPERM);
        EXPECT_RET(syscall(SYS_fchmod, nx, 0644), 0);
        EXPECT_RET(syscall(SYS_write, nx, "w", 1), 1);
        int ex = (int)EXPECT_OK(syscall(SYS_memfd_create, "ex", MFD_ALLOW_SEALING_));
        EXPECT_RET(syscall(SYS_fcntl, ex, F_ADD_SEALS, F_SEAL_EXEC_), 0);
        EXPECT_RET(seals(ex), F_SEAL_EXEC_ | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
                                  F_SEAL_FUTURE_WRITE_);
        EXPECT_ERRNO(syscall(SYS_write, ex, "w", 1), EPERM);
        return TEST_PASS;
}
