/* The VMA tree (sentry/mm/vma.c), the PMA tree (pma.c) and, through them,
 * lib/rbtree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "sentry/mm/internal.h"

#define BASE 0x100000ULL
#define NPAGES 256
#define PG(i) (BASE + (uint64_t)(i) * PAGE_SIZE)

/* Reference model: one slot per page. */
struct page_model {
        bool mapped;
        int prot, flags;
};
static struct page_model model[NPAGES];

static struct vma *mk(guest_ptr_t start, guest_ptr_t end, int prot, int flags)
{
        struct vma *v = vma_new();
        assert_non_null(v);
        *v = (struct vma){ .start = start, .end = end, .prot = prot, .flags = flags };
        return v;
}

static struct pma *mkp(guest_ptr_t start, guest_ptr_t end, uint64_t off, bool cow)
{
        struct pma *p = pma_new();
        assert_non_null(p);
        *p = (struct pma){ .start = start, .end = end, .off = off, .cow = cow };
        return p;
}

static void free_all_pmas(struct pma_tree *t)
{
        struct pma *p;

        while ((p = pma_first(t))) {
                pma_erase(t, p);
                pma_free(p);
        }
        assert_int_equal(t->count, 0);
}

static void free_all(struct vma_tree *t)
{
        struct vma *v;

        while ((v = vma_first(t))) {
                vma_erase(t, v);
                vma_free(v);
        }
        assert_int_equal(t->count, 0);
}

/* Red-black invariants; returns the black height. */
static int check_rb(const struct rb_node *n, const struct rb_node *parent)
{
        int l, r;

        if (!n)
                return 1;
        assert_ptr_equal(n->rb_parent, parent);
        if (n->rb_red) {
                assert_false(n->rb_left && n->rb_left->rb_red);
                assert_false(n->rb_right && n->rb_right->rb_red);
        }
        l = check_rb(n->rb_left, n);
        r = check_rb(n->rb_right, n);
        assert_int_equal(l, r);
        return l + !n->rb_red;
}

/* The tree equals the model, page by page, and is a valid rbtree. */
static void check_tree(const struct vma_tree *t)
{
        struct vma *v, *prev = NULL;
        size_t count = 0;
        bool seen[NPAGES] = {};

        if (t->root.rb_node)
                assert_false(t->root.rb_node->rb_red);
        check_rb(t->root.rb_node, NULL);
        for (v = vma_first(t); v; prev = v, v = vma_next(v)) {
                count++;
                assert_true(v->start < v->end);
                if (prev)
                        assert_true(prev->end <= v->start);
                assert_ptr_equal(vma_prev(v), prev);
                for (guest_ptr_t a = v->start; a < v->end; a += PAGE_SIZE) {
                        size_t i = (a - BASE) / PAGE_SIZE;
                        assert_true(i < NPAGES);
                        assert_true(model[i].mapped);
                        assert_int_equal(model[i].prot, v->prot);
                        assert_int_equal(model[i].flags, v->flags);
                        seen[i] = true;
                }
        }
        assert_int_equal(count, t->count);
        for (size_t i = 0; i < NPAGES; i++)
                assert_int_equal(seen[i], model[i].mapped);
        /* vma_find agrees with the model for every page. */
        for (size_t i = 0; i < NPAGES; i++) {
                struct vma *f = vma_lookup(t, PG(i) + 7);
                assert_int_equal(f != NULL, model[i].mapped);
        }
}

static bool model_free(size_t a, size_t b)
{
        for (size_t i = a; i < b; i++)
                if (model[i].mapped)
                        return false;
        return true;
}

/* Remove [start, end) the way mm does: split the ends, erase the inside. */
static void remove_range(struct vma_tree *t, guest_ptr_t start, guest_ptr_t end)
{
        struct vma *v = vma_find(t, start), *next;

        if (v && v->start < start && v->end > start)
                v = vma_split(t, v, start, vma_new());
        v = vma_find(t, end - 1);
        if (v && v->start < end && v->end > end)
                vma_split(t, v, end, vma_new());
        for (v = vma_find(t, start); v && v->start < end; v = next) {
                next = vma_next(v);
                vma_erase(t, v);
                vma_free(v);
        }
}

static void test_find_returns_first_vma_ending_above(void **state)
{
        struct vma_tree t;
        (void)state;

        vma_tree_init(&t);
        assert_null(vma_find(&t, 0));
        vma_insert(&t, mk(PG(2), PG(4), PROT_READ, 0));
        vma_insert(&t, mk(PG(8), PG(9), PROT_READ, 0));
        assert_int_equal(vma_find(&t, PG(0))->start, PG(2));
        assert_int_equal(vma_find(&t, PG(3))->start, PG(2));
        assert_int_equal(vma_find(&t, PG(4))->start, PG(8));
        assert_null(vma_find(&t, PG(9)));
        assert_null(vma_lookup(&t, PG(5)));
        assert_null(vma_find_intersection(&t, PG(4), PG(8)));
        assert_non_null(vma_find_intersection(&t, PG(4), PG(8) + 1));
        free_all(&t);
}

static void test_split_then_merge_is_one_vma(void **state)
{
        struct vma_tree t;
        struct vma *v, *hi;
        (void)state;

        vma_tree_init(&t);
        v = mk(PG(0), PG(10), PROT_READ | PROT_WRITE, 0);
        vma_insert(&t, v);
        hi = vma_split(&t, v, PG(3), vma_new());
        assert_int_equal(v->end, PG(3));
        assert_int_equal(hi->start, PG(3));
        assert_int_equal(hi->end, PG(10));
        assert_int_equal(t.count, 2);
        assert_true(vma_mergeable(v, hi));
        assert_ptr_equal(vma_merge(&t, hi), v);
        assert_int_equal(v->end, PG(10));
        assert_int_equal(t.count, 1);
        free_all(&t);
}

static void test_merge_refuses_incompatible_neighbours(void **state)
{
        struct vma_tree t;
        struct vma *a, *b, *c;
        (void)state;

        vma_tree_init(&t);
        a = mk(PG(0), PG(1), PROT_READ, 0);
        b = mk(PG(1), PG(2), PROT_WRITE, 0);           /* other prot */
        c = mk(PG(3), PG(4), PROT_WRITE, 0);           /* not touching */
        vma_insert(&t, a);
        vma_insert(&t, b);
        vma_insert(&t, c);
        assert_ptr_equal(vma_merge(&t, b), b);
        assert_int_equal(t.count, 3);
        vma_erase(&t, c);
        c->start = PG(2);
        c->end = PG(3);
        vma_insert(&t, c);
        assert_ptr_equal(vma_merge(&t, c), b);
        assert_int_equal(b->end, PG(3));
        assert_int_equal(t.count, 2);
        b->flags = VMA_SHARED;
        b->prot = PROT_READ;
        assert_ptr_equal(vma_merge(&t, a), a);                  /* flags differ */
        assert_int_equal(t.count, 2);
        free_all(&t);
}

static void test_gap_topdown_finds_highest_fit(void **state)
{
        struct vma_tree t;
        guest_ptr_t at;
        (void)state;

        vma_tree_init(&t);
        assert_int_equal(vma_gap_topdown(&t, 2 * PAGE_SIZE, PG(0), PG(10), &at), 0);
        assert_int_equal(at, PG(8));
        vma_insert(&t, mk(PG(8), PG(12), PROT_READ, 0));     /* straddles the top */
        vma_insert(&t, mk(PG(5), PG(6), PROT_READ, 0));
        assert_int_equal(vma_gap_topdown(&t, 2 * PAGE_SIZE, PG(0), PG(10), &at), 0);
        assert_int_equal(at, PG(6));
        assert_int_equal(vma_gap_topdown(&t, 3 * PAGE_SIZE, PG(0), PG(10), &at), 0);
        assert_int_equal(at, PG(2));
        assert_int_equal(vma_gap_topdown(&t, 6 * PAGE_SIZE, PG(0), PG(10), &at), -ENOMEM);
        assert_int_equal(vma_gap_topdown(&t, 0, PG(0), PG(10), &at), -ENOMEM);
        free_all(&t);
}

static void test_gap_bottomup_finds_lowest_fit(void **state)
{
        struct vma_tree t;
        guest_ptr_t at;
        (void)state;

        vma_tree_init(&t);
        vma_insert(&t, mk(PG(0), PG(2), PROT_READ, 0));      /* straddles the bottom */
        vma_insert(&t, mk(PG(3), PG(4), PROT_READ, 0));
        assert_int_equal(vma_gap_bottomup(&t, PAGE_SIZE, PG(1), PG(10), &at), 0);
        assert_int_equal(at, PG(2));
        assert_int_equal(vma_gap_bottomup(&t, 2 * PAGE_SIZE, PG(1), PG(10), &at), 0);
        assert_int_equal(at, PG(4));
        assert_int_equal(vma_gap_bottomup(&t, 7 * PAGE_SIZE, PG(1), PG(10), &at), -ENOMEM);
        free_all(&t);
}

static void test_pma_split_keeps_file_offsets(void **state)
{
        struct pma_tree t;
        struct pma *p, *hi;
        (void)state;

        pma_tree_init(&t);
        p = mkp(PG(0), PG(10), 0x5000, false);
        pma_insert(&t, p);
        hi = pma_split(&t, p, PG(3), pma_new());
        assert_int_equal(p->end, PG(3));
        assert_int_equal(hi->start, PG(3));
        assert_int_equal(hi->off, 0x5000 + 3 * PAGE_SIZE);
        assert_false(hi->cow);
        assert_true(pma_mergeable(p, hi));
        assert_ptr_equal(pma_merge(&t, hi), p);
        assert_int_equal(p->end, PG(10));
        assert_int_equal(t.count, 1);
        free_all_pmas(&t);
}

static void test_pma_merge_needs_contiguous_offsets_and_same_cow(void **state)
{
        struct pma_tree t;
        struct pma *a, *b, *c;
        (void)state;

        pma_tree_init(&t);
        a = mkp(PG(0), PG(1), 0, false);
        b = mkp(PG(1), PG(2), PAGE_SIZE, true);                 /* cow differs */
        c = mkp(PG(2), PG(3), 10 * PAGE_SIZE, true);            /* offset gap */
        pma_insert(&t, a);
        pma_insert(&t, b);
        pma_insert(&t, c);
        assert_ptr_equal(pma_merge(&t, b), b);
        assert_int_equal(t.count, 3);
        c->off = 2 * PAGE_SIZE;
        assert_ptr_equal(pma_merge(&t, c), b);
        assert_int_equal(t.count, 2);
        b->cow = false;
        assert_ptr_equal(pma_merge(&t, b), a);
        assert_int_equal(a->end, PG(3));
        assert_int_equal(t.count, 1);
        assert_ptr_equal(pma_lookup(&t, PG(2) + 5), a);
        assert_null(pma_lookup(&t, PG(3)));
        free_all_pmas(&t);
}

/* Brute-force gap answers from the model. */
static long model_gap(size_t npages, size_t lo, size_t hi, bool topdown)
{
        if (npages == 0 || npages > hi - lo)
                return -1;
        if (topdown) {
                for (size_t a = hi - npages + 1; a-- > lo;)
                        if (model_free(a, a + npages))
                                return (long)a;
        } else {
                for (size_t a = lo; a + npages <= hi; a++)
                        if (model_free(a, a + npages))
                                return (long)a;
        }
        return -1;
}

static void test_random_operations_match_model(void **state)
{
        struct vma_tree t;
        (void)state;

        srandom(12345);
        memset(model, 0, sizeof(model));
        vma_tree_init(&t);
        for (int iter = 0; iter < 20000; iter++) {
                size_t a = (size_t)random() % NPAGES;
                size_t b = a + 1 + (size_t)random() % MIN(16, NPAGES - a);
                int op = (int)(random() % 5);

                if (op <= 1 && model_free(a, b)) {
                        int prot = (int)(random() % 3);
                        int flags = (int)(random() % 2);
                        /* Sometimes match the VMA below, to merge. */
                        struct vma *below = a ? vma_lookup(&t, PG(a - 1)) : NULL;
                        if (below && random() % 2) {
                                prot = below->prot;
                                flags = below->flags;
                        }
                        struct vma *v = mk(PG(a), PG(b), prot, flags);
                        vma_insert(&t, v);
                        for (size_t i = a; i < b; i++)
                                model[i] = (struct page_model){ true, prot, flags };
                        if (random() % 2)
                                vma_merge(&t, v);
                } else if (op == 2) {
                        remove_range(&t, PG(a), PG(b));
                        for (size_t i = a; i < b; i++)
                                model[i].mapped = false;
                } else if (op == 3) {
                        struct vma *v = vma_lookup(&t, PG(a));
                        if (v && v->start < PG(a))
                                vma_split(&t, v, PG(a), vma_new());
                        else if (v)
                                vma_merge(&t, v);
                } else {
                        size_t lo = (size_t)random() % NPAGES, hi = lo + (size_t)random() % (NPAGES - lo + 1);
                        size_t n = 1 + (size_t)random() % 8;
                        guest_ptr_t at;
                        for (int td = 0; td < 2; td++) {
                                long want = model_gap(n, lo, hi, td);
                                int r = td ? vma_gap_topdown(&t, n * PAGE_SIZE, PG(lo), PG(hi), &at)
                                           : vma_gap_bottomup(&t, n * PAGE_SIZE, PG(lo), PG(hi), &at);
                                if (want < 0)
                                        assert_int_equal(r, -ENOMEM);
                                else {
                                        assert_int_equal(r, 0);
                                        assert_int_equal(at, PG(want));
                                }
                        }
                }
                if (iter % 16 == 0)
                        check_tree(&t);
        }
        check_tree(&t);
        free_all(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_find_returns_first_vma_ending_above),
                cmocka_unit_test(test_split_then_merge_is_one_vma),
                cmocka_unit_test(test_pma_split_keeps_file_offsets),
                cmocka_unit_test(test_pma_merge_needs_contiguous_offsets_and_same_cow),
                cmocka_unit_test(test_merge_refuses_incompatible_neighbours),
                cmocka_unit_test(test_gap_topdown_finds_highest_fit),
                cmocka_unit_test(test_gap_bottomup_finds_lowest_fit),
                cmocka_unit_test(test_random_operations_match_model),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
