/* The top of /proc: self, thread-self, the system-wide files and sys/. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "internal.h"

static int link_self(const struct proc_ctx *c, struct seqbuf *b)
{
        int tgid, tid, r = proc_src(c)->ops->current(proc_src(c), &tgid, &tid);

        if (r < 0)
                return -ENOENT;
        seqbuf_printf(b, "%d", tgid);
        return 0;
}

static int link_thread_self(const struct proc_ctx *c, struct seqbuf *b)
{
        int tgid, tid, r = proc_src(c)->ops->current(proc_src(c), &tgid, &tid);

        if (r < 0)
                return -ENOENT;
        seqbuf_printf(b, "%d/task/%d", tgid, tid);
        return 0;
}

static int link_mounts(const struct proc_ctx *c, struct seqbuf *b)
{
        (void)c;
        seqbuf_puts(b, "self/mounts");
        return 0;
}

static int show_cpuinfo(const struct proc_ctx *c, struct seqbuf *b)
{
        if (c->info->cpuinfo)
                seqbuf_puts(b, c->info->cpuinfo);
        return 0;
}

static void kb_line(struct seqbuf *b, const char *name, uint64_t bytes)
{
        char label[32];

        snprintf(label, sizeof(label), "%s:", name);
        seqbuf_printf(b, "%-15s %8llu kB\n", label, (unsigned long long)(bytes >> 10));
}

static int show_meminfo(const struct proc_ctx *c, struct seqbuf *b)
{
        static const char *const zero[] = {
                "Buffers", "Cached", "SwapCached", "Active", "Inactive", "SwapTotal",
                "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem",
                "Slab", "SReclaimable", "SUnreclaim", "PageTables",
        };
        struct procfs_meminfo mi;
        int r = proc_src(c)->ops->meminfo(proc_src(c), &mi);

        if (r < 0)
                return r;
        kb_line(b, "MemTotal", mi.total);
        kb_line(b, "MemFree", mi.free);
        kb_line(b, "MemAvailable", mi.free);
        for (size_t i = 0; i < ARRAY_SIZE(zero); i++)
                kb_line(b, zero[i], 0);
        kb_line(b, "CommitLimit", mi.total);
        kb_line(b, "Committed_AS", mi.total - mi.free);
        return 0;
}

static int show_uptime(const struct proc_ctx *c, struct seqbuf *b)
{
        struct timespec up;
        int r = proc_src(c)->ops->uptime(proc_src(c), &up);

        if (r < 0)
                return r;
        seqbuf_printf(b, "%lld.%02ld 0.00\n", (long long)up.tv_sec, up.tv_nsec / 10000000);
        return 0;
}

/* Processes and the newest pid, for loadavg and stat. */
static void count_procs(const struct proc_ctx *c, int *ret_n, int *ret_last)
{
        struct procfs_source *s = proc_src(c);
        int pid = 1, n = 0, last = 0;

        while (s->ops->next_tgid(s, pid, &pid) == 0) {
                n++;
                last = pid++;
        }
        *ret_n = n;
        *ret_last = last;
}

static int show_loadavg(const struct proc_ctx *c, struct seqbuf *b)
{
        int n, last;

        count_procs(c, &n, &last);
        seqbuf_printf(b, "0.00 0.00 0.00 1/%d %d\n", n, last);
        return 0;
}

static int show_stat(const struct proc_ctx *c, struct seqbuf *b)
{
        unsigned ncpus = c->info->ncpus ? c->info->ncpus : 1;
        struct timespec up, now;
        int n, last;

        if (proc_src(c)->ops->uptime(proc_src(c), &up) < 0)
                up = (struct timespec){ 0 };
        clock_gettime(CLOCK_REALTIME, &now);
        count_procs(c, &n, &last);
        seqbuf_puts(b, "cpu  0 0 0 0 0 0 0 0 0 0\n");
        for (unsigned i = 0; i < ncpus; i++)
                seqbuf_printf(b, "cpu%u 0 0 0 0 0 0 0 0 0 0\n", i);
        seqbuf_printf(b, "intr 0\nctxt 0\nbtime %lld\nprocesses %d\n"
                      "procs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
                      (long long)(now.tv_sec - up.tv_sec), last);
        return 0;
}

static int show_filesystems(const struct proc_ctx *c, struct seqbuf *b)
{
        const struct fs_type *t;

        (void)c;
        for (int i = 0; (t = fs_type_nth(i)); i++)
                seqbuf_printf(b, "nodev\t%s\n", t->name);
        return 0;
}

static int show_version(const struct proc_ctx *c, struct seqbuf *b)
{
        struct utsname u;

        (void)c;
        uname(&u);
        seqbuf_printf(b, "Linux version %s (conternel) %s\n", u.release, u.version);
        return 0;
}

static const struct proc_entry root_entries[] = {
        { "self", S_IFLNK | 0777, .link = link_self },
        { "thread-self", S_IFLNK | 0777, .link = link_thread_self },
        { "mounts", S_IFLNK | 0777, .link = link_mounts },
        { "cpuinfo", S_IFREG | 0444, .show = show_cpuinfo },
        { "meminfo", S_IFREG | 0444, .show = show_meminfo },
        { "uptime", S_IFREG | 0444, .show = show_uptime },
        { "loadavg", S_IFREG | 0444, .show = show_loadavg },
        { "stat", S_IFREG | 0444, .show = show_stat },
        { "filesystems", S_IFREG | 0444, .show = show_filesystems },
        { "version", S_IFREG | 0444, .show = show_version },
        { "sys", S_IFDIR | 0555, .dir = &proc_sys_dir },
};

const struct proc_dir proc_root_dir = {
        .entries = root_entries,
        .nr = ARRAY_SIZE(root_entries),
        .dyn = PROC_DYN_PIDS,
};
