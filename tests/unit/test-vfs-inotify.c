/* fsnotify and inotify through the VFS: marks on inodes counted on their
 * superblock (the hooks' fast path) and dropped with the watch, the
 * instance or the inode's last name; events read back through vfs_read(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <sys/inotify.h>

#include "vfs-helpers.h"
#include "vfs/inotify.h"

static int add_watch(struct vfs_env *e, struct file *in, const char *name, uint32_t mask)
{
        struct path p;
        int r = vfs_lookup(&e->at, name, LOOKUP_FOLLOW, &p);

        if (r < 0)
                return r;
        r = inotify_add_watch_file(in, &p, mask);
        path_put(&p);
        return r;
}

static int sb_marks(struct vfs_env *e)
{
        struct path p;
        int n;

        assert_int_equal(vfs_lookup(&e->at, "/", 0, &p), 0);
        n = atomic_load(&p.dentry->sb->fsn_marks);
        path_put(&p);
        return n;
}

/* Events read from one instance, handed out one at a time. */
struct reader {
        struct file *in;
        char buf[256] __attribute__((aligned(8)));
        ssize_t len, off;
};

/* The next event is (wd, mask, name); "" for no name. */
static void expect_event(struct reader *r, int wd, uint32_t mask, const char *name)
{
        struct inotify_event *ev;

        if (r->off >= r->len) {
                r->len = file_pread(r->in, r->buf, sizeof(r->buf), -1);
                r->off = 0;
                assert_int_equal(r->len < 0 ? r->len : 0, 0);
                assert_true(r->len >= (ssize_t)sizeof(struct inotify_event));
        }
        ev = (struct inotify_event *)(r->buf + r->off);
        r->off += (ssize_t)(sizeof(*ev) + ev->len);
        assert_int_equal(ev->wd, wd);
        assert_int_equal(ev->mask, mask);
        assert_string_equal(ev->len ? ev->name : "", name);
}

static void test_marks_follow_watches(void **state)
{
        struct file *in = NULL, *in2 = NULL;
        struct reader r1 = { 0 }, r2 = { 0 };
        struct vfs_env e;
        int wd;

        (void)state;
        env_setup(&e);
        assert_int_equal(touch(&e, "/f"), 0);
        assert_int_equal(inotify_create_file(0, &in), 0);
        assert_int_equal(inotify_create_file(O_NONBLOCK, &in2), 0);
        r1.in = in;
        r2.in = in2;
        assert_int_equal(sb_marks(&e), 0);
        wd = add_watch(&e, in, "/f", IN_MODIFY);
        assert_int_equal(wd, 1);
        assert_int_equal(add_watch(&e, in, "/f", IN_ATTRIB | IN_MASK_ADD), wd);
        assert_int_equal(add_watch(&e, in2, "/f", IN_MODIFY), 1);
        assert_int_equal(add_watch(&e, in2, "/", IN_CREATE | IN_DELETE), 2);
        assert_int_equal(sb_marks(&e), 3);
        assert_int_equal(inotify_rm_watch_file(in, wd), 0);
        assert_int_equal(inotify_rm_watch_file(in, wd), -EINVAL);
        assert_int_equal(sb_marks(&e), 2);
        expect_event(&r1, wd, IN_IGNORED, "");
        /* The last name goes: the mark with it. */
        assert_int_equal(vfs_unlink(&e.at, "/f"), 0);
        assert_int_equal(sb_marks(&e), 1);
        expect_event(&r2, 1, IN_IGNORED, "");   /* the file's watch goes first */
        expect_event(&r2, 2, IN_DELETE, "f");
        file_unref(in);
        /* Closing the instance drops its marks. */
        file_unref(in2);
        assert_int_equal(sb_marks(&e), 0);
        env_teardown(&e);
}

static void test_events_through_vfs(void **state)
{
        struct file *in = NULL, *f = NULL;
        struct reader r = { 0 };
        struct vfs_env e;
        char buf[64];
        int wd;

        (void)state;
        env_setup(&e);
        assert_int_equal(vfs_mkdir(&e.at, "/d", 0755), 0);
        assert_int_equal(inotify_create_file(O_NONBLOCK, &in), 0);
        r.in = in;
        wd = add_watch(&e, in, "/d", IN_ALL_EVENTS);
        assert_true(wd > 0);
        assert_int_equal(file_pread(in, buf, sizeof(buf), -1), -EAGAIN);
        assert_int_equal(vfs_open(&e.at, "/d/x", O_CREAT | O_RDWR, 0644, &f), 0);
        expect_event(&r, wd, IN_CREATE, "x");
        expect_event(&r, wd, IN_OPEN, "x");
        assert_int_equal(file_pwrite(f, "ab", 2, 0), 2);
        assert_int_equal(file_pwrite(f, "cd", 2, 2), 2);
        expect_event(&r, wd, IN_MODIFY, "x");   /* coalesced */
        assert_int_equal(file_pread(in, buf, sizeof(buf), -1), -EAGAIN);
        file_unref(f);
        expect_event(&r, wd, IN_CLOSE_WRITE, "x");
        assert_int_equal(vfs_rename(&e.at, "/d/x", &e.at, "/d/y", 0), 0);
        expect_event(&r, wd, IN_MOVED_FROM, "x");
        expect_event(&r, wd, IN_MOVED_TO, "y");
        assert_int_equal(vfs_rmdir(&e.at, "/d"), -ENOTEMPTY);
        assert_int_equal(vfs_unlink(&e.at, "/d/y"), 0);
        expect_event(&r, wd, IN_DELETE, "y");
        assert_int_equal(vfs_rmdir(&e.at, "/d"), 0);
        expect_event(&r, wd, IN_DELETE_SELF, "");
        expect_event(&r, wd, IN_IGNORED, "");
        assert_int_equal(sb_marks(&e), 0);
        file_unref(in);
        env_teardown(&e);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_marks_follow_watches),
                cmocka_unit_test(test_events_through_vfs),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
