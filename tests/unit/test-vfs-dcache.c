/* The dentry cache: lookups by name, readdir in creation order with offsets
 * that stay valid across removals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vfs-helpers.h"
#include "vfs/internal.h"

struct listing {
        char names[16][16];
        uint64_t offs[16];
        int n, max;
};

static bool collect(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type,
                    uint64_t next_off)
{
        struct listing *l = ctx;

        (void)ino, (void)type;
        if (l->n == l->max)
                return false;
        snprintf(l->names[l->n], sizeof(l->names[0]), "%.*s", (int)len, name);
        l->offs[l->n++] = next_off;
        return true;
}

static struct dentry *root_dentry(struct vfs_env *e)
{
        return e->fs->root.dentry;
}

static void test_lookup_finds_created_and_misses_others(void **state)
{
        struct vfs_env e;
        struct dentry *root, *d;

        (void)state;
        env_setup(&e);
        assert_int_equal(touch(&e, "/b"), 0);
        assert_int_equal(touch(&e, "/a"), 0);
        assert_int_equal(touch(&e, "/c"), 0);
        root = root_dentry(&e);
        pthread_mutex_lock(&root->sb->lock);
        d = d_lookup(root, "a");
        assert_non_null(d);
        assert_string_equal(d->name, "a");
        assert_ptr_equal(d->parent, root);
        assert_null(d_lookup(root, "missing"));
        assert_null(d_lookup(root, "aa"));
        pthread_mutex_unlock(&root->sb->lock);
        assert_int_equal(lookup_child(root, "missing", &d), -ENOENT);
        assert_int_equal(vfs_unlink(&e.at, "/a"), 0);
        pthread_mutex_lock(&root->sb->lock);
        assert_null(d_lookup(root, "a"));
        assert_non_null(d_lookup(root, "b"));
        pthread_mutex_unlock(&root->sb->lock);
        env_teardown(&e);
}

static void test_readdir_creation_order_and_stable_offsets(void **state)
{
        struct listing l = { .max = 16 };
        struct vfs_env e;
        uint64_t pos = 0;

        (void)state;
        env_setup(&e);
        assert_int_equal(touch(&e, "/zeta"), 0);
        assert_int_equal(touch(&e, "/alpha"), 0);
        assert_int_equal(vfs_mkdir(&e.at, "/mid", 0755), 0);
        dcache_readdir(root_dentry(&e), &pos, collect, &l);
        assert_int_equal(l.n, 5);
        assert_string_equal(l.names[0], ".");
        assert_string_equal(l.names[1], "..");
        assert_string_equal(l.names[2], "zeta");
        assert_string_equal(l.names[3], "alpha");
        assert_string_equal(l.names[4], "mid");

        /* Resume after "zeta" though "alpha" went: "mid" comes, once. */
        assert_int_equal(vfs_unlink(&e.at, "/alpha"), 0);
        pos = l.offs[2];
        l = (struct listing){ .max = 16 };
        dcache_readdir(root_dentry(&e), &pos, collect, &l);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.names[0], "mid");

        /* A full buffer stops without losing the entry. */
        pos = 0;
        l = (struct listing){ .max = 3 };
        dcache_readdir(root_dentry(&e), &pos, collect, &l);
        assert_int_equal(l.n, 3);
        l = (struct listing){ .max = 16 };
        dcache_readdir(root_dentry(&e), &pos, collect, &l);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.names[0], "mid");

        /* A renamed entry moves to the end, as a new one. */
        assert_int_equal(vfs_rename(&e.at, "/zeta", &e.at, "/omega", 0), 0);
        pos = 2;
        l = (struct listing){ .max = 16 };
        dcache_readdir(root_dentry(&e), &pos, collect, &l);
        assert_int_equal(l.n, 2);
        assert_string_equal(l.names[0], "mid");
        assert_string_equal(l.names[1], "omega");
        env_teardown(&e);
}

static void test_many_children(void **state)
{
        struct vfs_env e;
        char name[32];
        uint64_t ino;

        (void)state;
        env_setup(&e);
        for (int i = 0; i < 500; i++) {
                snprintf(name, sizeof(name), "/f%d", (i * 7919) % 500);
                assert_int_equal(touch(&e, name), 0);
        }
        for (int i = 0; i < 500; i++) {
                snprintf(name, sizeof(name), "/f%d", i);
                assert_int_equal(lookup_ino(&e, name, 0, &ino), 0);
                if (i % 2)
                        assert_int_equal(vfs_unlink(&e.at, name), 0);
        }
        for (int i = 0; i < 500; i++) {
                snprintf(name, sizeof(name), "/f%d", i);
                assert_int_equal(lookup_ino(&e, name, 0, &ino), i % 2 ? -ENOENT : 0);
        }
        env_teardown(&e);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lookup_finds_created_and_misses_others),
                cmocka_unit_test(test_readdir_creation_order_and_stable_offsets),
                cmocka_unit_test(test_many_children),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
