/* SPDX-License-Identifier: Apache-2.0 */
/*
 * preadv/pwritev and preadv2/pwritev2 on tmpfs and pipes: an explicit offset
 * leaves the file position alone, offset -1 (the v2 calls only) uses and
 * advances it; RWF_APPEND appends whatever the offset, RWF_NOAPPEND undoes
 * O_APPEND; RWF_NOWAIT is EAGAIN on an empty blocking pipe and EOPNOTSUPP on
 * tmpfs (no FMODE_NOWAIT there); RWF_NOSIGNAL keeps SIGPIPE away; unknown,
 * RWF_ATOMIC and RWF_DONTCACHE flags are EOPNOTSUPP, APPEND|NOAPPEND is
 * EINVAL, but only once there is something to move.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/uio.h>

#include "test.h"

#define RWF_HIPRI_     0x01
#define RWF_DSYNC_     0x02
#define RWF_SYNC_      0x04
#define RWF_NOWAIT_    0x08
#define RWF_APPEND_    0x10
#define RWF_NOAPPEND_  0x20
#define RWF_ATOMIC_    0x40
#define RWF_DONTCACHE_ 0x80
#define RWF_NOSIGNAL_  0x100

static long pwv2(int fd, const char *s, long pos, int flags)
{
        struct iovec v[2] = { { (void *)s, 2 }, { (void *)(s + 2), strlen(s) - 2 } };

        return syscall(SYS_pwritev2, fd, v, 2, pos, 0L, flags);
}

static void expect_content(int fd, const char *want)
{
        char buf[64] = { 0 };
        struct iovec v = { buf, sizeof(buf) - 1 };

        EXPECT_RET(syscall(SYS_preadv2, fd, &v, 1, 0L, 0L, 0), strlen(want));
        CHECK(strcmp(buf, want) == 0, "content '%s', want '%s'", buf, want);
}

static long cur(int fd)
{
        return syscall(SYS_lseek, fd, 0L, SEEK_CUR);
}

int main(void)
{
        char path[] = "/dev/shm/preadv2-XXXXXX", buf[16];
        struct iovec v = { buf, 4 }, zero = { buf, 0 };
        sigset_t pipe_set, pending;
        int fd, p[2], sig;

        fd = mkstemp(path);
        if (fd < 0)
                test_skip("no /dev/shm: %s", strerror(errno));
        unlink(path);

        /* An explicit offset: the position stays. */
        EXPECT_RET(pwv2(fd, "hello", 0, 0), 5);
        EXPECT_RET(cur(fd), 0);
        EXPECT_RET(syscall(SYS_pwritev, fd, &(struct iovec){ "HE", 2 }, 1, 0L, 0L), 2);
        EXPECT_RET(cur(fd), 0);
        expect_content(fd, "HEllo");
        EXPECT_RET(syscall(SYS_preadv, fd, &v, 1, 1L, 0L), 4);
        CHECK(memcmp(buf, "Ello", 4) == 0, "read '%.4s'", buf);
        EXPECT_RET(cur(fd), 0);

        /* -1: at the position, which advances. */
        EXPECT_RET(syscall(SYS_lseek, fd, 2L, SEEK_SET), 2);
        EXPECT_RET(syscall(SYS_preadv2, fd, &v, 1, -1L, 0L, 0), 3);
        CHECK(memcmp(buf, "llo", 3) == 0, "read '%.3s'", buf);
        EXPECT_RET(cur(fd), 5);
        EXPECT_RET(pwv2(fd, "abc", -1, 0), 3);
        EXPECT_RET(cur(fd), 8);
        expect_content(fd, "HEllo" "abc");

        /* Offsets: -1 is EINVAL for preadv, < -1 for preadv2 (before the fd). */
        EXPECT_ERRNO(syscall(SYS_preadv, fd, &v, 1, -1L, 0L), EINVAL);
        EXPECT_ERRNO(syscall(SYS_pwritev, fd, &v, 1, -5L, 0L), EINVAL);
        EXPECT_ERRNO(syscall(SYS_preadv2, fd, &v, 1, -2L, 0L, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_preadv2, 999, &v, 1, -2L, 0L, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_preadv2, 999, &v, 1, -1L, 0L, 0), EBADF);

        /* RWF_APPEND: to the end whatever the offset; the position stays. */
        EXPECT_RET(pwv2(fd, "XY", 0, RWF_APPEND_), 2);
        EXPECT_RET(cur(fd), 8);
        expect_content(fd, "HEllo" "abc" "XY");
        /* With -1 the position moves to the new end. */
        EXPECT_RET(syscall(SYS_lseek, fd, 0L, SEEK_SET), 0);
        EXPECT_RET(pwv2(fd, "zz", -1, RWF_APPEND_), 2);
        EXPECT_RET(cur(fd), 12);
        /* RWF_NOAPPEND undoes O_APPEND, for that call only. */
        EXPECT_RET(syscall(SYS_fcntl, fd, F_SETFL, O_APPEND), 0);
        EXPECT_RET(pwv2(fd, "he", 0, RWF_NOAPPEND_), 2);
        EXPECT_RET(pwv2(fd, "!!", 0, 0), 2);
        expect_content(fd, "hello" "abc" "XY" "zz" "!!");
        EXPECT_RET(syscall(SYS_fcntl, fd, F_SETFL, 0), 0);

        /* Flags. */
        EXPECT_ERRNO(pwv2(fd, "ab", 0, RWF_APPEND_ | RWF_NOAPPEND_), EINVAL);
        EXPECT_ERRNO(syscall(SYS_preadv2, fd, &v, 1, 0L, 0L, 1 << 20), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_preadv2, fd, &v, 1, 0L, 0L, RWF_ATOMIC_), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_pwritev2, fd, &v, 1, 0L, 0L, RWF_DONTCACHE_), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_preadv2, fd, &v, 1, 0L, 0L, RWF_NOWAIT_), EOPNOTSUPP);
        EXPECT_ERRNO(syscall(SYS_pwritev2, fd, &v, 1, 0L, 0L, 1u << 31), EOPNOTSUPP);
        /* Nothing to move: flags are not looked at. */
        EXPECT_RET(syscall(SYS_preadv2, fd, &zero, 1, 0L, 0L, 1 << 20), 0);
        EXPECT_RET(syscall(SYS_pwritev2, fd, &zero, 1, 0L, 0L, RWF_APPEND_ | RWF_NOAPPEND_), 0);
        EXPECT_RET(syscall(SYS_preadv2, fd, &v, 1, 0L, 0L, RWF_HIPRI_ | RWF_DSYNC_ | RWF_SYNC_), 4);
        EXPECT_RET(pwv2(fd, "hello", 0, RWF_SYNC_ | RWF_DSYNC_ | RWF_HIPRI_ | RWF_NOSIGNAL_), 5);

        /* Pipes: no offsets, but -1 works; RWF_NOWAIT never blocks. */
        EXPECT_RET(syscall(SYS_pipe2, p, 0), 0);
        EXPECT_ERRNO(syscall(SYS_preadv, p[0], &v, 1, 0L, 0L), ESPIPE);
        EXPECT_ERRNO(syscall(SYS_preadv2, p[1], &v, 1, 0L, 0L, 0), ESPIPE);
        EXPECT_ERRNO(syscall(SYS_pwritev, p[0], &v, 1, 0L, 0L), ESPIPE);
        EXPECT_ERRNO(syscall(SYS_preadv2, p[0], &v, 1, -1L, 0L, RWF_NOWAIT_), EAGAIN);
        EXPECT_ERRNO(syscall(SYS_preadv2, p[1], &v, 1, -1L, 0L, 0), EBADF);
        EXPECT_RET(pwv2(p[1], "pipe", -1, RWF_NOWAIT_), 4);
        EXPECT_RET(syscall(SYS_preadv2, p[0], &v, 1, -1L, 0L, RWF_NOWAIT_), 4);
        CHECK(memcmp(buf, "pipe", 4) == 0, "read '%.4s'", buf);
        EXPECT_ERRNO(syscall(SYS_preadv2, p[0], &v, 1, -1L, 0L, RWF_ATOMIC_), EOPNOTSUPP);

        /* RWF_NOSIGNAL: EPIPE without SIGPIPE. */
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        EXPECT_RET(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &pipe_set, NULL, 8), 0);
        EXPECT_RET(syscall(SYS_close, p[0]), 0);
        EXPECT_ERRNO(pwv2(p[1], "lost", -1, RWF_NOSIGNAL_), EPIPE);
        EXPECT_RET(syscall(SYS_rt_sigpending, &pending, 8), 0);
        CHECK(!sigismember(&pending, SIGPIPE), "SIGPIPE pending after RWF_NOSIGNAL");
        EXPECT_ERRNO(pwv2(p[1], "lost", -1, 0), EPIPE);
        EXPECT_RET(syscall(SYS_rt_sigpending, &pending, 8), 0);
        CHECK(sigismember(&pending, SIGPIPE), "no SIGPIPE after EPIPE");
        EXPECT_RET(sigwait(&pipe_set, &sig), 0);
        EXPECT_EQ(sig, SIGPIPE);
        return TEST_PASS;
}
