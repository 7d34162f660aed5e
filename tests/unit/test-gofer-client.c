/* The gofer client (gofer/client*.c) against a hostile gofer: replies are
 * queued on the socket before each call (SOCK_SEQPACKET keeps them), so the
 * test plays the gofer without a second process. Every bad reply must be
 * -EPROTO, close any fd that came with it, and leave the client broken. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "gofer/client.h"
#include "gofer/message.h"

struct fake {
        int gofer;                      /* our end: we play the gofer */
        struct gofer_client *c;
        uint32_t tag;                   /* the tag the client's next call uses */
};

static int setup(void **state)
{
        struct fake *f = calloc(1, sizeof(*f));
        int sv[2];

        assert_non_null(f);
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        f->gofer = sv[1];
        assert_int_equal(gofer_client_create(sv[0], &f->c), 0);
        f->tag = 1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fake *f = *state;

        gofer_client_free(f->c);
        close(f->gofer);
        free(f);
        return 0;
}

static unsigned count_fds(void)
{
        unsigned n = 0;
        DIR *d = opendir("/proc/self/fd");
        assert_non_null(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static struct gofer_wbuf reply_start(uint8_t *buf, uint16_t op, uint32_t tag, int32_t err)
{
        struct gofer_wbuf w;

        gofer_wbuf_init(&w, buf, GOFER_MSG_MAX);
        gofer_put_hdr(&w, (uint16_t)(op | GOFER_REPLY), tag);
        gofer_put_u32(&w, (uint32_t)err);
        return w;
}

/* Queue a reply (len patched unless keep_len) with an optional fd. */
static void queue(struct fake *f, struct gofer_wbuf *w, int fd, bool keep_len)
{
        struct iovec iov = { .iov_base = w->buf, .iov_len = w->len };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (!keep_len)
                assert_true(gofer_finish(w) > 0);
        if (fd >= 0) {
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        assert_int_equal(sendmsg(f->gofer, &mh, 0), (ssize_t)w->len);
}

static void put_good_stat(struct gofer_wbuf *w, uint32_t mode)
{
        struct gofer_stat st = { .ino = 1, .mode = mode, .nlink = 1 };
        gofer_put_stat(w, &st);
}

/* After a violation: broken for good. */
static void assert_broken(struct fake *f)
{
        struct gofer_stat st;
        assert_int_equal(gofer_stat(f->c, 1, &st), -EIO);
}

static void test_good_replies_are_accepted(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_stat st;
        struct gofer_wbuf w;

        w = reply_start(buf, GOFER_STAT, 1, 0);
        put_good_stat(&w, S_IFREG | 0644);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_stat(f->c, 5, &st), 0);
        assert_int_equal(st.mode, S_IFREG | 0644);

        w = reply_start(buf, GOFER_STAT, 2, -ENOENT);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_stat(f->c, 5, &st), -ENOENT);

        /* A read-only fd on a regular file, as asked. */
        char path[] = "/tmp/gofer-client-XXXXXX";
        char proc[64];
        int file = mkstemp(path);
        unlink(path);
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", file);
        int rofile = open(proc, O_RDONLY | O_CLOEXEC);
        w = reply_start(buf, GOFER_OPEN, 3, 0);
        gofer_put_u32(&w, 1);
        queue(f, &w, rofile, false);
        close(rofile);
        int got = -1;
        assert_int_equal(gofer_open(f->c, 5, O_RDONLY, &got), 0);
        assert_true(got >= 0);
        close(got);
        close(file);
}

static void test_wrong_tag_is_eproto_then_eio(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_stat st;

        struct gofer_wbuf w = reply_start(buf, GOFER_STAT, 77, 0);
        put_good_stat(&w, S_IFREG);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_stat(f->c, 1, &st), -EPROTO);
        assert_broken(f);
}

static void test_wrong_type_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_stat st;

        struct gofer_wbuf w = reply_start(buf, GOFER_WALK, 1, 0);
        put_good_stat(&w, S_IFREG);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_stat(f->c, 1, &st), -EPROTO);
        assert_broken(f);
}

static void test_lying_length_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_stat st;

        struct gofer_wbuf w = reply_start(buf, GOFER_STAT, 1, 0);
        put_good_stat(&w, S_IFREG);
        gofer_finish(&w);
        buf[0] += 4;
        queue(f, &w, -1, true);
        assert_int_equal(gofer_stat(f->c, 1, &st), -EPROTO);
        assert_broken(f);
}

static void test_short_body_and_trailing_bytes_are_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_stat st;

        struct gofer_wbuf w = reply_start(buf, GOFER_STAT, 1, 0);
        gofer_put_u64(&w, 1);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_stat(f->c, 1, &st), -EPROTO);
        assert_broken(f);
}

static void test_trailing_bytes_are_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_stat st;

        struct gofer_wbuf w = reply_start(buf, GOFER_STAT, 1, 0);
        put_good_stat(&w, S_IFREG);
        gofer_put_u8(&w, 0);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_stat(f->c, 1, &st), -EPROTO);
}

static void test_bad_errno_values_are_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_stat st;

        struct gofer_wbuf w = reply_start(buf, GOFER_STAT, 1, 5);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_stat(f->c, 1, &st), -EPROTO);
}

static void test_error_with_body_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_stat st;

        struct gofer_wbuf w = reply_start(buf, GOFER_STAT, 1, -ENOENT);
        gofer_put_u32(&w, 0);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_stat(f->c, 1, &st), -EPROTO);
}

static void test_unexpected_fd_is_closed(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_stat st;

        unsigned before = count_fds();
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        struct gofer_wbuf w = reply_start(buf, GOFER_STAT, 1, 0);
        put_good_stat(&w, S_IFREG);
        queue(f, &w, fd, false);
        close(fd);
        assert_int_equal(gofer_stat(f->c, 1, &st), -EPROTO);
        assert_int_equal(count_fds(), before);
}

static void test_open_with_a_directory_fd_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        int got = -1;

        unsigned before = count_fds();
        int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct gofer_wbuf w = reply_start(buf, GOFER_OPEN, 1, 0);
        gofer_put_u32(&w, 1);
        queue(f, &w, dir, false);
        close(dir);
        assert_int_equal(gofer_open(f->c, 1, O_RDONLY, &got), -EPROTO);
        assert_int_equal(got, -1);
        assert_int_equal(count_fds(), before);
}

static void test_open_with_wrong_access_mode_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        char path[] = "/tmp/gofer-client-XXXXXX";
        int got = -1;

        int file = mkstemp(path);       /* O_RDWR, asked for O_RDONLY */
        unlink(path);
        struct gofer_wbuf w = reply_start(buf, GOFER_OPEN, 1, 0);
        gofer_put_u32(&w, 1);
        queue(f, &w, file, false);
        close(file);
        assert_int_equal(gofer_open(f->c, 1, O_RDONLY, &got), -EPROTO);
        assert_int_equal(got, -1);
}

static void test_open_with_an_o_path_fd_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        int got = -1;

        int opath = open("/etc/passwd", O_PATH | O_CLOEXEC);
        struct gofer_wbuf w = reply_start(buf, GOFER_OPEN, 1, 0);
        gofer_put_u32(&w, 1);
        queue(f, &w, opath, false);
        close(opath);
        assert_int_equal(gofer_open(f->c, 1, O_RDONLY, &got), -EPROTO);
        assert_int_equal(got, -1);
}

static void test_open_promising_an_fd_without_one_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        int got = -1;

        struct gofer_wbuf w = reply_start(buf, GOFER_OPEN, 1, 0);
        gofer_put_u32(&w, 1);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_open(f->c, 1, O_RDONLY, &got), -EPROTO);
}

static void test_walk_reply_must_match_request(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_walk_result res;
        const char *names[] = { "a" };

        /* Two nodes for a one-name walk. */
        struct gofer_wbuf w = reply_start(buf, GOFER_WALK, 1, 0);
        gofer_put_u32(&w, 0);
        gofer_put_u16(&w, 2);
        for (int i = 0; i < 2; i++) {
                gofer_put_u32(&w, 5);
                put_good_stat(&w, S_IFDIR);
        }
        queue(f, &w, -1, false);
        assert_int_equal(gofer_walk(f->c, 1, names, 1, &res), -EPROTO);
}

static void test_walk_node_zero_or_bad_mode_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_walk_result res;
        const char *names[] = { "a" };

        struct gofer_wbuf w = reply_start(buf, GOFER_WALK, 1, 0);
        gofer_put_u32(&w, 0);
        gofer_put_u16(&w, 1);
        gofer_put_u32(&w, GOFER_NODE_NONE);
        put_good_stat(&w, S_IFDIR);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_walk(f->c, 1, names, 1, &res), -EPROTO);
}

static void test_walk_partial_without_reason_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_walk_result res;
        const char *names[] = { "a", "b" };

        struct gofer_wbuf w = reply_start(buf, GOFER_WALK, 1, 0);
        gofer_put_u32(&w, 0);           /* no error, yet only one of two */
        gofer_put_u16(&w, 1);
        gofer_put_u32(&w, 3);
        put_good_stat(&w, S_IFDIR);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_walk(f->c, 1, names, 2, &res), -EPROTO);
}

static void test_getdents_bad_names_are_eproto(void **state)
{
        static const char *const bad[] = { "a/b", "..", ".", "" };
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_dirents *d = NULL;

        for (unsigned i = 0; i < 4; i++) {
                teardown(state);
                setup(state);
                f = *state;
                struct gofer_wbuf w = reply_start(buf, GOFER_GETDENTS, 1, 0);
                gofer_put_u16(&w, 1);
                gofer_put_u64(&w, 1);
                gofer_put_u64(&w, 2);
                gofer_put_u8(&w, DT_REG);
                gofer_put_str(&w, bad[i], strlen(bad[i]));
                queue(f, &w, -1, false);
                assert_int_equal(gofer_getdents(f->c, 1, 0, 0, &d), -EPROTO);
                assert_null(d);
        }
}

static void test_getdents_count_beyond_body_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        struct gofer_dirents *d = NULL;

        struct gofer_wbuf w = reply_start(buf, GOFER_GETDENTS, 1, 0);
        gofer_put_u16(&w, 60000);
        gofer_put_u64(&w, 1);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_getdents(f->c, 1, 0, 0, &d), -EPROTO);
        assert_null(d);
}

static void test_readlink_with_nul_is_eproto(void **state)
{
        struct fake *f = *state;
        uint8_t buf[GOFER_MSG_MAX];
        char *t = NULL;

        struct gofer_wbuf w = reply_start(buf, GOFER_READLINK, 1, 0);
        gofer_put_str(&w, "a\0b", 3);
        queue(f, &w, -1, false);
        assert_int_equal(gofer_readlink(f->c, 1, &t), -EPROTO);
        assert_null(t);
}

static void test_gofer_hang_up_is_econnreset_then_eio(void **state)
{
        struct fake *f = *state;
        struct gofer_stat st;

        shutdown(f->gofer, SHUT_WR);
        assert_int_equal(gofer_stat(f->c, 1, &st), -ECONNRESET);
        assert_broken(f);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_good_replies_are_accepted),
                T(test_wrong_tag_is_eproto_then_eio),
                T(test_wrong_type_is_eproto),
                T(test_lying_length_is_eproto),
                T(test_short_body_and_trailing_bytes_are_eproto),
                T(test_trailing_bytes_are_eproto),
                T(test_bad_errno_values_are_eproto),
                T(test_error_with_body_is_eproto),
                T(test_unexpected_fd_is_closed),
                T(test_open_with_a_directory_fd_is_eproto),
                T(test_open_with_wrong_access_mode_is_eproto),
                T(test_open_with_an_o_path_fd_is_eproto),
                T(test_open_promising_an_fd_without_one_is_eproto),
                T(test_walk_reply_must_match_request),
                T(test_walk_node_zero_or_bad_mode_is_eproto),
                T(test_walk_partial_without_reason_is_eproto),
                T(test_getdents_bad_names_are_eproto),
                T(test_getdents_count_beyond_body_is_eproto),
                T(test_readlink_with_nul_is_eproto),
                T(test_gofer_hang_up_is_econnreset_then_eio),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
