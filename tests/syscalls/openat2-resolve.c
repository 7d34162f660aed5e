/* SPDX-License-Identifier: Apache-2.0 */
/*
 * openat2(2) RESOLVE_* on a tmpfs tree: BENEATH refuses leaving the
 * starting directory (absolute names, `..`, absolute symlinks: EXDEV),
 * IN_ROOT makes it the root (they stay inside), NO_SYMLINKS refuses any
 * symlink followed (ELOOP; O_PATH|O_NOFOLLOW on one is fine),
 * NO_MAGICLINKS refuses /proc/self/fd/N (ELOOP) but not /proc/self, a magic
 * link is EXDEV in a scoped lookup, and NO_XDEV refuses crossing a mount
 * either way (EXDEV; an absolute name at the start is fine).
 */
#include <fcntl.h>
#include <stdint.h>

#include "test.h"

#define RESOLVE_NO_XDEV_       0x01
#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_NO_SYMLINKS_   0x04
#define RESOLVE_BENEATH_       0x08
#define RESOLVE_IN_ROOT_       0x10
#define RESOLVE_CACHED_        0x20

struct how {
        uint64_t flags, mode, resolve;
};

static char dir[64];

static void cleanup(void)
{
        static const char *names[] = { "sub/file", "abs", "up", "rel", "sub" };
        char path[128];

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                if (unlink(path) < 0)
                        rmdir(path);
        }
        rmdir(dir);
}

static long open2(int dirfd, const char *name, uint64_t flags, uint64_t resolve)
{
        struct how h = { flags, 0, resolve };

        return syscall(SYS_openat2, dirfd, name, &h, sizeof(h));
}

/* fd names the same inode as want (an fd); closes fd. */
static void expect_same(long fd, int want, const char *what)
{
        struct stat a, b;

        CHECK(fd >= 0, "%s: %s", what, test_errname(errno));
        EXPECT_RET(syscall(SYS_fstat, (int)fd, &a), 0);
        EXPECT_RET(syscall(SYS_fstat, want, &b), 0);
        CHECK(a.st_dev == b.st_dev && a.st_ino == b.st_ino, "%s: another inode", what);
        EXPECT_RET(syscall(SYS_close, (int)fd), 0);
}

int main(void)
{
        char magic[64];
        int d, file, proc, root;

        strcpy(dir, "/dev/shm/openat2-XXXXXX");
        CHECK(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
        atexit(cleanup);
        d = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY));
        EXPECT_RET(syscall(SYS_mkdirat, d, "sub", 0755), 0);
        file = (int)EXPECT_OK(syscall(SYS_openat, d, "sub/file", O_CREAT | O_RDWR, 0600));
        EXPECT_RET(syscall(SYS_symlinkat, "/", d, "abs"), 0);
        EXPECT_RET(syscall(SYS_symlinkat, "..", d, "up"), 0);
        EXPECT_RET(syscall(SYS_symlinkat, "sub/file", d, "rel"), 0);
        proc = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY));
        root = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY));
        snprintf(magic, sizeof(magic), "/proc/self/fd/%d", file);

        /* BENEATH. */
        expect_same(open2(d, "sub/file", O_RDONLY, RESOLVE_BENEATH_), file, "beneath sub/file");
        expect_same(open2(d, "sub/../rel", O_RDONLY, RESOLVE_BENEATH_), file, "beneath sub/../rel");
        expect_same(open2(d, "sub/..", O_RDONLY, RESOLVE_BENEATH_), d, "beneath sub/..");
        EXPECT_ERRNO(open2(d, "..", O_RDONLY, RESOLVE_BENEATH_), EXDEV);
        EXPECT_ERRNO(open2(d, "sub/../../x", O_RDONLY, RESOLVE_BENEATH_), EXDEV);
        EXPECT_ERRNO(open2(d, "/", O_RDONLY, RESOLVE_BENEATH_), EXDEV);
        EXPECT_ERRNO(open2(999, "/", O_RDONLY, RESOLVE_BENEATH_), EXDEV);
        EXPECT_ERRNO(open2(d, "abs", O_RDONLY, RESOLVE_BENEATH_), EXDEV);
        EXPECT_ERRNO(open2(d, "up", O_RDONLY, RESOLVE_BENEATH_), EXDEV);
        EXPECT_ERRNO(open2(proc, "self/fd/0", O_RDONLY, RESOLVE_BENEATH_), EXDEV);

        /* IN_ROOT. */
        expect_same(open2(d, "/", O_RDONLY, RESOLVE_IN_ROOT_), d, "in_root /");
        expect_same(open2(d, "../../..", O_RDONLY, RESOLVE_IN_ROOT_), d, "in_root ../../..");
        expect_same(open2(d, "abs", O_RDONLY, RESOLVE_IN_ROOT_), d, "in_root abs");
        expect_same(open2(d, "up/sub/file", O_RDONLY, RESOLVE_IN_ROOT_), file, "in_root up/sub/file");
        expect_same(open2(d, "/abs/rel", O_RDONLY, RESOLVE_IN_ROOT_), file, "in_root /abs/rel");
        EXPECT_ERRNO(open2(999, "/", O_RDONLY, RESOLVE_IN_ROOT_), EBADF);
        EXPECT_ERRNO(open2(proc, "self/fd/0", O_RDONLY, RESOLVE_IN_ROOT_), EXDEV);

        /* NO_SYMLINKS. */
        EXPECT_ERRNO(open2(d, "rel", O_RDONLY, RESOLVE_NO_SYMLINKS_), ELOOP);
        EXPECT_ERRNO(open2(d, "up/x", O_RDONLY, RESOLVE_NO_SYMLINKS_), ELOOP);
        EXPECT_ERRNO(open2(d, "rel", O_RDONLY | O_NOFOLLOW, RESOLVE_NO_SYMLINKS_), ELOOP);
        EXPECT_ERRNO(open2(AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_SYMLINKS_), ELOOP);
        EXPECT_ERRNO(open2(AT_FDCWD, magic, O_RDONLY, RESOLVE_NO_SYMLINKS_), ELOOP);
        long pathfd = open2(d, "rel", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS_);
        CHECK(pathfd >= 0, "O_PATH|O_NOFOLLOW: %s", test_errname(errno));
        EXPECT_RET(syscall(SYS_close, (int)pathfd), 0);
        expect_same(open2(d, "sub/file", O_RDONLY, RESOLVE_NO_SYMLINKS_), file, "nosym sub/file");

        /* NO_MAGICLINKS. */
        EXPECT_ERRNO(open2(AT_FDCWD, magic, O_RDONLY, RESOLVE_NO_MAGICLINKS_), ELOOP);
        EXPECT_ERRNO(open2(AT_FDCWD, "/proc/self/cwd", O_RDONLY, RESOLVE_NO_MAGICLINKS_), ELOOP);
        expect_same(open2(AT_FDCWD, magic, O_RDONLY, 0), file, "magic link");
        expect_same(open2(d, "rel", O_RDONLY, RESOLVE_NO_MAGICLINKS_), file, "nomagic rel");
        long st = open2(AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_MAGICLINKS_);
        CHECK(st >= 0, "/proc/self/status: %s", test_errname(errno));
        EXPECT_RET(syscall(SYS_close, (int)st), 0);

        /* NO_XDEV. */
        EXPECT_ERRNO(open2(root, "proc", O_RDONLY, RESOLVE_NO_XDEV_), EXDEV);
        EXPECT_ERRNO(open2(AT_FDCWD, "/proc/self", O_RDONLY, RESOLVE_NO_XDEV_), EXDEV);
        EXPECT_ERRNO(open2(proc, "..", O_RDONLY, RESOLVE_NO_XDEV_), EXDEV);
        EXPECT_ERRNO(open2(proc, magic + 6, O_RDONLY, RESOLVE_NO_XDEV_), EXDEV);
        expect_same(open2(proc, "/", O_RDONLY, RESOLVE_NO_XDEV_), root, "noxdev / from /proc");
        expect_same(open2(d, "sub/../rel", O_RDONLY, RESOLVE_NO_XDEV_), file, "noxdev sub/../rel");
        EXPECT_ERRNO(open2(d, "abs", O_RDONLY, RESOLVE_NO_XDEV_), EXDEV);

        /* CACHED: "/" is always in the cache. */
        expect_same(open2(AT_FDCWD, "/", O_RDONLY, RESOLVE_CACHED_), root, "cached /");
        return TEST_PASS;
}
