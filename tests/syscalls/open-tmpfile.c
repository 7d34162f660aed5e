/* SPDX-License-Identifier: Apache-2.0 */
/*
 * O_TMPFILE on tmpfs: an unnamed regular file in a directory (mode after the umask,
 * no links, /proc link "DIR/#INO (deleted)", F_GETFL shows O_TMPFILE). It
 * needs O_WRONLY or O_RDWR and no O_CREAT (EINVAL);
 * a missing directory is ENOENT, a file ENOTDIR, procfs EOPNOTSUPP; a removed
 * directory still works. linkat(fd, "", dir, name, AT_EMPTY_PATH) names it
 * (any number of times), unless it was opened O_EXCL (ENOENT); through
 * /proc/self/fd/N with AT_SYMLINK_FOLLOW too (without it: the proc symlink
 * itself, EXDEV).
 */
#include <fcntl.h>

#include "test.h"

#define TMPFILE_BIT 020000000

static char dir[64];

static void cleanup(void)
{
        static const char *names[] = { "named", "named2", "named5", "file" };
        char path[128];

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                unlink(path);
        }
        snprintf(path, sizeof(path), "%s/gone", dir);
        rmdir(path);
        rmdir(dir);
}

static void expect_link(int fd, const char *want)
{
        char path[64], buf[512];
        long n;

        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        n = EXPECT_OK(syscall(SYS_readlink, path, buf, sizeof(buf) - 1));
        buf[n] = '\0';
        CHECK(strcmp(buf, want) == 0, "link '%s', want '%s'", buf, want);
}

static int tmpfile_at(int dirfd, const char *name, int flags, int mode)
{
        return (int)syscall(SYS_openat, dirfd, name, flags, mode);
}

int main(void)
{
        char want[128], path[64], buf[8];
        struct stat st;
        int fd, ex, t2, gd;

        strcpy(dir, "/dev/shm/tmpfile-XXXXXX");
        CHECK(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
        atexit(cleanup);
        EXPECT_RET(syscall(SYS_chdir, dir), 0);
        syscall(SYS_umask, 022);

        fd = (int)EXPECT_OK(tmpfile_at(AT_FDCWD, ".", O_TMPFILE | O_RDWR, 0666));
        EXPECT_RET(syscall(SYS_fstat, fd, &st), 0);
        EXPECT_EQ(st.st_mode, S_IFREG | 0644);
        EXPECT_EQ(st.st_nlink, 0);
        EXPECT_RET(syscall(SYS_fcntl, fd, F_GETFL), O_TMPFILE | 0100000 | O_RDWR);
        snprintf(want, sizeof(want), "%s/#%llu (deleted)", dir, (unsigned long long)st.st_ino);
        expect_link(fd, want);
        EXPECT_RET(syscall(SYS_write, fd, "data", 4), 4);

        /* Flags and places. */
        EXPECT_ERRNO(tmpfile_at(AT_FDCWD, ".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
        EXPECT_ERRNO(tmpfile_at(AT_FDCWD, ".", O_TMPFILE | O_RDONLY | O_TRUNC, 0600), EINVAL);
        EXPECT_ERRNO(tmpfile_at(AT_FDCWD, ".", O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
        EXPECT_ERRNO(tmpfile_at(AT_FDCWD, ".", TMPFILE_BIT | O_RDWR, 0600), EINVAL);
        EXPECT_ERRNO(tmpfile_at(AT_FDCWD, "missing", O_TMPFILE | O_RDWR, 0600), ENOENT);
        close((int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "file", O_CREAT | O_WRONLY, 0600)));
        EXPECT_ERRNO(tmpfile_at(AT_FDCWD, "file", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
        EXPECT_ERRNO(tmpfile_at(AT_FDCWD, "/proc", O_TMPFILE | O_RDWR, 0600), EOPNOTSUPP);
        /* O_PATH keeps only its own flags: the directory itself. */
        int op = (int)EXPECT_OK(tmpfile_at(AT_FDCWD, ".", O_TMPFILE | O_RDWR | O_PATH, 0600));
        EXPECT_RET(syscall(SYS_fcntl, op, F_GETFL), O_PATH | O_DIRECTORY);
        EXPECT_RET(syscall(SYS_mkdirat, AT_FDCWD, "gone", 0755), 0);
        gd = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "gone", O_RDONLY | O_DIRECTORY));
        EXPECT_RET(syscall(SYS_unlinkat, AT_FDCWD, "gone", AT_REMOVEDIR), 0);
        EXPECT_OK(tmpfile_at(gd, ".", O_TMPFILE | O_WRONLY, 0600));

        /* linkat gives it names. */
        EXPECT_RET(syscall(SYS_linkat, fd, "", AT_FDCWD, "named", AT_EMPTY_PATH), 0);
        EXPECT_RET(syscall(SYS_fstat, fd, &st), 0);
        EXPECT_EQ(st.st_nlink, 1);
        expect_link(fd, want);
        EXPECT_RET(syscall(SYS_linkat, fd, "", AT_FDCWD, "named2", AT_EMPTY_PATH), 0);
        EXPECT_ERRNO(syscall(SYS_linkat, fd, "", AT_FDCWD, "named2", AT_EMPTY_PATH), EEXIST);
        int rd = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "named2", O_RDONLY));
        EXPECT_RET(syscall(SYS_read, rd, buf, sizeof(buf)), 4);
        CHECK(memcmp(buf, "data", 4) == 0, "read '%.4s'", buf);

        ex = (int)EXPECT_OK(tmpfile_at(AT_FDCWD, ".", O_TMPFILE | O_WRONLY | O_EXCL, 0600));
        EXPECT_ERRNO(syscall(SYS_linkat, ex, "", AT_FDCWD, "named3", AT_EMPTY_PATH), ENOENT);

        t2 = (int)EXPECT_OK(tmpfile_at(AT_FDCWD, ".", O_TMPFILE | O_WRONLY, 0600));
        snprintf(path, sizeof(path), "/proc/self/fd/%d", t2);
        EXPECT_ERRNO(syscall(SYS_linkat, AT_FDCWD, path, AT_FDCWD, "named4", 0), EXDEV);
        EXPECT_RET(syscall(SYS_linkat, AT_FDCWD, path, AT_FDCWD, "named5", AT_SYMLINK_FOLLOW), 0);
        EXPECT_RET(syscall(SYS_newfstatat, AT_FDCWD, "named5", &st, AT_SYMLINK_NOFOLLOW), 0);
        EXPECT_EQ(st.st_mode, S_IFREG | 0600);
        EXPECT_EQ(st.st_nlink, 1);
        return TEST_PASS;
}
