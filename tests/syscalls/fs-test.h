/* Helpers for the file system tests: checks that print one line on failure,
 * and a private directory under /tmp that each test works in and removes. */
#ifndef FS_TEST_H
#define FS_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno); \
        return 1; } } while (0)
/* The call returns -1 with exactly this errno. */
#define FAILS(call, err) do { errno = 0; long _r = (long)(call); \
        if (_r != -1 || errno != (err)) { \
                fprintf(stderr, "%s:%d: %s: got %ld errno %d, want errno %d\n", \
                        __FILE__, __LINE__, #call, _r, errno, err); \
                return 1; } } while (0)

static char test_dir[64];

static inline int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st, (void)type, (void)ftw;
        return remove(path);
}

static inline void test_dir_remove(void)
{
        if (chdir("/") == 0 && test_dir[0])
                nftw(test_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdtemp under /tmp and chdir into it; removed at exit. */
static inline int test_dir_enter(void)
{
        strcpy(test_dir, "/tmp/conternel-test-XXXXXX");
        if (!mkdtemp(test_dir) || chdir(test_dir) < 0) {
                fprintf(stderr, "cannot make a directory under /tmp: %s\n", strerror(errno));
                return -1;
        }
        atexit(test_dir_remove);
        return 0;
}

static inline int write_file(const char *path, const char *data)
{
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        ssize_t n;

        if (fd < 0)
                return -1;
        n = write(fd, data, strlen(data));
        close(fd);
        return n == (ssize_t)strlen(data) ? 0 : -1;
}

#endif
