/* SPDX-License-Identifier: Apache-2.0 */
/*
 * openat2(2) arguments: struct open_how smaller than 24 bytes is EINVAL,
 * larger than a page E2BIG, larger with non-zero tail E2BIG (zero tail
 * fine), unreadable EFAULT; unknown open flags (O_CLOEXEC aside), unknown
 * resolve bits, BENEATH|IN_ROOT, a mode without O_CREAT/O_TMPFILE or with
 * bits past 07777, O_CREAT|O_DIRECTORY and O_PATH with other flags are
 * EINVAL; RESOLVE_CACHED with O_CREAT/O_TRUNC/O_TMPFILE is EAGAIN. The
 * name is read before a free fd is looked for (EFAULT, not EMFILE).
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>

#include "test.h"

struct how {
        uint64_t flags, mode, resolve;
};

static long openat2(int dirfd, const void *name, const void *how, size_t size)
{
        return syscall(SYS_openat2, dirfd, name, how, size);
}

int main(void)
{
        struct how h = { O_RDONLY, 0, 0 };
        unsigned char big[4100] = { 0 };
        struct rlimit rl, old;
        struct stat st;
        int fd;

        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, 0), EINVAL);
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, 23), EINVAL);
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", big, 4097), E2BIG);
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", NULL, 24), EFAULT);
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", KERNEL_ADDR, 24), EFAULT);
        memcpy(big, &h, sizeof(h));
        big[4095] = 1;
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", big, 4096), E2BIG);
        big[4095] = 0;
        fd = (int)EXPECT_OK(openat2(AT_FDCWD, "/", big, 4096));
        EXPECT_RET(syscall(SYS_fstat, fd, &st), 0);
        CHECK(S_ISDIR(st.st_mode), "mode %o", st.st_mode);
        EXPECT_RET(syscall(SYS_fcntl, fd, F_GETFL), O_RDONLY | 0100000);
        EXPECT_RET(syscall(SYS_close, fd), 0);

        h = (struct how){ O_RDONLY | O_CLOEXEC };
        fd = (int)EXPECT_OK(openat2(AT_FDCWD, "/", &h, sizeof(h)));
        EXPECT_RET(syscall(SYS_fcntl, fd, F_GETFD), FD_CLOEXEC);
        EXPECT_RET(syscall(SYS_close, fd), 0);
        h = (struct how){ O_PATH | O_DIRECTORY };
        fd = (int)EXPECT_OK(openat2(AT_FDCWD, "/", &h, sizeof(h)));
        EXPECT_RET(syscall(SYS_fcntl, fd, F_GETFL), O_PATH | O_DIRECTORY);
        EXPECT_RET(syscall(SYS_close, fd), 0);

        h = (struct how){ 1ULL << 40 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, sizeof(h)), EINVAL);
        h = (struct how){ 1ULL << 30 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, sizeof(h)), EINVAL);
        h = (struct how){ O_RDONLY, 0644 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, sizeof(h)), EINVAL);
        h = (struct how){ O_CREAT | O_WRONLY, 010000 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/tmp/openat2-never", &h, sizeof(h)), EINVAL);
        h = (struct how){ O_CREAT | O_DIRECTORY | O_RDONLY, 0600 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/tmp/openat2-never", &h, sizeof(h)), EINVAL);
        /* open(2) refuses O_CREAT|O_DIRECTORY too (Linux 6.4 on). */
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, "/tmp/openat2-never", O_CREAT | O_DIRECTORY, 0600), EINVAL);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, "/tmp", O_CREAT | O_DIRECTORY, 0600), EINVAL);
        h = (struct how){ O_PATH | O_RDWR };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, sizeof(h)), EINVAL);
        h = (struct how){ O_PATH | O_APPEND };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, sizeof(h)), EINVAL);
        h = (struct how){ O_TMPFILE | O_RDONLY };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/tmp", &h, sizeof(h)), EINVAL);
        h = (struct how){ 020000000 | O_RDWR };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/tmp", &h, sizeof(h)), EINVAL);
        h = (struct how){ O_RDONLY, 0, 0x40 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, sizeof(h)), EINVAL);
        h = (struct how){ O_RDONLY, 0, 1ULL << 33 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, sizeof(h)), EINVAL);
        h = (struct how){ O_RDONLY, 0, 0x08 | 0x10 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, sizeof(h)), EINVAL);
        h = (struct how){ O_CREAT | O_WRONLY, 0600, 0x20 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/tmp/openat2-never", &h, sizeof(h)), EAGAIN);
        h = (struct how){ O_TRUNC | O_WRONLY, 0, 0x20 };
        EXPECT_ERRNO(openat2(AT_FDCWD, "/tmp/openat2-never", &h, sizeof(h)), EAGAIN);
        EXPECT_ERRNO(syscall(SYS_faccessat, AT_FDCWD, "/tmp/openat2-never", F_OK), ENOENT);

        /* The name before the fd: EFAULT and ENOENT beat EMFILE, EBADF does not. */
        EXPECT_RET(syscall(SYS_close_range, 3, ~0U, 0), 0);
        EXPECT_RET(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old), 0);
        rl = (struct rlimit){ 3, old.rlim_max };
        EXPECT_RET(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL), 0);
        h = (struct how){ O_RDONLY };
        EXPECT_ERRNO(openat2(AT_FDCWD, NULL, &h, sizeof(h)), EFAULT);
        EXPECT_ERRNO(openat2(AT_FDCWD, "", &h, sizeof(h)), ENOENT);
        EXPECT_ERRNO(openat2(AT_FDCWD, "/", &h, sizeof(h)), EMFILE);
        EXPECT_ERRNO(openat2(999, "x", &h, sizeof(h)), EMFILE);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY), EFAULT);
        EXPECT_ERRNO(syscall(SYS_openat, 999, "x", O_RDONLY), EMFILE);
        return TEST_PASS;
}
