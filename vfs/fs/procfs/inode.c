/*
 * procfs inodes: directories walk their tables and numbered children,
 * regular files open a snapshot of what the entry shows, symlinks answer
 * with what the entry says now. Lookups call the source with the procfs
 * sb->lock held: the lock order is procfs sb->lock → the source's locks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vfs/libfs.h"

int proc_parse_num(const char *name)
{
        long v = 0;

        if (name[0] < '1' || name[0] > '9') {
                /* "0" is an fd, never a pid; the callers tell them apart. */
                return strcmp(name, "0") == 0 ? 0 : -1;
        }
        for (const char *p = name; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -1;
                v = v * 10 + (*p - '0');
                if (v > INT32_MAX)
                        return -1;
        }
        return (int)v;
}

/* Stable inode numbers: the same entry of the same process and fd gives the
 * same number across lookups (FNV-1a over what names it). */
static uint64_t proc_ino(const struct proc_entry *e, const struct proc_ctx *c)
{
        uint64_t key[4] = { (uint64_t)(uintptr_t)e, (uint64_t)c->tgid, (uint64_t)c->tid,
                            (uint64_t)c->fd };
        const unsigned char *p = (const unsigned char *)key;
        uint64_t h = 0xcbf29ce484222325ULL;

        for (size_t i = 0; i < sizeof(key); i++)
                h = (h ^ p[i]) * 0x100000001b3ULL;
        return h >> 1 ? h >> 1 : 1;
}

static const struct inode_ops proc_file_inode_ops;
static const struct inode_ops proc_link_inode_ops;
static const struct inode_ops proc_magic_link_inode_ops;

static void proc_free_inode(struct inode *inode)
{
        free(PROC_I(inode));
}

int proc_inode_new(struct super_block *sb, const struct proc_entry *e,
                   const struct proc_ctx *ctx, struct inode **ret)
{
        struct proc_inode *pi = calloc(1, sizeof(*pi));
        const struct inode_ops *ops;
        mode_t mode = e->mode;

        if (!pi)
                return -ENOMEM;
        if (S_ISDIR(mode))
                ops = &proc_dir_inode_ops;
        else if (S_ISLNK(mode))
                ops = e->link_path ? &proc_magic_link_inode_ops : &proc_link_inode_ops;
        else
                ops = &proc_file_inode_ops;
        if (e == &proc_fd_entry)
                mode = proc_fd_mode(ctx, ctx->fd);
        simple_inode_init(&pi->base, sb, ops, mode, proc_free_inode);
        pi->base.ino = proc_ino(e, ctx);
        pi->entry = e;
        pi->ctx = *ctx;
        *ret = &pi->base;
        return 0;
}

/* Whether the process (thread) an entry describes is still there. */
static bool proc_ctx_alive(const struct proc_ctx *c)
{
        struct procfs_status st;

        return !c->tid || proc_src(c)->ops->status(proc_src(c), c->tid, &st) == 0;
}

/* The numbered child `n` of a directory: its entry and context, or -ENOENT. */
static int proc_dyn_child(const struct proc_dir *d, const struct proc_ctx *c, int n,
                          const struct proc_entry **ret_e, struct proc_ctx *ret_c)
{
        struct procfs_source *s = proc_src(c);
        struct procfs_status st;

        *ret_c = *c;
        switch (d->dyn) {
        case PROC_DYN_PIDS:
                if (n <= 0 || s->ops->status(s, n, &st) < 0 || st.tgid != n)
                        return -ENOENT;
                ret_c->tgid = ret_c->tid = n;
                *ret_e = &proc_pid_entry;
                return 0;
        case PROC_DYN_TIDS:
                if (n <= 0 || s->ops->status(s, n, &st) < 0 || st.tgid != c->tgid)
                        return -ENOENT;
                ret_c->tid = n;
                *ret_e = &proc_tid_entry;
                return 0;
        case PROC_DYN_FDS:
        case PROC_DYN_FDINFO:
                if (n < 0 || !proc_fd_exists(c, n))
                        return -ENOENT;
                ret_c->fd = n;
                *ret_e = d->dyn == PROC_DYN_FDS ? &proc_fd_entry : &proc_fdinfo_entry;
                return 0;
        case PROC_DYN_NONE:
                break;
        }
        return -ENOENT;
}

static int proc_lookup(struct inode *dir, const char *name, struct inode **ret)
{
        struct proc_inode *pi = PROC_I(dir);
        const struct proc_dir *d = pi->entry->dir;
        const struct proc_entry *e;
        struct proc_ctx c;
        int n;

        if (!proc_ctx_alive(&pi->ctx))
                return -ENOENT;
        for (size_t i = 0; i < d->nr; i++)
                if (strcmp(d->entries[i].name, name) == 0)
                        return proc_inode_new(dir->sb, &d->entries[i], &pi->ctx, ret);
        n = proc_parse_num(name);
        if (n < 0 || proc_dyn_child(d, &pi->ctx, n, &e, &c) < 0)
                return -ENOENT;
        return proc_inode_new(dir->sb, e, &c, ret);
}

/* The next numbered child >= from, or -ENOENT. */
static int proc_dyn_next(const struct proc_dir *d, const struct proc_ctx *c, int from,
                         int *ret)
{
        struct procfs_source *s = proc_src(c);

        switch (d->dyn) {
        case PROC_DYN_PIDS:
                return s->ops->next_tgid(s, from, ret);
        case PROC_DYN_TIDS:
                return s->ops->next_tid(s, c->tgid, from, ret);
        case PROC_DYN_FDS:
        case PROC_DYN_FDINFO:
                return proc_fd_next(c, from, ret);
        case PROC_DYN_NONE:
                break;
        }
        return -ENOENT;
}

static unsigned dtype(mode_t mode)
{
        return (mode & S_IFMT) >> 12;
}

/* Offsets: 0 ".", 1 "..", 2.. the table, then 2 + nr + n for child n. */
static int proc_iterate(struct file *f, uint64_t *pos, d_emit_fn emit, void *ctx)
{
        struct dentry *dentry = f->path.dentry;
        struct proc_inode *pi = PROC_I(dentry->inode);
        const struct proc_dir *d = pi->entry->dir;
        uint64_t base = 2 + d->nr;
        char name[16];

        if (!proc_ctx_alive(&pi->ctx))
                return -ENOENT;
        if (*pos == 0) {
                if (!emit(ctx, ".", 1, pi->base.ino, DT_DIR, 1))
                        return 0;
                *pos = 1;
        }
        if (*pos == 1) {
                uint64_t ino;

                pthread_mutex_lock(&dentry->sb->lock);
                ino = dentry->parent ? dentry->parent->inode->ino : pi->base.ino;
                pthread_mutex_unlock(&dentry->sb->lock);
                if (!emit(ctx, "..", 2, ino, DT_DIR, 2))
                        return 0;
                *pos = 2;
        }
        for (; *pos < base; (*pos)++) {
                const struct proc_entry *e = &d->entries[*pos - 2];

                if (!emit(ctx, e->name, strlen(e->name), proc_ino(e, &pi->ctx),
                          dtype(e->mode), *pos + 1))
                        return 0;
        }
        for (;;) {
                const struct proc_entry *e;
                struct proc_ctx c;
                int n, len;

                if (*pos - base > INT32_MAX ||
                    proc_dyn_next(d, &pi->ctx, (int)(*pos - base), &n) < 0)
                        return 0;
                if (proc_dyn_child(d, &pi->ctx, n, &e, &c) < 0) {
                        *pos = base + (uint64_t)n + 1;  /* gone meanwhile */
                        continue;
                }
                len = snprintf(name, sizeof(name), "%d", n);
                if (!emit(ctx, name, (size_t)len, proc_ino(e, &c),
                          dtype(e == &proc_fd_entry ? S_IFLNK : e->mode),
                          base + (uint64_t)n + 1))
                        return 0;
                *pos = base + (uint64_t)n + 1;
        }
}

static const struct file_ops proc_dir_file_ops = {
        .read = simple_dir_read,
        .iterate = proc_iterate,
        .llseek = simple_dir_llseek,
};

static int proc_dir_open(struct inode *inode, unsigned flags, struct file **ret)
{
        (void)inode;
        return file_new(&proc_dir_file_ops, flags, ret);
}

/* Linux's proc_setattr: no chmod or chown; a size (O_TRUNC) is ignored. */
static int proc_setattr(struct inode *inode, const struct iattr *ia)
{
        (void)inode;
        if (ia->valid & (ATTR_MODE | ATTR_UID | ATTR_GID))
                return -EPERM;
        return 0;
}

const struct inode_ops proc_dir_inode_ops = {
        .lookup = proc_lookup,
        .setattr = proc_setattr,
        .open = proc_dir_open,
};

/* Writes go to the entry whole, at most a page per call (as sysctl). */
static ssize_t proc_file_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        struct proc_inode *pi = PROC_I(file_inode(f));
        size_t len = MIN(src->count, (size_t)PAGE_SIZE);
        struct iov_cursor c;
        char *data;
        ssize_t n;

        if (!pi->entry->write)
                return -EINVAL;
        data = malloc(len + 1);
        if (!data)
                return -ENOMEM;
        iov_cursor_init(&c, src);
        len = iov_cursor_copy_from(&c, data, len);
        data[len] = '\0';
        n = pi->entry->write(&pi->ctx, data, len, *pos);
        free(data);
        if (n > 0)
                *pos += n;
        return n;
}

static const struct file_ops proc_rw_file_ops = {
        .read = seq_file_read,
        .write = proc_file_write,
        .llseek = seq_file_llseek,
        .release = seq_file_release,
};

static int proc_file_open(struct inode *inode, unsigned flags, struct file **ret)
{
        struct proc_inode *pi = PROC_I(inode);
        struct seqbuf b = SEQBUF_INIT;
        int r;

        if (!proc_ctx_alive(&pi->ctx))
                return -ESRCH;
        /* Write-only opens need no snapshot. */
        if ((flags & O_ACCMODE) != O_WRONLY) {
                r = pi->entry->show(&pi->ctx, &b);
                if (r < 0) {
                        seqbuf_release(&b);
                        return r;
                }
        }
        return seq_file_open(pi->entry->write ? &proc_rw_file_ops : &seq_file_ops,
                             flags, &b, ret);
}

static const struct inode_ops proc_file_inode_ops = {
        .setattr = proc_setattr,
        .open = proc_file_open,
};

static int proc_readlink(struct inode *inode, char *buf, size_t size)
{
        struct proc_inode *pi = PROC_I(inode);
        struct seqbuf b = SEQBUF_INIT;
        int r;

        r = pi->entry->link(&pi->ctx, &b);
        if (r == 0)
                r = seqbuf_error(&b);
        if (r == 0) {
                size_t len = MIN(b.len, size);

                memcpy(buf, b.data, len);
                r = (int)len;
        }
        seqbuf_release(&b);
        return r;
}

static const struct inode_ops proc_link_inode_ops = {
        .readlink = proc_readlink,
        .setattr = proc_setattr,
};

static int proc_get_link_path(struct inode *inode, struct path *ret)
{
        struct proc_inode *pi = PROC_I(inode);

        return pi->entry->link_path(&pi->ctx, ret);
}

/* Entries with link_path: magic links. */
static const struct inode_ops proc_magic_link_inode_ops = {
        .readlink = proc_readlink,
        .get_link_path = proc_get_link_path,
        .setattr = proc_setattr,
};
