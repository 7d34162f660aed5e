/* overlay over two tmpfs layers: what shows through, copy-up on change,
 * whiteouts on removal, opaque directories, merged listings, EXDEV for
 * moving lower directories; the lower layer never changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vfs-helpers.h"
#include "vfs/fs/overlay/overlay.h"

struct ovl_env {
        struct vfs_env lower, upper, ovl;
};

static void write_file(struct vfs_env *e, const char *name, const char *data)
{
        struct file *f;

        assert_int_equal(vfs_open(&e->at, name, O_CREAT | O_WRONLY | O_TRUNC, 0640, &f), 0);
        assert_int_equal(file_pwrite(f, data, strlen(data), 0), (ssize_t)strlen(data));
        file_unref(f);
}

/* The whole content of name, or NULL with r set. */
static char *read_file(struct vfs_env *e, const char *name, int *r)
{
        static char buf[256];
        struct file *f;
        ssize_t n;

        *r = vfs_open(&e->at, name, O_RDONLY, 0, &f);
        if (*r < 0)
                return NULL;
        n = file_pread(f, buf, sizeof(buf) - 1, 0);
        file_unref(f);
        assert_true(n >= 0);
        buf[n] = '\0';
        return buf;
}

static void ovl_setup(struct ovl_env *o)
{
        struct ovl_mount_data md;
        struct mnt_namespace *ns;

        env_setup(&o->lower);
        env_setup(&o->upper);
        assert_int_equal(vfs_mkdir(&o->lower.at, "/d", 0750), 0);
        assert_int_equal(vfs_mkdir(&o->lower.at, "/d/sub", 0755), 0);
        write_file(&o->lower, "/d/a", "lower a");
        write_file(&o->lower, "/d/b", "lower b");
        write_file(&o->lower, "/d/sub/c", "lower c");
        assert_int_equal(vfs_symlink("a", &o->lower.at, "/d/link"), 0);
        md = (struct ovl_mount_data){ o->lower.fs->ns, o->upper.fs->ns };
        assert_int_equal(mnt_ns_create_data("overlay", NULL, &md, NULL, &ns), 0);
        assert_int_equal(fs_context_create(ns, &o->ovl.fs), 0);
        mnt_ns_unref(ns);
        o->ovl.at = (struct vfs_at){ .fs = o->ovl.fs, .cred = &root_cred };
}

static void ovl_teardown(struct ovl_env *o)
{
        env_teardown(&o->ovl);
        env_teardown(&o->upper);
        env_teardown(&o->lower);
}

static bool collect(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type,
                    uint64_t next_off)
{
        char *list = ctx;

        (void)ino, (void)type, (void)next_off;
        strncat(list, name, len);
        strcat(list, " ");
        return true;
}

/* The names a listing of dir shows, sorted by the listing order. */
static const char *list(struct vfs_env *e, const char *dir)
{
        static char names[1024];
        struct file *f;

        names[0] = '\0';
        assert_int_equal(vfs_open(&e->at, dir, O_RDONLY | O_DIRECTORY, 0, &f), 0);
        assert_int_equal(vfs_iterate(f, collect, names), 0);
        file_unref(f);
        return names;
}

static void test_lower_shows_through(void **state)
{
        struct ovl_env o;
        struct stat st;
        struct path p;
        char target[16];
        int r;

        (void)state;
        ovl_setup(&o);
        assert_string_equal(read_file(&o.ovl, "/d/a", &r), "lower a");
        assert_string_equal(read_file(&o.ovl, "/d/link", &r), "lower a");
        assert_int_equal(vfs_lookup(&o.ovl.at, "/d/link", 0, &p), 0);
        assert_int_equal(vfs_readlink(&p, target, sizeof(target)), 1);
        path_put(&p);
        assert_int_equal(vfs_lookup(&o.ovl.at, "/d", 0, &p), 0);
        assert_int_equal(vfs_getattr(p.dentry->inode, &st), 0);
        assert_int_equal(st.st_mode, S_IFDIR | 0750);
        path_put(&p);
        assert_string_equal(list(&o.ovl, "/d"), ". .. sub a b link ");
        /* Nothing was copied up by reading. */
        assert_int_equal(vfs_lookup(&o.upper.at, "/d", 0, &p), -ENOENT);
        ovl_teardown(&o);
}

static void test_write_copies_up(void **state)
{
        struct ovl_env o;
        struct stat st;
        struct path p;
        struct file *f;
        int r;

        (void)state;
        ovl_setup(&o);
        assert_int_equal(vfs_open(&o.ovl.at, "/d/sub/c", O_WRONLY | O_APPEND, 0, &f), 0);
        assert_int_equal(file_pwrite(f, " more", 5, -1), 5);
        file_unref(f);
        assert_string_equal(read_file(&o.ovl, "/d/sub/c", &r), "lower c more");
        assert_string_equal(read_file(&o.lower, "/d/sub/c", &r), "lower c");
        assert_string_equal(read_file(&o.upper, "/d/sub/c", &r), "lower c more");
        /* The parents came up with their modes. */
        assert_int_equal(vfs_lookup(&o.upper.at, "/d", 0, &p), 0);
        assert_int_equal(vfs_getattr(p.dentry->inode, &st), 0);
        assert_int_equal(st.st_mode, S_IFDIR | 0750);
        path_put(&p);
        /* chmod copies up too; the lower keeps its mode. */
        assert_int_equal(vfs_lookup(&o.ovl.at, "/d/b", 0, &p), 0);
        assert_int_equal(vfs_chmod(&p, &root_cred, 0600), 0);
        assert_int_equal(vfs_getattr(p.dentry->inode, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        path_put(&p);
        assert_int_equal(vfs_lookup(&o.lower.at, "/d/b", 0, &p), 0);
        assert_int_equal(p.dentry->inode->mode & 07777, 0640);
        path_put(&p);
        ovl_teardown(&o);
}

static void test_unlink_leaves_whiteout(void **state)
{
        struct ovl_env o;
        struct path p;
        int r;

        (void)state;
        ovl_setup(&o);
        assert_int_equal(vfs_unlink(&o.ovl.at, "/d/a"), 0);
        assert_null(read_file(&o.ovl, "/d/a", &r));
        assert_int_equal(r, -ENOENT);
        assert_string_equal(read_file(&o.lower, "/d/a", &r), "lower a");
        assert_string_equal(list(&o.ovl, "/d"), ". .. sub b link ");
        /* The whiteout itself is not a name of the overlay. */
        assert_int_equal(vfs_lookup(&o.ovl.at, "/d/.wh.a", 0, &p), -ENOENT);
        assert_int_equal(touch(&o.ovl, "/d/.wh.x"), -EINVAL);
        /* A new file of that name hides nothing any more. */
        write_file(&o.ovl, "/d/a", "new a");
        assert_string_equal(read_file(&o.ovl, "/d/a", &r), "new a");
        assert_int_equal(vfs_unlink(&o.ovl.at, "/d/a"), 0);
        assert_null(read_file(&o.ovl, "/d/a", &r));
        assert_int_equal(r, -ENOENT);
        ovl_teardown(&o);
}

static void test_rmdir_and_opaque(void **state)
{
        struct ovl_env o;
        int r;

        (void)state;
        ovl_setup(&o);
        assert_int_equal(vfs_rmdir(&o.ovl.at, "/d/sub"), -ENOTEMPTY);
        assert_int_equal(vfs_unlink(&o.ovl.at, "/d/sub/c"), 0);
        assert_int_equal(vfs_rmdir(&o.ovl.at, "/d/sub"), 0);
        assert_string_equal(list(&o.ovl, "/d"), ". .. a b link ");
        /* A new directory there does not show the lower one's files. */
        assert_int_equal(vfs_mkdir(&o.ovl.at, "/d/sub", 0700), 0);
        assert_string_equal(list(&o.ovl, "/d/sub"), ". .. ");
        assert_null(read_file(&o.ovl, "/d/sub/c", &r));
        assert_string_equal(read_file(&o.lower, "/d/sub/c", &r), "lower c");
        ovl_teardown(&o);
}

static void test_rename(void **state)
{
        struct ovl_env o;
        int r;

        (void)state;
        ovl_setup(&o);
        assert_int_equal(vfs_rename(&o.ovl.at, "/d/a", &o.ovl.at, "/d/sub/moved", 0), 0);
        assert_null(read_file(&o.ovl, "/d/a", &r));
        assert_string_equal(read_file(&o.ovl, "/d/sub/moved", &r), "lower a");
        assert_string_equal(read_file(&o.lower, "/d/a", &r), "lower a");
        assert_string_equal(list(&o.ovl, "/d/sub"), ". .. moved c ");
        /* A file over an existing lower one. */
        assert_int_equal(vfs_rename(&o.ovl.at, "/d/sub/moved", &o.ovl.at, "/d/b", 0), 0);
        assert_string_equal(read_file(&o.ovl, "/d/b", &r), "lower a");
        assert_string_equal(list(&o.ovl, "/d"), ". .. sub b link ");
        /* No redirects: a directory with lower entries stays where it is. */
        assert_int_equal(vfs_rename(&o.ovl.at, "/d/sub", &o.ovl.at, "/d/sub2", 0), -EXDEV);
        /* A directory of the upper layer only moves. */
        assert_int_equal(vfs_mkdir(&o.ovl.at, "/new", 0755), 0);
        assert_int_equal(touch(&o.ovl, "/new/f"), 0);
        assert_int_equal(vfs_rename(&o.ovl.at, "/new", &o.ovl.at, "/d/new", 0), 0);
        assert_string_equal(list(&o.ovl, "/d/new"), ". .. f ");
        ovl_teardown(&o);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lower_shows_through),
                cmocka_unit_test(test_write_copies_up),
                cmocka_unit_test(test_unlink_leaves_whiteout),
                cmocka_unit_test(test_rmdir_and_opaque),
                cmocka_unit_test(test_rename),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
