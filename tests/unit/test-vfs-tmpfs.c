/* tmpfs file data: sparse reads, truncation, large offsets, SEEK_DATA/HOLE,
 * and link counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <linux/falloc.h>
#include <linux/magic.h>
#include <sys/statfs.h>

#include "sentry/mm/mm.h"
#include "vfs-helpers.h"

static struct file *open_rw(struct vfs_env *e, const char *name)
{
        struct file *f = NULL;

        assert_int_equal(vfs_open(&e->at, name, O_CREAT | O_RDWR, 0644, &f), 0);
        return f;
}

static int all_zero(const char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return 0;
        return 1;
}

static void test_sparse_reads_zero(void **state)
{
        static char buf[3 * 4096];
        struct vfs_env e;
        struct stat st;
        struct file *f;

        (void)state;
        env_setup(&e);
        f = open_rw(&e, "/f");
        assert_int_equal(file_pwrite(f, "x", 1, 2 * 4096 + 10), 1);
        assert_int_equal(vfs_stat(f, &st), 0);
        assert_int_equal(st.st_size, 2 * 4096 + 11);
        assert_int_equal(st.st_blocks, 8);
        memset(buf, 0xff, sizeof(buf));
        assert_int_equal(file_pread(f, buf, sizeof(buf), 0), 2 * 4096 + 11);
        assert_true(all_zero(buf, 2 * 4096 + 10));
        assert_int_equal(buf[2 * 4096 + 10], 'x');
        assert_int_equal(file_pread(f, buf, 10, 1 << 20), 0);
        file_unref(f);
        env_teardown(&e);
}

static void test_truncate_drops_data(void **state)
{
        char buf[8192];
        struct vfs_env e;
        struct stat st;
        struct file *f;

        (void)state;
        env_setup(&e);
        f = open_rw(&e, "/f");
        memset(buf, 'a', sizeof(buf));
        assert_int_equal(file_pwrite(f, buf, sizeof(buf), 0), sizeof(buf));
        assert_int_equal(vfs_do_truncate(f->path.dentry, 10), 0);
        assert_int_equal(vfs_stat(f, &st), 0);
        assert_int_equal(st.st_size, 10);
        assert_int_equal(st.st_blocks, 8);
        assert_int_equal(vfs_do_truncate(f->path.dentry, 8192), 0);
        assert_int_equal(file_pread(f, buf, sizeof(buf), 0), 8192);
        assert_int_equal(buf[9], 'a');
        assert_true(all_zero(buf + 10, 8192 - 10));
        assert_int_equal(vfs_do_truncate(f->path.dentry, 0), 0);
        assert_int_equal(vfs_stat(f, &st), 0);
        assert_int_equal(st.st_blocks, 0);
        file_unref(f);
        env_teardown(&e);
}

static void test_large_offsets(void **state)
{
        const int64_t big = (int64_t)1 << 50;
        char buf[4];
        struct vfs_env e;
        struct file *f;

        (void)state;
        env_setup(&e);
        f = open_rw(&e, "/f");
        assert_int_equal(file_pwrite(f, "abc", 3, big), 3);
        assert_int_equal(file_pread(f, buf, 3, big), 3);
        assert_memory_equal(buf, "abc", 3);
        assert_int_equal(vfs_llseek(f, 0, SEEK_DATA), big);
        assert_int_equal(vfs_llseek(f, 0, SEEK_HOLE), 0);
        assert_int_equal(vfs_llseek(f, big, SEEK_HOLE), big + 3);
        assert_int_equal(vfs_llseek(f, big + 3, SEEK_DATA), -ENXIO);
        assert_int_equal(vfs_llseek(f, 0, SEEK_END), big + 3);
        assert_int_equal(file_pwrite(f, "z", 1, INT64_MAX), -EFBIG);
        assert_int_equal(file_pwrite(f, "zz", 2, INT64_MAX - 1), 1);
        file_unref(f);
        env_teardown(&e);
}

static void test_links_and_unlinked_open_file(void **state)
{
        struct vfs_env e;
        struct stat st;
        struct file *f;
        char buf[4];

        (void)state;
        env_setup(&e);
        f = open_rw(&e, "/f");
        assert_int_equal(file_pwrite(f, "abc", 3, 0), 3);
        assert_int_equal(vfs_link(&e.at, "/f", 0, &e.at, "/g"), 0);
        assert_int_equal(vfs_stat(f, &st), 0);
        assert_int_equal(st.st_nlink, 2);
        assert_int_equal(vfs_unlink(&e.at, "/f"), 0);
        assert_int_equal(vfs_unlink(&e.at, "/g"), 0);
        assert_int_equal(vfs_stat(f, &st), 0);
        assert_int_equal(st.st_nlink, 0);
        assert_int_equal(file_pread(f, buf, 3, 0), 3);
        file_unref(f);

        assert_int_equal(vfs_mkdir(&e.at, "/d", 0755), 0);
        assert_int_equal(vfs_mkdir(&e.at, "/d/s", 0755), 0);
        f = open_rw(&e, "/d/s/file");
        file_unref(f);
        assert_int_equal(vfs_rmdir(&e.at, "/d"), -ENOTEMPTY);
        assert_int_equal(vfs_rename(&e.at, "/d/s", &e.at, "/s2", 0), 0);
        assert_int_equal(vfs_rmdir(&e.at, "/d"), 0);
        env_teardown(&e);
}

/* A namespace on a tmpfs mounted with options (and the data in a memory
 * file of the test's own, as the sandbox gives one). */
static void env_setup_opts(struct vfs_env *e, const char *options, struct memfile *mf)
{
        struct mnt_namespace *ns;

        assert_int_equal(mnt_ns_create_memfile("tmpfs", options, mf, &ns), 0);
        assert_int_equal(fs_context_create(ns, &e->fs), 0);
        mnt_ns_unref(ns);
        e->at = (struct vfs_at){ .fs = e->fs, .cred = &root_cred };
}

static void test_size_limit_enospc(void **state)
{
        static char buf[4 * 4096];
        struct memfile *mf;
        struct vfs_env e;
        struct file *f, *g;

        (void)state;
        assert_int_equal(memfile_create(1 << 24, &mf), 0);
        env_setup_opts(&e, "mode=0755,size=16k", mf);
        f = open_rw(&e, "/f");
        memset(buf, 'a', sizeof(buf));
        /* Four pages fit; the fifth is ENOSPC, a write across the limit is short. */
        assert_int_equal(file_pwrite(f, buf, 3 * 4096, 0), 3 * 4096);
        g = open_rw(&e, "/g");
        assert_int_equal(file_pwrite(g, buf, 2 * 4096, 0), 4096);
        assert_int_equal(file_pwrite(g, buf, 1, 8192), -ENOSPC);
        assert_int_equal(memfile_allocated(mf), 4 * 4096);
        /* Truncating gives the pages back, to the budget and to the memory file. */
        assert_int_equal(vfs_do_truncate(f->path.dentry, 0), 0);
        assert_int_equal(file_pwrite(g, buf, 3 * 4096, 4096), 3 * 4096);
        assert_int_equal(memfile_allocated(mf), 4 * 4096);
        /* Overwriting allocated pages needs no more room. */
        assert_int_equal(file_pwrite(g, buf, 4 * 4096, 0), 4 * 4096);
        file_unref(f);
        file_unref(g);
        env_teardown(&e);
        assert_int_equal(memfile_allocated(mf), 0);
        memfile_destroy(mf);
}

/* fallocate within the size= budget: all or nothing. */
static void test_fallocate_budget(void **state)
{
        static char buf[4096];
        struct memfile *mf;
        struct vfs_env e;
        struct file *f, *g;
        struct stat st;

        (void)state;
        assert_int_equal(memfile_create(1 << 24, &mf), 0);
        env_setup_opts(&e, "mode=0755,size=16k", mf);
        f = open_rw(&e, "/f");
        g = open_rw(&e, "/g");
        memset(buf, 'a', sizeof(buf));
        assert_int_equal(file_pwrite(f, buf, sizeof(buf), 4096), 4096);
        /* More than the whole budget: refused at once. */
        assert_int_equal(vfs_fallocate(g, 0, 0, 5 * 4096), -ENOSPC);
        /* Fits the budget but not what is left: the pages it got go back. */
        assert_int_equal(vfs_fallocate(g, 0, 0, 4 * 4096), -ENOSPC);
        assert_int_equal(vfs_stat(g, &st), 0);
        assert_int_equal(st.st_size, 0);
        assert_int_equal(st.st_blocks, 0);
        assert_int_equal(memfile_allocated(mf), 4096);
        /* Allocating around a page already there charges only the new ones. */
        assert_int_equal(vfs_fallocate(f, 0, 0, 4 * 4096), 0);
        assert_int_equal(vfs_stat(f, &st), 0);
        assert_int_equal(st.st_size, 4 * 4096);
        assert_int_equal(st.st_blocks, 32);
        assert_int_equal(file_pread(f, buf, 1, 4096), 1);
        assert_int_equal(buf[0], 'a');
        /* A punched hole gives its pages back to the budget. */
        assert_int_equal(vfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2 * 4096), 0);
        assert_int_equal(vfs_fallocate(g, FALLOC_FL_KEEP_SIZE, 0, 2 * 4096), 0);
        assert_int_equal(memfile_allocated(mf), 4 * 4096);
        file_unref(f);
        file_unref(g);
        env_teardown(&e);
        assert_int_equal(memfile_allocated(mf), 0);
        memfile_destroy(mf);
}

/* statfs: the size= budget in pages, used pages subtracted. */
static void test_statfs_counts(void **state)
{
        struct memfile *mf;
        struct vfs_env e;
        struct statfs st;
        struct file *f;

        (void)state;
        assert_int_equal(memfile_create(1 << 24, &mf), 0);
        env_setup_opts(&e, "mode=0755,size=16k", mf);
        f = open_rw(&e, "/f");
        assert_int_equal(file_pwrite(f, "x", 1, 4096), 1);
        assert_int_equal(vfs_fstatfs(f, &st), 0);
        assert_int_equal(st.f_type, TMPFS_MAGIC);
        assert_int_equal(st.f_blocks, 4);
        assert_int_equal(st.f_bfree, 3);
        assert_int_equal(st.f_bavail, 3);
        assert_int_equal(st.f_namelen, 255);
        file_unref(f);
        env_teardown(&e);
        memfile_destroy(mf);
}

static void test_mount_options(void **state)
{
        struct mnt_namespace *ns;

        (void)state;
        assert_int_equal(mnt_ns_create("tmpfs", "size=bogus", &ns), -EINVAL);
        assert_int_equal(mnt_ns_create("tmpfs", "size=0", &ns), -EINVAL);
        assert_int_equal(mnt_ns_create("tmpfs", "size=101%", &ns), -EINVAL);
        assert_int_equal(mnt_ns_create("tmpfs", "nosuch=1", &ns), -EINVAL);
        assert_int_equal(mnt_ns_create("tmpfs", "mode=0700,size=10%", &ns), 0);
        mnt_ns_unref(ns);
        assert_int_equal(mnt_ns_create("tmpfs", "size=1G,mode=755", &ns), 0);
        mnt_ns_unref(ns);
}

/* File data lives in the namespace's memory file, not in the sentry heap. */
static void test_data_in_memfile(void **state)
{
        struct memfile *mf;
        struct vfs_env e;
        struct file *f;
        char c = 0;

        (void)state;
        assert_int_equal(memfile_create(1 << 24, &mf), 0);
        env_setup_opts(&e, NULL, mf);
        f = open_rw(&e, "/f");
        assert_int_equal(file_pwrite(f, "z", 1, 3 * 4096), 1);
        assert_int_equal(memfile_allocated(mf), 4096);
        assert_int_equal(file_pread(f, &c, 1, 3 * 4096), 1);
        assert_int_equal(c, 'z');
        file_unref(f);
        assert_int_equal(vfs_unlink(&e.at, "/f"), 0);
        assert_int_equal(memfile_allocated(mf), 0);
        env_teardown(&e);
        memfile_destroy(mf);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sparse_reads_zero),
                cmocka_unit_test(test_truncate_drops_data),
                cmocka_unit_test(test_large_offsets),
                cmocka_unit_test(test_links_and_unlinked_open_file),
                cmocka_unit_test(test_size_limit_enospc),
                cmocka_unit_test(test_fallocate_budget),
                cmocka_unit_test(test_statfs_counts),
                cmocka_unit_test(test_mount_options),
                cmocka_unit_test(test_data_in_memfile),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
