/*
 * /proc's view of the kernel: struct procfs_source over the pid table.
 *
 * Every op looks its task up under kernel->lock, takes references, and
 * reads the rest under the task's own locks: tg->lock for signal state and
 * limits, task->block_lock for the mm, fd table and fs context pointers
 * (task_exit must clear them under block_lock; see the README).
 */
#include "sentry/kernel/procfs_source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/macro.h"
#include "sentry/kernel/current.h"
#include "sentry/kernel/ctty.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/rusage.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/proc_info.h"
#include "vfs/tty/tty.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "vfs/fs/procfs/procfs.h"
#include "vfs/vfs.h"

struct kernel_source {
        struct procfs_source base;
        struct kernel *k;               /* borrowed */
};

static struct kernel *K(struct procfs_source *s)
{
        return container_of(s, struct kernel_source, base)->k;
}

static int ks_current(struct procfs_source *s, int *ret_tgid, int *ret_tid)
{
        struct task *t = task_current();

        (void)s;
        if (!t)
                return -ESRCH;
        *ret_tgid = t->tg->tgid;
        *ret_tid = t->tid;
        return 0;
}

static int ks_next_tgid(struct procfs_source *s, int from, int *ret)
{
        struct kernel *k = K(s);
        int r = -ENOENT;

        pthread_mutex_lock(&k->lock);
        for (int i = MAX(from, 1); i < KERNEL_PID_MAX; i++)
                if (k->tgs[i] && k->tgs[i]->state != TG_REAPED) {
                        *ret = i;
                        r = 0;
                        break;
                }
        pthread_mutex_unlock(&k->lock);
        return r;
}

static int ks_next_tid(struct procfs_source *s, int tgid, int from, int *ret)
{
        struct kernel *k = K(s);
        int r = -ENOENT;

        pthread_mutex_lock(&k->lock);
        for (int i = MAX(from, 1); i < KERNEL_PID_MAX; i++)
                if (k->tasks[i] && k->tasks[i]->tg->tgid == tgid) {
                        *ret = i;
                        r = 0;
                        break;
                }
        pthread_mutex_unlock(&k->lock);
        return r;
}

/* The task with tid, else the thread group with that tgid (a zombie, or
 * one whose leader is gone): new references, *ret_t may be NULL. */
static int lookup(struct kernel *k, int tid, struct task **ret_t, struct thread_group **ret_tg)
{
        struct thread_group *tg;
        struct task *t = NULL;

        if (tid <= 0 || tid >= KERNEL_PID_MAX)
                return -ESRCH;
        pthread_mutex_lock(&k->lock);
        if (k->tasks[tid]) {
                t = task_ref(k->tasks[tid]);
                tg = thread_group_ref(t->tg);
        } else if ((tg = k->tgs[tid]) && tg->state != TG_REAPED) {
                thread_group_ref(tg);
                if (tg->leader)
                        t = task_ref(tg->leader);
        } else {
                tg = NULL;
        }
        pthread_mutex_unlock(&k->lock);
        if (!tg)
                return -ESRCH;
        *ret_t = t;
        *ret_tg = tg;
        return 0;
}

/* A new reference to the live task of tgid (its leader), or -ESRCH. */
static int lookup_live(struct kernel *k, int tgid, struct task **ret)
{
        struct thread_group *tg;
        struct task *t;
        int r = lookup(k, tgid, &t, &tg);

        if (r < 0)
                return r;
        thread_group_unref(tg);
        if (!t)
                return -ESRCH;
        *ret = t;
        return 0;
}

/* The task's resources, taken under block_lock. */
static struct mm *task_get_mm(struct task *t)
{
        struct mm *mm;

        pthread_mutex_lock(&t->block_lock);
        mm = t->mm ? mm_ref(t->mm) : NULL;
        pthread_mutex_unlock(&t->block_lock);
        return mm;
}

static int ks_status(struct procfs_source *s, int tid, struct procfs_status *ret)
{
        struct kernel *k = K(s);
        struct thread_group *tg;
        struct task *t;
        struct mm *mm;
        int r = lookup(k, tid, &t, &tg);

        if (r < 0)
                return r;
        memset(ret, 0, sizeof(*ret));
        pthread_mutex_lock(&k->lock);
        ret->tgid = tg->tgid;
        ret->pid = t ? t->tid : tg->tgid;
        ret->ppid = tg->parent ? tg->parent->tgid : 0;
        ret->pgid = tg->pgid;
        ret->sid = tg->sid;
        ret->tty_nr = ctty_dev_locked(tg);
        ret->tpgid = -1;
        if (tg->ctty) {
                int sid, pgrp;

                tty_get_session(tg->ctty, &sid, &pgrp);
                ret->tpgid = pgrp ? pgrp : -1;
        }
        for (int i = 1; i < KERNEL_PID_MAX; i++)
                if (k->tasks[i] && k->tasks[i]->tg == tg)
                        ret->threads++;
        pthread_mutex_unlock(&k->lock);

        if (!t) {
                ret->state = 'Z';
                ret->threads = MAX(ret->threads, 1);
        } else {
                struct creds c;

                /* Only the caller is known to be running; the others are
                 * reported sleeping, as Linux mostly shows them. */
                ret->state = t == task_current() ? 'R' : 'S';
                ret->nice = task_sched_nice(t);
                memcpy(ret->comm, t->comm, sizeof(ret->comm) - 1);
                if (task_creds_get(t, &c) == 0) {
                        ret->uid[0] = c.ruid, ret->uid[1] = c.euid;
                        ret->uid[2] = c.suid, ret->uid[3] = c.fsuid;
                        ret->gid[0] = c.rgid, ret->gid[1] = c.egid;
                        ret->gid[2] = c.sgid, ret->gid[3] = c.fsgid;
                        ret->cap_inh = c.cap_inheritable;
                        ret->cap_prm = c.cap_permitted;
                        ret->cap_eff = c.cap_effective;
                        ret->cap_bnd = c.cap_bset;
                        ret->cap_amb = c.cap_ambient;
                        creds_release(&c);
                }
        }

        pthread_mutex_lock(&tg->lock);
        if (t) {
                ret->sig_pending = t->pending.set;
                ret->sig_blocked = t->sigmask;
                ret->sigq_queued = t->pending.count;
                if (t->stopped)
                        ret->state = 'T';       /* parked by a group stop */
        }
        ret->shared_pending = tg->pending.set;
        ret->sigq_queued += tg->pending.count;
        ret->sigq_limit = tg->rlimits[RLIMIT_SIGPENDING].rlim_cur;
        for (int i = 0; i < KSIG_MAX; i++) {
                guest_ptr_t h = tg->sighand.action[i].handler;

                if (h == 1)
                        ret->sig_ignored |= 1ULL << i;
                else if (h > 1)
                        ret->sig_caught |= 1ULL << i;
        }
        pthread_mutex_unlock(&tg->lock);

        {
                struct task_usage u;

                thread_group_usage(tg, t, &u);
                ret->utime_ns = u.utime_ns;
                ret->stime_ns = u.stime_ns;
        }
        if (t && (mm = task_get_mm(t))) {
                struct mm_usage u;

                mm_get_usage(mm, &u);
                mm_unref(mm);
                ret->vm_size = u.vm_size;
                ret->vm_rss = u.rss;
                ret->vm_data = u.data;
                ret->vm_stack = u.stack;
        }
        if (t) {
                struct fs_context *fs;

                pthread_mutex_lock(&t->block_lock);
                fs = t->fs ? fs_context_ref(t->fs) : NULL;
                pthread_mutex_unlock(&t->block_lock);
                if (fs) {
                        ret->umask = fs_umask(fs, 0, false);
                        fs_context_unref(fs);
                }
        }
        task_unref(t);
        thread_group_unref(tg);
        return 0;
}

static int ks_limits(struct procfs_source *s, int tgid, struct rlimit ret[RLIM_NLIMITS])
{
        struct thread_group *tg;
        struct task *t;
        int r = lookup(K(s), tgid, &t, &tg);

        if (r < 0)
                return r;
        pthread_mutex_lock(&tg->lock);
        memcpy(ret, tg->rlimits, sizeof(tg->rlimits));
        pthread_mutex_unlock(&tg->lock);
        task_unref(t);
        thread_group_unref(tg);
        return 0;
}

static int ks_groups(struct procfs_source *s, int tid, struct seqbuf *b)
{
        struct thread_group *tg;
        struct task *t;
        struct creds c;
        int r = lookup(K(s), tid, &t, &tg);

        if (r < 0)
                return r;
        thread_group_unref(tg);
        if (!t)
                return 0;               /* a zombie: no credentials left to show */
        r = task_creds_get(t, &c);
        task_unref(t);
        if (r < 0)
                return r;
        for (uint32_t i = 0; i < c.ngroups; i++)
                seqbuf_printf(b, i ? " %u" : "%u", c.groups[i]);
        creds_release(&c);
        return 0;
}

/* The mm's snapshot as procfs wants it: the file references move over. */
static int ks_vmas(struct procfs_source *s, int tgid, struct procfs_vma **ret, size_t *ret_n)
{
        struct procfs_vma *out = NULL;
        struct mm_vma_info *in;
        struct thread_group *tg;
        struct task *t;
        struct mm *mm;
        size_t n;
        int r = lookup(K(s), tgid, &t, &tg);

        if (r < 0)
                return r;
        thread_group_unref(tg);
        *ret = NULL;
        *ret_n = 0;
        mm = t ? task_get_mm(t) : NULL;
        task_unref(t);
        if (!mm)
                return 0;               /* a zombie: no mappings left */
        r = mm_get_vmas(mm, &in, &n);
        mm_unref(mm);
        if (r < 0)
                return r;
        if (n && !(out = calloc(n, sizeof(*out)))) {
                mm_vmas_release(in, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                out[i] = (struct procfs_vma){
                        .start = in[i].start, .end = in[i].end, .prot = in[i].prot,
                        .shared = in[i].shared, .may_write = in[i].may_write,
                        .account = in[i].account, .name = in[i].name, .pgoff = in[i].pgoff,
                        .rss = in[i].rss,
                };
                /* Every file the sentry maps is a vfs file. */
                if (in[i].vm_file.ops == &file_vm_file_ops)
                        out[i].file = TAKE_PTR(in[i].vm_file.file);
        }
        mm_vmas_release(in, n);
        *ret = out;
        *ret_n = n;
        return 0;
}

static int read_args(struct procfs_source *s, int tgid, bool env, struct seqbuf *b)
{
        struct task *t;
        struct mm *mm;
        size_t len;
        char *buf;
        int r = lookup_live(K(s), tgid, &t);

        if (r < 0)
                return r == -ESRCH ? 0 : r;     /* a zombie's is empty */
        mm = task_get_mm(t);
        task_unref(t);
        if (!mm)
                return 0;
        r = mm_read_args(mm, env, &buf, &len);
        mm_unref(mm);
        if (r < 0)
                return 0;       /* unreadable memory reads as empty, as Linux */
        seqbuf_write(b, buf, len);
        free(buf);
        return 0;
}

static int ks_cmdline(struct procfs_source *s, int tgid, struct seqbuf *b)
{
        return read_args(s, tgid, false, b);
}

static int ks_environ(struct procfs_source *s, int tgid, struct seqbuf *b)
{
        return read_args(s, tgid, true, b);
}

static int ks_exe(struct procfs_source *s, int tgid, struct seqbuf *b)
{
        struct task *t;
        struct mm *mm;
        char *buf;
        int r = lookup_live(K(s), tgid, &t);

        if (r < 0)
                return -ENOENT;
        mm = task_get_mm(t);
        task_unref(t);
        if (!mm)
                return -ENOENT;
        buf = malloc(MM_EXE_PATH_MAX);
        r = buf ? mm_get_exe_path(mm, buf, MM_EXE_PATH_MAX) : -ENOMEM;
        mm_unref(mm);
        if (r == 0)
                seqbuf_puts(b, buf);
        free(buf);
        return r;
}

static int ks_fdtable(struct procfs_source *s, int tgid, struct fdtable **ret)
{
        struct task *t;
        int r = lookup_live(K(s), tgid, &t);

        if (r < 0)
                return r;
        pthread_mutex_lock(&t->block_lock);
        *ret = t->fdt ? fdtable_ref(t->fdt) : NULL;
        pthread_mutex_unlock(&t->block_lock);
        task_unref(t);
        return *ret ? 0 : -ESRCH;
}

static int ks_fs(struct procfs_source *s, int tgid, struct fs_context **ret)
{
        struct task *t;
        int r = lookup_live(K(s), tgid, &t);

        if (r < 0)
                return r;
        pthread_mutex_lock(&t->block_lock);
        *ret = t->fs ? fs_context_ref(t->fs) : NULL;
        pthread_mutex_unlock(&t->block_lock);
        task_unref(t);
        return *ret ? 0 : -ESRCH;
}

static int ks_hostname(struct procfs_source *s, struct seqbuf *b)
{
        struct kernel *k = K(s);

        pthread_mutex_lock(&k->lock);
        seqbuf_puts(b, k->hostname);
        pthread_mutex_unlock(&k->lock);
        return 0;
}

static int ks_set_hostname(struct procfs_source *s, const char *name, size_t len)
{
        struct kernel *k = K(s);

        if (len > KERNEL_NAME_MAX)
                return -EINVAL;
        pthread_mutex_lock(&k->lock);
        memcpy(k->hostname, name, len);
        k->hostname[len] = '\0';
        pthread_mutex_unlock(&k->lock);
        return 0;
}

static int ks_meminfo(struct procfs_source *s, struct procfs_meminfo *ret)
{
        struct kernel *k = K(s);
        uint64_t used = memfile_allocated(k->memfile);

        ret->total = memfile_size(k->memfile);
        ret->free = ret->total > used ? ret->total - used : 0;
        return 0;
}

static int ks_uptime(struct procfs_source *s, struct timespec *ret)
{
        struct kernel *k = K(s);
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        ret->tv_sec = now.tv_sec - k->boot_monotonic.tv_sec;
        ret->tv_nsec = now.tv_nsec - k->boot_monotonic.tv_nsec;
        if (ret->tv_nsec < 0) {
                ret->tv_sec--;
                ret->tv_nsec += 1000000000L;
        }
        return 0;
}

static void ks_release(struct procfs_source *s)
{
        free(container_of(s, struct kernel_source, base));
}

static const struct procfs_source_ops kernel_source_ops = {
        .current = ks_current,
        .next_tgid = ks_next_tgid,
        .next_tid = ks_next_tid,
        .status = ks_status,
        .limits = ks_limits,
        .groups = ks_groups,
        .vmas = ks_vmas,
        .cmdline = ks_cmdline,
        .environ = ks_environ,
        .exe = ks_exe,
        .fdtable = ks_fdtable,
        .fs = ks_fs,
        .hostname = ks_hostname,
        .set_hostname = ks_set_hostname,
        .meminfo = ks_meminfo,
        .uptime = ks_uptime,
        .release = ks_release,
};

int kernel_procfs_source_create(struct kernel *k, struct procfs_source **ret)
{
        struct kernel_source *ks = calloc(1, sizeof(*ks));

        if (!ks)
                return -ENOMEM;
        procfs_source_init(&ks->base, &kernel_source_ops);
        ks->k = k;
        *ret = &ks->base;
        return 0;
}
