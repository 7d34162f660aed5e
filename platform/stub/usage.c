/*
 * What the host accounts to a stub: CPU time, page faults and peak RSS, from
 * /proc/<pid>/stat (whole process, exited threads included),
 * /proc/<pid>/task/<tid>/stat (one thread) and /proc/<pid>/status (VmHWM),
 * read through a /proc fd opened at platform creation. stat's utime and
 * stime are in clock ticks; the total comes to the nanosecond from the
 * process CPU clock (Linux lets anyone read any process's) or the thread's
 * schedstat, and is split between user and system in the ticks' proportion,
 * as Linux's cputime_adjust() does for getrusage.
 */
#include "stub.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define PROCESS_CPUCLOCK(pid, which) ((clockid_t)((~(unsigned)(pid) << 3) | (which)))

static int process_clock(pid_t pid, int which, uint64_t *ret)
{
        struct timespec ts;

        if (clock_gettime(PROCESS_CPUCLOCK(pid, which), &ts) < 0)
                return errno == EINVAL ? -ESRCH : -errno;
        *ret = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
        return 0;
}

static int read_small(int procfd, const char *path, char *buf, size_t size)
{
        ssize_t n;
        int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        n = read(fd, buf, size - 1);
        close(fd);
        if (n <= 0)
                return n < 0 ? -errno : -ESRCH;
        buf[n] = 0;
        return 0;
}

/* Fields 10 (minflt), 12 (majflt), 14 (utime) and 15 (stime) of a stat
 * line, into u and the tick counts. */
static int parse_stat(const char *buf, struct platform_usage *u, uint64_t *ret_tu,
                      uint64_t *ret_ts)
{
        const char *p = strrchr(buf, ')');
        unsigned long long v[12];

        if (!p)
                return -EIO;
        /* After the comm: field 3 (state), then fields 4 to 15. */
        if (sscanf(p + 1, " %*c %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
                   &v[10], &v[11]) != 12)
                return -EIO;
        u->minflt = v[6];
        u->majflt = v[8];
        *ret_tu = v[10];
        *ret_ts = v[11];
        return 0;
}

static void split(struct platform_usage *u, uint64_t tu, uint64_t ts)
{
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t tick_ns = 1000000000ULL / (uint64_t)(hz > 0 ? hz : 100);

        /* Never less than the ticks say: they may be read a little later. */
        if (u->cpu_ns < (tu + ts) * tick_ns)
                u->cpu_ns = (tu + ts) * tick_ns;
        if (tu + ts == 0) {
                u->utime_ns = u->cpu_ns;
                u->stime_ns = 0;
                return;
        }
        u->stime_ns = (uint64_t)((unsigned __int128)u->cpu_ns * ts / (tu + ts));
        u->utime_ns = u->cpu_ns - u->stime_ns;
}

int stub_usage_process(int procfd, pid_t pid, bool cpu_only, struct platform_usage *ret)
{
        char path[64], buf[4096], *hwm;
        uint64_t tu, ts;
        int r;

        memset(ret, 0, sizeof(*ret));
        r = process_clock(pid, CPUCLOCK_SCHED, &ret->cpu_ns);
        if (r < 0)
                return r;
        if (cpu_only) {
                /* The host's own user and user+system clocks, what its
                 * ITIMER_VIRTUAL and ITIMER_PROF count. */
                uint64_t virt = 0, prof = 0;

                r = process_clock(pid, CPUCLOCK_VIRT, &virt);
                if (r == 0)
                        r = process_clock(pid, CPUCLOCK_PROF, &prof);
                ret->utime_ns = virt;
                ret->stime_ns = prof > virt ? prof - virt : 0;
                return r;
        }
        snprintf(path, sizeof(path), "%d/stat", (int)pid);
        r = read_small(procfd, path, buf, sizeof(buf));
        if (r == 0)
                r = parse_stat(buf, ret, &tu, &ts);
        if (r < 0)
                return r;
        split(ret, tu, ts);
        snprintf(path, sizeof(path), "%d/status", (int)pid);
        if (read_small(procfd, path, buf, sizeof(buf)) == 0 && (hwm = strstr(buf, "\nVmHWM:")))
                ret->maxrss_kb = strtoull(hwm + strlen("\nVmHWM:"), NULL, 10);
        return 0;
}

int stub_usage_thread(int procfd, pid_t pid, pid_t tid, bool cpu_only, struct platform_usage *ret)
{
        char path[64], buf[4096];
        uint64_t tu, ts;
        int r;

        memset(ret, 0, sizeof(*ret));
        /* schedstat needs CONFIG_SCHED_INFO; without it the ticks alone. */
        snprintf(path, sizeof(path), "%d/task/%d/schedstat", (int)pid, (int)tid);
        r = read_small(procfd, path, buf, sizeof(buf));
        if (r == 0) {
                ret->cpu_ns = strtoull(buf, NULL, 10);
                if (cpu_only)
                        return 0;
        }
        snprintf(path, sizeof(path), "%d/task/%d/stat", (int)pid, (int)tid);
        r = read_small(procfd, path, buf, sizeof(buf));
        if (r == 0)
                r = parse_stat(buf, ret, &tu, &ts);
        if (r < 0)
                return r;
        split(ret, tu, ts);
        return 0;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
        return a > b ? a - b : 0;
}

void stub_usage_since(struct platform_usage *u, const struct platform_usage *before)
{
        u->cpu_ns = minus(u->cpu_ns, before->cpu_ns);
        u->utime_ns = minus(u->utime_ns, before->utime_ns);
        u->stime_ns = minus(u->stime_ns, before->stime_ns);
        u->minflt = minus(u->minflt, before->minflt);
        u->majflt = minus(u->majflt, before->majflt);
}

int stub_usage_reset_peak(int procfd, pid_t pid)
{
        char path[64];
        int fd, r = 0;

        snprintf(path, sizeof(path), "%d/clear_refs", (int)pid);
        fd = openat(procfd, path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, "5", 1) != 1)
                r = -errno;
        close(fd);
        return r;
}
