/* File locks (vfs/lock.c, vfs/flock.c): record locks split and merge per
 * owner, conflict only across owners, F_GETLK reports in Linux's order,
 * close drops an owner's POSIX locks and the last reference a file's OFD
 * and flock locks; the wait-for graph finds a deadlock cycle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vfs-helpers.h"
#include "vfs/lock.h"

static int owner_a, owner_b;    /* two fd tables, by address */

static struct file *open_rw(struct vfs_env *e, const char *name)
{
        struct file *f = NULL;

        assert_int_equal(vfs_open(&e->at, name, O_CREAT | O_RDWR, 0644, &f), 0);
        return f;
}

static int setlk(struct file *f, void *owner, int type, int64_t start, int64_t end)
{
        struct file_lock_req req = { .type = type, .start = start, .end = end, .owner = owner,
                                     .pid = owner == &owner_a ? 1 : 2 };

        return posix_lock_file(f, &req, NULL);
}

/* What owner would see for a write lock on [start, end]. */
static struct file_lock_req getlk(struct file *f, void *owner, int64_t start, int64_t end)
{
        struct file_lock_req req = { .type = F_WRLCK, .start = start, .end = end, .owner = owner };

        assert_int_equal(posix_test_lock(f, &req), 0);
        return req;
}

static void assert_held(struct file *f, int64_t at, int type, int64_t start, int64_t end)
{
        struct file_lock_req r = getlk(f, &owner_b, at, at);

        assert_int_equal(r.type, type);
        if (type != F_UNLCK) {
                assert_int_equal(r.start, start);
                assert_int_equal(r.end, end);
                assert_int_equal(r.pid, 1);
        }
}

static void test_split_and_merge(void **state)
{
        struct vfs_env e;
        struct file *f;

        (void)state;
        env_setup(&e);
        f = open_rw(&e, "/f");
        assert_int_equal(setlk(f, &owner_a, F_WRLCK, 0, 99), 0);
        assert_int_equal(setlk(f, &owner_a, F_RDLCK, 10, 19), 0);
        assert_held(f, 5, F_WRLCK, 0, 9);
        assert_held(f, 15, F_RDLCK, 10, 19);
        assert_held(f, 50, F_WRLCK, 20, 99);
        assert_int_equal(setlk(f, &owner_a, F_UNLCK, 40, 59), 0);
        assert_held(f, 50, F_UNLCK, 0, 0);
        assert_held(f, 70, F_WRLCK, 60, 99);
        /* Back to one write lock: neighbours of the same type merge. */
        assert_int_equal(setlk(f, &owner_a, F_WRLCK, 10, 59), 0);
        assert_held(f, 50, F_WRLCK, 0, 99);
        /* Adjacent locks merge too; to EOF stays to EOF. */
        assert_int_equal(setlk(f, &owner_a, F_WRLCK, 100, LOCK_OFFSET_MAX), 0);
        assert_held(f, 1000, F_WRLCK, 0, LOCK_OFFSET_MAX);
        file_unref(f);
        env_teardown(&e);
}

static void test_owners_conflict(void **state)
{
        struct vfs_env e;
        struct file *f, *g;
        void *blocker = NULL;
        struct file_lock_req req = { .type = F_RDLCK, .start = 5, .end = 5, .owner = &owner_b };

        (void)state;
        env_setup(&e);
        f = open_rw(&e, "/f");
        g = open_rw(&e, "/f");
        assert_int_equal(setlk(f, &owner_a, F_RDLCK, 0, 9), 0);
        assert_int_equal(setlk(f, &owner_b, F_RDLCK, 5, 5), 0);         /* readers share */
        assert_int_equal(setlk(f, &owner_b, F_WRLCK, 8, 12), -EAGAIN);
        assert_int_equal(posix_lock_file(f, &(struct file_lock_req){ .type = F_WRLCK,
                         .start = 0, .end = 0, .owner = &owner_b }, &blocker), -EAGAIN);
        assert_ptr_equal(blocker, &owner_a);
        assert_int_equal(posix_lock_file(f, &req, NULL), 0);
        /* Closing any file of the inode drops the owner's POSIX locks. */
        locks_remove_posix(g, &owner_a);
        assert_int_equal(setlk(f, &owner_b, F_WRLCK, 0, 9), 0);
        /* OFD locks belong to a file and go with it. */
        assert_int_equal(posix_lock_file(g, &(struct file_lock_req){ .type = F_WRLCK,
                         .start = 20, .end = 29, .owner = g, .pid = -1, .ofd = true }, NULL), 0);
        req = getlk(f, f, 25, 25);
        assert_int_equal(req.type, F_WRLCK);
        assert_int_equal(req.pid, -1);
        file_unref(g);
        req = getlk(f, f, 25, 25);
        assert_int_equal(req.type, F_UNLCK);
        file_unref(f);
        env_teardown(&e);
}

static void test_flock(void **state)
{
        struct vfs_env e;
        struct file *f, *g;

        (void)state;
        env_setup(&e);
        f = open_rw(&e, "/f");
        g = open_rw(&e, "/f");
        assert_int_equal(flock_lock_file(f, F_RDLCK), 0);
        assert_int_equal(flock_lock_file(g, F_RDLCK), 0);
        assert_int_equal(flock_lock_file(g, F_WRLCK), -EAGAIN);
        /* The failed upgrade dropped g's shared lock. */
        assert_int_equal(flock_lock_file(f, F_WRLCK), 0);
        assert_int_equal(flock_lock_file(g, F_RDLCK), -EAGAIN);
        file_unref(f);
        assert_int_equal(flock_lock_file(g, F_WRLCK), 0);
        file_unref(g);
        env_teardown(&e);
}

static void test_deadlock_cycle(void **state)
{
        struct lock_wait_graph g;
        struct lock_wait wa, wb;
        int c;

        (void)state;
        lock_wait_graph_init(&g);
        assert_int_equal(posix_wait_begin(&g, &wa, &owner_a, &owner_b), 0);
        assert_int_equal(posix_wait_begin(&g, &wb, &owner_b, &owner_a), -EDEADLK);
        assert_int_equal(posix_wait_begin(&g, &wb, &owner_b, &c), 0);
        posix_wait_end(&wb);
        posix_wait_end(&wa);
        assert_int_equal(posix_wait_begin(&g, &wb, &owner_b, &owner_a), 0);
        posix_wait_end(&wb);
        lock_wait_graph_destroy(&g);
}

/* Each sandbox has its own graph: a wait in one is no cycle in another. */
static void test_deadlock_graphs_apart(void **state)
{
        struct lock_wait_graph g1, g2;
        struct lock_wait wa, wb;

        (void)state;
        lock_wait_graph_init(&g1);
        lock_wait_graph_init(&g2);
        assert_int_equal(posix_wait_begin(&g1, &wa, &owner_a, &owner_b), 0);
        assert_int_equal(posix_wait_begin(&g2, &wb, &owner_b, &owner_a), 0);
        posix_wait_end(&wb);
        assert_int_equal(posix_wait_begin(&g1, &wb, &owner_b, &owner_a), -EDEADLK);
        posix_wait_end(&wa);
        lock_wait_graph_destroy(&g1);
        lock_wait_graph_destroy(&g2);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_split_and_merge),
                cmocka_unit_test(test_owners_conflict),
                cmocka_unit_test(test_flock),
                cmocka_unit_test(test_deadlock_cycle),
                cmocka_unit_test(test_deadlock_graphs_apart),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
