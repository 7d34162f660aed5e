/* The memory file, its range allocator and reference counts (sentry/mm/memfile.c,
 * memfile_ref.c). */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "sentry/mm/internal.h"

#define SIZE (64 * PAGE_SIZE)

static int setup(void **state)
{
        struct memfile *mf;

        if (memfile_create(SIZE, &mf) < 0)
                return -1;
        *state = mf;
        return 0;
}

static int teardown(void **state)
{
        memfile_destroy(*state);
        return 0;
}

static bool all_zero(const void *p, size_t len)
{
        const uint8_t *b = p;

        for (size_t i = 0; i < len; i++)
                if (b[i])
                        return false;
        return true;
}

/* Whether every page (all) or any page (!all) of the range is in memory. */
static bool resident(struct memfile *mf, uint64_t off, uint64_t len, bool all)
{
        unsigned char vec[512];
        size_t n = len / PAGE_SIZE, in = 0;

        assert_true(n <= sizeof(vec));
        assert_int_equal(mincore(memfile_addr(mf, off), len, vec), 0);
        for (size_t i = 0; i < n; i++)
                in += vec[i] & 1;
        return all ? in == n : in > 0;
}

static void test_create_rejects_unaligned_size(void **state)
{
        struct memfile *mf;
        (void)state;

        assert_int_equal(memfile_create(PAGE_SIZE + 1, &mf), -EINVAL);
        assert_int_equal(memfile_create(0, &mf), -EINVAL);
}

static void test_fd_is_cloexec(void **state)
{
        struct memfile *mf = *state;

        assert_true(fcntl(memfile_fd(mf), F_GETFD) & FD_CLOEXEC);
}

static void test_alloc_rejects_zero_and_unaligned(void **state)
{
        struct memfile *mf = *state;
        uint64_t off;

        assert_int_equal(memfile_alloc(mf, 0, &off), -EINVAL);
        assert_int_equal(memfile_alloc(mf, 100, &off), -EINVAL);
}

static void test_alloc_is_page_aligned_and_zeroed(void **state)
{
        struct memfile *mf = *state;
        uint64_t off;

        assert_int_equal(memfile_alloc(mf, 3 * PAGE_SIZE, &off), 0);
        assert_true(PAGE_ALIGNED(off));
        assert_int_equal(memfile_allocated(mf), 3 * PAGE_SIZE);
        assert_true(all_zero(memfile_addr(mf, off), 3 * PAGE_SIZE));
        memset(memfile_addr(mf, off), 0xaa, 3 * PAGE_SIZE);
        memfile_free(mf, off, 3 * PAGE_SIZE);
        assert_int_equal(memfile_allocated(mf), 0);
        /* Reused space comes back zeroed. */
        assert_int_equal(memfile_alloc(mf, 3 * PAGE_SIZE, &off), 0);
        assert_true(all_zero(memfile_addr(mf, off), 3 * PAGE_SIZE));
        memfile_free(mf, off, 3 * PAGE_SIZE);
}

/* A small freed range whose pages are all in memory keeps them, zeroed:
 * no punch, and the next allocation there finds them resident. */
static void test_small_resident_free_keeps_pages_zeroed(void **state)
{
        struct memfile *mf = *state;
        uint64_t off, again;

        assert_int_equal(memfile_alloc(mf, 4 * PAGE_SIZE, &off), 0);
        memset(memfile_addr(mf, off), 0xaa, 4 * PAGE_SIZE);
        memfile_free(mf, off, 4 * PAGE_SIZE);
        assert_true(resident(mf, off, 4 * PAGE_SIZE, true));
        assert_true(all_zero(memfile_addr(mf, off), 4 * PAGE_SIZE));
        assert_int_equal(memfile_alloc(mf, 4 * PAGE_SIZE, &again), 0);
        assert_int_equal(again, off);
        assert_true(all_zero(memfile_addr(mf, again), 4 * PAGE_SIZE));
        memfile_free(mf, again, 4 * PAGE_SIZE);
}

/* A freed range with some pages written keeps just those, zeroed; the
 * pages never written stay holes (zeroing them by hand would fault them in). */
static void test_partly_written_free_keeps_only_written_pages(void **state)
{
        struct memfile *mf = *state;
        uint64_t len = MEMFILE_KEEP_SMALL + 4 * PAGE_SIZE, off;

        assert_int_equal(memfile_alloc(mf, len, &off), 0);
        memset(memfile_addr(mf, off), 0xaa, PAGE_SIZE);
        memset(memfile_addr(mf, off + 2 * PAGE_SIZE), 0xaa, PAGE_SIZE);
        memset(memfile_addr(mf, off + len - PAGE_SIZE), 0xaa, PAGE_SIZE);
        memfile_free(mf, off, len);
        assert_true(resident(mf, off, PAGE_SIZE, true));
        assert_true(resident(mf, off + 2 * PAGE_SIZE, PAGE_SIZE, true));
        assert_true(resident(mf, off + len - PAGE_SIZE, PAGE_SIZE, true));
        assert_false(resident(mf, off + PAGE_SIZE, PAGE_SIZE, false));
        assert_false(resident(mf, off + 3 * PAGE_SIZE, len - 4 * PAGE_SIZE, false));
        assert_true(all_zero(memfile_addr(mf, off), len));
}

/* More than MEMFILE_KEEP_DATA bytes written, or written in more than
 * MEMFILE_KEEP_RUNS pieces: the whole range is punched, its pages go back
 * to the host. */
static void test_much_written_free_is_punched(void **state)
{
        const uint64_t len = MEMFILE_KEEP_DATA + PAGE_SIZE;
        const uint64_t scattered = 2 * (MEMFILE_KEEP_RUNS + 1) * PAGE_SIZE;
        struct memfile *mf;
        uint64_t off, off2;
        (void)state;

        assert_int_equal(memfile_create(2 * len + scattered, &mf), 0);
        /* Both allocated first: reading a freed range back faults its holes in. */
        assert_int_equal(memfile_alloc(mf, len, &off), 0);
        assert_int_equal(memfile_alloc(mf, scattered, &off2), 0);
        memset(memfile_addr(mf, off), 0xaa, len);
        memfile_free(mf, off, len);
        assert_false(resident(mf, off, len, false));
        assert_true(all_zero(memfile_addr(mf, off), len));

        for (uint64_t at = 0; at < scattered; at += 2 * PAGE_SIZE)
                memset(memfile_addr(mf, off2 + at), 0xaa, PAGE_SIZE);
        memfile_free(mf, off2, scattered);
        assert_false(resident(mf, off2, scattered, false));
        assert_true(all_zero(memfile_addr(mf, off2), scattered));
        memfile_destroy(mf);
}

/* Once more than MEMFILE_KEEP_MAX bytes were kept, every free page goes back
 * to the host, and not before. */
static void test_kept_bytes_are_trimmed(void **state)
{
        const uint64_t len = MEMFILE_KEEP_SMALL;
        const unsigned frees = MEMFILE_KEEP_MAX / len;  /* exactly KEEP_MAX: no trim yet */
        struct memfile *mf;
        uint64_t off, other;
        (void)state;

        assert_int_equal(memfile_create(4 * len, &mf), 0);
        /* A page elsewhere, freed (kept) before the loop: the trim takes it too. */
        assert_int_equal(memfile_alloc(mf, 4 * len, &off), 0);
        memfile_free(mf, off, 4 * len);
        assert_int_equal(memfile_alloc(mf, len, &off), 0);
        assert_int_equal(memfile_alloc(mf, PAGE_SIZE, &other), 0);
        memset(memfile_addr(mf, other), 0xaa, PAGE_SIZE);
        memfile_free(mf, other, PAGE_SIZE);
        memfile_free(mf, off, len);
        assert_true(resident(mf, other, PAGE_SIZE, true));
        for (unsigned i = 0; i + 1 < frees; i++) {
                assert_int_equal(memfile_alloc(mf, len, &off), 0);
                memset(memfile_addr(mf, off), 0xaa, len);
                memfile_free(mf, off, len);
                assert_true(resident(mf, off, len, true));
        }
        assert_int_equal(memfile_alloc(mf, len, &off), 0);
        memset(memfile_addr(mf, off), 0xaa, len);
        memfile_free(mf, off, len);             /* past KEEP_MAX: trim */
        assert_false(resident(mf, off, len, false));
        assert_false(resident(mf, other, PAGE_SIZE, false));
        assert_true(all_zero(memfile_addr(mf, off), len));
        memfile_destroy(mf);
}

static void test_exhaustion_returns_enomem(void **state)
{
        struct memfile *mf = *state;
        uint64_t off, off2;

        assert_int_equal(memfile_alloc(mf, SIZE + PAGE_SIZE, &off), -ENOMEM);
        assert_int_equal(memfile_alloc(mf, SIZE, &off), 0);
        assert_int_equal(memfile_alloc(mf, PAGE_SIZE, &off2), -ENOMEM);
        memfile_free(mf, off, SIZE);
        assert_int_equal(memfile_allocated(mf), 0);
}

static void test_free_coalesces_neighbours(void **state)
{
        struct memfile *mf = *state;
        uint64_t a, b, c, all;

        assert_int_equal(memfile_alloc(mf, 16 * PAGE_SIZE, &a), 0);
        assert_int_equal(memfile_alloc(mf, 16 * PAGE_SIZE, &b), 0);
        assert_int_equal(memfile_alloc(mf, 32 * PAGE_SIZE, &c), 0);
        /* Free out of order; the file must be one extent again afterwards. */
        memfile_free(mf, a, 16 * PAGE_SIZE);
        memfile_free(mf, c, 32 * PAGE_SIZE);
        memfile_free(mf, b, 16 * PAGE_SIZE);
        assert_int_equal(memfile_alloc(mf, SIZE, &all), 0);
        assert_int_equal(all, 0);
        memfile_free(mf, all, SIZE);
}

static void test_free_of_subrange_is_allowed(void **state)
{
        struct memfile *mf = *state;
        uint64_t a, b;

        assert_int_equal(memfile_alloc(mf, 8 * PAGE_SIZE, &a), 0);
        /* A VMA split in two frees its halves separately. */
        memfile_free(mf, a + 4 * PAGE_SIZE, 4 * PAGE_SIZE);
        assert_int_equal(memfile_allocated(mf), 4 * PAGE_SIZE);
        memfile_free(mf, a, 4 * PAGE_SIZE);
        assert_int_equal(memfile_alloc(mf, SIZE, &b), 0);
        memfile_free(mf, b, SIZE);
}

static void test_best_fit_prefers_smallest_hole(void **state)
{
        struct memfile *mf = *state;
        uint64_t r[5], got;

        for (int i = 0; i < 5; i++)
                assert_int_equal(memfile_alloc(mf, 4 * PAGE_SIZE, &r[i]), 0);
        memfile_free(mf, r[1], 4 * PAGE_SIZE);  /* 4-page hole */
        memfile_free(mf, r[3], 2 * PAGE_SIZE);  /* 2-page hole */
        assert_int_equal(memfile_alloc(mf, 2 * PAGE_SIZE, &got), 0);
        assert_int_equal(got, r[3]);
        memfile_free(mf, got, 2 * PAGE_SIZE);
        memfile_free(mf, r[3] + 2 * PAGE_SIZE, 2 * PAGE_SIZE);
        for (int i = 0; i < 5; i++)
                if (i != 1 && i != 3)
                        memfile_free(mf, r[i], 4 * PAGE_SIZE);
        assert_int_equal(memfile_allocated(mf), 0);
}

static void test_alloc_at_takes_exact_range_or_fails(void **state)
{
        struct memfile *mf = *state;
        uint64_t a;

        assert_int_equal(memfile_alloc_at(mf, 4 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
        assert_int_equal(memfile_alloc_at(mf, 5 * PAGE_SIZE, PAGE_SIZE), -ENOMEM);
        assert_int_equal(memfile_alloc_at(mf, SIZE - PAGE_SIZE, 2 * PAGE_SIZE), -ENOMEM);
        assert_int_equal(memfile_allocated(mf), 2 * PAGE_SIZE);
        /* The space around it is still usable: 4 pages below it. */
        assert_int_equal(memfile_alloc(mf, 4 * PAGE_SIZE, &a), 0);
        assert_int_equal(a, 0);
        memfile_free(mf, a, 4 * PAGE_SIZE);
        memfile_free(mf, 4 * PAGE_SIZE, 2 * PAGE_SIZE);
        assert_int_equal(memfile_alloc(mf, SIZE, &a), 0);
        memfile_free(mf, a, SIZE);
}

static void test_zero_clears_in_place(void **state)
{
        struct memfile *mf = *state;
        uint64_t off;
        uint8_t *p;

        assert_int_equal(memfile_alloc(mf, 2 * PAGE_SIZE, &off), 0);
        p = memfile_addr(mf, off);
        memset(p, 0x55, 2 * PAGE_SIZE);
        memfile_zero(mf, off + PAGE_SIZE, PAGE_SIZE);
        assert_int_equal(p[0], 0x55);
        assert_true(all_zero(p + PAGE_SIZE, PAGE_SIZE));
        assert_int_equal(memfile_allocated(mf), 2 * PAGE_SIZE);
        memfile_free(mf, off, 2 * PAGE_SIZE);
}

static size_t ref_extents(const struct memfile *mf)
{
        size_t n = 0;

        for (struct rb_node *r = rb_first(&mf->refs); r; r = rb_next(r))
                n++;
        return n;
}

static void test_unref_frees_only_at_last_reference(void **state)
{
        struct memfile *mf = *state;
        uint64_t off;

        assert_int_equal(memfile_alloc(mf, 4 * PAGE_SIZE, &off), 0);
        memset(memfile_addr(mf, off), 0x11, 4 * PAGE_SIZE);
        assert_true(memfile_exclusive(mf, off, 4 * PAGE_SIZE));
        assert_int_equal(memfile_ref(mf, off, 4 * PAGE_SIZE), 0);      /* fork */
        assert_int_equal(ref_extents(mf), 1);                           /* one extent, not 4 */
        assert_false(memfile_exclusive(mf, off + 3 * PAGE_SIZE, PAGE_SIZE));
        assert_int_equal(memfile_refcount(mf, off + PAGE_SIZE), 2);

        memfile_unref(mf, off + PAGE_SIZE, PAGE_SIZE);                  /* one side's page */
        assert_int_equal(memfile_allocated(mf), 4 * PAGE_SIZE);
        assert_int_equal(memfile_refcount(mf, off + PAGE_SIZE), 1);
        assert_true(memfile_exclusive(mf, off + PAGE_SIZE, PAGE_SIZE));
        assert_int_equal(ref_extents(mf), 2);
        assert_int_equal(*(uint8_t *)memfile_addr(mf, off + PAGE_SIZE), 0x11);

        memfile_unref(mf, off, 4 * PAGE_SIZE);                          /* the other side */
        assert_int_equal(memfile_allocated(mf), 3 * PAGE_SIZE);        /* page 1 went */
        assert_int_equal(ref_extents(mf), 0);
        assert_true(all_zero(memfile_addr(mf, off + PAGE_SIZE), PAGE_SIZE));
        memfile_unref(mf, off, PAGE_SIZE);
        memfile_unref(mf, off + 2 * PAGE_SIZE, 2 * PAGE_SIZE);
        assert_int_equal(memfile_allocated(mf), 0);
}

static void test_ref_counts_overlapping_ranges_and_merges_back(void **state)
{
        struct memfile *mf = *state;
        uint64_t off;

        assert_int_equal(memfile_alloc(mf, 8 * PAGE_SIZE, &off), 0);
        assert_int_equal(memfile_ref(mf, off, 4 * PAGE_SIZE), 0);
        assert_int_equal(memfile_ref(mf, off + 2 * PAGE_SIZE, 4 * PAGE_SIZE), 0);
        assert_int_equal(memfile_refcount(mf, off), 2);
        assert_int_equal(memfile_refcount(mf, off + 2 * PAGE_SIZE), 3);
        assert_int_equal(memfile_refcount(mf, off + 5 * PAGE_SIZE), 2);
        assert_int_equal(memfile_refcount(mf, off + 7 * PAGE_SIZE), 1);
        assert_int_equal(ref_extents(mf), 3);
        /* Filling the gaps makes the counts equal: one extent again. */
        assert_int_equal(memfile_ref(mf, off, 2 * PAGE_SIZE), 0);
        assert_int_equal(memfile_ref(mf, off + 4 * PAGE_SIZE, 4 * PAGE_SIZE), 0);
        assert_int_equal(memfile_ref(mf, off + 6 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
        assert_int_equal(ref_extents(mf), 1);
        for (int i = 0; i < 8; i++)
                assert_int_equal(memfile_refcount(mf, off + (uint64_t)i * PAGE_SIZE), 3);
        for (int i = 0; i < 3; i++)
                memfile_unref(mf, off, 8 * PAGE_SIZE);
        assert_int_equal(memfile_allocated(mf), 0);
        assert_int_equal(ref_extents(mf), 0);
}

static void test_alloc_in_hole_leaves_room_around(void **state)
{
        struct memfile *mf = *state;
        uint64_t small, off, big;

        /* A 2-page hole and a big one: a span of 8 goes in the big one. */
        assert_int_equal(memfile_alloc(mf, 2 * PAGE_SIZE, &small), 0);
        assert_int_equal(memfile_alloc(mf, PAGE_SIZE, &off), 0);
        memfile_free(mf, small, 2 * PAGE_SIZE);
        assert_int_equal(memfile_alloc_in_hole(mf, 8 * PAGE_SIZE, 3 * PAGE_SIZE, PAGE_SIZE,
                                               &big), 0);
        assert_true(big >= off + PAGE_SIZE);
        /* Its neighbours are free for later copies. */
        assert_int_equal(memfile_alloc_at(mf, big - 3 * PAGE_SIZE, 3 * PAGE_SIZE), 0);
        assert_int_equal(memfile_alloc_at(mf, big + PAGE_SIZE, 4 * PAGE_SIZE), 0);
        assert_int_equal(memfile_alloc_in_hole(mf, SIZE, 0, PAGE_SIZE, &big), -ENOMEM);
        assert_int_equal(memfile_alloc_in_hole(mf, PAGE_SIZE, 0, 2 * PAGE_SIZE, &big), -EINVAL);
}

static void *churn(void *arg)
{
        struct memfile *mf = arg;

        for (int i = 0; i < 2000; i++) {
                uint64_t off, len = (uint64_t)(1 + i % 3) * PAGE_SIZE;
                if (memfile_alloc(mf, len, &off) == 0) {
                        *(volatile uint8_t *)memfile_addr(mf, off) = 1;
                        memfile_free(mf, off, len);
                }
        }
        return NULL;
}

static void test_concurrent_alloc_free_keeps_accounting(void **state)
{
        struct memfile *mf = *state;
        pthread_t th[4];
        uint64_t off;

        for (int i = 0; i < 4; i++)
                assert_int_equal(pthread_create(&th[i], NULL, churn, mf), 0);
        for (int i = 0; i < 4; i++)
                pthread_join(th[i], NULL);
        assert_int_equal(memfile_allocated(mf), 0);
        assert_int_equal(memfile_alloc(mf, SIZE, &off), 0);
        memfile_free(mf, off, SIZE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_create_rejects_unaligned_size),
                cmocka_unit_test_setup_teardown(test_fd_is_cloexec, setup, teardown),
                cmocka_unit_test_setup_teardown(test_alloc_rejects_zero_and_unaligned, setup, teardown),
                cmocka_unit_test_setup_teardown(test_alloc_is_page_aligned_and_zeroed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exhaustion_returns_enomem, setup, teardown),
                cmocka_unit_test_setup_teardown(test_free_coalesces_neighbours, setup, teardown),
                cmocka_unit_test_setup_teardown(test_free_of_subrange_is_allowed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_best_fit_prefers_smallest_hole, setup, teardown),
                cmocka_unit_test_setup_teardown(test_alloc_at_takes_exact_range_or_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zero_clears_in_place, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_alloc_free_keeps_accounting, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unref_frees_only_at_last_reference, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ref_counts_overlapping_ranges_and_merges_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_alloc_in_hole_leaves_room_around, setup, teardown),
                cmocka_unit_test_setup_teardown(test_small_resident_free_keeps_pages_zeroed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_partly_written_free_keeps_only_written_pages, setup, teardown),
                cmocka_unit_test_setup_teardown(test_much_written_free_is_punched, setup, teardown),
                cmocka_unit_test(test_kept_bytes_are_trimmed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
