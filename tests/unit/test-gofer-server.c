/* A real gofer (gofer/server*.c) serving a temporary tree, driven through
 * the client (gofer/client*.c): every op, escape attempts, read-only mode,
 * confinement, malformed requests on the raw socket. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/statfs.h>
#include <cmocka.h>

#include "gofer-fixture.h"
#include "gofer/message.h"

#define NAMES(...) ((const char *const[]){ __VA_ARGS__ })
#define NNAMES(...) (sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))
#define WALK(fx, node, res, ...) \
        gofer_walk((fx)->client, (node), NAMES(__VA_ARGS__), NNAMES(__VA_ARGS__), (res))

static int setup(void **state)
{
        *state = fixture_start(0);
        return 0;
}

static int setup_ro(void **state)
{
        *state = fixture_start(FIXTURE_RO);
        return 0;
}

static int setup_confined(void **state)
{
        *state = fixture_start(FIXTURE_CONFINE);
        return 0;
}

static int teardown(void **state);

/* The real thing: the hidden verb, exec'd, confined with its filter. */
static int setup_exec(void **state)
{
        if (!getenv("CONTERNEL") || FIXTURE_SANITIZED) {
                *state = NULL;
                return 0;
        }
        *state = fixture_start(FIXTURE_EXEC);
        return 0;
}

static int setup_exec_host_root(void **state)
{
        if (!getenv("CONTERNEL") || FIXTURE_SANITIZED) {
                *state = NULL;
                return 0;
        }
        *state = fixture_start(FIXTURE_EXEC | FIXTURE_HOST_ROOT | FIXTURE_RO);
        return 0;
}

static int teardown_maybe(void **state)
{
        return *state ? teardown(state) : 0;
}

static int setup_raw(void **state)
{
        *state = fixture_start(FIXTURE_RAW);
        return 0;
}

static int teardown(void **state)
{
        /* The gofer must have served until hang-up and exited cleanly. */
        assert_int_equal(fixture_stop(*state), 0);
        return 0;
}

/* Walk one path of names from the root to a node the caller clunks. */
static uint32_t walk_to(struct gofer_fixture *fx, const char *const *names, unsigned n,
                        struct gofer_stat *ret_st)
{
        struct gofer_walk_result w;

        assert_int_equal(gofer_walk(fx->client, fx->rootnode, names, n, &w), 0);
        assert_int_equal(w.error, 0);
        assert_int_equal(w.n, n);
        for (unsigned i = 0; i + 1 < w.n; i++)
                assert_int_equal(gofer_clunk(fx->client, &w.nodes[i].node, 1), 0);
        if (ret_st)
                *ret_st = w.nodes[n - 1].stat;
        return w.nodes[n - 1].node;
}

static uint32_t walk1(struct gofer_fixture *fx, const char *name, struct gofer_stat *ret_st)
{
        return walk_to(fx, &name, 1, ret_st);
}

static void host_path(struct gofer_fixture *fx, const char *rel, char *buf, size_t size)
{
        snprintf(buf, size, "%s/%s", fx->root, rel);
}

static void test_attach_returns_root_directory(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_stat st;
        struct stat host;

        assert_int_equal(gofer_stat(fx->client, fx->rootnode, &st), 0);
        assert_true(S_ISDIR(st.mode));
        assert_int_equal(stat(fx->root, &host), 0);
        assert_int_equal(st.ino, host.st_ino);
}

static void test_walk_several_components_in_one_call(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_walk_result w;

        assert_int_equal(WALK(fx, fx->rootnode, &w, "d", "f"), 0);
        assert_int_equal(w.n, 2);
        assert_int_equal(w.error, 0);
        assert_true(S_ISDIR(w.nodes[0].stat.mode));
        assert_true(S_ISREG(w.nodes[1].stat.mode));
        assert_int_equal(w.nodes[1].stat.size, 5);
        uint32_t nodes[] = { w.nodes[0].node, w.nodes[1].node };
        assert_int_equal(gofer_clunk(fx->client, nodes, 2), 0);
}

static void test_walk_missing_first_is_enoent_later_is_partial(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_walk_result w;

        assert_int_equal(WALK(fx, fx->rootnode, &w, "nope"), -ENOENT);
        assert_int_equal(WALK(fx, fx->rootnode, &w, "d", "nope", "x"), 0);
        assert_int_equal(w.n, 1);
        assert_int_equal(w.error, -ENOENT);
        assert_int_equal(gofer_clunk(fx->client, &w.nodes[0].node, 1), 0);
}

static void test_walk_through_file_stops_with_enotdir(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_walk_result w;

        assert_int_equal(WALK(fx, fx->rootnode, &w, "file", "x"), 0);
        assert_int_equal(w.n, 1);
        assert_int_equal(w.error, -ENOTDIR);
        assert_true(S_ISREG(w.nodes[0].stat.mode));
        assert_int_equal(gofer_clunk(fx->client, &w.nodes[0].node, 1), 0);
}

static void test_walk_refuses_dot_dotdot_slash_and_long_names(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_walk_result w;
        char longname[300];

        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        assert_int_equal(WALK(fx, fx->rootnode, &w, ".."), -EINVAL);
        assert_int_equal(WALK(fx, fx->rootnode, &w, "."), -EINVAL);
        assert_int_equal(WALK(fx, fx->rootnode, &w, "d/f"), -EINVAL);
        assert_int_equal(WALK(fx, fx->rootnode, &w, ""), -EINVAL);
        assert_int_equal(WALK(fx, fx->rootnode, &w, longname), -ENAMETOOLONG);
        assert_int_equal(gofer_walk(fx->client, fx->rootnode, NULL, 0, &w), -EINVAL);
}

static void test_walk_bad_node_is_ebadf(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_walk_result w;
        struct gofer_stat st;

        assert_int_equal(WALK(fx, 9999, &w, "d"), -EBADF);
        assert_int_equal(WALK(fx, GOFER_NODE_NONE, &w, "d"), -EBADF);
        assert_int_equal(gofer_stat(fx->client, 12345, &st), -EBADF);
}

static void test_symlinks_are_nodes_never_followed(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_walk_result w;
        char *target;
        int fd = -1;

        /* ../secret: a symlink node, and walking on stops there. */
        assert_int_equal(WALK(fx, fx->rootnode, &w, "up", "anything"), 0);
        assert_int_equal(w.n, 1);
        assert_int_equal(w.error, -ENOTDIR);
        assert_true(S_ISLNK(w.nodes[0].stat.mode));
        assert_int_equal(gofer_readlink(fx->client, w.nodes[0].node, &target), 0);
        assert_string_equal(target, "../secret");
        free(target);
        assert_int_equal(gofer_open(fx->client, w.nodes[0].node, O_RDONLY, &fd), -ELOOP);
        assert_int_equal(gofer_clunk(fx->client, &w.nodes[0].node, 1), 0);

        /* Absolute targets: /etc and BASE/secret stay text. */
        const char *const abs[] = { "etc", "abs", "dotdot", "loop" };
        for (unsigned i = 0; i < 4; i++) {
                struct gofer_stat st;
                uint32_t n = walk1(fx, abs[i], &st);
                assert_true(S_ISLNK(st.mode));
                assert_int_equal(gofer_open(fx->client, n, O_RDONLY, &fd), -ELOOP);
                assert_int_equal(gofer_open(fx->client, n, O_RDONLY | O_DIRECTORY, &fd), -ELOOP);
                assert_int_equal(gofer_clunk(fx->client, &n, 1), 0);
        }
        assert_int_equal(WALK(fx, fx->rootnode, &w, "etc", "passwd"), 0);
        assert_int_equal(w.n, 1);
        assert_int_equal(w.error, -ENOTDIR);
        assert_int_equal(gofer_clunk(fx->client, &w.nodes[0].node, 1), 0);
        assert_int_equal(fd, -1);
}

static void test_readlink_of_non_symlink_is_einval(void **state)
{
        struct gofer_fixture *fx = *state;
        char *target = NULL;

        assert_int_equal(gofer_readlink(fx->client, fx->rootnode, &target), -EINVAL);
        assert_null(target);
}

static void test_open_regular_file_donates_fd(void **state)
{
        struct gofer_fixture *fx = *state;
        char buf[16] = {};
        char path[PATH_MAX];
        int fd = -1;

        uint32_t n = walk_to(fx, NAMES("d", "f"), 2, NULL);
        assert_int_equal(gofer_open(fx->client, n, O_RDONLY, &fd), 0);
        assert_true(fd >= 0);
        assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
        assert_int_equal(read(fd, buf, sizeof(buf)), 5);
        assert_string_equal(buf, "hello");
        assert_int_equal(write(fd, "x", 1), -1);
        close(fd);

        assert_int_equal(gofer_open(fx->client, n, O_RDWR | O_TRUNC, &fd), 0);
        assert_int_equal(write(fd, "bye", 3), 3);
        close(fd);
        host_path(fx, "d/f", path, sizeof(path));
        int h = open(path, O_RDONLY);
        memset(buf, 0, sizeof(buf));
        assert_int_equal(read(h, buf, sizeof(buf)), 3);
        assert_string_equal(buf, "bye");
        close(h);

        assert_int_equal(gofer_open(fx->client, n, O_RDONLY | O_DIRECTORY, &fd), -ENOTDIR);
        assert_int_equal(gofer_open(fx->client, n, O_RDONLY | O_CREAT, &fd), -EINVAL);
        assert_int_equal(gofer_clunk(fx->client, &n, 1), 0);
}

static void test_open_directory_and_fifo(void **state)
{
        struct gofer_fixture *fx = *state;
        int fd = 123;

        assert_int_equal(gofer_open(fx->client, fx->rootnode, O_RDONLY, &fd), 0);
        assert_int_equal(fd, -1);
        assert_int_equal(gofer_open(fx->client, fx->rootnode, O_RDWR, &fd), -EISDIR);
        uint32_t n = walk1(fx, "fifo", NULL);
        assert_int_equal(gofer_open(fx->client, n, O_RDONLY | O_NONBLOCK, &fd), -ENXIO);
        assert_int_equal(gofer_clunk(fx->client, &n, 1), 0);
}

static bool listed(const struct gofer_dirents *d, const char *name)
{
        for (unsigned i = 0; i < d->n; i++)
                if (strcmp(d->ents[i].name, name) == 0)
                        return true;
        return false;
}

static void test_getdents_lists_without_dot_entries(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_dirents *d;

        assert_int_equal(gofer_getdents(fx->client, fx->rootnode, 0, 0, &d), 0);
        assert_int_equal(d->n, 9);      /* d empty file fifo up etc dotdot loop abs */
        assert_true(listed(d, "d") && listed(d, "file") && listed(d, "abs"));
        assert_false(listed(d, ".") || listed(d, ".."));
        for (unsigned i = 0; i < d->n; i++)
                if (strcmp(d->ents[i].name, "d") == 0)
                        assert_int_equal(d->ents[i].type, DT_DIR);
        uint64_t end = d->ents[d->n - 1].next_offset;
        free(d);
        assert_int_equal(gofer_getdents(fx->client, fx->rootnode, end, 0, &d), 0);
        assert_int_equal(d->n, 0);
        free(d);

        uint32_t n = walk1(fx, "file", NULL);
        assert_int_equal(gofer_getdents(fx->client, n, 0, 0, &d), -ENOTDIR);
        assert_int_equal(gofer_clunk(fx->client, &n, 1), 0);
}

static void test_getdents_pages_through_a_large_directory(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_dirents *d;
        struct gofer_entry e;
        char name[64];
        unsigned seen = 0, pages = 0;
        uint64_t off = 0;

        uint32_t dir = walk1(fx, "empty", NULL);
        for (unsigned i = 0; i < 200; i++) {
                snprintf(name, sizeof(name), "entry-with-a-longish-name-%03u", i);
                assert_int_equal(gofer_mknod(fx->client, dir, name, S_IFREG | 0600, -1, -1, &e), 0);
                assert_int_equal(gofer_clunk(fx->client, &e.node, 1), 0);
        }
        for (;;) {
                assert_int_equal(gofer_getdents(fx->client, dir, off, 1024, &d), 0);
                if (d->n == 0) {
                        free(d);
                        break;
                }
                pages++;
                seen += d->n;
                off = d->ents[d->n - 1].next_offset;
                free(d);
        }
        assert_int_equal(seen, 200);
        assert_true(pages > 5);
        /* A count that cannot hold the longest name is too small. */
        assert_int_equal(gofer_getdents(fx->client, dir, 0, 16, &d), -EINVAL);
        assert_int_equal(gofer_clunk(fx->client, &dir, 1), 0);
}

static void test_create_gives_node_and_fd(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_entry e;
        char path[PATH_MAX];
        struct stat host;
        int fd = -1;

        assert_int_equal(gofer_create(fx->client, fx->rootnode, "new", O_RDWR, 0640, 1234, 5678, &e, &fd), 0);
        assert_true(S_ISREG(e.stat.mode));
        assert_int_equal(e.stat.mode & 07777, 0640);
        assert_int_equal(e.stat.uid, 1234);
        assert_int_equal(e.stat.gid, 5678);
        assert_int_equal(write(fd, "abc", 3), 3);
        close(fd);
        host_path(fx, "new", path, sizeof(path));
        assert_int_equal(stat(path, &host), 0);
        assert_int_equal(host.st_size, 3);
        assert_int_equal(host.st_ino, e.stat.ino);

        struct gofer_entry again;
        assert_int_equal(gofer_create(fx->client, fx->rootnode, "new", O_RDWR, 0640, -1, -1, &again, &fd), -EEXIST);
        /* Creating through a symlink is creating over it: EEXIST, never the target. */
        assert_int_equal(gofer_create(fx->client, fx->rootnode, "up", O_RDWR, 0600, -1, -1, &again, &fd), -EEXIST);
        assert_int_equal(gofer_create(fx->client, e.node, "x", O_RDWR, 0600, -1, -1, &again, &fd), -ENOTDIR);
        assert_int_equal(gofer_clunk(fx->client, &e.node, 1), 0);
}

static void test_mkdir_mknod_symlink_link(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_entry e, f;
        char *target;

        assert_int_equal(gofer_mkdir(fx->client, fx->rootnode, "sub", 0750, 42, 43, &e), 0);
        assert_true(S_ISDIR(e.stat.mode));
        assert_int_equal(e.stat.uid, 42);
        assert_int_equal(gofer_mkdir(fx->client, fx->rootnode, "sub", 0750, -1, -1, &f), -EEXIST);

        assert_int_equal(gofer_mknod(fx->client, e.node, "pipe", S_IFIFO | 0600, -1, -1, &f), 0);
        assert_true(S_ISFIFO(f.stat.mode));
        assert_int_equal(gofer_clunk(fx->client, &f.node, 1), 0);
        assert_int_equal(gofer_mknod(fx->client, e.node, "sock", S_IFSOCK | 0600, -1, -1, &f), 0);
        assert_true(S_ISSOCK(f.stat.mode));
        assert_int_equal(gofer_clunk(fx->client, &f.node, 1), 0);
        assert_int_equal(gofer_mknod(fx->client, e.node, "null", S_IFCHR | 0666, -1, -1, &f), -EPERM);
        assert_int_equal(gofer_mknod(fx->client, e.node, "disk", S_IFBLK | 0666, -1, -1, &f), -EPERM);

        assert_int_equal(gofer_symlink(fx->client, e.node, "ln", "/etc/shadow", 7, 8, &f), 0);
        assert_true(S_ISLNK(f.stat.mode));
        assert_int_equal(f.stat.uid, 7);
        assert_int_equal(gofer_readlink(fx->client, f.node, &target), 0);
        assert_string_equal(target, "/etc/shadow");
        free(target);
        assert_int_equal(gofer_clunk(fx->client, &f.node, 1), 0);
        assert_int_equal(gofer_symlink(fx->client, e.node, "empty", "", -1, -1, &f), -ENOENT);

        uint32_t file = walk1(fx, "file", NULL);
        assert_int_equal(gofer_link(fx->client, e.node, "hard", file, &f), 0);
        assert_true(S_ISREG(f.stat.mode));
        assert_int_equal(f.stat.nlink, 2);
        assert_int_equal(gofer_clunk(fx->client, &f.node, 1), 0);
        assert_int_equal(gofer_link(fx->client, e.node, "dirlink", e.node, &f), -EPERM);
        assert_int_equal(gofer_clunk(fx->client, &file, 1), 0);
        assert_int_equal(gofer_clunk(fx->client, &e.node, 1), 0);
}

static void test_unlink_and_rmdir(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_stat st;
        char path[PATH_MAX];

        uint32_t f = walk1(fx, "file", NULL);
        assert_int_equal(gofer_unlink(fx->client, fx->rootnode, "file", 0), 0);
        host_path(fx, "file", path, sizeof(path));
        assert_int_equal(access(path, F_OK), -1);
        /* The node outlives its name, as an open file does. */
        assert_int_equal(gofer_stat(fx->client, f, &st), 0);
        assert_int_equal(st.nlink, 0);
        assert_int_equal(gofer_clunk(fx->client, &f, 1), 0);

        assert_int_equal(gofer_unlink(fx->client, fx->rootnode, "file", 0), -ENOENT);
        assert_int_equal(gofer_unlink(fx->client, fx->rootnode, "d", 0), -EISDIR);
        assert_int_equal(gofer_unlink(fx->client, fx->rootnode, "d", AT_REMOVEDIR), -ENOTEMPTY);
        assert_int_equal(gofer_unlink(fx->client, fx->rootnode, "empty", AT_REMOVEDIR), 0);
        assert_int_equal(gofer_unlink(fx->client, fx->rootnode, "d", AT_SYMLINK_NOFOLLOW), -EINVAL);
        /* Unlinking a symlink removes the link, not its target. */
        assert_int_equal(gofer_unlink(fx->client, fx->rootnode, "abs", 0), 0);
        snprintf(path, sizeof(path), "%s/secret", fx->base);
        assert_int_equal(access(path, F_OK), 0);
}

static void test_rename_plain_noreplace_exchange(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_stat st, before;
        char path[PATH_MAX];

        uint32_t d = walk1(fx, "d", NULL);
        uint32_t f = walk1(fx, "file", &before);
        assert_int_equal(gofer_rename(fx->client, fx->rootnode, "file", d, "moved", 0), 0);
        host_path(fx, "d/moved", path, sizeof(path));
        assert_int_equal(access(path, F_OK), 0);
        assert_int_equal(gofer_stat(fx->client, f, &st), 0);    /* the node follows the file */
        assert_int_equal(st.ino, before.ino);

        assert_int_equal(gofer_rename(fx->client, d, "moved", d, "f", RENAME_NOREPLACE), -EEXIST);
        /* A file and a directory trade places. */
        assert_int_equal(gofer_rename(fx->client, d, "moved", fx->rootnode, "empty", RENAME_EXCHANGE), 0);
        struct stat host;
        host_path(fx, "empty", path, sizeof(path));
        assert_int_equal(stat(path, &host), 0);
        assert_true(S_ISREG(host.st_mode));
        host_path(fx, "d/moved", path, sizeof(path));
        assert_int_equal(stat(path, &host), 0);
        assert_true(S_ISDIR(host.st_mode));
        /* Exchanging a directory with its own child would make a loop. */
        assert_int_equal(gofer_rename(fx->client, d, "moved", fx->rootnode, "d", RENAME_EXCHANGE), -EINVAL);
        assert_int_equal(gofer_rename(fx->client, fx->rootnode, "nope", fx->rootnode, "x", 0), -ENOENT);
        assert_int_equal(gofer_rename(fx->client, fx->rootnode, "d", fx->rootnode, "x", RENAME_WHITEOUT), -EINVAL);
        assert_int_equal(gofer_rename(fx->client, fx->rootnode, "..", fx->rootnode, "x", 0), -EINVAL);
        uint32_t nodes[] = { d, f };
        assert_int_equal(gofer_clunk(fx->client, nodes, 2), 0);
}

static void test_setattr_each_field(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_stat st;

        uint32_t f = walk1(fx, "file", NULL);
        struct gofer_setattr a = {
                .mask = GOFER_SETATTR_SIZE | GOFER_SETATTR_MODE | GOFER_SETATTR_UID |
                        GOFER_SETATTR_GID | GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME,
                .size = 100, .mode = 0604, .uid = 11, .gid = 12,
                .atime = { 1000, 5 }, .mtime = { 2000, 7 },
        };
        assert_int_equal(gofer_setattr(fx->client, f, &a, &st), 0);
        assert_int_equal(st.size, 100);
        assert_int_equal(st.mode & 07777, 0604);
        assert_int_equal(st.uid, 11);
        assert_int_equal(st.gid, 12);
        assert_int_equal(st.atime.sec, 1000);
        assert_int_equal(st.atime.nsec, 5);
        assert_int_equal(st.mtime.sec, 2000);

        a = (struct gofer_setattr){ .mask = GOFER_SETATTR_MTIME, .mtime = { 0, UTIME_NOW } };
        assert_int_equal(gofer_setattr(fx->client, f, &a, &st), 0);
        assert_true(st.mtime.sec > 2000);
        assert_int_equal(st.atime.sec, 1000);
        a.mtime.nsec = 1000000000;
        assert_int_equal(gofer_setattr(fx->client, f, &a, &st), -EINVAL);
        a = (struct gofer_setattr){ .mask = GOFER_SETATTR_MODE, .mode = 010000 };
        assert_int_equal(gofer_setattr(fx->client, f, &a, &st), -EINVAL);
        a = (struct gofer_setattr){ .mask = 1u << 20 };
        assert_int_equal(gofer_setattr(fx->client, f, &a, &st), -EINVAL);
        a = (struct gofer_setattr){ .mask = GOFER_SETATTR_SIZE, .size = 1 };
        assert_int_equal(gofer_setattr(fx->client, fx->rootnode, &a, &st), -EISDIR);
        assert_int_equal(gofer_clunk(fx->client, &f, 1), 0);

        /* A symlink's owner and times change, never its target's. */
        uint32_t l = walk1(fx, "abs", NULL);
        a = (struct gofer_setattr){ .mask = GOFER_SETATTR_UID | GOFER_SETATTR_MTIME, .uid = 99,
                                    .mtime = { 3000, 0 } };
        assert_int_equal(gofer_setattr(fx->client, l, &a, &st), 0);
        assert_true(S_ISLNK(st.mode));
        assert_int_equal(st.uid, 99);
        char path[PATH_MAX];
        struct stat host;
        snprintf(path, sizeof(path), "%s/secret", fx->base);
        assert_int_equal(stat(path, &host), 0);
        assert_int_equal(host.st_uid, 0);
        a = (struct gofer_setattr){ .mask = GOFER_SETATTR_MODE, .mode = 0777 };
        assert_int_equal(gofer_setattr(fx->client, l, &a, &st), -EOPNOTSUPP);
        assert_int_equal(gofer_clunk(fx->client, &l, 1), 0);
}

static void test_statfs_fsync_clunk(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_statfs sf;
        struct statfs host;
        struct gofer_stat st;

        assert_int_equal(gofer_statfs(fx->client, fx->rootnode, &sf), 0);
        assert_int_equal(statfs(fx->root, &host), 0);
        assert_int_equal(sf.type, (uint64_t)host.f_type);
        assert_int_equal(sf.bsize, (uint64_t)host.f_bsize);

        uint32_t f = walk1(fx, "file", NULL);
        assert_int_equal(gofer_fsync(fx->client, f, false), 0);
        assert_int_equal(gofer_fsync(fx->client, f, true), 0);
        assert_int_equal(gofer_fsync(fx->client, fx->rootnode, false), 0);
        uint32_t l = walk1(fx, "up", NULL);
        assert_int_equal(gofer_fsync(fx->client, l, false), -EINVAL);

        uint32_t both[] = { f, l };
        assert_int_equal(gofer_clunk(fx->client, both, 2), 0);
        assert_int_equal(gofer_stat(fx->client, f, &st), -EBADF);
        assert_int_equal(gofer_clunk(fx->client, &f, 1), -EBADF);
        assert_int_equal(gofer_clunk(fx->client, both, 0), -EINVAL);
        /* Handles are reused once clunked. */
        uint32_t again = walk1(fx, "file", NULL);
        assert_true(again == f || again == l);
        assert_int_equal(gofer_clunk(fx->client, &again, 1), 0);
}

static void test_readonly_refuses_every_mutation(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_entry e;
        struct gofer_stat st;
        struct gofer_dirents *d;
        int fd = -1;

        uint32_t f = walk1(fx, "file", NULL);
        uint32_t dir = walk1(fx, "d", NULL);
        assert_int_equal(gofer_create(fx->client, fx->rootnode, "n", O_RDWR, 0600, -1, -1, &e, &fd), -EROFS);
        assert_int_equal(gofer_mkdir(fx->client, fx->rootnode, "n", 0700, -1, -1, &e), -EROFS);
        assert_int_equal(gofer_mknod(fx->client, fx->rootnode, "n", S_IFIFO | 0600, -1, -1, &e), -EROFS);
        assert_int_equal(gofer_symlink(fx->client, fx->rootnode, "n", "t", -1, -1, &e), -EROFS);
        assert_int_equal(gofer_link(fx->client, fx->rootnode, "n", f, &e), -EROFS);
        assert_int_equal(gofer_unlink(fx->client, fx->rootnode, "file", 0), -EROFS);
        assert_int_equal(gofer_rename(fx->client, fx->rootnode, "file", fx->rootnode, "n", 0), -EROFS);
        struct gofer_setattr a = { .mask = GOFER_SETATTR_MODE, .mode = 0777 };
        assert_int_equal(gofer_setattr(fx->client, f, &a, &st), -EROFS);
        assert_int_equal(gofer_open(fx->client, f, O_RDWR, &fd), -EROFS);
        assert_int_equal(gofer_open(fx->client, f, O_WRONLY, &fd), -EROFS);
        assert_int_equal(gofer_open(fx->client, f, O_RDONLY | O_TRUNC, &fd), -EROFS);
        assert_int_equal(fd, -1);

        /* Reading still works. */
        assert_int_equal(gofer_open(fx->client, f, O_RDONLY, &fd), 0);
        char buf[8] = {};
        assert_int_equal(read(fd, buf, sizeof(buf)), 4);
        close(fd);
        assert_int_equal(gofer_getdents(fx->client, dir, 0, 0, &d), 0);
        assert_int_equal(d->n, 1);
        free(d);
        uint32_t nodes[] = { f, dir };
        assert_int_equal(gofer_clunk(fx->client, nodes, 2), 0);
}

/* The confined gofer serves the same; the teardown checks it was not killed
 * by its own seccomp filter. */
static void test_confined_gofer_serves_everything(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_walk_result w;
        struct gofer_entry e, l;
        struct gofer_dirents *d;
        struct gofer_statfs sf;
        struct gofer_stat st;
        char *target;
        char buf[8] = {};
        int fd;

        /* It pivoted into the tree, kept five capabilities, and filters. */
        char path[64], line[256];
        struct stat its_root, tree;
        snprintf(path, sizeof(path), "/proc/%d/root/", (int)fx->pid);
        assert_int_equal(stat(path, &its_root), 0);
        assert_int_equal(stat(fx->root, &tree), 0);
        assert_int_equal(its_root.st_ino, tree.st_ino);
        assert_int_equal(its_root.st_dev, tree.st_dev);
        snprintf(path, sizeof(path), "/proc/%d/status", (int)fx->pid);
        FILE *status = fopen(path, "re");
        assert_non_null(status);
        bool caps = false, nnp = false;
        while (fgets(line, sizeof(line), status)) {
                /* CHOWN 0, DAC_OVERRIDE 1, DAC_READ_SEARCH 2, FOWNER 3, FSETID 4 */
                if (strcmp(line, "CapEff:\t000000000000001f\n") == 0)
                        caps = true;
                if (strcmp(line, "NoNewPrivs:\t1\n") == 0)
                        nnp = true;
        }
        fclose(status);
        assert_true(caps);
        assert_true(nnp);

        uint32_t f = walk_to(fx, NAMES("d", "f"), 2, NULL);
        assert_int_equal(gofer_open(fx->client, f, O_RDONLY, &fd), 0);
        assert_int_equal(read(fd, buf, sizeof(buf)), 5);
        close(fd);
        assert_int_equal(gofer_create(fx->client, fx->rootnode, "c", O_RDWR, 0600, 5, 5, &e, &fd), 0);
        close(fd);
        assert_int_equal(gofer_mkdir(fx->client, fx->rootnode, "m", 0700, 5, 5, &l), 0);
        assert_int_equal(gofer_clunk(fx->client, &l.node, 1), 0);
        assert_int_equal(gofer_mknod(fx->client, fx->rootnode, "p", S_IFIFO | 0600, -1, -1, &l), 0);
        assert_int_equal(gofer_clunk(fx->client, &l.node, 1), 0);
        assert_int_equal(gofer_symlink(fx->client, fx->rootnode, "s", "/", -1, -1, &l), 0);
        assert_int_equal(gofer_readlink(fx->client, l.node, &target), 0);
        free(target);
        assert_int_equal(gofer_clunk(fx->client, &l.node, 1), 0);
        assert_int_equal(gofer_link(fx->client, fx->rootnode, "h", e.node, &l), 0);
        assert_int_equal(gofer_clunk(fx->client, &l.node, 1), 0);
        assert_int_equal(gofer_rename(fx->client, fx->rootnode, "h", fx->rootnode, "h2", 0), 0);
        assert_int_equal(gofer_unlink(fx->client, fx->rootnode, "h2", 0), 0);
        struct gofer_setattr a = { .mask = GOFER_SETATTR_SIZE | GOFER_SETATTR_MODE |
                                           GOFER_SETATTR_UID | GOFER_SETATTR_ATIME,
                                   .size = 9, .mode = 0644, .uid = 3, .atime = { 0, UTIME_NOW } };
        assert_int_equal(gofer_setattr(fx->client, e.node, &a, &st), 0);
        assert_int_equal(st.size, 9);
        assert_int_equal(gofer_fsync(fx->client, e.node, false), 0);
        assert_int_equal(gofer_statfs(fx->client, fx->rootnode, &sf), 0);
        assert_int_equal(gofer_getdents(fx->client, fx->rootnode, 0, 0, &d), 0);
        assert_true(listed(d, "c") && listed(d, "m"));
        free(d);
        /* Still no way out. */
        assert_int_equal(WALK(fx, fx->rootnode, &w, "up", "x"), 0);
        assert_int_equal(w.error, -ENOTDIR);
        assert_int_equal(gofer_clunk(fx->client, &w.nodes[0].node, 1), 0);
        uint32_t nodes[] = { f, e.node };
        assert_int_equal(gofer_clunk(fx->client, nodes, 2), 0);
}

static void test_gofer_verb_serves_confined_in_its_own_process(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_walk_result w;
        struct gofer_dirents *d;
        struct gofer_entry e;
        char buf[8] = {};
        int fd;

        if (!fx)
                skip();
        uint32_t f = walk_to(fx, NAMES("d", "f"), 2, NULL);
        assert_int_equal(gofer_open(fx->client, f, O_RDONLY, &fd), 0);
        assert_int_equal(read(fd, buf, sizeof(buf)), 5);
        close(fd);
        assert_int_equal(gofer_create(fx->client, fx->rootnode, "c", O_WRONLY, 0600, -1, -1, &e, &fd), 0);
        close(fd);
        assert_int_equal(gofer_rename(fx->client, fx->rootnode, "c", fx->rootnode, "c2", 0), 0);
        assert_int_equal(gofer_getdents(fx->client, fx->rootnode, 0, 0, &d), 0);
        assert_true(listed(d, "c2"));
        free(d);
        assert_int_equal(WALK(fx, fx->rootnode, &w, "abs", "x"), 0);
        assert_int_equal(w.error, -ENOTDIR);
        uint32_t nodes[] = { f, e.node, w.nodes[0].node };
        assert_int_equal(gofer_clunk(fx->client, nodes, 3), 0);
        /* teardown: exit status 0, not 128+SIGSYS */
}

/* "/" itself can be the root (the default for `conternel do`): only its
 * own mount is served, so /proc is an empty directory, not the host's. */
static void test_gofer_verb_serves_host_root_without_submounts(void **state)
{
        struct gofer_fixture *fx = *state;
        struct gofer_walk_result w;
        struct gofer_entry e;
        struct stat host;
        int fd;

        if (!fx)
                skip();
        assert_int_equal(WALK(fx, fx->rootnode, &w, "etc", "passwd"), 0);
        assert_int_equal(w.n, 2);
        assert_int_equal(stat("/etc/passwd", &host), 0);
        assert_int_equal(w.nodes[1].stat.ino, host.st_ino);
        assert_int_equal(gofer_open(fx->client, w.nodes[1].node, O_RDONLY, &fd), 0);
        close(fd);
        uint32_t nodes[] = { w.nodes[0].node, w.nodes[1].node };
        assert_int_equal(gofer_clunk(fx->client, nodes, 2), 0);

        assert_int_equal(WALK(fx, fx->rootnode, &w, "proc", "self"), 0);
        assert_int_equal(w.n, 1);
        assert_int_equal(w.error, -ENOENT);
        assert_int_equal(gofer_clunk(fx->client, &w.nodes[0].node, 1), 0);
        assert_int_equal(gofer_mkdir(fx->client, fx->rootnode, "x", 0700, -1, -1, &e), -EROFS);
}

struct thread_arg {
        struct gofer_fixture *fx;
        int failures;
};

static void *hammer(void *p)
{
        struct thread_arg *a = p;
        struct gofer_walk_result w;
        struct gofer_stat st;

        for (int i = 0; i < 300; i++) {
                if (WALK(a->fx, a->fx->rootnode, &w, "d", "f") != 0 || w.n != 2 ||
                    gofer_stat(a->fx->client, w.nodes[1].node, &st) != 0 || st.size != 5) {
                        a->failures++;
                        continue;
                }
                uint32_t nodes[] = { w.nodes[0].node, w.nodes[1].node };
                if (gofer_clunk(a->fx->client, nodes, 2) != 0)
                        a->failures++;
        }
        return NULL;
}

static void test_concurrent_callers_share_one_client(void **state)
{
        struct thread_arg args[4];
        pthread_t t[4];

        for (int i = 0; i < 4; i++) {
                args[i] = (struct thread_arg){ .fx = *state };
                assert_int_equal(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
                pthread_join(t[i], NULL);
                assert_int_equal(args[i].failures, 0);
        }
}

/* Raw requests: send bytes, read the reply's type, tag and error. */
static int raw_call(int sock, const void *msg, size_t len, int send_fd, uint16_t *ret_type,
                    uint32_t *ret_tag)
{
        uint8_t reply[GOFER_MSG_MAX];
        struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        uint32_t rlen;
        uint16_t flags;
        int32_t err;

        if (send_fd >= 0) {
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &send_fd, sizeof(int));
        }
        assert_int_equal(sendmsg(sock, &mh, 0), (ssize_t)len);
        ssize_t n = recv(sock, reply, sizeof(reply), 0);
        assert_true(n >= (ssize_t)GOFER_REPLY_HDR_SIZE);
        assert_int_equal(gofer_decode_hdr(reply, (size_t)n, &rlen, ret_type, &flags, ret_tag), 0);
        assert_int_equal(rlen, (uint32_t)n);
        assert_int_equal(flags, 0);
        memcpy(&err, reply + GOFER_HDR_SIZE, sizeof(err));
        return err;
}

static size_t build(uint8_t *buf, uint16_t op, uint32_t tag, const void *body, size_t blen)
{
        struct gofer_wbuf w;

        gofer_wbuf_init(&w, buf, GOFER_MSG_MAX + 16);
        gofer_put_hdr(&w, op, tag);
        gofer_put_bytes(&w, body, blen);
        uint32_t len = (uint32_t)w.len;
        memcpy(buf, &len, sizeof(len));
        return w.len;
}

static void test_malformed_requests_get_errors_and_server_keeps_serving(void **state)
{
        struct gofer_fixture *fx = *state;
        static uint8_t msg[GOFER_MSG_MAX + 4096];
        uint16_t type;
        uint32_t tag;
        size_t len;

        /* Out of order: a node before any ATTACH made one, a reply sent as
         * a request, a clunk of what was never a node. */
        uint8_t stat_node1[] = { 1, 0, 0, 0 };
        len = build(msg, GOFER_STAT, 10, stat_node1, sizeof(stat_node1));
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EBADF);
        len = build(msg, GOFER_STAT | GOFER_REPLY, 11, stat_node1, sizeof(stat_node1));
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EINVAL);
        uint8_t clunk_bad[] = { 1, 0, 9, 0, 0, 0 };
        len = build(msg, GOFER_CLUNK, 12, clunk_bad, sizeof(clunk_bad));
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EBADF);
        /* Too short for a header: tag 0, type 0|REPLY. */
        assert_int_equal(raw_call(fx->sock, "abc", 3, -1, &type, &tag), -EINVAL);
        assert_int_equal(type, GOFER_REPLY);
        /* Unknown op, echoed with its tag. */
        len = build(msg, 999, 77, NULL, 0);
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EINVAL);
        assert_int_equal(tag, 77);
        assert_int_equal(type, 999 | GOFER_REPLY);
        /* Length field that lies. */
        len = build(msg, GOFER_ATTACH, 1, NULL, 0);
        msg[0] = 200;
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EINVAL);
        /* Nonzero header flags. */
        len = build(msg, GOFER_ATTACH, 1, NULL, 0);
        msg[6] = 1;
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EINVAL);
        /* Trailing bytes. */
        len = build(msg, GOFER_ATTACH, 1, "x", 1);
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EINVAL);
        /* A walk with "..", with a name running past the end, to a bad node. */
        uint8_t walk_dotdot[] = { 1, 0, 0, 0, 1, 0, 2, 0, '.', '.' };
        len = build(msg, GOFER_WALK, 2, walk_dotdot, sizeof(walk_dotdot));
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EINVAL);
        uint8_t walk_trunc[] = { 1, 0, 0, 0, 1, 0, 200, 0, 'a', 'b' };
        len = build(msg, GOFER_WALK, 3, walk_trunc, sizeof(walk_trunc));
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EINVAL);
        uint8_t walk_badnode[] = { 0xff, 0xff, 0, 0, 1, 0, 1, 0, 'd' };
        len = build(msg, GOFER_WALK, 4, walk_badnode, sizeof(walk_badnode));
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EBADF);
        /* Over GOFER_MSG_MAX: EMSGSIZE, tag still echoed. */
        static const uint8_t zeros[GOFER_MSG_MAX];
        len = build(msg, GOFER_STAT, 5, zeros, GOFER_MSG_MAX);
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), -EMSGSIZE);
        assert_int_equal(tag, 5);
        /* An fd sent to the gofer is dropped; the request still answered. */
        int spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
        len = build(msg, GOFER_ATTACH, 6, NULL, 0);
        assert_int_equal(raw_call(fx->sock, msg, len, spare, &type, &tag), 0);
        close(spare);
        /* And a good request works after all that. */
        uint8_t walk_ok[] = { 1, 0, 0, 0, 1, 0, 1, 0, 'd' };
        len = build(msg, GOFER_WALK, 7, walk_ok, sizeof(walk_ok));
        assert_int_equal(raw_call(fx->sock, msg, len, -1, &type, &tag), 0);
        assert_int_equal(type, GOFER_WALK | GOFER_REPLY);
        assert_int_equal(tag, 7);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_attach_returns_root_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_walk_several_components_in_one_call, setup, teardown),
                cmocka_unit_test_setup_teardown(test_walk_missing_first_is_enoent_later_is_partial, setup, teardown),
                cmocka_unit_test_setup_teardown(test_walk_through_file_stops_with_enotdir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_walk_refuses_dot_dotdot_slash_and_long_names, setup, teardown),
                cmocka_unit_test_setup_teardown(test_walk_bad_node_is_ebadf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlinks_are_nodes_never_followed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_readlink_of_non_symlink_is_einval, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_regular_file_donates_fd, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_directory_and_fifo, setup, teardown),
                cmocka_unit_test_setup_teardown(test_getdents_lists_without_dot_entries, setup, teardown),
                cmocka_unit_test_setup_teardown(test_getdents_pages_through_a_large_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_gives_node_and_fd, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mkdir_mknod_symlink_link, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unlink_and_rmdir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rename_plain_noreplace_exchange, setup, teardown),
                cmocka_unit_test_setup_teardown(test_setattr_each_field, setup, teardown),
                cmocka_unit_test_setup_teardown(test_statfs_fsync_clunk, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_callers_share_one_client, setup, teardown),
                cmocka_unit_test_setup_teardown(test_readonly_refuses_every_mutation, setup_ro, teardown),
                cmocka_unit_test_setup_teardown(test_confined_gofer_serves_everything, setup_confined, teardown),
                cmocka_unit_test_setup_teardown(test_gofer_verb_serves_confined_in_its_own_process,
                                                setup_exec, teardown_maybe),
                cmocka_unit_test_setup_teardown(test_gofer_verb_serves_host_root_without_submounts,
                                                setup_exec_host_root, teardown_maybe),
                cmocka_unit_test_setup_teardown(test_malformed_requests_get_errors_and_server_keeps_serving,
                                                setup_raw, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
