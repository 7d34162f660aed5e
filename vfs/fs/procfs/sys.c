/* /proc/sys: the sysctls programs read, and the host name to write. */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "internal.h"
#include "vfs/inotify.h"

static int show_hostname(const struct proc_ctx *c, struct seqbuf *b)
{
        int r = proc_src(c)->ops->hostname(proc_src(c), b);

        if (r == 0)
                seqbuf_putc(b, '\n');
        return r;
}

/* Linux's proc_dostring for a uts string: a write at offset 0 replaces the
 * value with the data up to the first newline (or NUL), cut at 64 bytes;
 * the whole count is consumed. */
static ssize_t write_hostname(const struct proc_ctx *c, const char *data, size_t len,
                              int64_t pos)
{
        size_t n = strcspn(data, "\n");
        int r;

        if (pos != 0)
                return (ssize_t)len;
        if (n > 64)
                n = 64;
        r = proc_src(c)->ops->set_hostname(proc_src(c), data, n);
        return r < 0 ? r : (ssize_t)len;
}

static int show_osrelease(const struct proc_ctx *c, struct seqbuf *b)
{
        struct utsname u;

        (void)c;
        uname(&u);
        seqbuf_printf(b, "%s\n", u.release);
        return 0;
}

static int show_ostype(const struct proc_ctx *c, struct seqbuf *b)
{
        (void)c;
        seqbuf_puts(b, "Linux\n");
        return 0;
}

static int show_ngroups_max(const struct proc_ctx *c, struct seqbuf *b)
{
        (void)c;
        seqbuf_puts(b, "65536\n");
        return 0;
}

static int show_pid_max(const struct proc_ctx *c, struct seqbuf *b)
{
        (void)c;
        seqbuf_puts(b, "32768\n");
        return 0;
}

static int show_overcommit(const struct proc_ctx *c, struct seqbuf *b)
{
        (void)c;
        seqbuf_puts(b, "0\n");
        return 0;
}

static int show_pipe_max(const struct proc_ctx *c, struct seqbuf *b)
{
        (void)c;
        seqbuf_puts(b, "1048576\n");
        return 0;
}

static const struct proc_entry kernel_entries[] = {
        { "hostname", S_IFREG | 0644, .show = show_hostname, .write = write_hostname },
        { "ngroups_max", S_IFREG | 0444, .show = show_ngroups_max },
        { "osrelease", S_IFREG | 0444, .show = show_osrelease },
        { "ostype", S_IFREG | 0444, .show = show_ostype },
        { "pid_max", S_IFREG | 0444, .show = show_pid_max },
};

static const struct proc_dir kernel_dir = {
        kernel_entries, ARRAY_SIZE(kernel_entries), PROC_DYN_NONE,
};

static const struct proc_entry vm_entries[] = {
        { "overcommit_memory", S_IFREG | 0444, .show = show_overcommit },
};

static const struct proc_dir vm_dir = { vm_entries, ARRAY_SIZE(vm_entries), PROC_DYN_NONE };

static int show_inotify_instances(const struct proc_ctx *c, struct seqbuf *b)
{
        (void)c;
        seqbuf_printf(b, "%d\n", INOTIFY_MAX_USER_INSTANCES);
        return 0;
}

static int show_inotify_watches(const struct proc_ctx *c, struct seqbuf *b)
{
        (void)c;
        seqbuf_printf(b, "%d\n", INOTIFY_MAX_USER_WATCHES);
        return 0;
}

static int show_inotify_queued(const struct proc_ctx *c, struct seqbuf *b)
{
        (void)c;
        seqbuf_printf(b, "%d\n", INOTIFY_MAX_QUEUED_EVENTS);
        return 0;
}

/* Read-only: the limits are fixed (vfs/inotify.h). */
static const struct proc_entry inotify_entries[] = {
        { "max_queued_events", S_IFREG | 0444, .show = show_inotify_queued },
        { "max_user_instances", S_IFREG | 0444, .show = show_inotify_instances },
        { "max_user_watches", S_IFREG | 0444, .show = show_inotify_watches },
};

static const struct proc_dir inotify_dir = {
        inotify_entries, ARRAY_SIZE(inotify_entries), PROC_DYN_NONE,
};

static const struct proc_entry fs_entries[] = {
        { "inotify", S_IFDIR | 0555, .dir = &inotify_dir },
        { "pipe-max-size", S_IFREG | 0444, .show = show_pipe_max },
};

static const struct proc_dir fs_dir = { fs_entries, ARRAY_SIZE(fs_entries), PROC_DYN_NONE };

static const struct proc_entry sys_entries[] = {
        { "fs", S_IFDIR | 0555, .dir = &fs_dir },
        { "kernel", S_IFDIR | 0555, .dir = &kernel_dir },
        { "vm", S_IFDIR | 0555, .dir = &vm_dir },
};

const struct proc_dir proc_sys_dir = { sys_entries, ARRAY_SIZE(sys_entries), PROC_DYN_NONE };
