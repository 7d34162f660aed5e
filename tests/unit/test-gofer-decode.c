/* The gofer message codec (gofer/decode.c, encode.c): requests that are
 * well formed decode to what was encoded; anything else is an error, never
 * a read past the message. Every message is copied into a buffer of its
 * exact size so ASan catches a read one byte too far. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gofer/message.h"

static uint8_t buf[GOFER_MSG_MAX + 64];

static void start(struct gofer_wbuf *w, uint16_t op, uint32_t tag)
{
        gofer_wbuf_init(w, buf, sizeof(buf));
        gofer_put_hdr(w, op, tag);
}

/* Decode w's message (len patched) from an exact-size heap copy. */
static int decode_len(const struct gofer_wbuf *w, size_t len, struct gofer_request *req)
{
        uint32_t l = (uint32_t)len;
        memcpy(buf, &l, sizeof(l));
        uint8_t *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, w->buf, len);
        int r = gofer_decode_request(copy, len, req);
        free(copy);
        return r;
}

static int decode(const struct gofer_wbuf *w, struct gofer_request *req)
{
        return decode_len(w, w->len, req);
}

static void put_name(struct gofer_wbuf *w, const char *s)
{
        gofer_put_str(w, s, strlen(s));
}

static void test_walk_round_trips(void **state)
{
        struct gofer_request req;
        struct gofer_wbuf w;
        (void)state;

        start(&w, GOFER_WALK, 42);
        gofer_put_u32(&w, 7);
        gofer_put_u16(&w, 3);
        put_name(&w, "usr");
        put_name(&w, "lib");
        put_name(&w, "x86_64-linux-gnu");
        assert_int_equal(decode(&w, &req), 0);
        assert_int_equal(req.op, GOFER_WALK);
        assert_int_equal(req.tag, 42);
        assert_int_equal(req.node, 7);
        assert_int_equal(req.nnames, 3);
        assert_int_equal(req.names[2].len, strlen("x86_64-linux-gnu"));
        assert_memory_equal(req.names[2].ptr, "x86_64-linux-gnu", req.names[2].len);
}

static void test_every_truncation_of_every_op_is_einval(void **state)
{
        struct gofer_request req;
        struct gofer_wbuf w;
        struct gofer_stat st = {};
        (void)state;

        for (uint16_t op = 1; op < _GOFER_OP_MAX; op++) {
                /* A well-formed request of each op. */
                start(&w, op, 1);
                switch (op) {
                case GOFER_ATTACH: break;
                case GOFER_WALK: gofer_put_u32(&w, 1); gofer_put_u16(&w, 1); put_name(&w, "a"); break;
                case GOFER_STAT: case GOFER_READLINK: case GOFER_STATFS: gofer_put_u32(&w, 1); break;
                case GOFER_OPEN: gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); break;
                case GOFER_CREATE:
                        gofer_put_u32(&w, 1); gofer_put_u32(&w, 2);
                        /* fallthrough */
                case GOFER_MKDIR: case GOFER_MKNOD:
                        if (op != GOFER_CREATE)
                                gofer_put_u32(&w, 1);
                        gofer_put_u32(&w, 0644); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0);
                        put_name(&w, "n");
                        break;
                case GOFER_SYMLINK:
                        gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0);
                        put_name(&w, "n"); put_name(&w, "/etc/../x");
                        break;
                case GOFER_LINK: gofer_put_u32(&w, 1); gofer_put_u32(&w, 2); put_name(&w, "n"); break;
                case GOFER_UNLINK: gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); put_name(&w, "n"); break;
                case GOFER_RENAME:
                        gofer_put_u32(&w, 1); gofer_put_u32(&w, 2); gofer_put_u32(&w, 0);
                        put_name(&w, "a"); put_name(&w, "b");
                        break;
                case GOFER_GETDENTS: gofer_put_u32(&w, 1); gofer_put_u64(&w, 0); gofer_put_u32(&w, 4096); break;
                case GOFER_SETATTR:
                        gofer_put_u32(&w, 1); gofer_put_u32(&w, GOFER_SETATTR_SIZE);
                        gofer_put_u32(&w, 0); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0);
                        gofer_put_u64(&w, 0);
                        gofer_put_u64(&w, 0); gofer_put_u32(&w, 0);
                        gofer_put_u64(&w, 0); gofer_put_u32(&w, 0);
                        break;
                case GOFER_FSYNC: gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); break;
                case GOFER_CLUNK: gofer_put_u16(&w, 2); gofer_put_u32(&w, 1); gofer_put_u32(&w, 2); break;
                }
                (void)st;
                assert_int_equal(w.err, 0);
                assert_int_equal(decode(&w, &req), 0);
                assert_int_equal(req.op, op);
                /* Every shorter length, and one byte more, fails cleanly. */
                for (size_t len = 0; len < w.len; len++)
                        assert_int_not_equal(decode_len(&w, len, &req), 0);
                gofer_put_u8(&w, 0);
                assert_int_equal(decode(&w, &req), -EINVAL);
        }
}

static void test_bad_names_are_refused(void **state)
{
        static const struct {
                const char *name;
                size_t len;
                int err;
        } bad[] = {
                { "", 0, -EINVAL },
                { ".", 1, -EINVAL },
                { "..", 2, -EINVAL },
                { "a/b", 3, -EINVAL },
                { "/", 1, -EINVAL },
                { "a\0b", 3, -EINVAL },
                { "\0", 1, -EINVAL },
        };
        struct gofer_request req;
        struct gofer_wbuf w;
        char longname[GOFER_NAME_MAX + 2];
        (void)state;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                start(&w, GOFER_UNLINK, 1);
                gofer_put_u32(&w, 1);
                gofer_put_u32(&w, 0);
                gofer_put_str(&w, bad[i].name, bad[i].len);
                assert_int_equal(decode(&w, &req), bad[i].err);
        }
        memset(longname, 'x', sizeof(longname));
        start(&w, GOFER_MKDIR, 1);
        gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0);
        gofer_put_str(&w, longname, GOFER_NAME_MAX + 1);
        assert_int_equal(decode(&w, &req), -ENAMETOOLONG);
        start(&w, GOFER_MKDIR, 1);
        gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0);
        gofer_put_str(&w, longname, GOFER_NAME_MAX);
        assert_int_equal(decode(&w, &req), 0);
        /* "..." and ".x" are ordinary names. */
        start(&w, GOFER_UNLINK, 1);
        gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); put_name(&w, "...");
        assert_int_equal(decode(&w, &req), 0);
}

static void test_symlink_targets_may_have_slashes_not_nuls(void **state)
{
        struct gofer_request req;
        struct gofer_wbuf w;
        static char big[GOFER_TARGET_MAX + 1];
        (void)state;

        start(&w, GOFER_SYMLINK, 1);
        gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0);
        put_name(&w, "l");
        put_name(&w, "../../etc/shadow");
        assert_int_equal(decode(&w, &req), 0);
        assert_int_equal(req.name2.len, strlen("../../etc/shadow"));

        start(&w, GOFER_SYMLINK, 1);
        gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0);
        put_name(&w, "l");
        gofer_put_str(&w, "a\0b", 3);
        assert_int_equal(decode(&w, &req), -EINVAL);

        memset(big, 'a', sizeof(big));
        start(&w, GOFER_SYMLINK, 1);
        gofer_put_u32(&w, 1); gofer_put_u32(&w, 0); gofer_put_u32(&w, 0);
        put_name(&w, "l");
        gofer_put_str(&w, big, sizeof(big));
        assert_int_equal(decode(&w, &req), -ENAMETOOLONG);
}

static void test_header_checks(void **state)
{
        struct gofer_request req;
        struct gofer_wbuf w;
        (void)state;

        /* Unknown ops, op 0, a reply type sent as a request. */
        static const uint16_t ops[] = { 0, _GOFER_OP_MAX, 0x7fff, GOFER_REPLY | GOFER_STAT, 0xffff };
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
                start(&w, ops[i], 9);
                assert_int_equal(decode(&w, &req), -EINVAL);
                assert_int_equal(req.tag, 9);
        }
        /* The len field must be the datagram's size. */
        start(&w, GOFER_ATTACH, 1);
        uint32_t lie = 13;
        memcpy(buf, &lie, 4);
        assert_int_equal(gofer_decode_request(buf, w.len, &req), -EINVAL);
        /* Flags must be zero. */
        start(&w, GOFER_ATTACH, 1);
        buf[6] = 0x80;
        assert_int_equal(decode(&w, &req), -EINVAL);
        /* Too big. */
        assert_int_equal(gofer_decode_request(buf, GOFER_MSG_MAX + 1, &req), -EMSGSIZE);
}

static void test_counts_are_bounded(void **state)
{
        struct gofer_request req;
        struct gofer_wbuf w;
        (void)state;

        start(&w, GOFER_WALK, 1);
        gofer_put_u32(&w, 1);
        gofer_put_u16(&w, 0);
        assert_int_equal(decode(&w, &req), -EINVAL);

        start(&w, GOFER_WALK, 1);
        gofer_put_u32(&w, 1);
        gofer_put_u16(&w, GOFER_WALK_MAX + 1);
        for (unsigned i = 0; i < GOFER_WALK_MAX + 1; i++)
                put_name(&w, "a");
        assert_int_equal(decode(&w, &req), -EINVAL);

        /* A walk claiming more names than it carries. */
        start(&w, GOFER_WALK, 1);
        gofer_put_u32(&w, 1);
        gofer_put_u16(&w, 5);
        put_name(&w, "a");
        assert_int_equal(decode(&w, &req), -EINVAL);

        /* Clunk: the count must match the bytes exactly. */
        start(&w, GOFER_CLUNK, 1);
        gofer_put_u16(&w, 3);
        gofer_put_u32(&w, 1);
        gofer_put_u32(&w, 2);
        assert_int_equal(decode(&w, &req), -EINVAL);
        start(&w, GOFER_CLUNK, 1);
        gofer_put_u16(&w, 0);
        assert_int_equal(decode(&w, &req), -EINVAL);
        start(&w, GOFER_CLUNK, 1);
        gofer_put_u16(&w, 2);
        gofer_put_u32(&w, 10);
        gofer_put_u32(&w, 20);
        assert_int_equal(gofer_finish(&w), 22);
        assert_int_equal(gofer_decode_request(buf, w.len, &req), 0);  /* nodes point into buf */
        assert_int_equal(gofer_request_clunk_node(&req, 1), 20);

        /* Unknown setattr and fsync bits. */
        start(&w, GOFER_FSYNC, 1);
        gofer_put_u32(&w, 1);
        gofer_put_u32(&w, 2);
        assert_int_equal(decode(&w, &req), -EINVAL);
}

static void test_writer_reports_overflow(void **state)
{
        uint8_t small[16];
        struct gofer_wbuf w;
        (void)state;

        gofer_wbuf_init(&w, small, sizeof(small));
        gofer_put_hdr(&w, GOFER_STAT, 1);
        gofer_put_u32(&w, 1);
        assert_int_equal(gofer_finish(&w), 16);
        gofer_put_u8(&w, 1);
        assert_int_equal(w.err, -EMSGSIZE);
        assert_int_equal(gofer_finish(&w), -EMSGSIZE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_walk_round_trips),
                cmocka_unit_test(test_every_truncation_of_every_op_is_einval),
                cmocka_unit_test(test_bad_names_are_refused),
                cmocka_unit_test(test_symlink_targets_may_have_slashes_not_nuls),
                cmocka_unit_test(test_header_checks),
                cmocka_unit_test(test_counts_are_bounded),
                cmocka_unit_test(test_writer_reports_overflow),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
