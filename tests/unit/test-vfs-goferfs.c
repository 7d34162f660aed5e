/* goferfs over a real gofer (gofer-fixture.h), counting its round trips:
 * a walk of several names nothing has looked up is one WALK (the VFS hands
 * the rest of the path to inode_ops.lookup_ahead), what it found stays
 * cached, and errors, symlinks and ".." still come out as one name at a
 * time would give them. The page cache, through the file's mappable as the
 * mm uses it: past its budget it drops the pages no mapping holds and
 * still reads right; on a writable mount the end of a mapping writes its
 * stores back to the host file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gofer-fixture.h"
#include "vfs-helpers.h"
#include "sentry/mm/mm.h"
#include "vfs/fs/goferfs/goferfs.h"

#define PG 4096UL
#define BIG_PAGES 32

struct gfs_env {
        struct gofer_fixture *fx;
        struct memfile *mf;
        struct gofer_client *client;    /* the mount's (borrowed) */
        struct vfs_env e;
};

static void mkdirs(const char *root, const char *rel)
{
        char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s/%s", root, rel);
        for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                mkdir(p, 0755);
                *s = '/';
        }
        if (mkdir(p, 0755) < 0)
                abort();
}

static void put_file(const char *root, const char *rel, const char *text)
{
        char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s/%s", root, rel);
        fixture_write(p, text);
}

/* The fixture's tree plus a1/a2/a3/a4/f, t1/x/y/z/f, t2/l -> ../t1/x. */
static int setup(void **state, const char *options)
{
        struct gfs_env *g = calloc(1, sizeof(*g));
        struct goferfs_mount_data md;
        struct mnt_namespace *ns;
        char p[PATH_MAX];

        assert_non_null(g);
        g->fx = fixture_start(0);
        mkdirs(g->fx->root, "a1/a2/a3/a4");
        put_file(g->fx->root, "a1/a2/a3/a4/f", "deep");
        mkdirs(g->fx->root, "t1/x/y/z");
        put_file(g->fx->root, "t1/x/y/z/f", "linked");
        mkdirs(g->fx->root, "t2");
        snprintf(p, sizeof(p), "%s/t2/l", g->fx->root);
        assert_int_equal(symlink("../t1/x", p), 0);
        /* big: BIG_PAGES pages, page i all bytes i. */
        {
                snprintf(p, sizeof(p), "%s/big", g->fx->root);
                int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                char page[PG];

                assert_true(fd >= 0);
                for (int i = 0; i < BIG_PAGES; i++) {
                        memset(page, i, PG);
                        assert_int_equal(write(fd, page, PG), (ssize_t)PG);
                }
                close(fd);
        }
        assert_int_equal(memfile_create(64ULL << 20, &g->mf), 0);
        md.client = g->client = g->fx->client;
        assert_int_equal(mnt_ns_create_data("goferfs", options, &md, g->mf, &ns), 0);
        g->fx->client = NULL;           /* the superblock's now */
        assert_int_equal(fs_context_create(ns, &g->e.fs), 0);
        mnt_ns_unref(ns);
        g->e.at = (struct vfs_at){ .fs = g->e.fs, .cred = &root_cred };
        *state = g;
        return 0;
}

static int setup_ro(void **state)
{
        return setup(state, "ro");
}

static int setup_rw(void **state)
{
        return setup(state, "rw");
}

static int setup_ro_small_cache(void **state)
{
        return setup(state, "ro,cache_pages=4");
}

static int teardown(void **state)
{
        struct gfs_env *g = *state;

        env_teardown(&g->e);            /* the last mount goes: the client too */
        memfile_destroy(g->mf);
        assert_int_equal(fixture_stop(g->fx), 0);
        free(g);
        return 0;
}

/* Round trips lookup_ino() of name makes. */
static uint64_t trips(struct gfs_env *g, const char *name, int want, uint64_t *ino)
{
        uint64_t before = gofer_client_calls(g->client), dummy;

        assert_int_equal(lookup_ino(&g->e, name, LOOKUP_FOLLOW, ino ? ino : &dummy), want);
        return gofer_client_calls(g->client) - before;
}

static void test_cold_deep_walk_is_one_round_trip(void **state)
{
        struct gfs_env *g = *state;
        uint64_t ino, again;

        assert_int_equal(trips(g, "/a1/a2/a3/a4/f", 0, &ino), 1);
        assert_int_equal(trips(g, "/a1/a2/a3/a4/f", 0, &again), 0);
        assert_int_equal(again, ino);
        /* Every name on the way is cached. */
        assert_int_equal(trips(g, "/a1/a2/a3", 0, NULL), 0);
        assert_int_equal(trips(g, "/a1/a2/../a2/./a3/a4", 0, NULL), 0);
}

static void test_errors_come_from_the_right_name(void **state)
{
        struct gfs_env *g = *state;

        /* Past a regular file, with a trailing slash, a missing middle. */
        assert_int_equal(trips(g, "/a1/a2/a3/a4/f/x/y", -ENOTDIR, NULL), 1);
        assert_int_equal(trips(g, "/a1/a2/a3/a4/f/", -ENOTDIR, NULL), 0);
        assert_int_equal(trips(g, "/d/none/x/y", -ENOENT, NULL), 1);
        assert_int_equal(trips(g, "/d/f", 0, NULL), 1);        /* f was not in that walk */
        assert_int_equal(trips(g, "/empty/none", -ENOENT, NULL), 1);
}

static void test_missing_name_found_by_a_long_walk_is_remembered(void **state)
{
        struct gfs_env *g = *state;

        /* ro: the gofer said a1/a2/none is missing; nothing can create it. */
        assert_int_equal(trips(g, "/a1/a2/none/x", -ENOENT, NULL), 1);
        assert_int_equal(trips(g, "/a1/a2/none", -ENOENT, NULL), 0);
        assert_int_equal(trips(g, "/a1/a2/none/y/z", -ENOENT, NULL), 0);
}

static void test_symlink_in_the_middle_is_followed(void **state)
{
        struct gfs_env *g = *state;
        uint64_t via_link, direct;

        /* WALK t2/l/... stops at the link; READLINK; WALK t1/x/y/z/f. */
        assert_true(trips(g, "/t2/l/y/z/f", 0, &via_link) <= 3);
        assert_int_equal(trips(g, "/t1/x/y/z/f", 0, &direct), 0);
        assert_int_equal(via_link, direct);
        /* ".." after a link goes up from where the link led. */
        assert_int_equal(trips(g, "/t2/l/../x/y", 0, NULL), 0);
}

static void test_names_created_later_are_found(void **state)
{
        struct gfs_env *g = *state;
        uint64_t ino;

        /* rw: a name the sandbox makes after a walk missed it. A writable
         * mount remembers no missing names: the walk that stopped there is
         * asked for once more when the VFS gets to it. */
        assert_int_equal(trips(g, "/a1/a2/new/x", -ENOENT, NULL), 2);
        assert_int_equal(vfs_mkdir(&g->e.at, "/a1/a2/new", 0755), 0);
        assert_int_equal(touch(&g->e, "/a1/a2/new/x"), 0);
        assert_int_equal(trips(g, "/a1/a2/new/x", 0, &ino), 0);
}

/* The open file name's mappable, as mmap(2) gets it. */
static struct file *open_mappable(struct gfs_env *g, const char *name, unsigned flags,
                                  struct mm_mappable **ret)
{
        struct file *f;

        assert_int_equal(vfs_open(&g->e.at, name, flags, 0, &f), 0);
        assert_non_null(f->ops->mmap);
        assert_int_equal(f->ops->mmap(f, ret), 0);
        return f;
}

/* A mapping's page of m at index i: check it holds byte c throughout. */
static uint64_t map_page(struct gfs_env *g, struct mm_mappable *m, uint64_t i, bool shared, int c)
{
        uint64_t off;
        const unsigned char *p;

        assert_int_equal(m->ops->get_page(m, g->mf, i * PG, shared, &off), 0);
        p = memfile_addr(g->mf, off);
        assert_int_equal(p[0], c);
        assert_int_equal(p[PG - 1], c);
        return off;
}

static void test_cache_keeps_to_its_budget(void **state)
{
        struct gfs_env *g = *state;
        struct mm_mappable *m;
        struct file *f = open_mappable(g, "/big", O_RDONLY, &m);
        uint64_t held[8];

        /* Map each page and let it go: at most the budget stays cached. */
        for (int round = 0; round < 2; round++)
                for (uint64_t i = 0; i < BIG_PAGES; i++) {
                        memfile_unref(g->mf, map_page(g, m, i, false, (int)i), PG);
                        assert_true(memfile_allocated(g->mf) <= 4 * PG);
                }
        /* Pages a mapping holds stay, over the budget if need be. */
        for (uint64_t i = 0; i < 8; i++)
                held[i] = map_page(g, m, i, false, (int)i);
        assert_int_equal(memfile_allocated(g->mf), 8 * PG);
        for (uint64_t i = 0; i < 8; i++)
                assert_int_equal(((unsigned char *)memfile_addr(g->mf, held[i]))[100], i);
        for (uint64_t i = 0; i < 8; i++)
                memfile_unref(g->mf, held[i], PG);
        /* Once let go, the next miss brings it back to the budget. */
        memfile_unref(g->mf, map_page(g, m, 20, false, 20), PG);
        assert_true(memfile_allocated(g->mf) <= 4 * PG);
        /* A page still cached is shared, not read again. */
        uint64_t a = map_page(g, m, 20, false, 20), b = map_page(g, m, 20, false, 20);
        assert_int_equal(a, b);
        memfile_unref(g->mf, a, PG);
        memfile_unref(g->mf, b, PG);
        /* Another file's page pushes big's least recently used ones out. */
        struct mm_mappable *m2;
        struct file *f2 = open_mappable(g, "/file", O_RDONLY, &m2);
        uint64_t off;

        assert_int_equal(m2->ops->get_page(m2, g->mf, 0, false, &off), 0);
        assert_memory_equal(memfile_addr(g->mf, off), "data", 4);
        assert_int_equal(((unsigned char *)memfile_addr(g->mf, off))[4], 0);
        assert_true(memfile_allocated(g->mf) <= 4 * PG);
        memfile_unref(g->mf, off, PG);
        /* and big still reads right. */
        for (uint64_t i = 0; i < BIG_PAGES; i += 5)
                memfile_unref(g->mf, map_page(g, m, i, false, (int)i), PG);
        assert_true(memfile_allocated(g->mf) <= 4 * PG);
        file_unref(f2);
        file_unref(f);
}

static void test_end_of_a_shared_mapping_writes_back(void **state)
{
        struct gfs_env *g = *state;
        struct mm_mappable *m;
        struct file *f = open_mappable(g, "/big", O_RDWR, &m);
        char p[PATH_MAX], host[16];
        unsigned char got[8];
        uint64_t off;
        int fd;

        /* As the mm does: a reference for the mapping, a shared page, a
         * store into it, the page and the reference dropped (munmap). */
        m->ops->ref(m);
        off = map_page(g, m, 3, true, 3);
        memcpy(memfile_addr(g->mf, off), "stored!", 7);
        /* read(2) sees the store before anything is written back. */
        assert_int_equal(file_pread(f, got, 7, 3 * PG), 7);
        assert_memory_equal(got, "stored!", 7);
        memfile_unref(g->mf, off, PG);
        m->ops->unref(m);
        snprintf(p, sizeof(p), "%s/big", g->fx->root);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(pread(fd, host, 8, 3 * PG), 8);
        close(fd);
        assert_memory_equal(host, "stored!\3", 8);
        /* Nothing maps it any more: the page left the cache. */
        assert_int_equal(memfile_allocated(g->mf), 0);
        file_unref(f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_cold_deep_walk_is_one_round_trip,
                                                setup_ro, teardown),
                cmocka_unit_test_setup_teardown(test_errors_come_from_the_right_name,
                                                setup_ro, teardown),
                cmocka_unit_test_setup_teardown(test_missing_name_found_by_a_long_walk_is_remembered,
                                                setup_ro, teardown),
                cmocka_unit_test_setup_teardown(test_symlink_in_the_middle_is_followed,
                                                setup_ro, teardown),
                cmocka_unit_test_setup_teardown(test_names_created_later_are_found,
                                                setup_rw, teardown),
                cmocka_unit_test_setup_teardown(test_cache_keeps_to_its_budget,
                                                setup_ro_small_cache, teardown),
                cmocka_unit_test_setup_teardown(test_end_of_a_shared_mapping_writes_back,
                                                setup_rw, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
