/* /proc/self: the link to our pid, status, stat, cmdline, maps, fd/,
 * fdinfo/, exe and thread-self, all consistent with what the calls say. */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>

#include "test.h"

static char *read_all(const char *path, size_t *ret_len)
{
        static char buf[1 << 16];
        size_t len = 0;
        ssize_t n;
        int fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDONLY | O_CLOEXEC));

        /* Small reads: the contents come across reads at offsets. */
        while ((n = (ssize_t)syscall(SYS_read, fd, buf + len, 100)) > 0) {
                len += (size_t)n;
                CHECK(len + 100 < sizeof(buf), "%s is too big", path);
        }
        EXPECT_OK(n);
        close(fd);
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        return buf;
}

static long status_field(const char *status, const char *name)
{
        char key[32];
        const char *p;

        snprintf(key, sizeof(key), "\n%s:\t", name);
        p = strstr(status, key);
        CHECK(p, "no %s line in status", name);
        return strtol(p + strlen(key), NULL, 10);
}

/* The maps line covering addr: its permissions, or fail. */
static void maps_perms(const char *maps, uintptr_t addr, char perms[5])
{
        const char *line = maps;

        while (*line) {
                unsigned long lo, hi;

                if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && lo <= addr && addr < hi)
                        return;
                line = strchr(line, '\n');
                if (!line)
                        break;
                line++;
        }
        FAIL("no maps line covers %#lx", (unsigned long)addr);
}

static bool fd_listed(int fd)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        bool found = false;
        char name[16];

        CHECK(d, "opendir /proc/self/fd: %s", test_errname(errno));
        snprintf(name, sizeof(name), "%d", fd);
        while ((e = readdir(d)))
                if (strcmp(e->d_name, name) == 0)
                        found = true;
        closedir(d);
        return found;
}

int main(int argc, char **argv)
{
        char link[4096], want[128], perms[5], path[64], exe[4096];
        const char *s;
        int stack_var = 1, fd;
        size_t len, off = 0;
        ssize_t n;

        /* /proc/self and /proc/thread-self */
        n = (ssize_t)EXPECT_OK(syscall(SYS_readlink, "/proc/self", link, sizeof(link)));
        link[n] = '\0';
        snprintf(want, sizeof(want), "%d", getpid());
        CHECK(strcmp(link, want) == 0, "/proc/self -> %s, pid %s", link, want);
        n = (ssize_t)EXPECT_OK(syscall(SYS_readlink, "/proc/thread-self", link, sizeof(link)));
        link[n] = '\0';
        snprintf(want, sizeof(want), "%d/task/%ld", getpid(), (long)syscall(SYS_gettid));
        CHECK(strcmp(link, want) == 0, "/proc/thread-self -> %s, want %s", link, want);

        /* status */
        s = read_all("/proc/self/status", NULL);
        CHECK(strncmp(s, "Name:\t", 6) == 0, "status starts with %.10s", s);
        EXPECT_EQ(status_field(s, "Pid"), getpid());
        EXPECT_EQ(status_field(s, "Tgid"), getpid());
        EXPECT_EQ(status_field(s, "PPid"), getppid());
        EXPECT_EQ(status_field(s, "Threads"), 1);
        CHECK(strstr(s, "\nState:\tR (running)\n"), "status State is not R");
        CHECK(strstr(s, "\nVmSize:\t"), "no VmSize");
        CHECK(strstr(s, "\nSigBlk:\t"), "no SigBlk");

        /* stat: "pid (comm) R ppid ..." */
        s = read_all("/proc/self/stat", NULL);
        snprintf(want, sizeof(want), "%d (", getpid());
        CHECK(strncmp(s, want, strlen(want)) == 0, "stat starts with %.20s", s);
        s = strrchr(s, ')');
        CHECK(s && s[1] == ' ' && s[2] == 'R', "stat state");
        EXPECT_EQ(strtol(s + 4, NULL, 10), getppid());

        /* cmdline: argv, each with its NUL */
        s = read_all("/proc/self/cmdline", &len);
        for (int i = 0; i < argc; i++) {
                CHECK(off + strlen(argv[i]) < len && strcmp(s + off, argv[i]) == 0,
                      "cmdline argument %d", i);
                off += strlen(argv[i]) + 1;
        }
        EXPECT_EQ(off, len);

        /* maps: main is r-x, a stack variable rw- (private) */
        s = read_all("/proc/self/maps", NULL);
        maps_perms(s, (uintptr_t)&main, perms);
        CHECK(perms[0] == 'r' && perms[2] == 'x' && perms[3] == 'p', "main: %s", perms);
        maps_perms(s, (uintptr_t)&stack_var, perms);
        CHECK(strcmp(perms, "rw-p") == 0, "stack: %s", perms);

        /* fd/ and fdinfo/ for a file of our own */
        snprintf(path, sizeof(path), "/tmp/proc-self-basic-%d", getpid());
        fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
                                    0600));
        CHECK(fd_listed(fd), "fd %d not in /proc/self/fd", fd);
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = (ssize_t)EXPECT_OK(syscall(SYS_readlink, link, exe, sizeof(exe)));
        exe[n] = '\0';
        CHECK(strcmp(exe, path) == 0, "fd %d -> %s", fd, exe);
        unlink(path);
        EXPECT_RET(syscall(SYS_write, fd, "hello", 5), 5);
        snprintf(link, sizeof(link), "/proc/self/fdinfo/%d", fd);
        s = read_all(link, NULL);
        CHECK(strncmp(s, "pos:\t5\n", 7) == 0, "fdinfo: %.20s", s);
        s = strstr(s, "flags:\t");
        CHECK(s, "no flags in fdinfo");
        {
                unsigned long flags = strtoul(s + 7, NULL, 8);

                EXPECT_EQ(flags & O_ACCMODE, O_RDWR);
                EXPECT_EQ(!!(flags & O_CLOEXEC), 1);
        }
        EXPECT_RET(syscall(SYS_dup2, fd, 200), 200);
        CHECK(fd_listed(200), "fd 200 not listed");
        close(200);
        CHECK(!fd_listed(200), "closed fd 200 still in /proc/self/fd");
        close(fd);
        for (int i = 0; i <= 2; i++) {
                struct stat st;

                if (syscall(SYS_fstat, i, &st) == 0)
                        CHECK(fd_listed(i), "stdio fd %d not listed", i);
        }

        /* exe: natively the test's path, sandboxed the launcher's: the name */
        n = (ssize_t)EXPECT_OK(syscall(SYS_readlink, "/proc/self/exe", exe, sizeof(exe)));
        exe[n] = '\0';
        snprintf(link, sizeof(link), "%s", argv[0]);
        CHECK(strcmp(basename(exe), basename(link)) == 0, "exe %s, argv[0] %s", exe, argv[0]);

        /* A missing pid and a file that is not there */
        EXPECT_ERRNO(syscall(SYS_open, "/proc/self/nonexistent", O_RDONLY), ENOENT);
        /* Root may open it for writing; there is no write. */
        fd = (int)EXPECT_OK(syscall(SYS_open, "/proc/self/status", O_WRONLY | O_CLOEXEC));
        EXPECT_ERRNO(syscall(SYS_write, fd, "x", 1), EINVAL);
        close(fd);
        return TEST_PASS;
}
