/* File-backed mappings (sentry/mm filemap.c) through the mm API against the
 * fake platform and a fake file whose pages live in the memory file: private
 * copy-on-write semantics, shared coherence with the file, SIGBUS past EOF,
 * truncation taking pages away (also from a forked mm), and no leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "fake-platform.h"

#define RW (PROT_READ | PROT_WRITE)
#define AT 0x10000000ULL
#define PG(i) (AT + (uint64_t)(i) * PAGE_SIZE)
#define NPAGES 8

/* A file of up to NPAGES pages, each a memory-file page (or a hole). */
struct fake_file {
        struct mm_mappable map;
        struct memfile *mf;
        uint64_t size;
        uint64_t off[NPAGES];
        bool have[NPAGES];
        int refs;
        bool copy_only;         /* no get_page: pages only by ->read */
        bool full;              /* no room for new pages: -ENOSPC */
};

static struct fake_file *FF(struct mm_mappable *m)
{
        return container_of(m, struct fake_file, map);
}

static void ff_ref(struct mm_mappable *m) { FF(m)->refs++; }
static void ff_unref(struct mm_mappable *m) { FF(m)->refs--; }

static int ff_get_page(struct mm_mappable *m, struct memfile *mf, uint64_t pgoff, bool alloc,
                       uint64_t *ret_off)
{
        struct fake_file *f = FF(m);
        uint64_t i = pgoff / PAGE_SIZE;

        if (f->copy_only || mf != f->mf)
                return -ENODEV;
        if (pgoff >= f->size)
                return -ENXIO;
        if (!f->have[i]) {
                if (!alloc)
                        return -ENOENT;
                if (f->full)
                        return -ENOSPC;
                assert_int_equal(memfile_alloc(f->mf, PAGE_SIZE, &f->off[i]), 0);
                f->have[i] = true;
        }
        assert_int_equal(memfile_ref(mf, f->off[i], PAGE_SIZE), 0);
        *ret_off = f->off[i];
        return 0;
}

static int ff_read(struct mm_mappable *m, uint64_t pgoff, void *dst)
{
        struct fake_file *f = FF(m);
        uint64_t i = pgoff / PAGE_SIZE;

        if (pgoff >= f->size)
                return -ENXIO;
        if (f->have[i])
                memcpy(dst, memfile_addr(f->mf, f->off[i]), PAGE_SIZE);
        else
                memset(dst, 0, PAGE_SIZE);
        return 0;
}

static const struct mm_mappable_ops ff_ops = {
        .ref = ff_ref, .unref = ff_unref, .get_page = ff_get_page, .read = ff_read,
};

static char *ff_byte(struct fake_file *f, uint64_t pos)
{
        uint64_t i = pos / PAGE_SIZE;

        if (!f->have[i]) {
                assert_int_equal(memfile_alloc(f->mf, PAGE_SIZE, &f->off[i]), 0);
                f->have[i] = true;
        }
        return (char *)memfile_addr(f->mf, f->off[i]) + pos % PAGE_SIZE;
}

/* Like tmpfs's truncate: drop the file's pages past size, then unmap them. */
static void ff_truncate(struct fake_file *f, uint64_t size)
{
        for (uint64_t i = (size + PAGE_SIZE - 1) / PAGE_SIZE; i < NPAGES; i++)
                if (f->have[i]) {
                        memfile_unref(f->mf, f->off[i], PAGE_SIZE);
                        f->have[i] = false;
                }
        f->size = size;
        mm_mappable_unmap_from(&f->map, size);
}

struct fixture {
        struct memfile *mf;
        struct mm *mm, *child;
        struct fake_file file;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        fake_platform.ops = &fake_ops;
        ncalls = 0;
        fail_next = 0;
        if (!f || memfile_create(1024 * PAGE_SIZE, &f->mf) < 0 ||
            mm_create(&fake_platform, f->mf, &f->mm) < 0)
                return -1;
        mm_mappable_init(&f->file.map, &ff_ops);
        f->file.mf = f->mf;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        mm_unref(f->child);
        mm_unref(f->mm);
        /* The mms gave the file back. */
        assert_int_equal(f->file.refs, 0);
        assert_null(f->file.map.rmap);
        ff_truncate(&f->file, 0);
        assert_int_equal(memfile_allocated(f->mf), 0);
        mm_mappable_destroy(&f->file.map);
        memfile_destroy(f->mf);
        free(f);
        return 0;
}

static long map_file(struct fixture *f, struct mm *mm, uint64_t npages, int prot, int flags,
                     uint64_t off)
{
        struct mm_file_args fa = { .m = &f->file.map, .off = off,
                                   .readable = true, .writable = true };

        return mm_mmap_file(mm, AT, npages * PAGE_SIZE, prot, flags | MAP_FIXED, &fa);
}

/* The guest reads addr, faulting like the task loop: the byte, or the
 * fault handler's error (-EIO: SIGBUS, -EFAULT: SIGSEGV). */
static int guest_read(struct mm *mm, guest_ptr_t addr)
{
        int r = fake_guest_read(mm, addr);

        if (r != -EFAULT)
                return r;
        r = mm_handle_fault(mm, addr, PLATFORM_ACCESS_READ);
        return r < 0 ? r : fake_guest_read(mm, addr);
}

static void test_private_copy_on_write(void **state)
{
        struct fixture *f = *state;
        char c;

        f->file.size = 2 * PAGE_SIZE + 10;
        *ff_byte(&f->file, 0) = 'a';
        *ff_byte(&f->file, PAGE_SIZE) = 'b';
        *ff_byte(&f->file, 2 * PAGE_SIZE + 5) = 'c';
        assert_int_equal(map_file(f, f->mm, 4, RW, MAP_PRIVATE, 0), (long)AT);
        assert_int_equal(f->file.refs, 1);      /* one registration, not one per page */

        assert_int_equal(guest_read(f->mm, PG(0)), 'a');
        assert_int_equal(guest_read(f->mm, PG(2) + 5), 'c');
        assert_int_equal(guest_read(f->mm, PG(2) + 100), 0);
        assert_int_equal(guest_read(f->mm, PG(3)), -EIO);       /* past EOF: SIGBUS */

        /* A write copies: the file keeps its byte. */
        assert_int_equal(fake_guest_write(f->mm, PG(0), 'X'), 0);
        assert_int_equal(*ff_byte(&f->file, 0), 'a');
        assert_int_equal(guest_read(f->mm, PG(0)), 'X');
        /* The file's change shows where the mapping has not written. */
        *ff_byte(&f->file, PAGE_SIZE + 1) = 'Y';
        assert_int_equal(guest_read(f->mm, PG(1) + 1), 'Y');
        *ff_byte(&f->file, 1) = 'Z';
        assert_int_equal(guest_read(f->mm, PG(0) + 1), 0);

        /* copy-in stops at EOF's page. */
        assert_int_equal(mm_copy_in(f->mm, &c, PG(2) + 5, 1), 0);
        assert_int_equal(c, 'c');
        assert_int_equal(mm_copy_in(f->mm, &c, PG(3), 1), -EFAULT);
        assert_int_equal(mm_copy_out(f->mm, PG(1), "w", 1), 0);
        assert_int_equal(*ff_byte(&f->file, PAGE_SIZE), 'b');
}

static void test_private_by_copy_and_holes(void **state)
{
        struct fixture *f = *state;

        f->file.size = 3 * PAGE_SIZE;
        *ff_byte(&f->file, 0) = 'a';
        f->file.copy_only = true;               /* data not in this memory file */
        assert_int_equal(map_file(f, f->mm, 3, PROT_READ, MAP_PRIVATE, 0), (long)AT);
        assert_int_equal(guest_read(f->mm, PG(0)), 'a');
        *ff_byte(&f->file, 1) = 'b';            /* a copy: does not follow */
        assert_int_equal(guest_read(f->mm, PG(0) + 1), 0);
        assert_int_equal(guest_read(f->mm, PG(2)), 0);
        /* MAP_SHARED needs the file's own pages. */
        assert_int_equal(map_file(f, f->mm, 1, PROT_READ, MAP_SHARED, 0), -ENODEV);
        f->file.copy_only = false;
        /* A hole mapped privately is a zero page of the mapping's own. */
        assert_int_equal(map_file(f, f->mm, 3, RW, MAP_PRIVATE, 0), (long)AT);
        assert_false(f->file.have[1]);
        assert_int_equal(fake_guest_write(f->mm, PG(1), 'h'), 0);
        assert_false(f->file.have[1]);
}

static void test_shared_coherent(void **state)
{
        struct fixture *f = *state;

        f->file.size = 2 * PAGE_SIZE;
        *ff_byte(&f->file, 0) = 'a';
        assert_int_equal(map_file(f, f->mm, 2, RW, MAP_SHARED, 0), (long)AT);
        assert_true(f->file.have[1]);           /* the hole is the file's page now */
        assert_int_equal(guest_read(f->mm, PG(0)), 'a');
        assert_int_equal(fake_guest_write(f->mm, PG(1) + 3, 'm'), 0);
        assert_int_equal(*ff_byte(&f->file, PAGE_SIZE + 3), 'm');
        *ff_byte(&f->file, 7) = 'f';
        assert_int_equal(guest_read(f->mm, PG(0) + 7), 'f');
        assert_int_equal(mm_copy_out(f->mm, PG(0) + 8, "o", 1), 0);
        assert_int_equal(*ff_byte(&f->file, 8), 'o');
        /* A mapping longer than the file: the file grows, a fault populates. */
        assert_int_equal(map_file(f, f->mm, 3, RW, MAP_SHARED, 0), (long)AT);
        assert_int_equal(guest_read(f->mm, PG(2)), -EIO);
        f->file.size = 3 * PAGE_SIZE;
        assert_int_equal(fake_guest_write(f->mm, PG(2), 'g'), 0);
        assert_int_equal(*ff_byte(&f->file, 2 * PAGE_SIZE), 'g');
}

static void test_truncate_sigbus(void **state)
{
        struct fixture *f = *state;

        f->file.size = 4 * PAGE_SIZE;
        *ff_byte(&f->file, 3 * PAGE_SIZE) = 'z';
        assert_int_equal(map_file(f, f->mm, 4, RW, MAP_SHARED, 0), (long)AT);
        assert_int_equal(guest_read(f->mm, PG(3)), 'z');
        ff_truncate(&f->file, PAGE_SIZE + 1);
        assert_int_equal(guest_read(f->mm, PG(0)), 0);
        assert_int_equal(guest_read(f->mm, PG(1)), 0);
        assert_int_equal(guest_read(f->mm, PG(2)), -EIO);
        assert_int_equal(fake_guest_write(f->mm, PG(3), 'q'), -EIO);
        assert_int_equal(mm_copy_out(f->mm, PG(2), "x", 1), -EFAULT);
        /* Growing again: the pages come back, zero. */
        f->file.size = 4 * PAGE_SIZE;
        assert_int_equal(guest_read(f->mm, PG(3)), 0);
        assert_int_equal(fake_guest_write(f->mm, PG(3), 'q'), 0);
        assert_int_equal(*ff_byte(&f->file, 3 * PAGE_SIZE), 'q');
        /* mprotect and munmap work over partly populated file VMAs. */
        ff_truncate(&f->file, PAGE_SIZE);
        assert_int_equal(mm_mprotect(f->mm, AT, 4 * PAGE_SIZE, PROT_READ), 0);
        assert_int_equal(mm_munmap(f->mm, AT, 4 * PAGE_SIZE), 0);
        assert_int_equal(f->file.refs, 0);
}

static void test_truncate_reaches_forked_mm(void **state)
{
        struct fixture *f = *state;

        f->file.size = 2 * PAGE_SIZE;
        assert_int_equal(map_file(f, f->mm, 2, RW, MAP_SHARED, 0), (long)AT);
        assert_int_equal(mm_fork(f->mm, NULL, 0, &f->child), 0);
        assert_int_equal(mm_attach_platform(f->child, &fake_platform, NULL), 0);
        assert_int_equal(f->file.refs, 2);
        assert_int_equal(fake_guest_write(f->child, PG(1), 'k'), 0);
        assert_int_equal(guest_read(f->mm, PG(1)), 'k');
        ff_truncate(&f->file, PAGE_SIZE);
        assert_int_equal(guest_read(f->child, PG(1)), -EIO);
        assert_int_equal(guest_read(f->mm, PG(1)), -EIO);
        f->child = mm_unref(f->child);
        assert_int_equal(f->file.refs, 1);
}

static void test_vma_split_keeps_offsets(void **state)
{
        struct fixture *f = *state;

        f->file.size = 4 * PAGE_SIZE;
        for (int i = 0; i < 4; i++)
                *ff_byte(&f->file, (uint64_t)i * PAGE_SIZE) = (char)('0' + i);
        assert_int_equal(map_file(f, f->mm, 3, PROT_READ, MAP_PRIVATE, PAGE_SIZE), (long)AT);
        assert_int_equal(mm_mprotect(f->mm, PG(1), PAGE_SIZE, RW), 0);
        assert_int_equal(mm_munmap(f->mm, PG(0), PAGE_SIZE), 0);
        assert_int_equal(guest_read(f->mm, PG(1)), '2');
        assert_int_equal(guest_read(f->mm, PG(2)), '3');
        /* MADV_DONTNEED on a private file mapping reads the file again. */
        assert_int_equal(fake_guest_write(f->mm, PG(1), 'w'), 0);
        assert_int_equal(mm_madvise(f->mm, PG(1), PAGE_SIZE, MADV_DONTNEED), 0);
        assert_int_equal(guest_read(f->mm, PG(1)), '2');
}

/* A shared mapping over a hole the file has no room for: mmap succeeds,
 * the access is SIGBUS; room again, the page comes. */
static void test_shared_hole_enospc_sigbus(void **state)
{
        struct fixture *f = *state;

        f->file.size = 2 * PAGE_SIZE;
        *ff_byte(&f->file, 0) = 'a';
        f->file.full = true;
        assert_int_equal(map_file(f, f->mm, 2, RW, MAP_SHARED, 0), (long)AT);
        assert_int_equal(guest_read(f->mm, PG(0)), 'a');
        assert_int_equal(guest_read(f->mm, PG(1)), -EIO);
        f->file.full = false;
        assert_int_equal(fake_guest_write(f->mm, PG(1), 'n'), 0);
        assert_int_equal(*ff_byte(&f->file, PAGE_SIZE), 'n');
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_private_copy_on_write, setup, teardown),
                cmocka_unit_test_setup_teardown(test_private_by_copy_and_holes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_shared_coherent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_truncate_sigbus, setup, teardown),
                cmocka_unit_test_setup_teardown(test_truncate_reaches_forked_mm, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vma_split_keeps_offsets, setup, teardown),
                cmocka_unit_test_setup_teardown(test_shared_hole_enospc_sigbus, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
