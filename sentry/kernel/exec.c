/*
 * execve (exec.h): opening the program, #! scripts, loading the ELF into a
 * new mm, and the point of no return.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/proc_info.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "vfs/namei.h"
#include "vfs/vfs.h"

/* Linux's limits: the bytes of a file binfmt_script looks at, and how many
 * interpreters may stand in front of the ELF (exec_binprm's depth > 5). */
#define BINPRM_BUF_SIZE 256
#define EXEC_MAX_DEPTH 5


/* Linux's suid_dumpable sysctl (fs.suid_dumpable), at its default. */
#define SUID_DUMP_DISABLE 0
#define SUID_DUMP_USER 1

/* The credentials the ELF in f runs with (exec.h), into img. */
static int exec_compute_creds(struct task *t, struct file *f, const struct vfs_cred *cred,
                              struct exec_image *img)
{
        struct inode *inode = file_inode(f);
        struct creds_exec_file ef = { .nosuid = f->path.mnt && f->path.mnt->nosuid };
        int r;

        pthread_mutex_lock(&inode->lock);
        ef.mode = inode->mode;
        ef.uid = inode->uid;
        ef.gid = inode->gid;
        pthread_mutex_unlock(&inode->lock);
        r = creds_copy(&img->creds, &t->creds);
        if (r < 0)
                return r;
        img->secure = creds_exec(&img->creds, &ef, t->no_new_privs);
        /* would_dump(): a program the caller may not read is not dumpable. */
        img->nondump = vfs_permission(inode, cred, MAY_READ) < 0 ||
                       img->creds.euid != img->creds.ruid || img->creds.egid != img->creds.rgid;
        return 0;
}

/* ---- The program as the loader reads it --------------------------------------- */

struct exec_file {
        struct loader_file base;
        struct file *file;              /* a reference */
};

static ssize_t exec_file_pread(struct loader_file *lf, void *buf, size_t len, uint64_t off)
{
        struct exec_file *ef = container_of(lf, struct exec_file, base);
        struct iovec iov = { buf, len };
        struct iov_iter it = { &iov, 1, len };

        if (off > INT64_MAX)
                return -EINVAL;
        return vfs_read(ef->file, &it, (int64_t)off);
}

static int64_t exec_file_size(struct loader_file *lf)
{
        struct stat st;
        int r = vfs_stat(container_of(lf, struct exec_file, base)->file, &st);

        return r < 0 ? r : st.st_size;
}

static void exec_file_close(struct loader_file *lf)
{
        struct exec_file *ef = container_of(lf, struct exec_file, base);

        file_unref(ef->file);
        free(ef);
}

static const struct loader_file_ops exec_file_ops = {
        .pread = exec_file_pread,
        .size = exec_file_size,
        .close = exec_file_close,
};

/* The interpreter, once loaded, lets writers in again, though its mappings
 * keep it open (Linux's load_elf_binary: allow_write_access(interpreter)). */
static void interp_file_close(struct loader_file *lf)
{
        file_allow_write_access(container_of(lf, struct exec_file, base)->file);
        exec_file_close(lf);
}

static const struct loader_file_ops interp_file_ops = {
        .pread = exec_file_pread,
        .size = exec_file_size,
        .close = interp_file_close,
};

/* Linux's open_exec(): resolve and open for execution. */
static int exec_open(const struct vfs_at *at, const char *name, unsigned lookup_flags,
                     struct exec_file **ret)
{
        struct exec_file *ef;
        struct path p;
        int r;

        r = vfs_lookup(at, name, lookup_flags, &p);
        if (r < 0)
                return r;
        ef = calloc(1, sizeof(*ef));
        r = ef ? vfs_open_exec(&p, at->cred, &ef->file) : -ENOMEM;
        path_put(&p);
        if (r < 0) {
                free(ef);
                return r;
        }
        ef->base.ops = &exec_file_ops;
        ef->base.vm_file = (struct mm_vm_file){ ef->file, &file_vm_file_ops };
        *ret = ef;
        return 0;
}

/* PT_INTERP: ld.so opened in the caller's file system, from its cwd. */
struct interp_ctx {
        struct task *task;
        const struct vfs_cred *cred;
};

static int interp_open(void *ctx, const char *path, struct loader_file **ret)
{
        struct interp_ctx *ic = ctx;
        struct vfs_at at = { .fs = ic->task->fs, .cred = ic->cred };
        struct exec_file *ef;
        int r = exec_open(&at, path, LOOKUP_FOLLOW, &ef);

        if (r == 0) {
                ef->base.ops = &interp_file_ops;
                *ret = &ef->base;
        }
        return r;
}

static const struct loader_interp_ops exec_interp_ops = { .open = interp_open };

/* ---- #! scripts (Linux's binfmt_script) --------------------------------------- */

static bool is_space(char c)
{
        return c == ' ' || c == '\t';
}

/* If buf (n bytes from the file's start) is a #! script, its interpreter
 * and optional argument (both malloc'd). 0 and *ret_interp NULL: not a
 * script. -ENOEXEC: a #! line without an interpreter, or too long. */
static int parse_shebang(char *buf, size_t n, char **ret_interp, char **ret_arg)
{
        char *end, *p, *name, *arg = NULL;

        *ret_interp = *ret_arg = NULL;
        if (n < 2 || buf[0] != '#' || buf[1] != '!')
                return 0;
        end = memchr(buf, '\n', n);
        if (!end) {
                /* No newline in the buffer: fine only if the interpreter's
                 * name ends inside it (the argument is then cut short). */
                for (p = buf + 2; p < buf + n && is_space(*p); p++)
                        ;
                while (p < buf + n && *p && !is_space(*p))
                        p++;
                if (p >= buf + n)
                        return -ENOEXEC;
                end = buf + n;
        }
        *end = '\0';
        end = memchr(buf, '\0', (size_t)(end - buf) + 1);       /* a NUL ends the line early */
        while (end > buf + 2 && is_space(end[-1]))
                *--end = '\0';
        for (p = buf + 2; is_space(*p); p++)
                ;
        if (!*p)
                return -ENOEXEC;
        name = p;
        while (*p && !is_space(*p))
                p++;
        if (*p) {
                *p++ = '\0';
                while (is_space(*p))
                        p++;
                if (*p)
                        arg = p;
        }
        *ret_interp = strdup(name);
        *ret_arg = arg ? strdup(arg) : NULL;
        if (!*ret_interp || (arg && !*ret_arg)) {
                free(*ret_interp);
                free(*ret_arg);
                return -ENOMEM;
        }
        return 0;
}

/* A vector of strings the exec owns (the argv after interpreters are put
 * in front). */
struct strv {
        char **v;
        size_t n;
};

static void strv_free(struct strv *s)
{
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        *s = (struct strv){ 0 };
}

static int strv_copy(struct strv *s, char *const src[])
{
        size_t n = 0;

        while (src && src[n])
                n++;
        s->v = calloc(n + 1, sizeof(char *));
        if (!s->v)
                return -ENOMEM;
        for (; s->n < n; s->n++)
                if (!(s->v[s->n] = strdup(src[s->n])))
                        return -ENOMEM;
        return 0;
}

/* argv becomes interp [arg] filename argv[1...] (argv[0] is dropped: the
 * kernel replaces it with the script's path). */
static int strv_prepend_interp(struct strv *s, const char *interp, const char *arg,
                               const char *filename)
{
        size_t add = arg ? 3 : 2, keep = s->n ? s->n - 1 : 0;
        char **v = calloc(add + keep + 1, sizeof(char *));

        if (!v)
                return -ENOMEM;
        v[0] = strdup(interp);
        if (arg)
                v[1] = strdup(arg);
        v[add - 1] = strdup(filename);
        if (!v[0] || !v[add - 1] || (arg && !v[1])) {
                for (size_t i = 0; i < add; i++)
                        free(v[i]);
                free(v);
                return -ENOMEM;
        }
        if (s->n)
                free(s->v[0]);
        memcpy(v + add, s->v + (s->n ? 1 : 0), keep * sizeof(char *));
        free(s->v);
        s->v = v;
        s->n = add + keep;
        return 0;
}

/* ---- Preparing ---------------------------------------------------------------- */

void exec_image_release(struct exec_image *img)
{
        img->mm = mm_unref(img->mm);
        free(img->exe_path);
        free(img->comm);
        img->exe_file = file_unref(img->exe_file);
        creds_release(&img->creds);
        img->exe_path = img->comm = NULL;
}

static int load_elf(struct task *t, struct exec_file *ef, const struct vfs_cred *cred,
                    const char *filename, struct strv *argv, char *const envp[],
                    struct exec_image *img)
{
        struct kernel *k = t->kernel;
        struct interp_ctx ic = { t, cred };
        struct loader_args la = {
                .file = &ef->base,
                .interp = &exec_interp_ops,
                .interp_ctx = &ic,
                .filename = filename,
                .argv = argv->v,
                .envp = envp,
        };
        char *path;
        int r;

        r = exec_compute_creds(t, ef->file, cred, img);
        if (r < 0)
                return r;
        la.uid = img->creds.ruid;
        la.euid = img->creds.euid;
        la.gid = img->creds.rgid;
        la.egid = img->creds.egid;
        la.secure = img->secure;
        path = malloc(VFS_PATH_MAX);
        if (!path)
                return -ENOMEM;
        pthread_mutex_lock(&t->tg->lock);
        la.stack_limit = t->tg->rlimits[RLIMIT_STACK].rlim_cur;
        pthread_mutex_unlock(&t->tg->lock);
        r = mm_create_detached(k->platform, k->memfile, &img->mm);
        if (r == 0)
                r = loader_load(img->mm, &la, &img->regs);
        if (r == 0 && vfs_d_path(t->fs, &ef->file->path, path, VFS_PATH_MAX) < 0)
                snprintf(path, VFS_PATH_MAX, "%s", filename);
        if (r < 0) {
                free(path);
                img->mm = mm_unref(img->mm);
                return r;
        }
        img->exe_path = path;
        img->exe_file = file_ref(ef->file);
        return 0;
}

int exec_prepare(struct task *t, const struct vfs_at *at, const char *name,
                 unsigned lookup_flags, const char *filename, char *const argv[],
                 char *const envp[], struct exec_image *ret)
{
        struct vfs_cred cred = task_vfs_cred(t);
        struct vfs_at iat = { .fs = t->fs, .cred = &cred };
        const char *base = strrchr(filename, '/');
        struct strv args = { 0 };
        struct exec_file *ef = NULL;
        char buf[BINPRM_BUF_SIZE];
        int r;

        *ret = (struct exec_image){ 0 };
        ret->comm = strdup(base ? base + 1 : filename);
        r = ret->comm ? strv_copy(&args, argv) : -ENOMEM;
        if (r == 0)
                r = exec_open(at, name, lookup_flags, &ef);
        for (int depth = 0; r == 0; depth++) {
                char *interp, *arg;
                ssize_t n;

                if (depth > EXEC_MAX_DEPTH) {
                        r = -ELOOP;
                        break;
                }
                n = exec_file_pread(&ef->base, buf, sizeof(buf), 0);
                if (n < 0) {
                        r = (int)n;
                        break;
                }
                r = parse_shebang(buf, (size_t)n, &interp, &arg);
                if (r < 0)
                        break;
                if (!interp) {
                        r = load_elf(t, ef, &cred, filename, &args, envp, ret);
                        break;
                }
                r = strv_prepend_interp(&args, interp, arg, filename);
                exec_file_close(&ef->base);
                ef = NULL;
                if (r == 0)
                        r = exec_open(&iat, interp, LOOKUP_FOLLOW, &ef);
                free(interp);
                free(arg);
        }
        if (ef)
                exec_file_close(&ef->base);
        strv_free(&args);
        if (r < 0)
                exec_image_release(ret);
        return r;
}

/* ---- The point of no return --------------------------------------------------- */

/* Linux's de_thread(): every other thread of the group leaves (as if
 * killed), and an exec from a thread other than the leader takes over the
 * leader's pid. */
static int exec_kill_others(struct task *t)
{
        struct thread_group *tg = t->tg;
        struct kernel *k = t->kernel;
        bool alone;

        pthread_mutex_lock(&tg->lock);
        if (atomic_load(&tg->group_exit) || t->zapped || tg->exec_task) {
                pthread_mutex_unlock(&tg->lock);
                return -EINTR;
        }
        tg->exec_task = t;
        for (struct task *o = tg->tasks; o; o = o->tg_next)
                if (o != t) {
                        atomic_store(&o->zapped, true);
                        task_interrupt(o);
                }
        pthread_mutex_unlock(&tg->lock);

        /* Wait for them: each leaving thread wakes us (task_exit()). */
        for (;;) {
                task_prepare_block(t);
                pthread_mutex_lock(&k->lock);
                pthread_mutex_lock(&tg->lock);
                alone = tg->nlive == 1 &&
                        (k->tasks[tg->tgid] == NULL || k->tasks[tg->tgid] == t);
                if (alone && t->tid != tg->tgid) {
                        /* The leader is gone: take its pid. */
                        k->tasks[t->tid] = NULL;
                        t->tid = tg->tgid;
                        k->tasks[t->tid] = t;
                        tg->leader = t;
                }
                if (alone)
                        tg->exec_task = NULL;
                pthread_mutex_unlock(&tg->lock);
                pthread_mutex_unlock(&k->lock);
                if (alone)
                        return 0;
                task_block(t, NULL);
                if (atomic_load(&tg->group_exit)) {
                        pthread_mutex_lock(&tg->lock);
                        tg->exec_task = NULL;
                        pthread_mutex_unlock(&tg->lock);
                        return -EINTR;
                }
        }
}

/* Caught signals go back to their default; ignored ones stay ignored
 * (Linux's flush_signal_handlers(t, 0)). */
static void exec_reset_signals(struct task *t)
{
        struct thread_group *tg = t->tg;

        pthread_mutex_lock(&tg->lock);
        for (int i = 0; i < KSIG_MAX; i++) {
                struct ksigaction *ka = &tg->sighand.action[i];

                if (ka->handler != KSIG_IGN)
                        ka->handler = KSIG_DFL;
                ka->flags = 0;
                ka->restorer = 0;
                ka->mask = 0;
        }
        pthread_mutex_unlock(&tg->lock);
        t->altstack = (struct sigaltstack_state){ .flags = SS_DISABLE };
}

/* A table shared with another process (CLONE_FILES) is copied first, so
 * closing close-on-exec fds does not touch the other's. */
static int exec_unshare_files(struct task *t)
{
        struct fdtable *fdt = t->fdt, *copy;
        int r;

        if (atomic_load(&fdt->refcount) > 1) {
                r = fdtable_dup(fdt, &copy);
                if (r < 0)
                        return r;
                pthread_mutex_lock(&t->block_lock);
                t->fdt = copy;
                pthread_mutex_unlock(&t->block_lock);
                fdtable_unref(fdt);
        }
        fdtable_close_on_exec(t->fdt);
        return 0;
}

int exec_commit(struct task *t, struct exec_image *img)
{
        struct thread_group *tg = t->tg;
        struct kernel *k = t->kernel;
        struct platform_ctx *ctx, *old_ctx;
        struct task_usage old_stub;
        struct task *vfork_parent;
        struct mm *old_mm;
        bool stub_kept;
        int r;

        r = exec_kill_others(t);
        if (r < 0) {
                exec_image_release(img);
                return r;
        }
        /* Past this point the old program is gone whatever happens. Its
         * context goes first; its stub is reused for the new program when
         * the platform can (no new stub process to make), else a new one. */
        futex_exec(t);          /* the robust list and PI locks, as Linux's exec_mm_release() */
        task_usage_exec_begin(t, &old_stub);    /* before the context goes */
        pthread_mutex_lock(&t->block_lock);
        old_ctx = t->ctx;
        t->ctx = NULL;
        pthread_mutex_unlock(&t->block_lock);
        r = mm_exec_attach_platform(img->mm, t->mm, old_ctx, &ctx);
        /* The old stub's totals stay where they count: in the stub we go on
         * using, or in a vfork parent's that still runs it. */
        stub_kept = r == 0 || r == -EBUSY;
        if (r < 0)
                r = mm_attach_platform(img->mm, k->platform, &ctx);
        task_usage_exec_end(t, &old_stub, stub_kept);
        if (r < 0) {
                log_warn("tid %d: exec: no address space for the new program: %s", t->tid,
                         strerror(-r));
                exec_image_release(img);
                task_exit_group(t, SIGKILL);
                return -EINTR;
        }
        pthread_mutex_lock(&t->block_lock);
        old_mm = t->mm;
        t->ctx = ctx;
        t->mm = TAKE_PTR(img->mm);
        pthread_mutex_unlock(&t->block_lock);
        mm_unref(old_mm);

        t->regs = img->regs;
        mm_proc_info_init(t->mm, img->exe_path, t->regs.gp.rsp);
        snprintf(t->comm, sizeof(t->comm), "%s", img->comm);
        thread_group_set_exe_file(tg, TAKE_PTR(img->exe_file));
        /* commit_creds(): a change of effective or fs ids forgets the
         * parent-death signal. */
        if (img->creds.euid != t->creds.euid || img->creds.egid != t->creds.egid ||
            img->creds.fsuid != t->creds.fsuid || img->creds.fsgid != t->creds.fsgid)
                t->pdeath_signal = 0;
        task_creds_commit(t, &img->creds);
        pthread_mutex_lock(&tg->lock);
        tg->dumpable = img->nondump ? SUID_DUMP_DISABLE : SUID_DUMP_USER;
        pthread_mutex_unlock(&tg->lock);
        exec_image_release(img);
        t->robust_list = 0;
        t->robust_list_len = 0;
        t->clear_child_tid = 0;
        t->restart = (struct restart_block){ 0 };
        exec_reset_signals(t);
        posix_timers_exec(&tg->timers);
        r = exec_unshare_files(t);
        if (r < 0) {
                task_exit_group(t, SIGKILL);
                return -EINTR;
        }

        /* A vfork parent waits for this. */
        pthread_mutex_lock(&k->lock);
        tg->exec_done = true;
        vfork_parent = tg->vfork_parent;
        tg->vfork_parent = NULL;
        pthread_mutex_unlock(&k->lock);
        if (vfork_parent) {
                task_wake(vfork_parent);
                task_unref(vfork_parent);
        }
        return 0;
}
