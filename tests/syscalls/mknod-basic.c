/* mknod and mknodat: FIFOs, sockets, regular files (type 0 too), the
 * whiteout character device 0:0, the umask, and the errors in Linux's order
 * (the type before the name). Device nodes proper need CAP_MKNOD, which
 * root has here natively and not in the sandbox (as in a user namespace):
 * the unit tests check that. */
#include "fs-test.h"
#include <sys/syscall.h>
#include <sys/sysmacros.h>

int main(void)
{
        struct stat st;
        int dfd;

        if (test_dir_enter() < 0)
                return 1;
        umask(022);
        CHECK(syscall(SYS_mknod, "fifo", S_IFIFO | 0666, 0) == 0);
        CHECK(lstat("fifo", &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0644);
        CHECK(st.st_size == 0 && st.st_rdev == 0 && st.st_nlink == 1);
        CHECK(syscall(SYS_mknod, "sock", S_IFSOCK | 0600, 0) == 0);
        CHECK(lstat("sock", &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0600);
        /* The dev argument only matters for devices. */
        CHECK(syscall(SYS_mknod, "fifo2", S_IFIFO | 0600, makedev(1, 3)) == 0);
        CHECK(lstat("fifo2", &st) == 0 && st.st_rdev == 0);
        CHECK(syscall(SYS_mknod, "reg", 0640, 0) == 0);
        CHECK(lstat("reg", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640);
        CHECK(syscall(SYS_mknod, "reg2", S_IFREG | 0777, 0) == 0);
        CHECK(lstat("reg2", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0755);
        /* A whiteout needs no privilege. */
        CHECK(syscall(SYS_mknod, "wh", S_IFCHR | 0600, makedev(0, 0)) == 0);
        CHECK(lstat("wh", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));

        /* Sockets and whiteouts cannot be opened; their names can. */
        FAILS(open("sock", O_RDONLY), ENXIO);
        FAILS(open("wh", O_RDONLY), ENXIO);
        CHECK((dfd = open("sock", O_PATH)) >= 0);
        close(dfd);

        /* mknodat relative to a directory fd. */
        CHECK(mkdir("d", 0755) == 0);
        dfd = open("d", O_RDONLY | O_DIRECTORY);
        CHECK(dfd >= 0);
        CHECK(syscall(SYS_mknodat, dfd, "f", S_IFIFO | 0600, 0) == 0);
        CHECK(stat("d/f", &st) == 0 && S_ISFIFO(st.st_mode));
        FAILS(syscall(SYS_mknodat, dfd, "f", S_IFIFO | 0600, 0), EEXIST);
        FAILS(syscall(SYS_mknodat, 999, "f", S_IFIFO | 0600, 0), EBADF);

        /* The type is checked first: a directory is EPERM, nonsense EINVAL. */
        FAILS(syscall(SYS_mknod, "fifo", S_IFDIR | 0700, 0), EPERM);
        FAILS(syscall(SYS_mknod, "fifo", S_IFLNK | 0700, 0), EINVAL);
        FAILS(syscall(SYS_mknod, "x", S_IFMT | 0700, 0), EINVAL);
        FAILS(syscall(SYS_mknod, "fifo", S_IFIFO | 0600, 0), EEXIST);
        FAILS(syscall(SYS_mknod, "sock", S_IFCHR | 0600, makedev(1, 3)), EEXIST);
        FAILS(syscall(SYS_mknod, "missing/x", S_IFIFO | 0600, 0), ENOENT);
        FAILS(syscall(SYS_mknod, "reg/x", S_IFIFO | 0600, 0), ENOTDIR);
        FAILS(syscall(SYS_mknod, "t/", S_IFIFO | 0600, 0), ENOENT);
        FAILS(syscall(SYS_mknod, "", S_IFIFO | 0600, 0), ENOENT);
        FAILS(syscall(SYS_mknod, (char *)16, S_IFIFO | 0600, 0), EFAULT);

        /* They are names like any other: link, rename, unlink. */
        CHECK(link("fifo", "fifo-link") == 0);
        CHECK(lstat("fifo", &st) == 0 && st.st_nlink == 2);
        CHECK(rename("sock", "d/sock") == 0);
        CHECK(unlink("fifo") == 0 && unlink("fifo-link") == 0 && unlink("d/sock") == 0);
        return 0;
}
