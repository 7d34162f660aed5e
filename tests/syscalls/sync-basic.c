/* fsync, fdatasync, sync, syncfs, sync_file_range: what may be synced
 * (files and directories), what may not (pipes, devices, procfs, eventfds:
 * EINVAL; ESPIPE for sync_file_range), and the argument checks. */
#include "fs-test.h"
#include <sys/eventfd.h>
#include <sys/syscall.h>

int main(void)
{
        int fd, ro, dfd, opath, pfd[2], null, proc, efd;

        if (test_dir_enter() < 0)
                return 1;
        fd = open("f", O_CREAT | O_RDWR, 0644);
        ro = open("f", O_RDONLY);
        dfd = open(".", O_RDONLY | O_DIRECTORY);
        opath = open("f", O_PATH);
        null = open("/dev/null", O_WRONLY);
        proc = open("/proc/self/status", O_RDONLY);
        efd = eventfd(0, 0);
        CHECK(fd >= 0 && ro >= 0 && dfd >= 0 && opath >= 0 && null >= 0 && proc >= 0 && efd >= 0);
        CHECK(pipe(pfd) == 0);
        CHECK(write(fd, "data", 4) == 4);

        CHECK(syscall(SYS_fsync, fd) == 0);
        CHECK(syscall(SYS_fdatasync, fd) == 0);
        CHECK(syscall(SYS_fsync, ro) == 0);
        CHECK(syscall(SYS_fsync, dfd) == 0);
        FAILS(syscall(SYS_fsync, pfd[0]), EINVAL);
        FAILS(syscall(SYS_fdatasync, pfd[1]), EINVAL);
        FAILS(syscall(SYS_fsync, null), EINVAL);
        FAILS(syscall(SYS_fsync, proc), EINVAL);
        FAILS(syscall(SYS_fsync, efd), EINVAL);
        FAILS(syscall(SYS_fsync, opath), EBADF);
        FAILS(syscall(SYS_fsync, 999), EBADF);
        FAILS(syscall(SYS_fdatasync, -1), EBADF);

        CHECK(syscall(SYS_sync) == 0);
        CHECK(syscall(SYS_syncfs, fd) == 0);
        CHECK(syscall(SYS_syncfs, pfd[0]) == 0);
        CHECK(syscall(SYS_syncfs, efd) == 0);
        FAILS(syscall(SYS_syncfs, opath), EBADF);
        FAILS(syscall(SYS_syncfs, 999), EBADF);

        CHECK(syscall(SYS_sync_file_range, fd, (off_t)0, (off_t)0, 0) == 0);
        CHECK(syscall(SYS_sync_file_range, ro, (off_t)0, (off_t)4, 7) == 0);
        CHECK(syscall(SYS_sync_file_range, dfd, (off_t)0, (off_t)0, 7) == 0);
        CHECK(syscall(SYS_sync_file_range, proc, (off_t)0, (off_t)0, 7) == 0);
        FAILS(syscall(SYS_sync_file_range, fd, (off_t)0, (off_t)0, 8), EINVAL);
        FAILS(syscall(SYS_sync_file_range, fd, (off_t)-1, (off_t)0, 0), EINVAL);
        FAILS(syscall(SYS_sync_file_range, fd, (off_t)1, (off_t)-1, 0), EINVAL);
        FAILS(syscall(SYS_sync_file_range, fd, (off_t)0x7fffffffffffffffLL, (off_t)1, 0), EINVAL);
        FAILS(syscall(SYS_sync_file_range, pfd[0], (off_t)0, (off_t)0, 0), ESPIPE);
        FAILS(syscall(SYS_sync_file_range, pfd[0], (off_t)0, (off_t)0, 8), EINVAL);
        FAILS(syscall(SYS_sync_file_range, null, (off_t)0, (off_t)0, 0), ESPIPE);
        FAILS(syscall(SYS_sync_file_range, opath, (off_t)0, (off_t)0, 0), EBADF);
        FAILS(syscall(SYS_sync_file_range, 999, (off_t)-1, (off_t)0, 8), EBADF);
        return 0;
}
