/* /proc/PID and /proc/PID/task/TID: one process (thread) in Linux's formats
 * (fs/proc/array.c, fs/proc/base.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vfs/namei.h"

#define USER_HZ 100
#define NS_PER_TICK (1000000000ULL / USER_HZ)

static int get_status(const struct proc_ctx *c, struct procfs_status *st)
{
        return proc_src(c)->ops->status(proc_src(c), c->tid, st);
}

static const char *state_name(char s)
{
        switch (s) {
        case 'R': return "R (running)";
        case 'S': return "S (sleeping)";
        case 'D': return "D (disk sleep)";
        case 'T': return "T (stopped)";
        case 't': return "t (tracing stop)";
        case 'Z': return "Z (zombie)";
        default: return "X (dead)";
        }
}

static void sig_line(struct seqbuf *b, const char *name, uint64_t set)
{
        seqbuf_printf(b, "%s:\t%016llx\n", name, (unsigned long long)set);
}

static int show_status(const struct proc_ctx *c, struct seqbuf *b)
{
        struct procfs_status st;
        int r = get_status(c, &st);

        if (r < 0)
                return r;
        seqbuf_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\n", st.comm, st.umask,
                      state_name(st.state));
        seqbuf_printf(b, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
                      st.tgid, st.pid, st.ppid);
        seqbuf_printf(b, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
                      st.uid[0], st.uid[1], st.uid[2], st.uid[3],
                      st.gid[0], st.gid[1], st.gid[2], st.gid[3]);
        seqbuf_puts(b, "FDSize:\t64\nGroups:\t");
        if (proc_src(c)->ops->groups) {
                r = proc_src(c)->ops->groups(proc_src(c), c->tid, b);
                if (r < 0)
                        return r;
        }
        /* Linux ends the list with a space, even an empty one. */
        seqbuf_printf(b, " \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\n"
                      "NSsid:\t%d\n", st.tgid, st.pid, st.pgid, st.sid);
        if (st.state != 'Z') {
                seqbuf_printf(b, "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t       0 kB\n"
                              "VmPin:\t       0 kB\nVmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\n"
                              "RssAnon:\t%8llu kB\nRssFile:\t       0 kB\n"
                              "RssShmem:\t       0 kB\nVmData:\t%8llu kB\n"
                              "VmStk:\t%8llu kB\nVmExe:\t       0 kB\nVmLib:\t       0 kB\n"
                              "VmPTE:\t       0 kB\nVmSwap:\t       0 kB\n",
                              (unsigned long long)st.vm_size >> 10,
                              (unsigned long long)st.vm_size >> 10,
                              (unsigned long long)st.vm_rss >> 10,
                              (unsigned long long)st.vm_rss >> 10,
                              (unsigned long long)st.vm_rss >> 10,
                              (unsigned long long)st.vm_data >> 10,
                              (unsigned long long)st.vm_stack >> 10);
        }
        seqbuf_printf(b, "Threads:\t%d\nSigQ:\t%u/%llu\n", st.threads, st.sigq_queued,
                      (unsigned long long)st.sigq_limit);
        sig_line(b, "SigPnd", st.sig_pending);
        sig_line(b, "ShdPnd", st.shared_pending);
        sig_line(b, "SigBlk", st.sig_blocked);
        sig_line(b, "SigIgn", st.sig_ignored);
        sig_line(b, "SigCgt", st.sig_caught);
        sig_line(b, "CapInh", st.cap_inh);
        sig_line(b, "CapPrm", st.cap_prm);
        sig_line(b, "CapEff", st.cap_eff);
        sig_line(b, "CapBnd", st.cap_bnd);
        sig_line(b, "CapAmb", st.cap_amb);
        seqbuf_puts(b, "NoNewPrivs:\t0\nSeccomp:\t0\n"
                       "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
        return 0;
}

/* fs/proc/array.c do_task_stat(): 52 fields; addresses and fault counts we
 * do not track are 0, as Linux shows them to a reader without ptrace access. */
static int show_stat(const struct proc_ctx *c, struct seqbuf *b)
{
        struct procfs_status st;
        int r = get_status(c, &st);

        if (r < 0)
                return r;
        seqbuf_printf(b, "%d (%s) %c %d %d %d %d %d 4194304 0 0 0 0 %llu %llu 0 0 %d %d %d 0 "
                      "%llu %llu %llu 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 "
                      "0 0 0 0 0 0 0 0 0 0 0\n",
                      st.pid, st.comm, st.state, st.ppid, st.pgid, st.sid, st.tty_nr, st.tpgid,
                      (unsigned long long)(st.utime_ns / NS_PER_TICK),
                      (unsigned long long)(st.stime_ns / NS_PER_TICK),
                      20 + st.nice, st.nice, st.threads,
                      (unsigned long long)(st.start_ns / NS_PER_TICK),
                      (unsigned long long)st.vm_size,
                      (unsigned long long)(st.vm_rss / PAGE_SIZE));
        return 0;
}

static int show_statm(const struct proc_ctx *c, struct seqbuf *b)
{
        struct procfs_status st;
        int r = get_status(c, &st);

        if (r < 0)
                return r;
        seqbuf_printf(b, "%llu %llu 0 0 0 %llu 0\n",
                      (unsigned long long)(st.vm_size / PAGE_SIZE),
                      (unsigned long long)(st.vm_rss / PAGE_SIZE),
                      (unsigned long long)((st.vm_data + st.vm_stack) / PAGE_SIZE));
        return 0;
}

static int show_comm(const struct proc_ctx *c, struct seqbuf *b)
{
        struct procfs_status st;
        int r = get_status(c, &st);

        if (r == 0)
                seqbuf_printf(b, "%s\n", st.comm);
        return r;
}

static int show_cmdline(const struct proc_ctx *c, struct seqbuf *b)
{
        return proc_src(c)->ops->cmdline(proc_src(c), c->tgid, b);
}

static int show_environ(const struct proc_ctx *c, struct seqbuf *b)
{
        return proc_src(c)->ops->environ(proc_src(c), c->tgid, b);
}

static void limit_value(struct seqbuf *b, rlim_t v)
{
        char s[24];

        if (v == RLIM_INFINITY)
                snprintf(s, sizeof(s), "unlimited");
        else
                snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
        seqbuf_printf(b, "%-20s ", s);
}

/* fs/proc/base.c proc_pid_limits(). */
static int show_limits(const struct proc_ctx *c, struct seqbuf *b)
{
        static const struct { const char *name, *unit; } lnames[RLIM_NLIMITS] = {
                [RLIMIT_CPU] = { "Max cpu time", "seconds" },
                [RLIMIT_FSIZE] = { "Max file size", "bytes" },
                [RLIMIT_DATA] = { "Max data size", "bytes" },
                [RLIMIT_STACK] = { "Max stack size", "bytes" },
                [RLIMIT_CORE] = { "Max core file size", "bytes" },
                [RLIMIT_RSS] = { "Max resident set", "bytes" },
                [RLIMIT_NPROC] = { "Max processes", "processes" },
                [RLIMIT_NOFILE] = { "Max open files", "files" },
                [RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
                [RLIMIT_AS] = { "Max address space", "bytes" },
                [RLIMIT_LOCKS] = { "Max file locks", "locks" },
                [RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
                [RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
                [RLIMIT_NICE] = { "Max nice priority", NULL },
                [RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
                [RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
        };
        struct rlimit rl[RLIM_NLIMITS];
        int r = proc_src(c)->ops->limits(proc_src(c), c->tgid, rl);

        if (r < 0)
                return r;
        seqbuf_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit",
                      "Units");
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                seqbuf_printf(b, "%-25s ", lnames[i].name);
                limit_value(b, rl[i].rlim_cur);
                if (lnames[i].unit) {
                        limit_value(b, rl[i].rlim_max);
                        seqbuf_printf(b, "%-10s\n", lnames[i].unit);
                } else {
                        char s[24];

                        if (rl[i].rlim_max == RLIM_INFINITY)
                                snprintf(s, sizeof(s), "unlimited");
                        else
                                snprintf(s, sizeof(s), "%llu",
                                         (unsigned long long)rl[i].rlim_max);
                        seqbuf_printf(b, "%-20s\n", s);
                }
        }
        return 0;
}

static int link_exe(const struct proc_ctx *c, struct seqbuf *b)
{
        return proc_src(c)->ops->exe(proc_src(c), c->tgid, b);
}

/* cwd and root: the process's own, named from the reader's root (Linux's
 * proc_cwd_link()/proc_root_link() read through d_path()), so a chrooted
 * process's root is "/" to itself and its real place to others. */
static int link_fs_path(const struct proc_ctx *c, struct seqbuf *b, bool cwd)
{
        struct fs_context *fs, *reader = NULL;
        int tgid, tid;
        char *buf;
        struct path p;
        int r;

        r = proc_src(c)->ops->fs(proc_src(c), c->tgid, &fs);
        if (r < 0)
                return r;
        if (proc_src(c)->ops->current(proc_src(c), &tgid, &tid) < 0 ||
            proc_src(c)->ops->fs(proc_src(c), tgid, &reader) < 0)
                reader = fs_context_ref(fs);
        buf = malloc(VFS_PATH_MAX);
        if (!buf) {
                fs_context_unref(reader);
                fs_context_unref(fs);
                return -ENOMEM;
        }
        if (cwd)
                fs_get_cwd(fs, &p);
        else
                fs_get_root(fs, &p);
        r = vfs_d_path(reader, &p, buf, VFS_PATH_MAX);
        fs_context_unref(reader);
        if (r > 0) {
                seqbuf_puts(b, buf);
                r = 0;
        }
        path_put(&p);
        free(buf);
        fs_context_unref(fs);
        return r;
}

static int link_cwd(const struct proc_ctx *c, struct seqbuf *b)
{
        return link_fs_path(c, b, true);
}

static int link_root(const struct proc_ctx *c, struct seqbuf *b)
{
        return link_fs_path(c, b, false);
}

/* As magic links: the directory itself. */
static int link_path_fs(const struct proc_ctx *c, struct path *ret, bool cwd)
{
        struct fs_context *fs;

        if (proc_src(c)->ops->fs(proc_src(c), c->tgid, &fs) < 0)
                return -ENOENT;
        if (cwd)
                fs_get_cwd(fs, ret);
        else
                fs_get_root(fs, ret);
        fs_context_unref(fs);
        return 0;
}

static int link_path_cwd(const struct proc_ctx *c, struct path *ret)
{
        return link_path_fs(c, ret, true);
}

static int link_path_root(const struct proc_ctx *c, struct path *ret)
{
        return link_path_fs(c, ret, false);
}

static const struct proc_dir fd_dir = { NULL, 0, PROC_DYN_FDS };
static const struct proc_dir fdinfo_dir = { NULL, 0, PROC_DYN_FDINFO };
static const struct proc_dir task_dir = { NULL, 0, PROC_DYN_TIDS };

/* "task" last: /proc/PID/task/TID has every entry but it. */
static const struct proc_entry pid_entries[] = {
        { "fd", S_IFDIR | 0500, .dir = &fd_dir },
        { "fdinfo", S_IFDIR | 0500, .dir = &fdinfo_dir },
        { "environ", S_IFREG | 0400, .show = show_environ },
        { "limits", S_IFREG | 0444, .show = show_limits },
        { "comm", S_IFREG | 0444, .show = show_comm },
        { "cmdline", S_IFREG | 0444, .show = show_cmdline },
        { "stat", S_IFREG | 0444, .show = show_stat },
        { "statm", S_IFREG | 0444, .show = show_statm },
        { "maps", S_IFREG | 0444, .show = proc_show_maps },
        { "smaps", S_IFREG | 0444, .show = proc_show_smaps },
        { "mounts", S_IFREG | 0444, .show = proc_show_mounts },
        { "mountinfo", S_IFREG | 0444, .show = proc_show_mountinfo },
        { "status", S_IFREG | 0444, .show = show_status },
        { "cwd", S_IFLNK | 0777, .link = link_cwd, .link_path = link_path_cwd },
        { "root", S_IFLNK | 0777, .link = link_root, .link_path = link_path_root },
        { "exe", S_IFLNK | 0777, .link = link_exe },
        { "task", S_IFDIR | 0555, .dir = &task_dir },
};

const struct proc_dir proc_pid_dir = { pid_entries, ARRAY_SIZE(pid_entries), PROC_DYN_NONE };
static const struct proc_dir tid_dir = { pid_entries, ARRAY_SIZE(pid_entries) - 1,
                                         PROC_DYN_NONE };

const struct proc_entry proc_pid_entry = { "", S_IFDIR | 0555, .dir = &proc_pid_dir };
const struct proc_entry proc_tid_entry = { "", S_IFDIR | 0555, .dir = &tid_dir };
