/* fork's copy-on-write address spaces (sentry/mm fork.c, cow.c) against the
 * fake platform, acting as the guest through its mappings. */
#include <linux/mman.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "fake-platform.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED_ANON (MAP_SHARED | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define AT 0x10000000ULL
#define PG(i) (AT + (uint64_t)(i) * PAGE_SIZE)

struct fixture {
        struct memfile *mf;
        struct mm *parent, *child;
};

static int setup_size(void **state, uint64_t size)
{
        struct fixture *f = calloc(1, sizeof(*f));

        fake_platform.ops = &fake_ops;
        mm_fork_tuning.copy_max = 0;    /* sharing, unless a test copies */
        ncalls = 0;
        fail_next = 0;
        as_created = as_released = 0;
        if (!f || memfile_create(size, &f->mf) < 0 ||
            mm_create(&fake_platform, f->mf, &f->parent) < 0)
                return -1;
        *state = f;
        return 0;
}

static int setup(void **state)
{
        return setup_size(state, 1024 * PAGE_SIZE);
}

static int setup_big(void **state)
{
        return setup_size(state, 4ULL << 30);   /* sparse: costs what is touched */
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        mm_unref(f->child);
        mm_unref(f->parent);
        assert_int_equal(as_released, as_created);
        /* Every page reference went with the last mm: nothing leaks. */
        assert_int_equal(memfile_allocated(f->mf), 0);
        assert_null(f->mf->refs.rb_node);
        memfile_destroy(f->mf);
        free(f);
        return 0;
}

static void map_at(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags)
{
        assert_int_equal(mm_mmap(mm, addr, len, prot, flags | MAP_FIXED), (long)addr);
}

/* Fork f->parent into f->child and give the child its address space. */
static void do_fork(struct fixture *f)
{
        assert_int_equal(mm_fork(f->parent, NULL, 0, &f->child), 0);
        assert_null(mm_platform_as(f->child));
        assert_int_equal(mm_attach_platform(f->child, &fake_platform, NULL), 0);
}

static int rd(struct mm *mm, guest_ptr_t addr)
{
        return fake_guest_read(mm, addr);
}

static void wr(struct mm *mm, guest_ptr_t addr, uint8_t c)
{
        assert_int_equal(fake_guest_write(mm, addr, c), 0);
}

static bool cow_at(struct mm *mm, guest_ptr_t addr)
{
        return pma_lookup(&mm->pmas, addr)->cow;
}

/* ---- the basics -------------------------------------------------------------- */

static void test_fork_write_in_child_copies_only_that_page(void **state)
{
        struct fixture *f = *state;

        map_at(f->parent, AT, 4 * PAGE_SIZE, RW, ANON);
        for (int i = 0; i < 4; i++)
                wr(f->parent, PG(i), 'p');
        ncalls = 0;
        do_fork(f);
        /* Parent: its writable mapping is write-protected, nothing copied. */
        assert_int_equal(calls[0].kind, CALL_PROTECT);
        assert_ptr_equal(calls[0].as, mm_platform_as(f->parent));
        assert_int_equal(calls[0].prot, PROT_READ);
        assert_int_equal(memfile_allocated(f->mf), 4 * PAGE_SIZE);
        /* Child: mapped read-only over the same pages. */
        assert_int_equal(fake_lookup(mm_platform_as(f->child), PG(0))->prot, PROT_READ);
        assert_int_equal(rd(f->child, PG(3)), 'p');

        wr(f->child, PG(1) + 7, 'c');
        assert_int_equal(memfile_allocated(f->mf), 5 * PAGE_SIZE);
        assert_int_equal(rd(f->child, PG(1) + 7), 'c');
        assert_int_equal(rd(f->child, PG(1)), 'p');     /* the copy kept the rest */
        assert_int_equal(rd(f->parent, PG(1) + 7), 0);
        assert_int_equal(rd(f->parent, PG(1)), 'p');
        assert_false(cow_at(f->child, PG(1)));
        assert_true(cow_at(f->child, PG(0)));
        assert_true(cow_at(f->child, PG(2)));
        assert_int_equal(f->child->vmas.count, 1);
}

static void test_fork_write_in_parent_does_not_affect_child(void **state)
{
        struct fixture *f = *state;

        map_at(f->parent, AT, 2 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(0), 'a');
        do_fork(f);
        wr(f->parent, PG(0), 'b');
        assert_int_equal(rd(f->parent, PG(0)), 'b');
        assert_int_equal(rd(f->child, PG(0)), 'a');
        /* The child now holds the only reference to the old page: its write
         * takes it in place. */
        uint64_t off = pma_lookup(&f->child->pmas, PG(0))->off;
        wr(f->child, PG(0), 'c');
        assert_int_equal(pma_lookup(&f->child->pmas, PG(0))->off, off);
        assert_int_equal(rd(f->parent, PG(0)), 'b');
        assert_int_equal(memfile_allocated(f->mf), 3 * PAGE_SIZE);
}

static void test_last_reference_writes_in_place_whole_piece(void **state)
{
        struct fixture *f = *state;
        uint64_t off;

        map_at(f->parent, AT, 8 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(0), 'x');
        off = pma_lookup(&f->parent->pmas, AT)->off;
        do_fork(f);
        f->child = mm_unref(f->child);          /* the child exec'd or exited */
        ncalls = 0;
        wr(f->parent, PG(5), 'y');
        /* No copy, no remap: one protect gives back the whole piece. */
        assert_int_equal(memfile_allocated(f->mf), 8 * PAGE_SIZE);
        assert_int_equal(ncalls, 1);
        assert_int_equal(calls[0].kind, CALL_PROTECT);
        assert_int_equal(calls[0].addr, AT);
        assert_int_equal(calls[0].len, 8 * PAGE_SIZE);
        assert_int_equal(calls[0].prot, RW);
        assert_int_equal(f->parent->pmas.count, 1);
        assert_false(cow_at(f->parent, AT));
        assert_int_equal(pma_lookup(&f->parent->pmas, AT)->off, off);
        assert_int_equal(rd(f->parent, PG(0)), 'x');
}

/* ---- copies at fork ---------------------------------------------------------- */

/* A small private writable VMA the parent owns alone: the child gets its own
 * copy of the written pages at once; the parent is not write-protected and
 * neither side breaks copy-on-write later. */
static void test_fork_copies_small_private_vma(void **state)
{
        struct fixture *f = *state;

        mm_fork_tuning.copy_max = 512 * 1024;
        map_at(f->parent, AT, 4 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(0), 'p');
        wr(f->parent, PG(1) + 9, 'q');
        ncalls = 0;
        assert_int_equal(mm_fork(f->parent, NULL, 0, &f->child), 0);
        assert_int_equal(ncalls, 0);                    /* nothing done to the parent */
        assert_int_equal(mm_attach_platform(f->child, &fake_platform, NULL), 0);
        assert_false(cow_at(f->parent, PG(0)));
        assert_false(cow_at(f->child, PG(0)));
        assert_int_equal(fake_lookup(mm_platform_as(f->child), PG(0))->prot, RW);
        assert_int_equal(memfile_allocated(f->mf), 8 * PAGE_SIZE);
        assert_int_equal(rd(f->child, PG(0)), 'p');
        assert_int_equal(rd(f->child, PG(1) + 9), 'q');
        assert_int_equal(rd(f->child, PG(3)), 0);

        wr(f->parent, PG(0), 'P');
        wr(f->child, PG(1) + 9, 'c');
        wr(f->child, PG(2), 'c');
        assert_int_equal(rd(f->child, PG(0)), 'p');
        assert_int_equal(rd(f->parent, PG(0)), 'P');
        assert_int_equal(rd(f->parent, PG(1) + 9), 'q');
        assert_int_equal(rd(f->parent, PG(2)), 0);
        assert_int_equal(memfile_allocated(f->mf), 8 * PAGE_SIZE);     /* no cow copy */
}

/* Past the budget a VMA is shared copy-on-write as before; a later one that
 * fits what is left is still copied. */
static void test_fork_copy_budget_shares_the_rest(void **state)
{
        struct fixture *f = *state;

        mm_fork_tuning.copy_max = 2 * PAGE_SIZE;
        map_at(f->parent, AT, 4 * PAGE_SIZE, RW, ANON);
        map_at(f->parent, PG(8), PAGE_SIZE, RW, ANON);
        for (int i = 0; i < 4; i++)
                wr(f->parent, PG(i), 'a');
        wr(f->parent, PG(8), 'b');
        ncalls = 0;
        do_fork(f);
        assert_int_equal(calls[0].kind, CALL_PROTECT);  /* the big one only */
        assert_int_equal(calls[0].addr, AT);
        assert_int_equal(calls[0].len, 4 * PAGE_SIZE);
        assert_true(cow_at(f->parent, PG(0)));
        assert_true(cow_at(f->child, PG(0)));
        assert_false(cow_at(f->parent, PG(8)));
        assert_false(cow_at(f->child, PG(8)));
        assert_int_equal(rd(f->child, PG(3)), 'a');
        assert_int_equal(rd(f->child, PG(8)), 'b');
        wr(f->child, PG(8), 'c');
        assert_int_equal(rd(f->parent, PG(8)), 'b');
}

static void test_fork_shares_map_shared_anon(void **state)
{
        struct fixture *f = *state;

        map_at(f->parent, AT, 2 * PAGE_SIZE, RW, SHARED_ANON);
        wr(f->parent, PG(0), 's');
        ncalls = 0;
        do_fork(f);
        for (int i = 0; i < ncalls; i++)
                assert_int_not_equal(calls[i].kind, CALL_PROTECT);
        assert_int_equal(fake_lookup(mm_platform_as(f->child), PG(0))->prot, RW);
        wr(f->child, PG(1), 't');
        assert_int_equal(rd(f->parent, PG(1)), 't');
        wr(f->parent, PG(0), 'u');
        assert_int_equal(rd(f->child, PG(0)), 'u');
        assert_int_equal(memfile_allocated(f->mf), 2 * PAGE_SIZE);
        /* DONTNEED keeps shared pages; the parent unmapping keeps the child's. */
        assert_int_equal(mm_munmap(f->parent, AT, 2 * PAGE_SIZE), 0);
        assert_int_equal(rd(f->child, PG(0)), 'u');
        assert_int_equal(memfile_allocated(f->mf), 2 * PAGE_SIZE);
}

static void test_fork_dontfork_and_wipeonfork(void **state)
{
        struct fixture *f = *state;

        map_at(f->parent, AT, 3 * PAGE_SIZE, RW, ANON);
        for (int i = 0; i < 3; i++)
                wr(f->parent, PG(i), (uint8_t)('0' + i));
        assert_int_equal(mm_madvise(f->parent, PG(0), PAGE_SIZE, MADV_DONTFORK), 0);
        assert_int_equal(mm_madvise(f->parent, PG(1), PAGE_SIZE, MADV_WIPEONFORK), 0);
        do_fork(f);
        assert_null(vma_lookup(&f->child->vmas, PG(0)));
        assert_int_equal(rd(f->child, PG(0)), -EFAULT);
        assert_int_equal(rd(f->child, PG(1)), 0);
        assert_true(vma_lookup(&f->child->vmas, PG(1))->flags & VMA_WIPEONFORK);
        assert_int_equal(rd(f->child, PG(2)), '2');
        /* The parent keeps its pages; the DONTFORK one stays writable. */
        assert_int_equal(rd(f->parent, PG(1)), '1');
        assert_false(cow_at(f->parent, PG(0)));
        assert_int_equal(fake_lookup(mm_platform_as(f->parent), PG(0))->prot, RW);
        wr(f->child, PG(1), 'w');
        assert_int_equal(rd(f->parent, PG(1)), '1');
}

static void test_munmap_in_child_keeps_parent_pages(void **state)
{
        struct fixture *f = *state;

        map_at(f->parent, AT, 4 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(2), 'k');
        do_fork(f);
        assert_int_equal(mm_munmap(f->child, AT, 4 * PAGE_SIZE), 0);
        assert_int_equal(f->child->pmas.count, 0);
        assert_int_equal(rd(f->parent, PG(2)), 'k');
        assert_int_equal(memfile_allocated(f->mf), 4 * PAGE_SIZE);
        /* Sole owner again: written in place. */
        wr(f->parent, PG(2), 'l');
        assert_int_equal(memfile_allocated(f->mf), 4 * PAGE_SIZE);
        /* And freed when the parent lets go. */
        assert_int_equal(mm_munmap(f->parent, AT, 4 * PAGE_SIZE), 0);
        assert_int_equal(memfile_allocated(f->mf), 0);
}

static void test_second_fork_shares_three_ways_without_protect(void **state)
{
        struct fixture *f = *state;
        struct mm *second;

        map_at(f->parent, AT, 2 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(0), 'a');
        do_fork(f);
        ncalls = 0;
        assert_int_equal(mm_fork(f->parent, NULL, 0, &second), 0);
        assert_int_equal(ncalls, 0);            /* already read-only in the parent */
        assert_int_equal(mm_attach_platform(second, &fake_platform, NULL), 0);
        assert_int_equal(memfile_refcount(f->mf, pma_lookup(&f->parent->pmas, AT)->off), 3);
        wr(f->child, PG(0), 'b');
        wr(second, PG(0), 'c');
        assert_int_equal(rd(f->parent, PG(0)), 'a');
        wr(f->parent, PG(0), 'd');              /* the last reference: in place */
        assert_int_equal(rd(f->child, PG(0)), 'b');
        assert_int_equal(rd(second, PG(0)), 'c');
        assert_int_equal(memfile_allocated(f->mf), 4 * PAGE_SIZE);
        mm_unref(second);
}

/* Hot pages (what both sides write first): the child's own copy at fork,
 * the parent's page writable again; the rest stays copy-on-write. Addresses
 * outside a private writable mapping, or twice the same page, change
 * nothing. */
static void test_fork_copies_hot_pages_at_once(void **state)
{
        struct fixture *f = *state;
        guest_ptr_t hot[] = { PG(1) + 8, PG(1) + 100, PG(3), PG(5), PG(7), AT - PAGE_SIZE };

        map_at(f->parent, AT, 4 * PAGE_SIZE, RW, ANON);
        map_at(f->parent, PG(5), PAGE_SIZE, RW, SHARED_ANON);
        map_at(f->parent, PG(7), PAGE_SIZE, PROT_READ, ANON);
        for (int i = 0; i < 4; i++)
                wr(f->parent, PG(i), 'a' + i);
        wr(f->parent, PG(5), 's');
        assert_int_equal(mm_fork(f->parent, hot, 6, &f->child), 0);
        assert_int_equal(mm_attach_platform(f->child, &fake_platform, NULL), 0);
        /* 4 + 1 + 1 pages, and a copy of PG(1) and PG(3) each. */
        assert_int_equal(memfile_allocated(f->mf), 8 * PAGE_SIZE);
        for (int i = 0; i < 4; i++) {
                bool hot_page = i == 1 || i == 3;

                assert_int_equal(cow_at(f->parent, PG(i)), !hot_page);
                assert_int_equal(cow_at(f->child, PG(i)), !hot_page);
                assert_int_equal(fake_lookup(mm_platform_as(f->parent), PG(i))->prot,
                                 hot_page ? RW : PROT_READ);
                assert_int_equal(fake_lookup(mm_platform_as(f->child), PG(i))->prot,
                                 hot_page ? RW : PROT_READ);
                assert_int_equal(rd(f->child, PG(i)), 'a' + i);
        }
        assert_int_not_equal(pma_lookup(&f->parent->pmas, PG(1))->off,
                             pma_lookup(&f->child->pmas, PG(1))->off);
        /* Writes stay on their side, and cost no copy. */
        wr(f->parent, PG(1), 'P');
        wr(f->child, PG(3), 'C');
        assert_int_equal(rd(f->child, PG(1)), 'b');
        assert_int_equal(rd(f->parent, PG(3)), 'd');
        assert_int_equal(memfile_allocated(f->mf), 8 * PAGE_SIZE);
        /* The shared page is the same page on both sides. */
        wr(f->child, PG(5), 'S');
        assert_int_equal(rd(f->parent, PG(5)), 'S');
}

/* A hot page still shared with an earlier child: the new child gets its
 * copy, the parent's page stays copy-on-write (the earlier child has it). */
static void test_hot_page_shared_with_earlier_child_stays_cow(void **state)
{
        struct fixture *f = *state;
        guest_ptr_t hot[] = { PG(0) };
        struct mm *second;

        map_at(f->parent, AT, 2 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(0), 'a');
        do_fork(f);
        assert_int_equal(mm_fork(f->parent, hot, 1, &second), 0);
        assert_int_equal(mm_attach_platform(second, &fake_platform, NULL), 0);
        assert_false(cow_at(second, PG(0)));
        assert_true(cow_at(f->parent, PG(0)));
        assert_int_equal(fake_lookup(mm_platform_as(f->parent), PG(0))->prot, PROT_READ);
        wr(f->parent, PG(0), 'p');
        assert_int_equal(rd(f->child, PG(0)), 'a');
        assert_int_equal(rd(second, PG(0)), 'a');
        mm_unref(second);
}

static void test_child_without_platform_forks_grandchild(void **state)
{
        struct fixture *f = *state;
        struct mm *grandchild;

        map_at(f->parent, AT, 2 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(0), 'g');
        assert_int_equal(mm_fork(f->parent, NULL, 0, &f->child), 0);
        /* Before attach: system calls work on the trees alone. */
        assert_int_equal(mm_munmap(f->child, PG(1), PAGE_SIZE), 0);
        assert_int_equal(mm_fork(f->child, NULL, 0, &grandchild), 0);
        assert_int_equal(mm_attach_platform(grandchild, &fake_platform, NULL), 0);
        assert_int_equal(mm_attach_platform(grandchild, &fake_platform, NULL), -EBUSY);
        assert_int_equal(rd(grandchild, PG(0)), 'g');
        wr(grandchild, PG(0), 'h');
        assert_int_equal(rd(f->parent, PG(0)), 'g');
        assert_int_equal(mm_attach_platform(f->child, &fake_platform, NULL), 0);
        assert_int_equal(rd(f->child, PG(0)), 'g');
        assert_int_equal(rd(f->child, PG(1)), -EFAULT);
        mm_unref(grandchild);
}

static void test_fork_failure_leaves_parent_whole(void **state)
{
        struct fixture *f = *state;
        struct mm *child = NULL;

        map_at(f->parent, AT, 2 * PAGE_SIZE, RW, ANON);
        map_at(f->parent, PG(4), 2 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(4), 'f');
        ncalls = 0;
        fail_next = -EIO;               /* the first write-protect */
        assert_int_equal(mm_fork(f->parent, NULL, 0, &child), -EIO);
        assert_null(child);
        assert_int_equal(memfile_allocated(f->mf), 4 * PAGE_SIZE);
        wr(f->parent, PG(4), 'g');
        assert_int_equal(rd(f->parent, PG(4)), 'g');
        assert_int_equal(memfile_allocated(f->mf), 4 * PAGE_SIZE);
}

/* ---- faults ---------------------------------------------------------------- */

static void test_real_faults_return_efault(void **state)
{
        struct fixture *f = *state;

        map_at(f->parent, AT, PAGE_SIZE, PROT_READ, ANON);
        map_at(f->parent, PG(1), PAGE_SIZE, RW, ANON);
        do_fork(f);
        assert_int_equal(mm_handle_fault(f->child, PG(8), 0), -EFAULT);        /* unmapped */
        assert_int_equal(mm_handle_fault(f->child, PG(0), 0), -EFAULT);        /* read-only */
        assert_int_equal(fake_guest_write(f->child, PG(0), 1), -EFAULT);
        assert_int_equal(mm_handle_fault(f->child, PG(1), PLATFORM_ACCESS_EXEC), -EFAULT);
        /* Not cow and writable: one retry (a race with another thread's
         * break), then real. */
        wr(f->child, PG(1), 1);
        assert_int_equal(mm_handle_fault(f->child, PG(1), 0), 0);
        assert_int_equal(mm_handle_fault(f->child, PG(1), 0), -EFAULT);
}

static void test_write_reported_as_exec_in_rwx_page_is_cow(void **state)
{
        struct fixture *f = *state;

        /* ptrace says EXEC when si_addr == rip: a write to the instruction's
         * own address in a JIT's RWX page. */
        map_at(f->parent, AT, PAGE_SIZE, RW | PROT_EXEC, ANON);
        do_fork(f);
        assert_int_equal(fake_lookup(mm_platform_as(f->child), AT)->prot, PROT_READ | PROT_EXEC);
        assert_int_equal(mm_handle_fault(f->child, AT, PLATFORM_ACCESS_EXEC), 0);
        assert_int_equal(fake_lookup(mm_platform_as(f->child), AT)->prot, RW | PROT_EXEC);
}

static void test_mprotect_keeps_cow_pages_read_only(void **state)
{
        struct fixture *f = *state;

        map_at(f->parent, AT, 4 * PAGE_SIZE, PROT_READ, ANON);
        do_fork(f);
        ncalls = 0;
        assert_int_equal(mm_mprotect(f->child, AT, 4 * PAGE_SIZE, RW), 0);
        assert_int_equal(ncalls, 1);
        assert_int_equal(calls[0].prot, PROT_READ);     /* all still cow */
        wr(f->child, PG(2), 'm');
        assert_int_equal(rd(f->parent, PG(2)), 0);
        ncalls = 0;
        assert_int_equal(mm_mprotect(f->child, AT, 4 * PAGE_SIZE, RW | PROT_EXEC), 0);
        assert_int_equal(ncalls, 3);                    /* cow, copied, cow */
        assert_int_equal(fake_lookup(mm_platform_as(f->child), PG(2))->prot, RW | PROT_EXEC);
        assert_int_equal(fake_lookup(mm_platform_as(f->child), PG(3))->prot,
                         PROT_READ | PROT_EXEC);
}

static void test_mremap_moves_cow_pages(void **state)
{
        struct fixture *f = *state;
        long r;

        map_at(f->parent, AT, 2 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(0), 'r');
        do_fork(f);
        r = mm_mremap(f->child, AT, 2 * PAGE_SIZE, 4 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
                      PG(16));
        assert_int_equal(r, (long)PG(16));
        assert_true(cow_at(f->child, PG(16)));
        assert_false(cow_at(f->child, PG(18)));         /* the grown part is fresh */
        assert_int_equal(rd(f->child, PG(16)), 'r');
        wr(f->child, PG(16), 's');
        assert_int_equal(rd(f->parent, PG(0)), 'r');
        wr(f->child, PG(19), 't');
        assert_int_equal(f->child->vmas.count, 1);
}

static void test_dontneed_on_cow_page_keeps_other_side(void **state)
{
        struct fixture *f = *state;

        map_at(f->parent, AT, 2 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(0), 'd');
        wr(f->parent, PG(1), 'e');
        do_fork(f);
        assert_int_equal(mm_madvise(f->child, AT, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
        assert_int_equal(rd(f->child, PG(0)), 0);
        assert_int_equal(rd(f->parent, PG(0)), 'd');
        /* Now the parent's alone: DONTNEED there zeroes in place. */
        assert_int_equal(mm_madvise(f->parent, PG(1), PAGE_SIZE, MADV_DONTNEED), 0);
        assert_int_equal(rd(f->parent, PG(1)), 0);
        assert_int_equal(rd(f->parent, PG(0)), 'd');
        assert_int_equal(memfile_allocated(f->mf), 4 * PAGE_SIZE);
}

/* ---- the sentry writing guest memory ------------------------------------------ */

static void test_copy_out_into_cow_page_breaks_cow(void **state)
{
        struct fixture *f = *state;
        char buf[16];

        map_at(f->parent, AT, 4 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(1), 'o');
        do_fork(f);
        ncalls = 0;
        assert_int_equal(mm_copy_out(f->child, PG(1) - 3, "hello", 6), 0);
        /* Two pages copied, in one go, and remapped writable in the child. */
        assert_int_equal(ncalls, 1);
        assert_int_equal(calls[0].kind, CALL_MAP);
        assert_ptr_equal(calls[0].as, mm_platform_as(f->child));
        assert_int_equal(calls[0].addr, PG(0));
        assert_int_equal(calls[0].len, 2 * PAGE_SIZE);
        assert_int_equal(calls[0].prot, RW);
        assert_int_equal(mm_copy_in(f->child, buf, PG(1) - 3, 6), 0);
        assert_string_equal(buf, "hello");
        assert_int_equal(mm_copy_in(f->parent, buf, PG(1) - 3, 6), 0);
        assert_memory_equal(buf, "\0\0\0o\0\0", 6);
        /* What the guest sees is what the sentry wrote. */
        assert_int_equal(rd(f->child, PG(1)), 'l');
        /* Force (signal frames, the loader) breaks it too. */
        assert_int_equal(mm_copy_out_force(f->parent, PG(3), "x", 1), 0);
        assert_int_equal(rd(f->child, PG(3)), 0);
        /* The child's old pages were deferred, then dropped at the unlock. */
        assert_int_equal(f->child->ndeferred, 0);
        assert_int_equal(memfile_allocated(f->mf), 7 * PAGE_SIZE);
}

static void test_translate_for_write_breaks_cow_read_does_not(void **state)
{
        struct fixture *f = *state;
        struct iovec iov[4];
        size_t len;

        map_at(f->parent, AT, 2 * PAGE_SIZE, RW, ANON);
        wr(f->parent, PG(0), 'v');
        do_fork(f);
        mm_lock_read(f->parent);
        assert_int_equal(mm_translate(f->parent, AT, 2 * PAGE_SIZE, PLATFORM_ACCESS_READ,
                                      iov, 4, &len), 1);
        assert_true(cow_at(f->parent, AT));
        assert_int_equal(mm_translate(f->parent, AT, 2 * PAGE_SIZE, PLATFORM_ACCESS_WRITE,
                                      iov, 4, &len), 1);
        assert_int_equal(len, 2 * PAGE_SIZE);
        assert_false(cow_at(f->parent, AT));
        /* A reader may still hold the old pages: their reference waits. */
        assert_int_equal(f->parent->ndeferred, 1);
        memcpy(iov[0].iov_base, "w", 1);        /* a read(2) into guest memory */
        mm_unlock_read(f->parent);
        assert_int_equal(f->parent->ndeferred, 0);
        assert_int_equal(rd(f->parent, PG(0)), 'w');
        assert_int_equal(rd(f->child, PG(0)), 'v');
        /* The child holds the old pages alone now. */
        assert_int_equal(memfile_allocated(f->mf), 4 * PAGE_SIZE);
}

/* ---- threads ------------------------------------------------------------------ */

struct racer {
        struct mm *mm;
        int id;
};

/* Writes its own byte into every page, through copy-out (breaks under the
 * read lock) or translate-for-write; then checks them all. */
static void *race_writer(void *arg)
{
        struct racer *r = arg;

        for (int round = 0; round < 50; round++)
                for (int i = 0; i < 16; i++) {
                        uint8_t c = (uint8_t)(r->id * 16 + i);
                        guest_ptr_t a = PG(i) + (uint64_t)r->id;

                        if (round % 2) {
                                assert_int_equal(mm_copy_out(r->mm, a, &c, 1), 0);
                        } else {
                                struct iovec iov;
                                size_t len;
                                mm_lock_read(r->mm);
                                assert_int_equal(mm_translate(r->mm, a, 1, PLATFORM_ACCESS_WRITE,
                                                              &iov, 1, &len), 1);
                                *(uint8_t *)iov.iov_base = c;
                                mm_unlock_read(r->mm);
                        }
                }
        return NULL;
}

/* Holds translations for reading across other threads' breaks. */
static void *race_reader(void *arg)
{
        struct racer *r = arg;

        for (int round = 0; round < 200; round++) {
                struct iovec iov[16];
                size_t len;
                mm_lock_read(r->mm);
                int n = mm_translate(r->mm, AT, 16 * PAGE_SIZE, PLATFORM_ACCESS_READ, iov, 16, &len);
                assert_true(n > 0);
                assert_int_equal(len, 16 * PAGE_SIZE);
                /* The pages stay readable while the lock is held. */
                for (int k = 0; k < n; k++)
                        assert_int_equal(((uint8_t *)iov[k].iov_base)[100], 'P');
                mm_unlock_read(r->mm);
        }
        return NULL;
}

static void test_breaks_under_read_lock_race_with_readers(void **state)
{
        struct fixture *f = *state;
        struct racer rs[4];
        pthread_t th[4];

        map_at(f->parent, AT, 16 * PAGE_SIZE, RW, ANON);
        for (int i = 0; i < 16; i++)
                wr(f->parent, PG(i) + 100, 'P');
        do_fork(f);
        for (int t = 0; t < 4; t++) {
                rs[t] = (struct racer){ t < 2 ? f->child : f->parent, t % 2 };
                assert_int_equal(pthread_create(&th[t], NULL,
                                                t == 3 ? race_reader : race_writer, &rs[t]), 0);
        }
        for (int t = 0; t < 4; t++)
                pthread_join(th[t], NULL);
        for (int i = 0; i < 16; i++) {
                assert_int_equal(rd(f->child, PG(i)), i);
                assert_int_equal(rd(f->child, PG(i) + 1), 16 + i);
                assert_int_equal(rd(f->parent, PG(i)), i);
                assert_int_equal(rd(f->parent, PG(i) + 100), 'P');
        }
        /* Alone now: a read unlock drops whatever is still deferred. */
        mm_lock_read(f->parent);
        mm_unlock_read(f->parent);
        mm_lock_read(f->child);
        mm_unlock_read(f->child);
        assert_int_equal(f->parent->ndeferred, 0);
        assert_int_equal(f->child->ndeferred, 0);
        assert_int_equal(memfile_allocated(f->mf), 32 * PAGE_SIZE);
}

/* ---- size ------------------------------------------------------------------- */

static void shuffle(uint32_t *a, size_t n)
{
        for (size_t i = n - 1; i > 0; i--) {
                size_t j = (size_t)random() % (i + 1);
                uint32_t t = a[i];
                a[i] = a[j];
                a[j] = t;
        }
}

static void test_big_mapping_many_writes_keeps_backing_bounded(void **state)
{
        struct fixture *f = *state;
        const uint64_t len = 1ULL << 30, npages = 4096;
        guest_ptr_t base = 0x200000000ULL;
        uint32_t *order = calloc(npages, sizeof(*order));

        assert_non_null(order);
        map_at(f->parent, base, len, RW, ANON);
        wr(f->parent, base, 1);
        wr(f->parent, base + len - 1, 2);
        ncalls = 0;
        do_fork(f);
        /* O(VMAs + PMAs): one protect for the parent, one map for the child. */
        assert_int_equal(ncalls, 2);

        /* The child writes 16 MiB in the middle in random order, and 16 MiB at
         * the start in order; the parent writes 16 MiB at the end backwards. */
        srandom(7);
        for (uint32_t i = 0; i < npages; i++)
                order[i] = i;
        shuffle(order, npages);
        guest_ptr_t mid = base + len / 2;
        for (uint64_t i = 0; i < npages; i++)
                wr(f->child, mid + order[i] * PAGE_SIZE, (uint8_t)order[i]);
        for (uint64_t i = 0; i < npages; i++)
                wr(f->child, base + i * PAGE_SIZE, 3);
        for (uint64_t i = npages; i-- > 0;)
                wr(f->parent, base + len - (npages - i) * PAGE_SIZE, 4);

        assert_int_equal(f->child->vmas.count, 1);
        assert_int_equal(f->parent->vmas.count, 1);
        /* Child: [copied][cow][copied][cow]; parent: [cow][copied]. */
        assert_true(f->child->pmas.count <= 4);
        assert_true(f->parent->pmas.count <= 2);
        assert_int_equal(memfile_allocated(f->mf), len + 3 * npages * PAGE_SIZE);
        assert_int_equal(rd(f->child, mid + 5 * PAGE_SIZE), 5);
        assert_int_equal(rd(f->parent, mid + 5 * PAGE_SIZE), 0);
        assert_int_equal(rd(f->child, base + len - 1), 2);
        assert_int_equal(rd(f->parent, base), 1);
        free(order);
}

/* ---- against a model ----------------------------------------------------------- */

#define NPG 48
#define RAND_AT 0x30000000ULL
#define RPG(i) (RAND_AT + (uint64_t)(i) * PAGE_SIZE)

struct model {
        bool mapped[NPG];
        int prot[NPG];
        uint8_t data[NPG];              /* byte at offset 100 of each page */
};

static void model_map(struct model *m, size_t a, size_t b, int prot)
{
        for (size_t i = a; i < b; i++) {
                m->mapped[i] = true;
                m->prot[i] = prot;
                m->data[i] = 0;
        }
}

/* The mm agrees with its model: through the sentry (copy_in), through the
 * guest's view (the fake stub), and the stub maps what the PMAs say. */
static void check(struct mm *mm, const struct model *m)
{
        for (size_t i = 0; i < NPG; i++) {
                guest_ptr_t a = RPG(i);
                uint8_t c;

                assert_int_equal(vma_lookup(&mm->vmas, a) != NULL, m->mapped[i]);
                if (!m->mapped[i]) {
                        assert_null(pma_lookup(&mm->pmas, a));
                        assert_null(fake_lookup(mm_platform_as(mm), a));
                        continue;
                }
                struct vma *v = vma_lookup(&mm->vmas, a);
                struct pma *p = pma_lookup(&mm->pmas, a);
                struct fake_map *fm = fake_lookup(mm_platform_as(mm), a);
                assert_non_null(p);
                assert_non_null(fm);
                assert_int_equal(v->prot, m->prot[i]);
                assert_int_equal(fm->off + (a - fm->start), pma_off_of(p, a));
                assert_int_equal(fm->prot, mm_pma_prot(v, p));
                if (!p->cow && !(v->flags & VMA_SHARED))
                        assert_true(memfile_exclusive(mm->mf, pma_off_of(p, a), PAGE_SIZE));
                assert_int_equal(mm_copy_in(mm, &c, a + 100, 1), 0);
                assert_int_equal(c, m->data[i]);
                assert_int_equal(rd(mm, a + 100), m->data[i]);
        }
}

static void random_op(struct mm *mm, struct model *m)
{
        size_t a = (size_t)random() % NPG;
        size_t b = a + 1 + (size_t)random() % MIN(6, NPG - a);
        uint8_t c = (uint8_t)(1 + random() % 250);
        int prot = random() % 3 ? RW : PROT_READ;

        switch (random() % 8) {
        case 0: case 1:         /* the guest writes */
                if (m->mapped[a] && (m->prot[a] & PROT_WRITE)) {
                        wr(mm, RPG(a) + 100, c);
                        m->data[a] = c;
                } else
                        assert_int_equal(fake_guest_write(mm, RPG(a) + 100, c), -EFAULT);
                break;
        case 2:                 /* the sentry writes (read(2), signal frames) */
                if (m->mapped[a] && (m->prot[a] & PROT_WRITE)) {
                        assert_int_equal(mm_copy_out(mm, RPG(a) + 100, &c, 1), 0);
                        m->data[a] = c;
                }
                break;
        case 3:
                assert_int_equal(mm_munmap(mm, RPG(a), (b - a) * PAGE_SIZE), 0);
                for (size_t i = a; i < b; i++)
                        m->mapped[i] = false;
                break;
        case 4:
                map_at(mm, RPG(a), (b - a) * PAGE_SIZE, prot, ANON);
                model_map(m, a, b, prot);
                break;
        case 5: {
                /* Holes give -ENOMEM, after the mapped parts were done. */
                bool all = true;
                for (size_t i = a; i < b; i++) {
                        all &= m->mapped[i];
                        m->data[i] = 0;
                }
                assert_int_equal(mm_madvise(mm, RPG(a), (b - a) * PAGE_SIZE, MADV_DONTNEED),
                                 all ? 0 : -ENOMEM);
                break;
        }
        case 6: {
                bool all = true;
                for (size_t i = a; i < b; i++)
                        all &= m->mapped[i];
                assert_int_equal(mm_mprotect(mm, RPG(a), (b - a) * PAGE_SIZE, prot),
                                 all ? 0 : -ENOMEM);
                for (size_t i = a; all && i < b; i++)
                        m->prot[i] = prot;
                break;
        }
        default:                /* the guest reads */
                if (m->mapped[a])
                        assert_int_equal(rd(mm, RPG(a) + 100), m->data[a]);
                break;
        }
}

static void test_random_fork_write_unmap_match_model(void **state)
{
        struct fixture *f = *state;
        struct model pm = {}, cm = {};

        srandom(4242);
        for (int round = 0; round < 60; round++) {
                /* A fresh child from the parent's current state. */
                f->child = mm_unref(f->child);
                do_fork(f);
                cm = pm;
                for (int i = 0; i < 80; i++) {
                        if (random() % 2)
                                random_op(f->parent, &pm);
                        else
                                random_op(f->child, &cm);
                        if (i % 10 == 0) {
                                check(f->parent, &pm);
                                check(f->child, &cm);
                        }
                }
                check(f->parent, &pm);
                check(f->child, &cm);
                /* Sometimes the child carries on as the parent. */
                if (round % 5 == 4) {
                        struct mm *t = f->parent;
                        f->parent = f->child;
                        f->child = t;
                        pm = cm;
                }
        }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(test_fork_write_in_child_copies_only_that_page),
                T(test_fork_copies_small_private_vma),
                T(test_fork_copy_budget_shares_the_rest),
                T(test_fork_write_in_parent_does_not_affect_child),
                T(test_last_reference_writes_in_place_whole_piece),
                T(test_fork_shares_map_shared_anon),
                T(test_fork_dontfork_and_wipeonfork),
                T(test_munmap_in_child_keeps_parent_pages),
                T(test_second_fork_shares_three_ways_without_protect),
                T(test_fork_copies_hot_pages_at_once),
                T(test_hot_page_shared_with_earlier_child_stays_cow),
                T(test_child_without_platform_forks_grandchild),
                T(test_fork_failure_leaves_parent_whole),
                T(test_real_faults_return_efault),
                T(test_write_reported_as_exec_in_rwx_page_is_cow),
                T(test_mprotect_keeps_cow_pages_read_only),
                T(test_mremap_moves_cow_pages),
                T(test_dontneed_on_cow_page_keeps_other_side),
                T(test_copy_out_into_cow_page_breaks_cow),
                T(test_translate_for_write_breaks_cow_read_does_not),
                T(test_breaks_under_read_lock_race_with_readers),
                cmocka_unit_test_setup_teardown(test_big_mapping_many_writes_keeps_backing_bounded,
                                                setup_big, teardown),
                T(test_random_fork_write_unmap_match_model),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
