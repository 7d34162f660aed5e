/* Address spaces (sentry/mm) against a recording fake platform. */
#include <linux/mman.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "sentry/mm/internal.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#include "fake-platform.h"

struct fixture {
        struct memfile *mf;
        struct mm *mm;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        fake_platform.ops = &fake_ops;
        ncalls = 0;
        fail_next = 0;
        released = false;
        as_created = as_released = 0;
        if (!f || memfile_create(256 * PAGE_SIZE, &f->mf) < 0 ||
            mm_create(&fake_platform, f->mf, &f->mm) < 0)
                return -1;
        first_as = mm_platform_as(f->mm);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        mm_unref(f->mm);
        assert_true(released);
        assert_int_equal(as_released, as_created);
        assert_int_equal(memfile_allocated(f->mf), 0);
        memfile_destroy(f->mf);
        free(f);
        return 0;
}

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define FIXED_AT 0x10000000ULL

static guest_ptr_t map_fixed(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot)
{
        long r = mm_mmap(mm, addr, len, prot, ANON | MAP_FIXED);
        assert_int_equal(r, (long)addr);
        return addr;
}

/* ---- mmap ------------------------------------------------------------------ */

static void test_mmap_anon_maps_on_platform(void **state)
{
        struct fixture *f = *state;
        long r = mm_mmap(f->mm, 0, 3 * PAGE_SIZE, RW, ANON);

        assert_true(r > 0);
        assert_true(PAGE_ALIGNED((uint64_t)r));
        assert_true((uint64_t)r + 3 * PAGE_SIZE <= f->mm->mmap_base);
        assert_int_equal(ncalls, 1);
        assert_int_equal(calls[0].kind, CALL_MAP);
        assert_int_equal(calls[0].addr, (uint64_t)r);
        assert_int_equal(calls[0].len, 3 * PAGE_SIZE);
        assert_int_equal(calls[0].prot, RW);
        assert_int_equal(memfile_allocated(f->mf), 3 * PAGE_SIZE);
}

static void test_mmap_topdown_places_next_mapping_below(void **state)
{
        struct fixture *f = *state;
        long a = mm_mmap(f->mm, 0, PAGE_SIZE, RW, ANON);
        long b = mm_mmap(f->mm, 0, PAGE_SIZE, RW, ANON);

        assert_int_equal(b, a - (long)PAGE_SIZE);
}

static void test_mmap_len_zero_returns_einval(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_mmap(f->mm, 0, 0, RW, ANON), -EINVAL);
}

static void test_mmap_huge_len_returns_enomem(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_mmap(f->mm, 0, UINT64_MAX, RW, ANON), -ENOMEM);
        assert_int_equal(mm_mmap(f->mm, 0, 1ULL << 62, RW, ANON), -ENOMEM);
        assert_int_equal(ncalls, 0);
}

static void test_mmap_fixed_unaligned_returns_einval(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_mmap(f->mm, FIXED_AT + 1, PAGE_SIZE, RW, ANON | MAP_FIXED), -EINVAL);
}

static void test_mmap_fixed_past_end_returns_enomem(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_mmap(f->mm, GUEST_ADDR_MAX, PAGE_SIZE, RW, ANON | MAP_FIXED), -ENOMEM);
        assert_int_equal(mm_mmap(f->mm, UINT64_MAX & PAGE_MASK, 2 * PAGE_SIZE, RW,
                                 ANON | MAP_FIXED), -ENOMEM);
}

static void test_mmap_fixed_below_min_addr_returns_eperm(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_mmap(f->mm, 0, PAGE_SIZE, RW, ANON | MAP_FIXED), -EPERM);
}

static void test_mmap_without_type_returns_einval(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_mmap(f->mm, 0, PAGE_SIZE, RW, MAP_ANONYMOUS), -EINVAL);
        assert_int_equal(mm_mmap(f->mm, 0, PAGE_SIZE, RW,
                                 MAP_ANONYMOUS | MAP_SHARED | MAP_GROWSDOWN), -EINVAL);
        assert_int_equal(memfile_allocated(f->mf), 0);
}

static void test_mmap_fixed_noreplace_over_mapping_returns_eexist(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, 2 * PAGE_SIZE, RW);
        assert_int_equal(mm_mmap(f->mm, FIXED_AT + PAGE_SIZE, 2 * PAGE_SIZE, RW,
                                 ANON | MAP_FIXED_NOREPLACE), -EEXIST);
        assert_int_equal(mm_mmap(f->mm, FIXED_AT + 2 * PAGE_SIZE, PAGE_SIZE, RW,
                                 ANON | MAP_FIXED_NOREPLACE), (long)(FIXED_AT + 2 * PAGE_SIZE));
}

static void test_mmap_fixed_replaces_and_frees_old_pages(void **state)
{
        struct fixture *f = *state;
        char buf[8] = "abcdefg", out[8];

        map_fixed(f->mm, FIXED_AT, 4 * PAGE_SIZE, RW);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT + PAGE_SIZE, buf, 8), 0);
        map_fixed(f->mm, FIXED_AT + PAGE_SIZE, PAGE_SIZE, PROT_READ);
        assert_int_equal(memfile_allocated(f->mf), 4 * PAGE_SIZE);
        assert_int_equal(f->mm->vmas.count, 3);
        assert_int_equal(mm_copy_in(f->mm, out, FIXED_AT + PAGE_SIZE, 8), 0);
        assert_true(out[0] == 0);
}

static void test_mmap_hint_is_used_when_free(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_mmap(f->mm, FIXED_AT + 5, PAGE_SIZE, RW, ANON), (long)FIXED_AT);
        /* Taken now: the hint is ignored, not an error. */
        long r = mm_mmap(f->mm, FIXED_AT, PAGE_SIZE, RW, ANON);
        assert_true(r > 0 && (uint64_t)r != FIXED_AT);
}

static void test_mmap_32bit_lands_in_low_window(void **state)
{
        struct fixture *f = *state;
        long r = mm_mmap(f->mm, 0, PAGE_SIZE, RW, ANON | MAP_32BIT);

        assert_int_equal(r, (long)MM_32BIT_LOW);
}

static void test_mmap_when_memfile_full_returns_enomem(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_mmap(f->mm, 0, 512 * PAGE_SIZE, RW, ANON), -ENOMEM);
        assert_int_equal(ncalls, 0);
}

static void test_mmap_platform_failure_leaves_nothing(void **state)
{
        struct fixture *f = *state;

        fail_next = -EIO;
        assert_int_equal(mm_mmap(f->mm, 0, PAGE_SIZE, RW, ANON), -EIO);
        assert_int_equal(f->mm->vmas.count, 0);
        assert_int_equal(memfile_allocated(f->mf), 0);
}

/* ---- munmap ---------------------------------------------------------------- */

static void test_munmap_unaligned_returns_einval(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_munmap(f->mm, FIXED_AT + 1, PAGE_SIZE), -EINVAL);
        assert_int_equal(mm_munmap(f->mm, FIXED_AT, 0), -EINVAL);
        assert_int_equal(mm_munmap(f->mm, FIXED_AT, UINT64_MAX), -EINVAL);
}

static void test_munmap_of_nothing_returns_zero(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_munmap(f->mm, FIXED_AT, PAGE_SIZE), 0);
        assert_int_equal(ncalls, 0);
}

static void test_munmap_middle_leaves_hole(void **state)
{
        struct fixture *f = *state;
        char c = 1;

        map_fixed(f->mm, FIXED_AT, 3 * PAGE_SIZE, RW);
        ncalls = 0;
        assert_int_equal(mm_munmap(f->mm, FIXED_AT + PAGE_SIZE, PAGE_SIZE), 0);
        assert_int_equal(ncalls, 1);
        assert_int_equal(calls[0].kind, CALL_UNMAP);
        assert_int_equal(calls[0].addr, FIXED_AT + PAGE_SIZE);
        assert_int_equal(f->mm->vmas.count, 2);
        assert_int_equal(memfile_allocated(f->mf), 2 * PAGE_SIZE);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT + PAGE_SIZE, &c, 1), -EFAULT);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT + 2 * PAGE_SIZE, &c, 1), 0);
        /* A copy across the hole fails as a whole. */
        char buf[2 * PAGE_SIZE];
        assert_int_equal(mm_copy_in(f->mm, buf, FIXED_AT, sizeof(buf)), -EFAULT);
}

/* ---- mprotect ---------------------------------------------------------------- */

static void test_mprotect_unaligned_returns_einval(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT + 1, PAGE_SIZE, PROT_READ), -EINVAL);
}

static void test_mprotect_bad_prot_returns_einval(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT, PAGE_SIZE, 0x100), -EINVAL);
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT, PAGE_SIZE,
                                     PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), -EINVAL);
        /* Not a growsdown mapping. */
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT, PAGE_SIZE, PROT_READ | PROT_GROWSDOWN),
                         -EINVAL);
}

static void test_mprotect_hole_returns_enomem(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        map_fixed(f->mm, FIXED_AT + 2 * PAGE_SIZE, PAGE_SIZE, RW);
        ncalls = 0;
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT, 3 * PAGE_SIZE, PROT_READ), -ENOMEM);
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT + 4 * PAGE_SIZE, PAGE_SIZE, PROT_READ),
                         -ENOMEM);
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT, UINT64_MAX, PROT_READ), -ENOMEM);
        assert_int_equal(ncalls, 0);
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT, 0, PROT_READ), 0);
}

static void test_mprotect_readonly_blocks_copy_out_not_force(void **state)
{
        struct fixture *f = *state;
        char c = 'x', d = 0;

        map_fixed(f->mm, FIXED_AT, 3 * PAGE_SIZE, RW);
        ncalls = 0;
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
        assert_int_equal(ncalls, 1);
        assert_int_equal(calls[0].kind, CALL_PROTECT);
        assert_int_equal(calls[0].prot, PROT_READ);
        assert_int_equal(f->mm->vmas.count, 3);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT + PAGE_SIZE, &c, 1), -EFAULT);
        assert_int_equal(mm_copy_out_force(f->mm, FIXED_AT + PAGE_SIZE, &c, 1), 0);
        assert_int_equal(mm_copy_in(f->mm, &d, FIXED_AT + PAGE_SIZE, 1), 0);
        assert_int_equal(d, 'x');
        /* Back to RW: the three pieces merge again. */
        assert_int_equal(mm_mprotect(f->mm, FIXED_AT + PAGE_SIZE, PAGE_SIZE, RW), 0);
        assert_int_equal(f->mm->vmas.count, 1);
}

static void test_prot_none_blocks_copy_in(void **state)
{
        struct fixture *f = *state;
        char c;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, PROT_NONE);
        assert_int_equal(mm_copy_in(f->mm, &c, FIXED_AT, 1), -EFAULT);
        assert_int_equal(mm_copy_out_force(f->mm, FIXED_AT, &c, 1), 0);
        assert_int_equal(mm_copy_out_force(f->mm, FIXED_AT + PAGE_SIZE, &c, 1), -EFAULT);
}

/* ---- mremap ---------------------------------------------------------------- */

static void test_mremap_unmapped_returns_efault(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE, 0),
                         -EFAULT);
}

static void test_mremap_bad_arguments_return_einval(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, 2 * PAGE_SIZE, RW);
        assert_int_equal(mm_mremap(f->mm, FIXED_AT + 1, PAGE_SIZE, PAGE_SIZE, 0, 0), -EINVAL);
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, 0, 0, 0), -EINVAL);
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, PAGE_SIZE, 0x80, 0), -EINVAL);
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, PAGE_SIZE, MREMAP_FIXED,
                                   FIXED_AT + 16 * PAGE_SIZE), -EINVAL);
        /* Overlapping source and destination. */
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, 2 * PAGE_SIZE, 2 * PAGE_SIZE,
                                   MREMAP_MAYMOVE | MREMAP_FIXED, FIXED_AT + PAGE_SIZE), -EINVAL);
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, 2 * PAGE_SIZE,
                                   MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), -EINVAL);
        /* Beyond the VMA. */
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, 3 * PAGE_SIZE, 4 * PAGE_SIZE,
                                   MREMAP_MAYMOVE, 0), -EFAULT);
}

static void test_mremap_shrink_unmaps_tail(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, 4 * PAGE_SIZE, RW);
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, 4 * PAGE_SIZE, PAGE_SIZE, 0, 0), (long)FIXED_AT);
        assert_int_equal(memfile_allocated(f->mf), PAGE_SIZE);
        assert_null(vma_lookup(&f->mm->vmas, FIXED_AT + PAGE_SIZE));
}

static void test_mremap_grows_in_place_when_free(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, 3 * PAGE_SIZE, 0, 0), (long)FIXED_AT);
        assert_int_equal(f->mm->vmas.count, 1);
        assert_int_equal(vma_lookup(&f->mm->vmas, FIXED_AT)->end, FIXED_AT + 3 * PAGE_SIZE);
}

static void test_mremap_blocked_without_maymove_returns_enomem(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        map_fixed(f->mm, FIXED_AT + PAGE_SIZE, PAGE_SIZE, PROT_READ);
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, 2 * PAGE_SIZE, 0, 0), -ENOMEM);
}

static void test_mremap_grow_move_keeps_contents_in_one_vma(void **state)
{
        struct fixture *f = *state;
        char in[16] = "hello, mremap", out[16];
        long r;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        map_fixed(f->mm, FIXED_AT + PAGE_SIZE, PAGE_SIZE, PROT_READ);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT + 100, in, sizeof(in)), 0);
        uint64_t off = pma_lookup(&f->mm->pmas, FIXED_AT)->off;

        r = mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, 4 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
        assert_true(r > 0 && (uint64_t)r != FIXED_AT);
        assert_null(vma_lookup(&f->mm->vmas, FIXED_AT));
        /* The file has no room after the page (the blocker took it): the old
         * page moves without a copy, the rest is fresh pages elsewhere, and
         * the moved mapping is still one VMA. */
        assert_int_equal(pma_lookup(&f->mm->pmas, (uint64_t)r)->off, off);
        assert_int_equal(vma_lookup(&f->mm->vmas, (uint64_t)r)->start, (uint64_t)r);
        assert_int_equal(vma_lookup(&f->mm->vmas, (uint64_t)r)->end, (uint64_t)r + 4 * PAGE_SIZE);
        assert_int_equal(mm_copy_in(f->mm, out, (uint64_t)r + 100, sizeof(out)), 0);
        assert_memory_equal(in, out, sizeof(in));
        /* The grown part is zeroed and writable. */
        assert_int_equal(mm_copy_out(f->mm, (uint64_t)r + 3 * PAGE_SIZE, in, 1), 0);
        assert_int_equal(memfile_allocated(f->mf), 5 * PAGE_SIZE);
}

static void test_mremap_fixed_replaces_target(void **state)
{
        struct fixture *f = *state;
        guest_ptr_t dst = FIXED_AT + 64 * PAGE_SIZE;
        char c = 'q', d;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        map_fixed(f->mm, dst, 2 * PAGE_SIZE, PROT_READ);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT, &c, 1), 0);
        assert_int_equal(mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, PAGE_SIZE,
                                   MREMAP_MAYMOVE | MREMAP_FIXED, dst), (long)dst);
        assert_int_equal(mm_copy_in(f->mm, &d, dst, 1), 0);
        assert_int_equal(d, 'q');
        /* Only new_len of the old target is replaced; the source is gone. */
        assert_non_null(vma_lookup(&f->mm->vmas, dst + PAGE_SIZE));
        assert_null(vma_lookup(&f->mm->vmas, FIXED_AT));
        assert_int_equal(memfile_allocated(f->mf), 2 * PAGE_SIZE);
}

static void test_mremap_dontunmap_leaves_zeroed_source(void **state)
{
        struct fixture *f = *state;
        char c = 'z', d = 1;
        long r;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT, &c, 1), 0);
        r = mm_mremap(f->mm, FIXED_AT, PAGE_SIZE, PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
        assert_true(r > 0 && (uint64_t)r != FIXED_AT);
        assert_int_equal(mm_copy_in(f->mm, &d, (uint64_t)r, 1), 0);
        assert_int_equal(d, 'z');
        assert_int_equal(mm_copy_in(f->mm, &d, FIXED_AT, 1), 0);
        assert_int_equal(d, 0);
}

/* ---- madvise ---------------------------------------------------------------- */

static void test_madvise_dontneed_zeroes_private(void **state)
{
        struct fixture *f = *state;
        char c = 'm', d = 1;

        map_fixed(f->mm, FIXED_AT, 2 * PAGE_SIZE, RW);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT + PAGE_SIZE, &c, 1), 0);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
        assert_int_equal(mm_copy_in(f->mm, &d, FIXED_AT + PAGE_SIZE, 1), 0);
        assert_int_equal(d, 0);
}

static void test_madvise_dontneed_keeps_shared(void **state)
{
        struct fixture *f = *state;
        char c = 's', d = 0;

        assert_int_equal(mm_mmap(f->mm, FIXED_AT, PAGE_SIZE, RW,
                                 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED), (long)FIXED_AT);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT, &c, 1), 0);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT, PAGE_SIZE, MADV_DONTNEED), 0);
        assert_int_equal(mm_copy_in(f->mm, &d, FIXED_AT, 1), 0);
        assert_int_equal(d, 's');
        assert_int_equal(mm_madvise(f->mm, FIXED_AT, PAGE_SIZE, MADV_FREE), -EINVAL);
}

static void test_madvise_bad_arguments(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT, PAGE_SIZE, 999), -EINVAL);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT + 1, PAGE_SIZE, MADV_NORMAL), -EINVAL);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT, UINT64_MAX, MADV_NORMAL), -EINVAL);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT, 0, MADV_NORMAL), 0);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT, 2 * PAGE_SIZE, MADV_WILLNEED), -ENOMEM);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT, PAGE_SIZE, MADV_REMOVE), -EINVAL);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT, PAGE_SIZE, MADV_SEQUENTIAL), 0);
}

static void test_madvise_dontfork_splits_and_remerges(void **state)
{
        struct fixture *f = *state;

        map_fixed(f->mm, FIXED_AT, 3 * PAGE_SIZE, RW);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT + PAGE_SIZE, PAGE_SIZE, MADV_DONTFORK), 0);
        assert_int_equal(f->mm->vmas.count, 3);
        assert_true(vma_lookup(&f->mm->vmas, FIXED_AT + PAGE_SIZE)->flags & VMA_DONTFORK);
        assert_int_equal(mm_madvise(f->mm, FIXED_AT + PAGE_SIZE, PAGE_SIZE, MADV_DOFORK), 0);
        assert_int_equal(f->mm->vmas.count, 1);
}

/* ---- brk ------------------------------------------------------------------- */

static void test_brk_grows_shrinks_and_refuses_below_start(void **state)
{
        struct fixture *f = *state;
        guest_ptr_t start = FIXED_AT + 123;     /* rounded up to a page */
        guest_ptr_t base = FIXED_AT + PAGE_SIZE;
        char c = 'b';

        assert_int_equal(mm_brk(f->mm, 0), 0);  /* not initialised: no heap */
        mm_brk_init(f->mm, start);
        assert_int_equal(mm_brk(f->mm, 0), base);
        assert_int_equal(mm_brk(f->mm, base + 3 * PAGE_SIZE + 5), base + 3 * PAGE_SIZE + 5);
        assert_int_equal(mm_copy_out(f->mm, base + 3 * PAGE_SIZE + 4, &c, 1), 0);
        assert_int_equal(mm_brk(f->mm, base + 6 * PAGE_SIZE), base + 6 * PAGE_SIZE);
        assert_int_equal(f->mm->vmas.count, 1);        /* growth merged */
        assert_int_equal(mm_brk(f->mm, base + PAGE_SIZE), base + PAGE_SIZE);
        assert_int_equal(memfile_allocated(f->mf), PAGE_SIZE);
        assert_int_equal(mm_brk(f->mm, base - 1), base + PAGE_SIZE);
        /* A mapping in the way (with the guard page) stops growth. */
        map_fixed(f->mm, base + 4 * PAGE_SIZE, PAGE_SIZE, RW);
        assert_int_equal(mm_brk(f->mm, base + 4 * PAGE_SIZE), base + PAGE_SIZE);
        assert_int_equal(mm_brk(f->mm, base + 3 * PAGE_SIZE), base + 3 * PAGE_SIZE);
        assert_int_equal(mm_brk(f->mm, UINT64_MAX), base + 3 * PAGE_SIZE);
}

/* ---- copy, strings, translation --------------------------------------------- */

static void test_copy_spans_adjacent_vmas(void **state)
{
        struct fixture *f = *state;
        char in[PAGE_SIZE + 10], out[PAGE_SIZE + 10];

        memset(in, 'k', sizeof(in));
        map_fixed(f->mm, FIXED_AT, PAGE_SIZE, RW);
        map_fixed(f->mm, FIXED_AT + PAGE_SIZE, PAGE_SIZE, RW | PROT_EXEC);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT + 5, in, sizeof(in)), 0);
        assert_int_equal(mm_copy_in(f->mm, out, FIXED_AT + 5, sizeof(out)), 0);
        assert_memory_equal(in, out, sizeof(in));
        assert_int_equal(mm_copy_in(f->mm, out, UINT64_MAX - 3, 8), -EFAULT);
        assert_int_equal(mm_copy_in(f->mm, out, FIXED_AT, 0), 0);
}

static void test_strncpy_in_reads_across_pages(void **state)
{
        struct fixture *f = *state;
        char buf[32];

        map_fixed(f->mm, FIXED_AT, 2 * PAGE_SIZE, RW);
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT + PAGE_SIZE - 3, "abcdef", 7), 0);
        assert_int_equal(mm_strncpy_in(f->mm, buf, FIXED_AT + PAGE_SIZE - 3, sizeof(buf)), 6);
        assert_string_equal(buf, "abcdef");
        assert_int_equal(mm_strncpy_in(f->mm, buf, FIXED_AT + PAGE_SIZE - 3, 6), -ENAMETOOLONG);
        assert_int_equal(mm_strncpy_in(f->mm, buf, FIXED_AT + PAGE_SIZE - 3, 7), 6);
        /* Unterminated up to the end of the mapping. */
        char fill[8];
        memset(fill, 'x', sizeof(fill));
        assert_int_equal(mm_copy_out(f->mm, FIXED_AT + 2 * PAGE_SIZE - 8, fill, 8), 0);
        assert_int_equal(mm_strncpy_in(f->mm, buf, FIXED_AT + 2 * PAGE_SIZE - 8, sizeof(buf)),
                         -EFAULT);
}

static void test_translate_stops_at_first_inaccessible_byte(void **state)
{
        struct fixture *f = *state;
        struct iovec iov[4];
        size_t len;
        int n;

        map_fixed(f->mm, FIXED_AT, 2 * PAGE_SIZE, RW);
        map_fixed(f->mm, FIXED_AT + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ);
        mm_lock_read(f->mm);
        n = mm_translate(f->mm, FIXED_AT + 10, 4 * PAGE_SIZE, PLATFORM_ACCESS_WRITE, iov, 4, &len);
        assert_int_equal(n, 1);
        assert_int_equal(len, 2 * PAGE_SIZE - 10);
        assert_ptr_equal(iov[0].iov_base,
                         memfile_addr(f->mf, pma_lookup(&f->mm->pmas, FIXED_AT)->off + 10));
        n = mm_translate(f->mm, FIXED_AT, 4 * PAGE_SIZE, PLATFORM_ACCESS_READ, iov, 4, &len);
        assert_true(n >= 1);
        assert_int_equal(len, 3 * PAGE_SIZE);
        n = mm_translate(f->mm, FIXED_AT + 2 * PAGE_SIZE, 1, PLATFORM_ACCESS_WRITE, iov, 4, &len);
        assert_int_equal(n, -EFAULT);
        mm_unlock_read(f->mm);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(test_mmap_anon_maps_on_platform),
                T(test_mmap_topdown_places_next_mapping_below),
                T(test_mmap_len_zero_returns_einval),
                T(test_mmap_huge_len_returns_enomem),
                T(test_mmap_fixed_unaligned_returns_einval),
                T(test_mmap_fixed_past_end_returns_enomem),
                T(test_mmap_fixed_below_min_addr_returns_eperm),
                T(test_mmap_without_type_returns_einval),
                T(test_mmap_fixed_noreplace_over_mapping_returns_eexist),
                T(test_mmap_fixed_replaces_and_frees_old_pages),
                T(test_mmap_hint_is_used_when_free),
                T(test_mmap_32bit_lands_in_low_window),
                T(test_mmap_when_memfile_full_returns_enomem),
                T(test_mmap_platform_failure_leaves_nothing),
                T(test_munmap_unaligned_returns_einval),
                T(test_munmap_of_nothing_returns_zero),
                T(test_munmap_middle_leaves_hole),
                T(test_mprotect_unaligned_returns_einval),
                T(test_mprotect_bad_prot_returns_einval),
                T(test_mprotect_hole_returns_enomem),
                T(test_mprotect_readonly_blocks_copy_out_not_force),
                T(test_prot_none_blocks_copy_in),
                T(test_mremap_unmapped_returns_efault),
                T(test_mremap_bad_arguments_return_einval),
                T(test_mremap_shrink_unmaps_tail),
                T(test_mremap_grows_in_place_when_free),
                T(test_mremap_blocked_without_maymove_returns_enomem),
                T(test_mremap_grow_move_keeps_contents_in_one_vma),
                T(test_mremap_fixed_replaces_target),
                T(test_mremap_dontunmap_leaves_zeroed_source),
                T(test_madvise_dontneed_zeroes_private),
                T(test_madvise_dontneed_keeps_shared),
                T(test_madvise_bad_arguments),
                T(test_madvise_dontfork_splits_and_remerges),
                T(test_brk_grows_shrinks_and_refuses_below_start),
                T(test_copy_spans_adjacent_vmas),
                T(test_strncpy_in_reads_across_pages),
                T(test_translate_stops_at_first_inaccessible_byte),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
