/* /proc/self/maps names what is mapped as Linux does: a file mapping's
 * offset, the device and inode fstat(2) gives, and the path (renamed:
 * the new one; unlinked: " (deleted)"); anonymous memory has none; the
 * program's own mapping names the executable; smaps repeats the line. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "test.h"

#define PAGE 4096UL

static char maps[1 << 17];

static void read_maps(const char *path)
{
        size_t len = 0;
        ssize_t n;
        int fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDONLY | O_CLOEXEC));

        while ((n = (ssize_t)syscall(SYS_read, fd, maps + len, sizeof(maps) - 1 - len)) > 0)
                len += (size_t)n;
        EXPECT_OK(n);
        CHECK(len < sizeof(maps) - 1, "%s is too big", path);
        maps[len] = '\0';
        close(fd);
}

struct line {
        unsigned long lo, hi;
        char perms[5];
        unsigned long long off;
        unsigned major, minor;
        unsigned long ino;
        char text[4096];                /* the whole line, without '\n' */
        const char *name;               /* in text: the path or [name], "" if none */
};

/* The line of maps whose range holds addr; false if none. */
static bool find_line(uintptr_t addr, struct line *l)
{
        for (const char *p = maps; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                int name_at = 0;

                CHECK(len < sizeof(l->text), "maps line too long");
                memcpy(l->text, p, len);
                l->text[len] = '\0';
                CHECK(sscanf(l->text, "%lx-%lx %4s %llx %x:%x %lu %n", &l->lo, &l->hi, l->perms,
                             &l->off, &l->major, &l->minor, &l->ino, &name_at) == 7 && name_at,
                      "bad maps line '%s'", l->text);
                l->name = l->text + name_at;
                if (l->lo <= addr && addr < l->hi)
                        return true;
                if (!nl)
                        break;
                p = nl + 1;
        }
        return false;
}

/* The line for [addr, addr + len) of file st at offset off. */
static void expect_file_line(void *addr, size_t len, const char *perms, unsigned long long off,
                             const struct stat *st, const char *name)
{
        char prefix[128];
        struct line l;

        read_maps("/proc/self/maps");
        CHECK(find_line((uintptr_t)addr, &l), "no maps line for %p", addr);
        CHECK(l.lo == (uintptr_t)addr && l.hi == (uintptr_t)addr + len,
              "line '%s' for %p+%#zx", l.text, addr, len);
        CHECK(!strcmp(l.perms, perms), "perms %s, want %s", l.perms, perms);
        CHECK(l.off == off, "offset %#llx, want %#llx", l.off, off);
        CHECK(l.major == major(st->st_dev) && l.minor == minor(st->st_dev) &&
              l.ino == st->st_ino, "dev:ino %x:%x %lu, fstat says %x:%x %lu", l.major, l.minor,
              l.ino, major(st->st_dev), minor(st->st_dev), (unsigned long)st->st_ino);
        /* Linux's format: "%08lx-%08lx %s %08llx %02x:%02x %lu ", the name
         * padded to column 73. */
        snprintf(prefix, sizeof(prefix), "%08lx-%08lx %s %08llx %02x:%02x %lu ", l.lo, l.hi,
                 perms, off, major(st->st_dev), minor(st->st_dev), (unsigned long)st->st_ino);
        CHECK(!strncmp(l.text, prefix, strlen(prefix)), "line '%s', want '%s...'", l.text,
              prefix);
        CHECK(strlen(prefix) >= 73 || l.name == l.text + 73, "name at column %td in '%s'",
              l.name - l.text, l.text);
        CHECK(!strcmp(l.name, name), "name '%s', want '%s'", l.name, name);
}

static void test_file_mappings(void)
{
        char path[64], moved[80], deleted[96];
        struct stat st;
        char *priv, *shared;
        int fd;

        snprintf(path, sizeof(path), "/dev/shm/proc-maps-files.%d", getpid());
        snprintf(moved, sizeof(moved), "%s.moved", path);
        fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        EXPECT_OK(syscall(SYS_ftruncate, fd, (off_t)(4 * PAGE)));
        EXPECT_OK(syscall(SYS_fstat, fd, &st));

        priv = (char *)EXPECT_OK(syscall(SYS_mmap, NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd,
                                         (off_t)PAGE));
        shared = (char *)EXPECT_OK(syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE,
                                           MAP_SHARED, fd, (off_t)(3 * PAGE)));
        expect_file_line(priv, 2 * PAGE, "r--p", PAGE, &st, path);
        expect_file_line(shared, PAGE, "rw-s", 3 * PAGE, &st, path);

        /* A piece keeps its own offset. */
        EXPECT_OK(syscall(SYS_mprotect, priv + PAGE, PAGE, PROT_READ | PROT_WRITE));
        expect_file_line(priv, PAGE, "r--p", PAGE, &st, path);
        expect_file_line(priv + PAGE, PAGE, "rw-p", 2 * PAGE, &st, path);

        /* The mapping holds the file: close changes nothing; the name is
         * the file's now. */
        close(fd);
        EXPECT_OK(syscall(SYS_rename, path, moved));
        expect_file_line(shared, PAGE, "rw-s", 3 * PAGE, &st, moved);
        EXPECT_OK(syscall(SYS_unlink, moved));
        snprintf(deleted, sizeof(deleted), "%s (deleted)", moved);
        expect_file_line(shared, PAGE, "rw-s", 3 * PAGE, &st, deleted);
        expect_file_line(priv + PAGE, PAGE, "rw-p", 2 * PAGE, &st, deleted);

        EXPECT_OK(syscall(SYS_munmap, priv, 2 * PAGE));
        EXPECT_OK(syscall(SYS_munmap, shared, PAGE));
        read_maps("/proc/self/maps");
        CHECK(!strstr(maps, moved), "an unmapped file still listed:\n%s", maps);
}

static void test_anonymous(void)
{
        char *p = (char *)EXPECT_OK(syscall(SYS_mmap, NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
                                            MAP_PRIVATE | MAP_ANONYMOUS, -1, (off_t)0));
        struct line l;
        char want[80];

        read_maps("/proc/self/maps");
        CHECK(find_line((uintptr_t)p, &l), "no maps line for %p", p);
        /* Neighbours may merge with it: it is within the line. */
        CHECK(!strcmp(l.perms, "rw-p") && l.off == 0 && l.major == 0 && l.minor == 0 &&
              l.ino == 0, "anonymous line '%s'", l.text);
        snprintf(want, sizeof(want), "%08lx-%08lx rw-p 00000000 00:00 0 ", l.lo, l.hi);
        CHECK(!strcmp(l.text, want) || !strcmp(l.name, "[heap]"),
              "anonymous line '%s', want '%s'", l.text, want);
        EXPECT_OK(syscall(SYS_munmap, p, 3 * PAGE));
}

/* The program's own code: named after /proc/self/exe, with the device,
 * inode and file offset of the bytes it holds. */
static void test_program(void)
{
        char exe[4096];
        unsigned char mem[64], file[64];
        uintptr_t addr = (uintptr_t)&test_program;
        struct stat st;
        struct line l;
        ssize_t n = (ssize_t)EXPECT_OK(syscall(SYS_readlink, "/proc/self/exe", exe,
                                               sizeof(exe) - 1));
        int fd;

        exe[n] = '\0';
        fd = (int)EXPECT_OK(syscall(SYS_open, exe, O_RDONLY | O_CLOEXEC));
        EXPECT_OK(syscall(SYS_fstat, fd, &st));
        read_maps("/proc/self/maps");
        CHECK(find_line(addr, &l), "no maps line for the program's code");
        CHECK(!strcmp(l.name, exe), "code named '%s', exe is '%s'", l.name, exe);
        CHECK(l.perms[0] == 'r' && l.perms[2] == 'x' && l.perms[3] == 'p', "code is %s",
              l.perms);
        CHECK(l.major == major(st.st_dev) && l.minor == minor(st.st_dev) && l.ino == st.st_ino,
              "code's dev:ino %x:%x %lu, the exe's %x:%x %lu", l.major, l.minor, l.ino,
              major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
        CHECK(l.off % PAGE == 0, "offset %#llx", l.off);
        /* The bytes at addr are the file's at the line's offset. */
        memcpy(mem, (void *)addr, sizeof(mem));
        EXPECT_RET(syscall(SYS_pread64, fd, file, sizeof(file), (off_t)(addr - l.lo + l.off)),
                   (long)sizeof(file));
        CHECK(!memcmp(mem, file, sizeof(mem)), "code differs from the file at %#llx",
              (unsigned long long)(addr - l.lo + l.off));
        close(fd);

        /* The stack is [stack]. */
        CHECK(find_line((uintptr_t)&l, &l), "no maps line for the stack");
        CHECK(!strcmp(l.name, "[stack]"), "stack named '%s'", l.name);
}

/* smaps: each mapping's maps line, then its counters. */
static void test_smaps(void)
{
        char *p = (char *)EXPECT_OK(syscall(SYS_mmap, NULL, 4 * PAGE, PROT_READ,
                                            MAP_PRIVATE | MAP_ANONYMOUS, -1, (off_t)0));
        char want[128], *at;
        unsigned long size;

        /* A guard below and above keeps it a line of its own. */
        EXPECT_OK(syscall(SYS_mprotect, p + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE));
        memset(p + PAGE, 1, 2 * PAGE);
        read_maps("/proc/self/smaps");
        snprintf(want, sizeof(want), "\n%08lx-%08lx rw-p 00000000 00:00 0 \nSize:",
                 (unsigned long)(p + PAGE), (unsigned long)(p + 3 * PAGE));
        at = strstr(maps, want);
        CHECK(at, "no smaps entry '%s'", want + 1);
        CHECK(sscanf(at + strlen(want), " %lu kB", &size) == 1 && size == 8, "Size: %lu", size);
        at = strstr(at, "\nRss:");
        CHECK(at && sscanf(at + 5, " %lu kB", &size) == 1 && size == 8, "Rss: %lu", size);
        at = strstr(at, "\nVmFlags: rd wr ");
        CHECK(at, "no VmFlags: rd wr line");
        EXPECT_OK(syscall(SYS_munmap, p, 4 * PAGE));
}

int main(void)
{
        test_file_mappings();
        test_anonymous();
        test_program();
        test_smaps();
        return TEST_PASS;
}
