/* Permission rules of the file system calls for a caller that is not root:
 * utimensat (owner for explicit times, write access for "now"), xattr
 * namespaces, mknod of devices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "vfs-helpers.h"
#include "vfs/xattr.h"

static const struct vfs_cred user_cred = { .uid = 1000, .gid = 1000 };
static const struct vfs_cred other_cred = { .uid = 2000, .gid = 2000 };

/* /name owned by user_cred with mode. */
static void make_user_file(struct vfs_env *e, const char *name, mode_t mode, struct path *ret)
{
        assert_int_equal(touch(e, name), 0);
        assert_int_equal(vfs_lookup(&e->at, name, 0, ret), 0);
        assert_int_equal(vfs_chown(ret, &root_cred, user_cred.uid, user_cred.gid), 0);
        assert_int_equal(vfs_chmod(ret, &root_cred, mode), 0);
}

static void test_utimes_permissions(void **state)
{
        struct timespec set[2] = { { 10, 0 }, { 20, 0 } };
        struct timespec now_omit[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
        struct vfs_env e;
        struct path p;
        struct stat st;

        (void)state;
        env_setup(&e);
        make_user_file(&e, "/f", 0666, &p);
        /* The owner may do anything. */
        assert_int_equal(vfs_utimes(&p, &user_cred, set), 0);
        assert_int_equal(vfs_getattr(p.dentry->inode, &st), 0);
        assert_int_equal(st.st_mtim.tv_sec, 20);
        /* Others: "both now" with write access, explicit times never. */
        assert_int_equal(vfs_utimes(&p, &other_cred, NULL), 0);
        assert_int_equal(vfs_utimes(&p, &other_cred, set), -EPERM);
        assert_int_equal(vfs_utimes(&p, &other_cred, now_omit), -EPERM);
        assert_int_equal(vfs_chmod(&p, &user_cred, 0644), 0);
        assert_int_equal(vfs_utimes(&p, &other_cred, NULL), -EACCES);
        assert_int_equal(vfs_utimes(&p, &other_cred, set), -EPERM);
        /* Root passes. */
        assert_int_equal(vfs_utimes(&p, &root_cred, set), 0);
        path_put(&p);
        env_teardown(&e);
}

static void test_xattr_permissions(void **state)
{
        struct vfs_env e;
        struct path p, d;
        char buf[8];

        (void)state;
        env_setup(&e);
        make_user_file(&e, "/f", 0644, &p);
        /* user.*: the mode bits decide. */
        assert_int_equal(vfs_setxattr(p.dentry->inode, &user_cred, "user.a", "v", 1, 0), 0);
        assert_int_equal(vfs_setxattr(p.dentry->inode, &other_cred, "user.a", "w", 1, 0), -EACCES);
        assert_int_equal(vfs_removexattr(p.dentry->inode, &other_cred, "user.a"), -EACCES);
        assert_int_equal(vfs_getxattr(p.dentry->inode, &other_cred, "user.a", buf, sizeof(buf)), 1);
        assert_int_equal(vfs_chmod(&p, &user_cred, 0600), 0);
        assert_int_equal(vfs_getxattr(p.dentry->inode, &other_cred, "user.a", buf, sizeof(buf)),
                         -EACCES);
        /* security.*: root changes it, anyone reads it. */
        assert_int_equal(vfs_setxattr(p.dentry->inode, &user_cred, "security.x", "v", 1, 0), -EPERM);
        assert_int_equal(vfs_setxattr(p.dentry->inode, &root_cred, "security.x", "v", 1, 0), 0);
        assert_int_equal(vfs_getxattr(p.dentry->inode, &other_cred, "security.x", buf, sizeof(buf)), 1);
        assert_int_equal(vfs_removexattr(p.dentry->inode, &user_cred, "security.x"), -EPERM);
        /* trusted.*: not even the guest's root (no CAP_SYS_ADMIN in the
         * initial user namespace). */
        assert_int_equal(vfs_setxattr(p.dentry->inode, &root_cred, "trusted.x", "v", 1, 0), -EPERM);
        assert_int_equal(vfs_getxattr(p.dentry->inode, &root_cred, "trusted.x", buf, sizeof(buf)),
                         -ENODATA);
        assert_int_equal(vfs_removexattr(p.dentry->inode, &root_cred, "trusted.x"), -EPERM);
        /* A sticky directory: only its owner (or root) writes user.*. */
        assert_int_equal(vfs_mkdir(&e.at, "/d", 01777), 0);
        assert_int_equal(vfs_lookup(&e.at, "/d", 0, &d), 0);
        assert_int_equal(vfs_chown(&d, &root_cred, user_cred.uid, user_cred.gid), 0);
        assert_int_equal(vfs_chmod(&d, &root_cred, 01777), 0);
        assert_int_equal(vfs_setxattr(d.dentry->inode, &other_cred, "user.a", "v", 1, 0), -EPERM);
        assert_int_equal(vfs_setxattr(d.dentry->inode, &user_cred, "user.a", "v", 1, 0), 0);
        assert_int_equal(vfs_getxattr(d.dentry->inode, &other_cred, "user.a", buf, sizeof(buf)), 1);
        path_put(&d);
        path_put(&p);
        env_teardown(&e);
}

/* tmpfs caps the names and values one inode holds. */
static void test_xattr_inode_limit(void **state)
{
        static char value[65536];
        struct vfs_env e;
        struct path p;
        char name[32];
        int i, r = 0;

        (void)state;
        env_setup(&e);
        make_user_file(&e, "/f", 0644, &p);
        for (i = 0; i < 64 && r == 0; i++) {
                snprintf(name, sizeof(name), "user.%d", i);
                r = vfs_setxattr(p.dentry->inode, &root_cred, name, value, sizeof(value), 0);
        }
        assert_int_equal(r, -ENOSPC);
        assert_true(i > 8);
        /* Replacing one by a smaller value still fits. */
        assert_int_equal(vfs_setxattr(p.dentry->inode, &root_cred, "user.0", "x", 1, 0), 0);
        path_put(&p);
        env_teardown(&e);
}

/* Device nodes: no guest holds CAP_MKNOD over the host's devices, root
 * included (as in a user namespace); a whiteout is fine. The name comes
 * back when asked for (unix sockets bind that way). */
static void test_mknod_devices(void **state)
{
        struct vfs_env e;
        struct path p;

        (void)state;
        env_setup(&e);
        assert_int_equal(vfs_mknodat(&e.at, "/c", S_IFCHR | 0600, makedev(1, 3), NULL), -EPERM);
        assert_int_equal(vfs_mknodat(&e.at, "/b", S_IFBLK | 0600, makedev(8, 0), NULL), -EPERM);
        assert_int_equal(vfs_mknodat(&e.at, "/w", S_IFCHR | 0600, makedev(0, 0), NULL), 0);
        assert_int_equal(vfs_mknodat(&e.at, "/s", S_IFSOCK | 0777, 0, &p), 0);
        assert_true(S_ISSOCK(p.dentry->inode->mode));
        assert_int_equal(p.dentry->inode->mode & 07777, 0755);
        path_put(&p);
        assert_int_equal(vfs_mknodat(&e.at, "/s", S_IFSOCK | 0777, 0, &p), -EEXIST);
        /* Not in a directory the caller may not write. */
        struct vfs_at at = e.at;
        at.cred = &user_cred;
        assert_int_equal(vfs_mknodat(&at, "/f", S_IFIFO | 0600, 0, NULL), -EACCES);
        env_teardown(&e);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utimes_permissions),
                cmocka_unit_test(test_xattr_permissions),
                cmocka_unit_test(test_xattr_inode_limit),
                cmocka_unit_test(test_mknod_devices),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
