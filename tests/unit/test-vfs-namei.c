/* The path walk: "..", symlinks and their limit, trailing slashes, dirfds,
 * permissions, and crossing between two tmpfs mounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vfs-helpers.h"

static void test_dotdot_stops_at_root(void **state)
{
        struct vfs_env e;
        uint64_t root, ino;

        (void)state;
        env_setup(&e);
        assert_int_equal(lookup_ino(&e, "/", 0, &root), 0);
        assert_int_equal(lookup_ino(&e, "/..", 0, &ino), 0);
        assert_int_equal(ino, root);
        assert_int_equal(vfs_mkdir(&e.at, "/a", 0755), 0);
        assert_int_equal(lookup_ino(&e, "a/../../..", 0, &ino), 0);
        assert_int_equal(ino, root);
        assert_int_equal(lookup_ino(&e, "", 0, &ino), -ENOENT);
        assert_int_equal(lookup_ino(&e, "", LOOKUP_EMPTY, &ino), 0);
        assert_int_equal(ino, root);
        env_teardown(&e);
}

static void test_symlinks_resolve_and_loop(void **state)
{
        struct vfs_env e;
        uint64_t f, ino;
        char name[16], target[16];

        (void)state;
        env_setup(&e);
        assert_int_equal(vfs_mkdir(&e.at, "/d", 0755), 0);
        assert_int_equal(touch(&e, "/d/f"), 0);
        assert_int_equal(lookup_ino(&e, "/d/f", 0, &f), 0);
        assert_int_equal(vfs_symlink("d", &e.at, "/rel"), 0);
        assert_int_equal(vfs_symlink("/d/f", &e.at, "/d/abs"), 0);
        assert_int_equal(vfs_symlink("../d/./f", &e.at, "/d/up"), 0);
        assert_int_equal(lookup_ino(&e, "/rel/f", 0, &ino), 0);
        assert_int_equal(ino, f);
        assert_int_equal(lookup_ino(&e, "/rel/abs", LOOKUP_FOLLOW, &ino), 0);
        assert_int_equal(ino, f);
        assert_int_equal(lookup_ino(&e, "/rel/up", LOOKUP_FOLLOW, &ino), 0);
        assert_int_equal(ino, f);
        assert_int_equal(lookup_ino(&e, "/rel/abs", 0, &ino), 0);
        assert_int_not_equal(ino, f);

        assert_int_equal(vfs_symlink("/self", &e.at, "/self"), 0);
        assert_int_equal(lookup_ino(&e, "/self", LOOKUP_FOLLOW, &ino), -ELOOP);
        assert_int_equal(lookup_ino(&e, "/self/x", 0, &ino), -ELOOP);
        assert_int_equal(lookup_ino(&e, "/self", 0, &ino), 0);

        /* Exactly 40 follows are fine, the 41st is ELOOP. */
        assert_int_equal(vfs_symlink("/d/f", &e.at, "/l0"), 0);
        for (int i = 1; i <= 40; i++) {
                snprintf(name, sizeof(name), "/l%d", i);
                snprintf(target, sizeof(target), "l%d", i - 1);
                assert_int_equal(vfs_symlink(target, &e.at, name), 0);
        }
        assert_int_equal(lookup_ino(&e, "/l39", LOOKUP_FOLLOW, &ino), 0);
        assert_int_equal(ino, f);
        assert_int_equal(lookup_ino(&e, "/l40", LOOKUP_FOLLOW, &ino), -ELOOP);
        env_teardown(&e);
}

static void test_trailing_slashes(void **state)
{
        struct vfs_env e;
        uint64_t ino;
        struct file *f = NULL;

        (void)state;
        env_setup(&e);
        assert_int_equal(vfs_mkdir(&e.at, "/d/", 0755), 0);
        assert_int_equal(touch(&e, "/f"), 0);
        assert_int_equal(vfs_symlink("d", &e.at, "/ld"), 0);
        assert_int_equal(vfs_symlink("f", &e.at, "/lf"), 0);
        assert_int_equal(lookup_ino(&e, "/d/", 0, &ino), 0);
        assert_int_equal(lookup_ino(&e, "/d//.//", 0, &ino), 0);
        assert_int_equal(lookup_ino(&e, "/f/", 0, &ino), -ENOTDIR);
        assert_int_equal(lookup_ino(&e, "/f/.", 0, &ino), -ENOTDIR);
        assert_int_equal(lookup_ino(&e, "/lf/", 0, &ino), -ENOTDIR);
        assert_int_equal(lookup_ino(&e, "/ld/", 0, &ino), 0);        /* '/' follows */
        assert_int_equal(lookup_ino(&e, "/f", LOOKUP_DIRECTORY, &ino), -ENOTDIR);
        assert_int_equal(vfs_open(&e.at, "/new/", O_CREAT | O_RDWR, 0644, &f), -EISDIR);
        assert_int_equal(vfs_symlink("x", &e.at, "/s/"), -ENOENT);
        assert_int_equal(vfs_unlink(&e.at, "/f/"), -ENOTDIR);
        assert_int_equal(vfs_rmdir(&e.at, "/d/"), 0);
        env_teardown(&e);
}

static void test_name_too_long(void **state)
{
        struct vfs_env e;
        char name[300];
        uint64_t ino;

        (void)state;
        env_setup(&e);
        memset(name, 'n', sizeof(name));
        name[0] = '/';
        name[257] = '\0';               /* a 256-byte component */
        assert_int_equal(lookup_ino(&e, name, 0, &ino), -ENAMETOOLONG);
        assert_int_equal(vfs_mkdir(&e.at, name, 0755), -ENAMETOOLONG);
        name[256] = '\0';
        assert_int_equal(vfs_mkdir(&e.at, name, 0755), 0);
        env_teardown(&e);
}

static void test_dirfd_start(void **state)
{
        struct vfs_env e;
        struct vfs_at at;
        struct path dir;
        uint64_t ino, want;

        (void)state;
        env_setup(&e);
        assert_int_equal(vfs_mkdir(&e.at, "/a", 0755), 0);
        assert_int_equal(touch(&e, "/a/f"), 0);
        assert_int_equal(lookup_ino(&e, "/a/f", 0, &want), 0);
        assert_int_equal(vfs_lookup(&e.at, "/a", 0, &dir), 0);
        at = e.at;
        at.dir = &dir;
        struct path p;
        assert_int_equal(vfs_lookup(&at, "f", 0, &p), 0);
        ino = p.dentry->inode->ino;
        path_put(&p);
        assert_int_equal(ino, want);
        assert_int_equal(vfs_lookup(&at, "f/x", 0, &p), -ENOTDIR);
        path_put(&dir);
        assert_int_equal(vfs_lookup(&e.at, "/a/f", 0, &dir), 0);
        at.dir = &dir;
        assert_int_equal(vfs_lookup(&at, "x", 0, &p), -ENOTDIR);
        assert_int_equal(vfs_lookup(&at, "", LOOKUP_EMPTY, &p), 0);
        path_put(&p);
        path_put(&dir);
        env_teardown(&e);
}

static void test_permissions(void **state)
{
        const struct vfs_cred user = { .uid = 1000, .gid = 1000 };
        struct vfs_env e;
        struct vfs_at uat;
        struct file *f = NULL;
        uint64_t ino;

        (void)state;
        env_setup(&e);
        uat = e.at;
        uat.cred = &user;
        assert_int_equal(vfs_mkdir(&e.at, "/locked", 0700), 0);
        assert_int_equal(touch(&e, "/locked/f"), 0);
        assert_int_equal(vfs_lookup(&uat, "/locked/f", 0, &(struct path){ 0 }), -EACCES);
        assert_int_equal(vfs_open(&uat, "/x", O_CREAT | O_RDWR, 0644, &f), -EACCES);
        fs_umask(e.fs, 0, true);
        assert_int_equal(vfs_mkdir(&e.at, "/tmp", 01777), 0);
        assert_int_equal(vfs_open(&uat, "/tmp/mine", O_CREAT | O_RDWR, 0600, &f), 0);
        file_unref(f);
        assert_int_equal(touch(&e, "/tmp/roots"), 0);
        assert_int_equal(vfs_unlink(&uat, "/tmp/roots"), -EPERM);    /* sticky */
        assert_int_equal(vfs_unlink(&uat, "/tmp/mine"), 0);
        assert_int_equal(lookup_ino(&e, "/tmp/mine", 0, &ino), -ENOENT);
        env_teardown(&e);
}

static void test_two_mounts(void **state)
{
        struct vfs_env e;
        struct path mp, p, q;
        uint64_t root, ino;

        (void)state;
        env_setup(&e);
        assert_int_equal(vfs_mkdir(&e.at, "/mnt", 0755), 0);
        assert_int_equal(touch(&e, "/mnt/hidden"), 0);
        assert_int_equal(touch(&e, "/top"), 0);
        assert_int_equal(vfs_lookup(&e.at, "/mnt", 0, &mp), 0);
        assert_int_equal(vfs_mount(e.fs->ns, &mp, "tmpfs", "mode=0755"), 0);
        assert_int_equal(vfs_mount(e.fs->ns, &mp, "nosuchfs", NULL), -ENODEV);
        path_put(&mp);

        /* The mount hides what was under it and has its own device. */
        assert_int_equal(lookup_ino(&e, "/mnt/hidden", 0, &ino), -ENOENT);
        assert_int_equal(touch(&e, "/mnt/inner"), 0);
        assert_int_equal(vfs_lookup(&e.at, "/mnt/inner", 0, &p), 0);
        assert_int_equal(vfs_lookup(&e.at, "/top", 0, &q), 0);
        assert_ptr_not_equal(p.mnt, q.mnt);
        assert_int_not_equal(p.dentry->sb->dev, q.dentry->sb->dev);
        path_put(&q);

        /* ".." from the mount's root goes to the parent mount. */
        assert_int_equal(lookup_ino(&e, "/", 0, &root), 0);
        assert_int_equal(lookup_ino(&e, "/mnt/..", 0, &ino), 0);
        assert_int_equal(ino, root);
        assert_int_equal(lookup_ino(&e, "/mnt/../top", 0, &ino), 0);
        struct vfs_at at = e.at;
        at.dir = &p;    /* not a directory: only "" works */
        path_put(&p);
        assert_int_equal(vfs_lookup(&e.at, "/mnt", 0, &p), 0);
        at.dir = &p;
        assert_int_equal(vfs_lookup(&at, "../top", 0, &q), 0);
        path_put(&q);
        path_put(&p);

        /* Names never cross mounts. */
        assert_int_equal(vfs_rename(&e.at, "/top", &e.at, "/mnt/top", 0), -EXDEV);
        assert_int_equal(vfs_link(&e.at, "/top", 0, &e.at, "/mnt/top"), -EXDEV);
        assert_int_equal(vfs_rmdir(&e.at, "/mnt"), -EBUSY);
        assert_int_equal(vfs_rename(&e.at, "/mnt/inner", &e.at, "/mnt/moved", 0), 0);
        assert_int_equal(lookup_ino(&e, "/mnt/moved", 0, &ino), 0);

        /* getcwd's view crosses back up. */
        char buf[64];
        assert_int_equal(vfs_lookup(&e.at, "/mnt", 0, &p), 0);
        assert_int_equal(vfs_d_path(e.fs, &p, buf, sizeof(buf)), 5);
        assert_string_equal(buf, "/mnt");
        assert_int_equal(vfs_d_path(e.fs, &p, buf, 4), -ERANGE);
        path_put(&p);
        env_teardown(&e);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dotdot_stops_at_root),
                cmocka_unit_test(test_symlinks_resolve_and_loop),
                cmocka_unit_test(test_trailing_slashes),
                cmocka_unit_test(test_name_too_long),
                cmocka_unit_test(test_dirfd_start),
                cmocka_unit_test(test_permissions),
                cmocka_unit_test(test_two_mounts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
