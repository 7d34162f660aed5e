/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File permission checks use the fs uid and gid, the supplementary groups
 * and the effective capabilities: root without CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH is held to the mode bits; access(2) checks the real
 * ids with the capabilities a root real uid would have.
 */
#include <fcntl.h>

#include "creds-test.h"

static char path[64];

static void fsuid(void)
{
        int fd;

        /* mode 0640, owner 0 group 0 */
        EXPECT_RET(syscall(SYS_setfsgid, 55), 0);
        EXPECT_RET(syscall(SYS_setfsuid, 1000), 0);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY), EACCES);
        /* The group bits apply through the fs gid ... */
        EXPECT_RET(syscall(SYS_setfsgid, 0), 55);
        fd = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
        close(fd);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY), EACCES);
        /* ... or a supplementary group. */
        EXPECT_RET(syscall(SYS_setfsgid, 55), 0);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY), EACCES);
        gid_t g = 0;
        EXPECT_OK(syscall(SYS_setgroups, 1, &g));
        fd = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
        close(fd);
        /* access(2) uses the real ids: root, with its capabilities. */
        EXPECT_RET(syscall(SYS_access, path, R_OK | W_OK), 0);
        /* Back to fsuid 0: the owner again. */
        EXPECT_RET(syscall(SYS_setfsuid, 0), 1000);
        fd = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDWR));
        close(fd);
}

static void no_dac_caps(void)
{
        struct caps c = caps_get();
        int fd;

        EXPECT_OK(syscall(SYS_fchmodat, AT_FDCWD, path, 0));
        fd = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDWR));
        close(fd);
        c.eff &= ~((1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH));
        EXPECT_OK(caps_set(c));
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY), EACCES);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY), EACCES);
        /* access(2) with a root real uid uses the permitted set. */
        EXPECT_RET(syscall(SYS_access, path, R_OK | W_OK), 0);
        /* The owner may still chmod; CAP_FOWNER is not needed for that. */
        EXPECT_OK(syscall(SYS_fchmodat, AT_FDCWD, path, 0400));
        fd = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
        close(fd);
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY), EACCES);
        /* Without CAP_FOWNER a file of another owner cannot be chmod'ed. */
        c.eff &= ~(1ULL << CAP_FOWNER);
        EXPECT_OK(caps_set(c));
        EXPECT_OK(syscall(SYS_setfsuid, 1000));
        EXPECT_ERRNO(syscall(SYS_fchmodat, AT_FDCWD, path, 0600), EPERM);
}

static void unprivileged(void)
{
        EXPECT_OK(syscall(SYS_setresgid, 1000, 1000, 1000));
        EXPECT_OK(syscall(SYS_setgroups, 0, NULL));
        EXPECT_OK(syscall(SYS_setresuid, 1000, 1000, 1000));
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY), EACCES);
        EXPECT_ERRNO(syscall(SYS_access, path, R_OK), EACCES);
        EXPECT_ERRNO(syscall(SYS_fchownat, AT_FDCWD, path, 1000, -1, 0), EPERM);
}

int main(void)
{
        int fd;

        creds_require_root();
        snprintf(path, sizeof(path), "/tmp/creds-fs-permission.%ld", (long)syscall(SYS_getpid));
        fd = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_EXCL | O_WRONLY, 0640));
        close(fd);
        EXPECT_OK(syscall(SYS_fchownat, AT_FDCWD, path, 0, 0, 0));
        EXPECT_OK(syscall(SYS_fchmodat, AT_FDCWD, path, 0640));
        creds_in_child(fsuid);
        creds_in_child(unprivileged);
        creds_in_child(no_dac_caps);
        unlink(path);
        return TEST_PASS;
}
