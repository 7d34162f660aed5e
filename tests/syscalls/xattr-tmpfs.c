/* Extended attributes on tmpfs (/dev/shm natively and sandboxed): user.*
 * and security.* on files and directories, XATTR_CREATE/REPLACE, size-0
 * queries, ERANGE/E2BIG limits, ENODATA, the l* and f* forms, user.* on
 * symlinks and FIFOs, unknown namespaces, and file systems without xattrs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno); \
        return 1; } } while (0)
#define FAILS(call, err) do { errno = 0; long _r = (long)(call); \
        if (_r != -1 || errno != (err)) { \
                fprintf(stderr, "%s:%d: %s: got %ld errno %d, want errno %d\n", \
                        __FILE__, __LINE__, #call, _r, errno, err); \
                return 1; } } while (0)

#define BAD ((void *)16)

static char dir[64];

static void cleanup(void)
{
        char p[128];

        for (const char *n = "f\0l\0p\0d\0"; *n; n += strlen(n) + 1) {
                snprintf(p, sizeof(p), "%s/%s", dir, n);
                if (unlink(p) < 0)
                        rmdir(p);
        }
        rmdir(dir);
}

/* Whether the NUL-separated list holds name. */
static int listed(const char *list, long len, const char *name)
{
        for (long i = 0; i < len; i += (long)strlen(list + i) + 1)
                if (strcmp(list + i, name) == 0)
                        return 1;
        return 0;
}

int main(void)
{
        static char big[65537], buf[65536];
        char name[300], list[256];
        int fd, opath, pfd[2];
        long n;

        strcpy(dir, "/dev/shm/conternel-xattr-XXXXXX");
        if (!mkdtemp(dir) || chdir(dir) < 0) {
                fprintf(stderr, "no /dev/shm: %s\n", strerror(errno));
                return 1;
        }
        atexit(cleanup);
        fd = open("f", O_CREAT | O_RDWR, 0644);
        CHECK(fd >= 0);
        CHECK(symlink("f", "l") == 0 && mkfifo("p", 0644) == 0 && mkdir("d", 0755) == 0);

        /* Set, get, replace; an empty value is a value. */
        CHECK(syscall(SYS_setxattr, "f", "user.a", "hello", 5, 0) == 0);
        CHECK(syscall(SYS_getxattr, "f", "user.a", buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5));
        CHECK(syscall(SYS_getxattr, "f", "user.a", NULL, 0) == 5);
        CHECK(syscall(SYS_getxattr, "f", "user.a", BAD, 0) == 5);
        FAILS(syscall(SYS_getxattr, "f", "user.a", buf, 4), ERANGE);
        FAILS(syscall(SYS_getxattr, "f", "user.a", BAD, 10), EFAULT);
        CHECK(syscall(SYS_setxattr, "f", "user.a", "hi", 2, 0) == 0);
        CHECK(syscall(SYS_getxattr, "f", "user.a", buf, sizeof(buf)) == 2 && !memcmp(buf, "hi", 2));
        CHECK(syscall(SYS_fsetxattr, fd, "user.empty", "", 0, 0) == 0);
        CHECK(syscall(SYS_fgetxattr, fd, "user.empty", buf, sizeof(buf)) == 0);

        /* XATTR_CREATE and XATTR_REPLACE. */
        FAILS(syscall(SYS_setxattr, "f", "user.a", "x", 1, XATTR_CREATE), EEXIST);
        FAILS(syscall(SYS_setxattr, "f", "user.new", "x", 1, XATTR_REPLACE), ENODATA);
        FAILS(syscall(SYS_setxattr, "f", "user.a", "x", 1, XATTR_CREATE | XATTR_REPLACE), EEXIST);
        FAILS(syscall(SYS_setxattr, "f", "user.new", "x", 1, XATTR_CREATE | XATTR_REPLACE), ENODATA);
        CHECK(syscall(SYS_setxattr, "f", "user.new", "x", 1, XATTR_CREATE) == 0);
        CHECK(syscall(SYS_setxattr, "f", "user.new", "yy", 2, XATTR_REPLACE) == 0);
        CHECK(syscall(SYS_getxattr, "f", "user.new", buf, sizeof(buf)) == 2 && !memcmp(buf, "yy", 2));

        /* security.* is the guest root's to set; anyone reads it. */
        CHECK(syscall(SYS_setxattr, "f", "security.test", "s", 1, 0) == 0);
        CHECK(syscall(SYS_getxattr, "f", "security.test", buf, sizeof(buf)) == 1);

        /* The list: every name once with its NUL, in no set order. */
        n = syscall(SYS_listxattr, "f", list, sizeof(list));
        CHECK(n == (long)sizeof("user.a" "user.empty" "user.new" "security.test") + 3);
        CHECK(listed(list, n, "user.a") && listed(list, n, "user.empty"));
        CHECK(listed(list, n, "user.new") && listed(list, n, "security.test"));
        CHECK(syscall(SYS_flistxattr, fd, NULL, 0) == n);
        CHECK(syscall(SYS_llistxattr, "f", BAD, 0) == n);
        FAILS(syscall(SYS_listxattr, "f", list, 5), ERANGE);
        FAILS(syscall(SYS_listxattr, "f", BAD, sizeof(list)), EFAULT);

        /* Removal. */
        CHECK(syscall(SYS_removexattr, "f", "user.new") == 0);
        FAILS(syscall(SYS_removexattr, "f", "user.new"), ENODATA);
        FAILS(syscall(SYS_getxattr, "f", "user.new", buf, sizeof(buf)), ENODATA);
        CHECK(syscall(SYS_fremovexattr, fd, "security.test") == 0);
        CHECK(syscall(SYS_flistxattr, fd, list, sizeof(list)) == (long)sizeof("user.a" "user.empty") + 1);

        /* Directories too. */
        CHECK(syscall(SYS_setxattr, "d", "user.dir", "1", 1, 0) == 0);
        CHECK(syscall(SYS_getxattr, "d", "user.dir", buf, 1) == 1);

        /* Symlinks: followed by default; user.* on the link itself is EPERM
         * to change and ENODATA to read; security.* is fine. */
        CHECK(syscall(SYS_getxattr, "l", "user.a", buf, sizeof(buf)) == 2);
        FAILS(syscall(SYS_lsetxattr, "l", "user.a", "x", 1, 0), EPERM);
        FAILS(syscall(SYS_lgetxattr, "l", "user.a", buf, sizeof(buf)), ENODATA);
        FAILS(syscall(SYS_lremovexattr, "l", "user.a"), EPERM);
        CHECK(syscall(SYS_llistxattr, "l", list, sizeof(list)) == 0);
        CHECK(syscall(SYS_lsetxattr, "l", "security.lnk", "x", 1, 0) == 0);
        CHECK(syscall(SYS_lgetxattr, "l", "security.lnk", buf, 1) == 1);
        CHECK(syscall(SYS_llistxattr, "l", list, sizeof(list)) == (long)sizeof("security.lnk"));
        CHECK(syscall(SYS_listxattr, "l", list, sizeof(list)) == (long)sizeof("user.a" "user.empty") + 1);
        /* FIFOs and pipes likewise. */
        FAILS(syscall(SYS_setxattr, "p", "user.a", "x", 1, 0), EPERM);
        FAILS(syscall(SYS_getxattr, "p", "user.a", buf, 1), ENODATA);
        CHECK(pipe(pfd) == 0);
        FAILS(syscall(SYS_fsetxattr, pfd[0], "user.a", "x", 1, 0), EPERM);
        FAILS(syscall(SYS_fgetxattr, pfd[1], "user.a", buf, 1), ENODATA);
        CHECK(syscall(SYS_flistxattr, pfd[0], list, sizeof(list)) == 0);

        /* Names: empty or longer than 255 is ERANGE, before anything else;
         * a bare prefix is EINVAL; an unknown prefix EOPNOTSUPP. */
        memset(name, 'a', sizeof(name));
        memcpy(name, "user.", 5);
        name[255] = '\0';
        CHECK(syscall(SYS_setxattr, "f", name, "x", 1, 0) == 0);
        CHECK(syscall(SYS_getxattr, "f", name, buf, 1) == 1);
        name[255] = 'a';
        name[256] = '\0';
        FAILS(syscall(SYS_setxattr, "f", name, "x", 1, 0), ERANGE);
        FAILS(syscall(SYS_getxattr, "missing", name, buf, 1), ERANGE);
        FAILS(syscall(SYS_fsetxattr, 999, "", "x", 1, 0), ERANGE);
        FAILS(syscall(SYS_fgetxattr, 999, "", buf, 1), ERANGE);
        FAILS(syscall(SYS_fremovexattr, 999, "", buf, 1), ERANGE);
        FAILS(syscall(SYS_setxattr, "f", BAD, "x", 1, 0), EFAULT);
        FAILS(syscall(SYS_setxattr, "f", "user.", "x", 1, 0), EINVAL);
        FAILS(syscall(SYS_getxattr, "f", "user.", buf, 1), EINVAL);
        FAILS(syscall(SYS_setxattr, "f", "security.", "x", 1, 0), EINVAL);
        FAILS(syscall(SYS_setxattr, "f", "foo.bar", "x", 1, 0), EOPNOTSUPP);
        FAILS(syscall(SYS_getxattr, "f", "foo.bar", buf, 1), EOPNOTSUPP);
        FAILS(syscall(SYS_removexattr, "f", "foo.bar"), EOPNOTSUPP);
        FAILS(syscall(SYS_setxattr, "f", "system.foo", "x", 1, 0), EOPNOTSUPP);

        /* Flags come first, then the name, then the size, then the value. */
        FAILS(syscall(SYS_fsetxattr, 999, "", "x", 1, 4), EINVAL);
        FAILS(syscall(SYS_fsetxattr, 999, "user.a", "x", 65537, 0), E2BIG);
        FAILS(syscall(SYS_fsetxattr, 999, "user.a", BAD, 1, 0), EFAULT);
        FAILS(syscall(SYS_fsetxattr, 999, "user.a", "x", 1, 0), EBADF);
        /* 64 KiB is the largest value. */
        memset(big, 'v', sizeof(big));
        FAILS(syscall(SYS_setxattr, "f", "user.big", big, sizeof(big), 0), E2BIG);
        CHECK(syscall(SYS_setxattr, "f", "user.big", big, 65536, 0) == 0);
        CHECK(syscall(SYS_getxattr, "f", "user.big", NULL, 0) == 65536);
        CHECK(syscall(SYS_getxattr, "f", "user.big", big, sizeof(big)) == 65536);
        FAILS(syscall(SYS_getxattr, "f", "user.big", buf, 65535), ERANGE);

        /* Files: O_PATH fds are EBADF, missing names ENOENT. */
        opath = open("f", O_PATH);
        CHECK(opath >= 0);
        FAILS(syscall(SYS_fgetxattr, opath, "user.a", buf, 1), EBADF);
        FAILS(syscall(SYS_flistxattr, opath, buf, 1), EBADF);
        FAILS(syscall(SYS_fremovexattr, opath, "user.a"), EBADF);
        FAILS(syscall(SYS_getxattr, "missing", "user.a", buf, 1), ENOENT);
        FAILS(syscall(SYS_listxattr, "missing", buf, 1), ENOENT);
        FAILS(syscall(SYS_removexattr, "f/", "user.a"), ENOTDIR);

        /* A file system without xattrs: nothing to list, EOPNOTSUPP otherwise. */
        CHECK(syscall(SYS_listxattr, "/proc/self/status", list, sizeof(list)) == 0);
        FAILS(syscall(SYS_getxattr, "/proc/self/status", "user.a", buf, 1), EOPNOTSUPP);
        FAILS(syscall(SYS_setxattr, "/proc/self/status", "user.a", "x", 1, 0), EOPNOTSUPP);
        return 0;
}
