/*
 * The sandbox's /dev, /proc and /sys, mounted at boot. What they need from
 * the host is read here, once, by the launcher: the CPU description for
 * /proc/cpuinfo and the CPUs we may run on for /sys/devices/system/cpu. The
 * sentry never reads host paths afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macro.h"
#include "runtime.h"
#include "sentry/kernel/procfs_source.h"
#include "vfs/fs/procfs/procfs.h"
#include "vfs/namei.h"

/* The host's /proc/cpuinfo, or NULL. */
static char *read_cpuinfo(void)
{
        _cleanup_close_ int fd = open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC);
        size_t len = 0, cap = 0;
        char *buf = NULL;

        if (fd < 0)
                return NULL;
        for (;;) {
                ssize_t n;

                if (cap - len < 4096) {
                        char *p = realloc(buf, cap + 65536);

                        if (!p) {
                                free(buf);
                                return NULL;
                        }
                        buf = p;
                        cap += 65536;
                }
                n = read(fd, buf + len, cap - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        if (buf)
                buf[len] = '\0';
        return buf;
}

/* The CPUs we may run on as a Linux cpu list ("0-1", "0,2-3"), and how many. */
static void cpu_list(char *buf, size_t size, unsigned *ret_n)
{
        cpu_set_t set;
        size_t len = 0;
        unsigned n = 0;

        buf[0] = '\0';
        if (sched_getaffinity(0, sizeof(set), &set) < 0) {
                snprintf(buf, size, "0");
                *ret_n = 1;
                return;
        }
        for (int c = 0; c < CPU_SETSIZE; c++) {
                int end = c;

                if (!CPU_ISSET(c, &set))
                        continue;
                while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, &set))
                        end++;
                n += (unsigned)(end - c + 1);
                if (len < size)
                        len += (size_t)snprintf(buf + len, size - len,
                                                end > c ? "%s%d-%d" : "%s%d",
                                                len ? "," : "", c, end);
                c = end;
        }
        *ret_n = n ? n : 1;
}

int sandbox_mount(struct fs_context *fs, const char *where, const char *type,
                  const char *options, const void *data)
{
        const struct vfs_cred root = { 0 };
        struct vfs_at at = { .fs = fs, .cred = &root };
        struct path p;
        int r;

        r = vfs_lookup(&at, where, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
        if (r < 0)
                return r;
        r = vfs_mount_data(fs->ns, &p, type, options, data);
        path_put(&p);
        return r;
}

int sandbox_mount_pseudofs(struct kernel *k, struct fs_context *fs)
{
        struct procfs_mount_data pd = { 0 };
        _cleanup_free_ char *cpuinfo = read_cpuinfo();
        char cpus[256], opts[264];
        unsigned ncpus;
        int r;

        cpu_list(cpus, sizeof(cpus), &ncpus);
        r = sandbox_mount(fs, "/dev", "devtmpfs", NULL, NULL);
        if (r == 0)
                r = sandbox_mount(fs, "/dev/shm", "tmpfs", "mode=1777", NULL);
        if (r == 0)
                r = sandbox_mount(fs, "/dev/pts", "devpts", "newinstance,ptmxmode=0666", NULL);
        if (r < 0)
                return r;
        r = kernel_procfs_source_create(k, &pd.source);
        if (r < 0)
                return r;
        pd.cpuinfo = cpuinfo;
        pd.ncpus = ncpus;
        r = sandbox_mount(fs, "/proc", "proc", NULL, &pd);
        procfs_source_unref(pd.source);
        if (r < 0)
                return r;
        snprintf(opts, sizeof(opts), "cpus=%s", cpus);
        return sandbox_mount(fs, "/sys", "sysfs", opts, NULL);
}
