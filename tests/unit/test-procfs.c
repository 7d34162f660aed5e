/* procfs over a fake procfs_source, with devfs and sysfs beside it: what
 * the source says is what /proc shows, and the device semantics. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "lib/macro.h"
#include "vfs-helpers.h"
#include "vfs/fdtable.h"
#include "vfs/fs/procfs/procfs.h"

struct fake_source {
        struct procfs_source base;
        int pids[4];
        int npids;
        int current;
        char hostname[65];
        struct fdtable *fdt;            /* every pid's */
        struct fs_context *fs;          /* borrowed */
        bool released;
};

static struct fake_source *F(struct procfs_source *s)
{
        return container_of(s, struct fake_source, base);
}

static bool fake_has(struct fake_source *f, int pid)
{
        for (int i = 0; i < f->npids; i++)
                if (f->pids[i] == pid)
                        return true;
        return false;
}

static int fake_current(struct procfs_source *s, int *tgid, int *tid)
{
        *tgid = *tid = F(s)->current;
        return 0;
}

static int fake_next(struct procfs_source *s, int from, int *ret)
{
        struct fake_source *f = F(s);
        int best = -1;

        for (int i = 0; i < f->npids; i++)
                if (f->pids[i] >= from && (best < 0 || f->pids[i] < best))
                        best = f->pids[i];
        if (best < 0)
                return -ENOENT;
        *ret = best;
        return 0;
}

static int fake_next_tid(struct procfs_source *s, int tgid, int from, int *ret)
{
        if (!fake_has(F(s), tgid) || from > tgid)
                return -ENOENT;
        *ret = tgid;
        return 0;
}

static int fake_status(struct procfs_source *s, int tid, struct procfs_status *ret)
{
        if (!fake_has(F(s), tid))
                return -ESRCH;
        *ret = (struct procfs_status){ .state = 'S', .tgid = tid, .pid = tid, .ppid = 1,
                                       .threads = 1, .vm_size = 8192 };
        snprintf(ret->comm, sizeof(ret->comm), "fake%d", tid);
        return 0;
}

static int fake_limits(struct procfs_source *s, int tgid, struct rlimit ret[RLIM_NLIMITS])
{
        if (!fake_has(F(s), tgid))
                return -ESRCH;
        for (int i = 0; i < RLIM_NLIMITS; i++)
                ret[i] = (struct rlimit){ 1024, RLIM_INFINITY };
        return 0;
}

static int fake_vmas(struct procfs_source *s, int tgid, struct procfs_vma **ret, size_t *ret_n)
{
        (void)s, (void)tgid;
        *ret = calloc(1, sizeof(**ret));
        if (!*ret)
                return -ENOMEM;
        **ret = (struct procfs_vma){ .start = 0x400000, .end = 0x401000,
                                     .prot = PROT_READ | PROT_EXEC };
        *ret_n = 1;
        return 0;
}

static int fake_cmdline(struct procfs_source *s, int tgid, struct seqbuf *b)
{
        (void)s;
        seqbuf_printf(b, "prog%d", tgid);
        seqbuf_write(b, "\0-v\0", 4);
        return 0;
}

static int fake_exe(struct procfs_source *s, int tgid, struct seqbuf *b)
{
        (void)s, (void)tgid;
        seqbuf_puts(b, "/bin/fake");
        return 0;
}

static int fake_fdtable(struct procfs_source *s, int tgid, struct fdtable **ret)
{
        if (!fake_has(F(s), tgid))
                return -ESRCH;
        *ret = fdtable_ref(F(s)->fdt);
        return 0;
}

static int fake_fs(struct procfs_source *s, int tgid, struct fs_context **ret)
{
        if (!fake_has(F(s), tgid))
                return -ESRCH;
        *ret = fs_context_ref(F(s)->fs);
        return 0;
}

static int fake_hostname(struct procfs_source *s, struct seqbuf *b)
{
        seqbuf_puts(b, F(s)->hostname);
        return 0;
}

static int fake_set_hostname(struct procfs_source *s, const char *name, size_t len)
{
        snprintf(F(s)->hostname, sizeof(F(s)->hostname), "%.*s", (int)len, name);
        return 0;
}

static int fake_meminfo(struct procfs_source *s, struct procfs_meminfo *ret)
{
        (void)s;
        *ret = (struct procfs_meminfo){ .total = 1 << 30, .free = 1 << 29 };
        return 0;
}

static int fake_uptime(struct procfs_source *s, struct timespec *ret)
{
        (void)s;
        *ret = (struct timespec){ 12, 340000000 };
        return 0;
}

static void fake_release(struct procfs_source *s)
{
        F(s)->released = true;
}

static const struct procfs_source_ops fake_ops = {
        .current = fake_current, .next_tgid = fake_next, .next_tid = fake_next_tid,
        .status = fake_status, .limits = fake_limits, .vmas = fake_vmas,
        .cmdline = fake_cmdline, .environ = fake_cmdline, .exe = fake_exe,
        .fdtable = fake_fdtable, .fs = fake_fs, .hostname = fake_hostname,
        .set_hostname = fake_set_hostname, .meminfo = fake_meminfo, .uptime = fake_uptime,
        .release = fake_release,
};

static struct vfs_env env;
static struct fake_source fake;

static void mount_at(const char *where, const char *type, const char *opts, const void *data)
{
        struct path p;

        assert_int_equal(vfs_mkdir(&env.at, where, 0755), 0);
        assert_int_equal(vfs_lookup(&env.at, where, LOOKUP_FOLLOW, &p), 0);
        assert_int_equal(vfs_mount_data(env.fs->ns, &p, type, opts, data), 0);
        path_put(&p);
}

static int setup(void **state)
{
        struct procfs_mount_data md = { .source = &fake.base, .cpuinfo = "processor\t: 0\n",
                                        .ncpus = 2 };

        (void)state;
        env_setup(&env);
        fake = (struct fake_source){ .pids = { 1, 7 }, .npids = 2, .current = 7,
                                     .hostname = "box" };
        procfs_source_init(&fake.base, &fake_ops);
        assert_int_equal(fdtable_create(&fake.fdt), 0);
        fake.fs = env.fs;
        mount_at("/proc", "proc", NULL, &md);
        mount_at("/dev", "devtmpfs", NULL, NULL);
        mount_at("/sys", "sysfs", "cpus=0-3", NULL);
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        fdtable_unref(fake.fdt);
        procfs_source_unref(&fake.base);        /* the setup's reference */
        env_teardown(&env);
        assert_true(fake.released);             /* the superblock's went with it */
        return 0;
}

/* The whole of a file, read in small pieces. */
static char *slurp(const char *name, size_t *ret_len)
{
        static char buf[8192];
        struct file *f;
        size_t len = 0;
        ssize_t n;

        assert_int_equal(vfs_open(&env.at, name, O_RDONLY, 0, &f), 0);
        while ((n = file_pread(f, buf + len, 7, -1)) > 0)
                len += (size_t)n;
        assert_int_equal(n, 0);
        file_unref(f);
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        return buf;
}

static char *link_of(const char *name)
{
        static char buf[256];
        struct path p;
        int n;

        assert_int_equal(vfs_lookup(&env.at, name, 0, &p), 0);
        n = vfs_readlink(&p, buf, sizeof(buf) - 1);
        path_put(&p);
        assert_true(n >= 0);
        buf[n] = '\0';
        return buf;
}

static bool collect(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type,
                    uint64_t next)
{
        char *out = ctx;

        (void)ino, (void)type, (void)next;
        strncat(out, name, len);
        strcat(out, " ");
        return true;
}

static char *list(const char *name)
{
        static char out[1024];
        struct file *f;

        out[0] = '\0';
        assert_int_equal(vfs_open(&env.at, name, O_RDONLY | O_DIRECTORY, 0, &f), 0);
        assert_int_equal(vfs_iterate(f, collect, out), 0);
        file_unref(f);
        return out;
}

static void test_self_follows_the_source(void **state)
{
        (void)state;
        assert_string_equal(link_of("/proc/self"), "7");
        assert_string_equal(link_of("/proc/thread-self"), "7/task/7");
        fake.current = 1;
        assert_string_equal(link_of("/proc/self"), "1");
        assert_non_null(strstr(slurp("/proc/self/status", NULL), "\nPid:\t1\n"));
        fake.current = 7;
}

static void test_root_lists_entries_then_pids(void **state)
{
        const char *l;

        (void)state;
        l = list("/proc");
        assert_non_null(strstr(l, ". .. self thread-self mounts cpuinfo "));
        assert_non_null(strstr(l, " sys 1 7 "));
        assert_string_equal(list("/proc/7/task"), ". .. 7 ");
}

static void test_pid_files(void **state)
{
        size_t len;
        const char *s;

        (void)state;
        s = slurp("/proc/7/status", NULL);
        assert_non_null(strstr(s, "Name:\tfake7\n"));
        assert_non_null(strstr(s, "\nState:\tS (sleeping)\n"));
        assert_non_null(strstr(s, "\nPPid:\t1\n"));
        assert_non_null(strstr(s, "\nVmSize:\t       8 kB\n"));
        assert_string_equal(slurp("/proc/7/comm", NULL), "fake7\n");
        assert_int_equal(strncmp(slurp("/proc/7/stat", NULL), "7 (fake7) S 1 ", 14), 0);
        s = slurp("/proc/7/cmdline", &len);
        assert_int_equal(len, 9);
        assert_memory_equal(s, "prog7\0-v\0", 9);
        assert_string_equal(link_of("/proc/7/exe"), "/bin/fake");
        assert_string_equal(link_of("/proc/7/cwd"), "/");
        assert_non_null(strstr(slurp("/proc/7/limits", NULL),
                               "\nMax open files            1024                 unlimited            files     \n"));
        assert_non_null(strstr(slurp("/proc/7/mounts", NULL), "proc /proc proc rw"));
        assert_string_equal(slurp("/proc/7/maps", NULL), "00400000-00401000 r-xp 00000000 00:00 0 \n");
        s = slurp("/proc/7/smaps", NULL);
        assert_non_null(strstr(s, "00400000-00401000 r-xp 00000000 00:00 0 \nSize:                  4 kB\n"));
        assert_non_null(strstr(s, "\nVmFlags: rd ex mr me \n"));
        assert_non_null(strstr(slurp("/proc/7/task/7/status", NULL), "\nPid:\t7\n"));
}

static void test_gone_process_is_enoent(void **state)
{
        struct path p;

        (void)state;
        assert_int_equal(vfs_lookup(&env.at, "/proc/42", 0, &p), -ENOENT);
        assert_int_equal(vfs_lookup(&env.at, "/proc/7", 0, &p), 0);
        fake.npids = 1;                         /* 7 exits */
        assert_int_equal(vfs_lookup(&env.at, "/proc/7/status", 0, &p), -ENOENT);
        fake.npids = 2;
        path_put(&p);
        assert_int_equal(vfs_lookup(&env.at, "/proc/7/status", 0, &p), 0);
        path_put(&p);
}

static void test_fd_dir_shows_the_fdtable(void **state)
{
        struct file *f;
        char want[64];

        (void)state;
        assert_int_equal(touch(&env, "/tmp-file"), 0);
        assert_int_equal(vfs_open(&env.at, "/tmp-file", O_RDWR, 0, &f), 0);
        assert_int_equal(fdtable_install_at(fake.fdt, 5, f, true, 100), 5);
        assert_int_equal(file_pwrite(f, "abc", 3, -1), 3);
        file_unref(f);
        assert_string_equal(list("/proc/7/fd"), ". .. 5 ");
        assert_string_equal(link_of("/proc/7/fd/5"), "/tmp-file");
        snprintf(want, sizeof(want), "pos:\t3\nflags:\t0%o\n", O_RDWR | O_CLOEXEC | 0100000);
        assert_int_equal(strncmp(slurp("/proc/7/fdinfo/5", NULL), want, strlen(want)), 0);
        assert_int_equal(fdtable_close(fake.fdt, 5), 0);
        assert_string_equal(list("/proc/7/fd"), ". .. ");
}

static void test_hostname_writes_through(void **state)
{
        struct file *f;

        (void)state;
        assert_string_equal(slurp("/proc/sys/kernel/hostname", NULL), "box\n");
        assert_int_equal(vfs_open(&env.at, "/proc/sys/kernel/hostname", O_WRONLY | O_TRUNC, 0,
                                  &f), 0);
        assert_int_equal(file_pwrite(f, "newname\nrest", 12, -1), 12);
        file_unref(f);
        assert_string_equal(fake.hostname, "newname");
        assert_string_equal(slurp("/proc/sys/kernel/ostype", NULL), "Linux\n");
        assert_int_equal(vfs_open(&env.at, "/proc/sys/kernel/ostype", O_WRONLY, 0, &f), 0);
        assert_int_equal(file_pwrite(f, "x", 1, -1), -EINVAL);
        file_unref(f);
}

static void test_system_files(void **state)
{
        (void)state;
        assert_string_equal(slurp("/proc/cpuinfo", NULL), "processor\t: 0\n");
        assert_string_equal(slurp("/proc/uptime", NULL), "12.34 0.00\n");
        assert_string_equal(slurp("/proc/loadavg", NULL), "0.00 0.00 0.00 1/2 7\n");
        assert_non_null(strstr(slurp("/proc/meminfo", NULL), "MemTotal:        1048576 kB\n"));
        assert_non_null(strstr(slurp("/proc/stat", NULL), "\ncpu1 "));
        assert_non_null(strstr(slurp("/proc/filesystems", NULL), "nodev\tproc\n"));
        assert_string_equal(slurp("/sys/devices/system/cpu/online", NULL), "0-3\n");
        assert_string_equal(slurp("/sys/devices/system/cpu/possible", NULL), "0-3\n");
}

static void test_devices(void **state)
{
        char buf[16];
        struct file *f;
        struct stat st;

        (void)state;
        assert_int_equal(vfs_open(&env.at, "/dev/null", O_RDWR, 0, &f), 0);
        assert_int_equal(file_pread(f, buf, sizeof(buf), -1), 0);
        assert_int_equal(file_pwrite(f, "abc", 3, -1), 3);
        assert_int_equal(vfs_llseek(f, 99, SEEK_SET), 0);
        assert_int_equal(vfs_stat(f, &st), 0);
        assert_int_equal(st.st_rdev, makedev(1, 3));
        assert_int_equal(st.st_mode, S_IFCHR | 0666);
        file_unref(f);
        assert_int_equal(vfs_open(&env.at, "/dev/full", O_RDWR, 0, &f), 0);
        memset(buf, 1, sizeof(buf));
        assert_int_equal(file_pread(f, buf, sizeof(buf), -1), sizeof(buf));
        assert_int_equal(buf[0] | buf[15], 0);
        assert_int_equal(file_pwrite(f, "abc", 3, -1), -ENOSPC);
        file_unref(f);
        assert_int_equal(vfs_open(&env.at, "/dev/tty", O_RDWR, 0, &f), -ENXIO);
        assert_string_equal(link_of("/dev/stdout"), "/proc/self/fd/1");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_self_follows_the_source, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_lists_entries_then_pids, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pid_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gone_process_is_enoent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fd_dir_shows_the_fdtable, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hostname_writes_through, setup, teardown),
                cmocka_unit_test_setup_teardown(test_system_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
