/* The System V IPC id table (sentry/ipc/ipc_ids.c): ids are seq << 15 |
 * index, indexes cycle through a window before being reused, the sequence
 * goes up when they wrap, stale ids name nothing, the limit is ENOSPC. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sentry/ipc/internal.h"

static void test_first_ids_count_up_from_zero(void **state)
{
        struct ipc_ids ids;
        struct ipc_obj o[3] = { 0 };

        (void)state;
        ipc_ids_init(&ids, 100);
        for (int i = 0; i < 3; i++) {
                assert_int_equal(ipc_ids_add(&ids, &o[i]), 0);
                assert_int_equal(o[i].id, i);
        }
        assert_int_equal(ids.in_use, 3);
        assert_int_equal(ipc_ids_max_idx(&ids), 2);
        assert_ptr_equal(ipc_ids_find_id(&ids, 1), &o[1]);
        assert_ptr_equal(ipc_ids_find_idx(&ids, 2), &o[2]);
        assert_null(ipc_ids_find_id(&ids, 3));
        assert_null(ipc_ids_find_id(&ids, -1));
        assert_null(ipc_ids_find_id(&ids, 1 + IPC_MNI));       /* wrong sequence */
        ipc_ids_destroy(&ids);
}

static void test_removed_index_is_not_reused_at_once(void **state)
{
        struct ipc_ids ids;
        struct ipc_obj a = { 0 }, b = { 0 };
        int old;

        (void)state;
        ipc_ids_init(&ids, 100);
        assert_int_equal(ipc_ids_add(&ids, &a), 0);
        old = a.id;
        ipc_ids_remove(&ids, &a);
        assert_true(a.deleted);
        assert_null(ipc_ids_find_id(&ids, old));
        assert_int_equal(ipc_ids_max_idx(&ids), -1);
        assert_int_equal(ipc_ids_add(&ids, &b), 0);
        assert_int_equal(b.id, 1);      /* the next index, not 0 again */
        ipc_ids_destroy(&ids);
}

static void test_wrap_bumps_the_sequence(void **state)
{
        struct ipc_ids ids;
        struct ipc_obj o = { 0 };
        int first;

        (void)state;
        ipc_ids_init(&ids, 100);
        assert_int_equal(ipc_ids_add(&ids, &o), 0);
        first = o.id;
        /* One at a time: the window stays IPC_MIN_CYCLE wide. */
        for (int i = 1; i <= IPC_MIN_CYCLE; i++) {
                ipc_ids_remove(&ids, &o);
                memset(&o, 0, sizeof(o));
                assert_int_equal(ipc_ids_add(&ids, &o), 0);
        }
        assert_int_equal(o.id & (IPC_MNI - 1), 0);
        assert_int_equal(o.id >> IPC_MNI_SHIFT, 1);
        assert_int_not_equal(o.id, first);
        assert_null(ipc_ids_find_id(&ids, first));
        assert_ptr_equal(ipc_ids_find_id(&ids, o.id), &o);
        ipc_ids_destroy(&ids);
}

static void test_limit_is_enospc(void **state)
{
        struct ipc_ids ids;
        struct ipc_obj *o = calloc(200, sizeof(*o));

        (void)state;
        assert_non_null(o);
        ipc_ids_init(&ids, 150);
        for (int i = 0; i < 150; i++)
                assert_int_equal(ipc_ids_add(&ids, &o[i]), 0);
        assert_int_equal(ipc_ids_add(&ids, &o[150]), -ENOSPC);
        /* every object has its own index */
        for (int i = 0; i < 150; i++)
                assert_ptr_equal(ipc_ids_find_id(&ids, o[i].id), &o[i]);
        /* A free slot: the next index up in the (grown) window, not 70. */
        ipc_ids_remove(&ids, &o[70]);
        assert_int_equal(ipc_ids_add(&ids, &o[150]), 0);
        assert_int_equal(o[150].id & (IPC_MNI - 1), 150);
        assert_int_equal(ipc_ids_add(&ids, &o[151]), -ENOSPC);
        ipc_ids_destroy(&ids);
        free(o);
}

static void test_keys(void **state)
{
        struct ipc_ids ids;
        struct ipc_obj a = { .key = 42 }, p = { .key = IPC_PRIVATE };

        (void)state;
        ipc_ids_init(&ids, 100);
        assert_int_equal(ipc_ids_add(&ids, &p), 0);
        assert_int_equal(ipc_ids_add(&ids, &a), 0);
        assert_ptr_equal(ipc_ids_find_key(&ids, 42), &a);
        assert_null(ipc_ids_find_key(&ids, 43));
        assert_null(ipc_ids_find_key(&ids, IPC_PRIVATE));       /* never found by key */
        ipc_ids_destroy(&ids);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_ids_count_up_from_zero),
                cmocka_unit_test(test_removed_index_is_not_reused_at_once),
                cmocka_unit_test(test_wrap_bumps_the_sequence),
                cmocka_unit_test(test_limit_is_enospc),
                cmocka_unit_test(test_keys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
