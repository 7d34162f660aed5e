/* The seq_file buffer: appends of every kind, growth, reads at offsets
 * across iovecs, lseek rules. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vfs/seq_file.h"

static void test_appends_grow_and_stay_terminated(void **state)
{
        struct seqbuf b = SEQBUF_INIT;

        (void)state;
        seqbuf_puts(&b, "Name:\t");
        seqbuf_printf(&b, "%s %d", "x", 42);
        seqbuf_putc(&b, '\n');
        seqbuf_write(&b, "a\0b", 3);
        assert_int_equal(b.len, 6 + 4 + 1 + 3);
        assert_memory_equal(b.data, "Name:\tx 42\na\0b", b.len);
        assert_int_equal(b.data[b.len], '\0');
        for (int i = 0; i < 10000; i++)
                seqbuf_printf(&b, "%04d", i);
        assert_int_equal(b.len, 14 + 40000);
        assert_memory_equal(b.data + b.len - 4, "9999", 4);
        assert_int_equal(seqbuf_error(&b), 0);
        seqbuf_release(&b);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
}

static void test_read_at_offsets_across_iovecs(void **state)
{
        struct seqbuf b = SEQBUF_INIT;
        char x[3], y[4];
        struct iovec iov[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
        struct iov_iter it = { iov, 2, sizeof(x) + sizeof(y) };
        int64_t pos = 2;

        (void)state;
        seqbuf_puts(&b, "0123456789");
        assert_int_equal(seqbuf_read(&b, &it, &pos), 7);
        assert_int_equal(pos, 9);
        assert_memory_equal(x, "234", 3);
        assert_memory_equal(y, "5678", 4);
        assert_int_equal(seqbuf_read(&b, &it, &pos), 1);
        assert_int_equal(pos, 10);
        assert_int_equal(x[0], '9');
        assert_int_equal(seqbuf_read(&b, &it, &pos), 0);        /* EOF */
        pos = 1000;
        assert_int_equal(seqbuf_read(&b, &it, &pos), 0);
        assert_int_equal(pos, 1000);
        seqbuf_release(&b);
}

static void test_file_snapshot_and_lseek(void **state)
{
        struct seqbuf b = SEQBUF_INIT;
        struct file *f;
        char buf[8];
        struct iovec iov = { buf, sizeof(buf) };
        struct iov_iter it = { &iov, 1, sizeof(buf) };

        (void)state;
        seqbuf_puts(&b, "hello\n");
        assert_int_equal(seq_file_open(&seq_file_ops, O_RDONLY, &b, &f), 0);
        assert_null(b.data);                    /* consumed */
        assert_int_equal(vfs_read(f, &it, -1), 6);
        assert_memory_equal(buf, "hello\n", 6);
        assert_int_equal(vfs_read(f, &it, -1), 0);
        assert_int_equal(vfs_read(f, &it, 1), 5);       /* pread */
        assert_int_equal(vfs_llseek(f, 2, SEEK_SET), 2);
        assert_int_equal(vfs_llseek(f, 1, SEEK_CUR), 3);
        assert_int_equal(vfs_llseek(f, -4, SEEK_CUR), -EINVAL);
        assert_int_equal(vfs_llseek(f, 0, SEEK_END), -EINVAL);
        assert_int_equal(vfs_llseek(f, -1, SEEK_SET), -EINVAL);
        assert_int_equal(vfs_read(f, &it, -1), 3);
        assert_memory_equal(buf, "lo\n", 3);
        assert_int_equal(vfs_write(f, &it, -1), -EBADF);
        file_unref(f);
}

static void test_open_reports_append_failure(void **state)
{
        struct seqbuf b = SEQBUF_INIT;
        struct file *f = NULL;

        (void)state;
        seqbuf_puts(&b, "x");
        b.enomem = true;                        /* as after a failed realloc */
        seqbuf_puts(&b, "ignored");
        assert_int_equal(b.len, 1);
        assert_int_equal(seq_file_open(&seq_file_ops, O_RDONLY, &b, &f), -ENOMEM);
        assert_null(f);
        assert_null(b.data);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_appends_grow_and_stay_terminated),
                cmocka_unit_test(test_read_at_offsets_across_iovecs),
                cmocka_unit_test(test_file_snapshot_and_lseek),
                cmocka_unit_test(test_open_reports_append_failure),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
