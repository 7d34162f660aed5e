/* Helpers for the inotify tests: a private directory under /tmp to watch,
 * and a reader that checks events one at a time (wd, mask, name, and the
 * name's NUL padding to a multiple of the event header). */
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#include "test.h"

static char in_dir[64];

static inline int in_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st, (void)type, (void)ftw;
        return remove(path);
}

static inline void in_dir_remove(void)
{
        if (chdir("/") == 0 && in_dir[0])
                nftw(in_dir, in_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdtemp under base ("/tmp": the overlay when sandboxed; "/dev/shm": tmpfs
 * both ways) and chdir into it; removed at exit. */
static inline void in_dir_enter_at(const char *base)
{
        snprintf(in_dir, sizeof(in_dir), "%s/conternel-inotify-XXXXXX", base);
        if (!mkdtemp(in_dir) || chdir(in_dir) < 0)
                test_skip("cannot make a directory under /tmp: %s", strerror(errno));
        atexit(in_dir_remove);
}

static inline void in_dir_enter(void)
{
        in_dir_enter_at("/tmp");
}

static inline int in_init1(int flags)
{
        return (int)syscall(SYS_inotify_init1, flags);
}

static inline int in_add(int fd, const char *path, uint32_t mask)
{
        return (int)syscall(SYS_inotify_add_watch, fd, path, mask);
}

static inline int in_rm(int fd, int wd)
{
        return (int)syscall(SYS_inotify_rm_watch, fd, wd);
}

struct in_reader {
        int fd;
        ssize_t len, off;
        char buf[8192] __attribute__((aligned(8)));
};

/* The next event, read(2)ing more when the buffer is used up; NULL when
 * nothing is queued (the fd is non-blocking). */
static inline struct inotify_event *in_next(struct in_reader *r, const char *file, int line)
{
        struct inotify_event *e;

        if (r->off >= r->len) {
                r->len = read(r->fd, r->buf, sizeof(r->buf));
                r->off = 0;
                if (r->len < 0 && errno == EAGAIN)
                        return NULL;
                if (r->len <= 0)
                        test_fail_at(file, line, "read: %zd (%s)", r->len,
                                     test_errname(errno));
        }
        e = (struct inotify_event *)(r->buf + r->off);
        if (e->len % sizeof(struct inotify_event))
                test_fail_at(file, line, "len %u not padded", e->len);
        for (uint32_t i = e->len ? (uint32_t)strlen(e->name) : 0; i < e->len; i++)
                if (e->name[i])
                        test_fail_at(file, line, "padding byte %u not NUL", i);
        r->off += (ssize_t)(sizeof(*e) + e->len);
        return e;
}

/* The next event is (wd, mask, name); "" for no name. Returns its cookie. */
static inline uint32_t in_expect(struct in_reader *r, int wd, uint32_t mask, const char *name,
                                 const char *file, int line)
{
        struct inotify_event *e = in_next(r, file, line);
        const char *got;

        if (!e)
                test_fail_at(file, line, "no event, want wd %d mask %#x name '%s'", wd,
                             mask, name);
        got = e->len ? e->name : "";
        if (e->wd != wd || e->mask != mask || strcmp(got, name) != 0)
                test_fail_at(file, line,
                             "event wd %d mask %#x name '%s', want wd %d mask %#x name '%s'",
                             e->wd, e->mask, got, wd, mask, name);
        if (!*name && e->len)
                test_fail_at(file, line, "len %u for an event without a name", e->len);
        return e->cookie;
}

#define EXPECT_EVENT(r, wd, mask, name) in_expect((r), (wd), (mask), (name), __FILE_NAME__, __LINE__)
#define EXPECT_NO_EVENT(r)                                                              \
        do {                                                                            \
                struct inotify_event *_e = in_next((r), __FILE_NAME__, __LINE__);                      \
                if (_e)                                                                 \
                        FAIL("unexpected event wd %d mask %#x name '%s'", _e->wd,       \
                             _e->mask, _e->len ? _e->name : "");                        \
        } while (0)
