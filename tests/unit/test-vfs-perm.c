/* Permission rules of the file system calls for a caller that is not root:
 * utimensat (owner for explicit times, write access for "now"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "vfs-helpers.h"

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

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utimes_permissions),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
