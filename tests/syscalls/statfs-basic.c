/* statfs and fstatfs: each file system's magic (tmpfs, devtmpfs, proc,
 * sysfs, pipes, anonymous inodes), block size, name length, f_flags, the
 * tmpfs counts, O_PATH fds, and the errors. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
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

#define ST_VALID 0x20

static int is(const struct statfs *s, long magic)
{
        return s->f_type == magic && s->f_bsize == 4096 && s->f_frsize == 4096 &&
               s->f_namelen == 255 && (s->f_flags & ST_VALID) && !(s->f_flags & ST_RDONLY);
}

int main(void)
{
        struct statfs s, s2;
        int fd, pfd[2], efd;

        CHECK(syscall(SYS_statfs, "/dev/shm", &s) == 0 && is(&s, TMPFS_MAGIC));
        CHECK(s.f_blocks > 0 && s.f_bfree <= s.f_blocks && s.f_bavail == s.f_bfree);
        fd = open("/dev/shm", O_RDONLY | O_DIRECTORY);
        CHECK(fd >= 0);
        CHECK(syscall(SYS_fstatfs, fd, &s2) == 0 && is(&s2, TMPFS_MAGIC));
        CHECK(s2.f_blocks == s.f_blocks && !memcmp(&s2.f_fsid, &s.f_fsid, sizeof(s.f_fsid)));
        close(fd);
        fd = open("/dev/shm", O_PATH);
        CHECK(fd >= 0);
        CHECK(syscall(SYS_fstatfs, fd, &s2) == 0 && is(&s2, TMPFS_MAGIC));
        close(fd);

        CHECK(syscall(SYS_statfs, "/dev", &s) == 0 && is(&s, TMPFS_MAGIC));
        CHECK(syscall(SYS_statfs, "/dev/null", &s2) == 0 && is(&s2, TMPFS_MAGIC));
        CHECK(!memcmp(&s2.f_fsid, &s.f_fsid, sizeof(s.f_fsid)));
        CHECK(syscall(SYS_statfs, "/proc", &s) == 0 && is(&s, PROC_SUPER_MAGIC));
        CHECK(s.f_blocks == 0 && s.f_bfree == 0 && s.f_files == 0);
        CHECK(syscall(SYS_statfs, "/proc/self/status", &s) == 0 && is(&s, PROC_SUPER_MAGIC));
        CHECK(syscall(SYS_statfs, "/sys", &s) == 0 && is(&s, SYSFS_MAGIC));

        /* Kernel-internal mounts: valid flags and nothing else. */
        CHECK(pipe(pfd) == 0);
        CHECK(syscall(SYS_fstatfs, pfd[0], &s) == 0 && is(&s, PIPEFS_MAGIC));
        CHECK(s.f_flags == ST_VALID && s.f_blocks == 0);
        efd = eventfd(0, 0);
        CHECK(efd >= 0);
        CHECK(syscall(SYS_fstatfs, efd, &s) == 0 && is(&s, ANON_INODE_FS_MAGIC));

        FAILS(syscall(SYS_fstatfs, 999, &s), EBADF);
        FAILS(syscall(SYS_fstatfs, pfd[0], (void *)16), EFAULT);
        FAILS(syscall(SYS_statfs, "/dev/shm", (void *)16), EFAULT);
        FAILS(syscall(SYS_statfs, (void *)16, &s), EFAULT);
        FAILS(syscall(SYS_statfs, "/nonexistent", &s), ENOENT);
        FAILS(syscall(SYS_statfs, "", &s), ENOENT);
        FAILS(syscall(SYS_statfs, "/dev/null/x", &s), ENOTDIR);
        return 0;
}
