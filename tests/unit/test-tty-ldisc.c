/* The line discipline on its own: canonical editing and echo, ISIG keys,
 * raw mode's VMIN, output processing, flow control, full queues. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <errno.h>
#include <cmocka.h>

#include "vfs/tty/ldisc.h"

static struct ldisc *new_ldisc(void)
{
        struct ldisc *l = malloc(sizeof(*l));

        assert_non_null(l);
        ldisc_init(l);
        return l;
}

static unsigned type(struct ldisc *l, const char *s)
{
        unsigned sig;

        assert_int_equal(ldisc_receive(l, (const uint8_t *)s, strlen(s), &sig), strlen(s));
        return sig;
}

static void expect_out(struct ldisc *l, const char *want)
{
        uint8_t buf[256];
        size_t n = ldisc_out_read(l, buf, sizeof(buf));

        buf[n] = '\0';
        assert_string_equal((char *)buf, want);
}

static void expect_line(struct ldisc *l, const char *want)
{
        uint8_t buf[256];
        size_t n;

        assert_true(ldisc_readable(l, sizeof(buf), false));
        n = ldisc_read(l, buf, sizeof(buf));
        buf[n] = '\0';
        assert_string_equal((char *)buf, want);
}

static void test_canonical_erase_and_echo(void **state)
{
        struct ldisc *l = new_ldisc();

        (void)state;
        type(l, "abX\177");
        assert_false(ldisc_readable(l, 100, false));
        assert_false(ldisc_input_available(l));
        type(l, "c\r");                 /* ICRNL */
        expect_out(l, "abX\b \bc\r\n");
        assert_int_equal(ldisc_inq(l), 4);
        expect_line(l, "abc\n");
        assert_false(ldisc_readable(l, 100, false));
        free(l);
}

static void test_kill_werase_and_tab_erase(void **state)
{
        struct ldisc *l = new_ldisc();

        (void)state;
        type(l, "gone\025keep this\027\t\177that\n");
        expect_out(l, "gone\b \b\b \b\b \b\b \bkeep this\b \b\b \b\b \b\b \b\t\b\b\bthat\r\n");
        expect_line(l, "keep that\n");
        free(l);
}

static void test_eof_and_lines_in_parts(void **state)
{
        struct ldisc *l = new_ldisc();
        uint8_t buf[8];

        (void)state;
        type(l, "one\ntwo\004\004");
        assert_int_equal(ldisc_read(l, buf, 2), 2);
        assert_memory_equal(buf, "on", 2);
        expect_line(l, "e\n");
        expect_line(l, "two");
        assert_true(ldisc_readable(l, 8, false));
        assert_int_equal(ldisc_read(l, buf, sizeof(buf)), 0);  /* end of file */
        assert_false(ldisc_readable(l, 8, false));
        free(l);
}

static void test_isig_keys_signal_and_flush(void **state)
{
        struct ldisc *l = new_ldisc();

        (void)state;
        assert_int_equal(type(l, "half\003"), LDISC_SIG(SIGINT));
        expect_out(l, "^C");            /* the echo of "half" went with the flush */
        assert_int_equal(ldisc_inq(l), 0);
        assert_int_equal(type(l, "\034"), LDISC_SIG(SIGQUIT));
        assert_int_equal(type(l, "\032"), LDISC_SIG(SIGTSTP));
        l->t.c_lflag &= ~ISIG;
        assert_int_equal(type(l, "\003\n"), 0);
        expect_out(l, "^Z^C\r\n");     /* each ISIG key flushed the echo before */
        expect_line(l, "\003\n");
        free(l);
}

static void test_raw_vmin_and_vtime(void **state)
{
        struct ldisc *l = new_ldisc();
        struct ktermios t = l->t;
        uint8_t buf[8];

        (void)state;
        t.c_lflag &= ~(ICANON | ECHO);
        t.c_cc[VMIN] = 3;
        t.c_cc[VTIME] = 0;
        ldisc_set_termios(l, &t);
        type(l, "ab");
        assert_false(ldisc_readable(l, 8, false));
        assert_true(ldisc_readable(l, 2, false));       /* asks for fewer than VMIN */
        assert_true(ldisc_readable(l, 8, true));        /* VTIME ran out */
        assert_false(ldisc_input_available(l));         /* poll waits for VMIN */
        type(l, "c");
        assert_true(ldisc_input_available(l));
        assert_int_equal(ldisc_read(l, buf, sizeof(buf)), 3);
        t.c_cc[VMIN] = 0;
        ldisc_set_termios(l, &t);
        assert_true(ldisc_readable(l, 8, false));       /* VMIN 0, VTIME 0: at once */
        expect_out(l, "");
        free(l);
}

static void test_switching_to_canonical_pushes_queued_input(void **state)
{
        struct ldisc *l = new_ldisc();
        struct ktermios t = l->t;

        (void)state;
        type(l, "ab");
        t.c_lflag &= ~ICANON;
        ldisc_set_termios(l, &t);
        assert_int_equal(ldisc_inq(l), 2);
        type(l, "c");
        t.c_lflag |= ICANON;
        ldisc_set_termios(l, &t);
        expect_line(l, "abc");
        free(l);
}

static void test_output_processing(void **state)
{
        struct ldisc *l = new_ldisc();
        struct ktermios t = l->t;

        (void)state;
        assert_int_equal(ldisc_write(l, (const uint8_t *)"a\nb", 3), 3);
        expect_out(l, "a\r\nb");
        t.c_oflag = OPOST | OCRNL | XTABS;
        ldisc_set_termios(l, &t);
        ldisc_write(l, (const uint8_t *)"x\r\ty\n", 5);
        expect_out(l, "x\n      y\n");        /* the column went on from "b" */
        t.c_oflag = 0;
        ldisc_set_termios(l, &t);
        ldisc_write(l, (const uint8_t *)"\r\n", 2);
        expect_out(l, "\r\n");
        free(l);
}

static void test_flow_control(void **state)
{
        struct ldisc *l = new_ldisc();

        (void)state;
        type(l, "\023");                /* ^S: stopped */
        ldisc_write(l, (const uint8_t *)"z", 1);
        assert_int_equal(ldisc_out_avail(l), 0);
        type(l, "\021");                /* ^Q */
        assert_int_equal(ldisc_out_avail(l), 1);
        assert_int_equal(ldisc_flow(l, TCOOFF), 0);
        assert_int_equal(ldisc_out_avail(l), 0);
        assert_int_equal(ldisc_flow(l, TCOON), 0);
        expect_out(l, "z");
        assert_int_equal(ldisc_flow(l, 42), -EINVAL);
        free(l);
}

static void test_full_queues(void **state)
{
        struct ldisc *l = new_ldisc();
        struct ktermios t = l->t;
        static uint8_t big[LDISC_OUT_SIZE + 100];
        unsigned sig;
        size_t n;

        (void)state;
        /* Canonical: an over-long line keeps room for its newline. */
        t.c_lflag &= ~ECHO;
        ldisc_set_termios(l, &t);
        memset(big, 'x', sizeof(big));
        assert_int_equal(ldisc_receive(l, big, LDISC_IN_SIZE + 10, &sig), LDISC_IN_SIZE + 10);
        type(l, "\n");
        assert_int_equal(ldisc_inq(l), LDISC_IN_SIZE);
        ldisc_flush_in(l);
        /* Raw: the writer is told to wait. */
        t.c_lflag &= ~ICANON;
        ldisc_set_termios(l, &t);
        assert_int_equal(ldisc_receive(l, big, LDISC_IN_SIZE + 10, &sig), LDISC_IN_SIZE);
        assert_false(ldisc_receive_room(l));
        /* Output: takes what fits. */
        n = ldisc_write(l, big, sizeof(big));
        assert_int_equal(n, LDISC_OUT_SIZE);
        assert_false(ldisc_out_room(l));
        free(l);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_canonical_erase_and_echo),
                cmocka_unit_test(test_kill_werase_and_tab_erase),
                cmocka_unit_test(test_eof_and_lines_in_parts),
                cmocka_unit_test(test_isig_keys_signal_and_flush),
                cmocka_unit_test(test_raw_vmin_and_vtime),
                cmocka_unit_test(test_switching_to_canonical_pushes_queued_input),
                cmocka_unit_test(test_output_processing),
                cmocka_unit_test(test_flow_control),
                cmocka_unit_test(test_full_queues),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
