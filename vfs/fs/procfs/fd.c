/* /proc/PID/fd and fdinfo: a symlink and a file per open fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "vfs/fdtable.h"
#include "vfs/namei.h"

static int get_fdtable(const struct proc_ctx *c, struct fdtable **ret)
{
        return proc_src(c)->ops->fdtable(proc_src(c), c->tgid, ret);
}

int proc_fd_next(const struct proc_ctx *c, int from, int *ret_fd)
{
        struct fdtable *fdt;
        int r = get_fdtable(c, &fdt);

        if (r < 0)
                return -ENOENT;
        r = fdtable_next(fdt, from, NULL, NULL);
        fdtable_unref(fdt);
        if (r < 0)
                return r;
        *ret_fd = r;
        return 0;
}

/* A new reference to the file at c->fd (and its close-on-exec flag). */
static int get_file(const struct proc_ctx *c, int fd, struct file **ret, bool *cloexec)
{
        struct fdtable *fdt;
        int r = get_fdtable(c, &fdt);

        if (r < 0)
                return r;
        r = fdtable_next(fdt, fd, ret, cloexec);
        fdtable_unref(fdt);
        if (r >= 0 && r != fd) {
                file_unref(*ret);
                r = -ENOENT;
        }
        return r < 0 ? r : 0;
}

bool proc_fd_exists(const struct proc_ctx *c, int fd)
{
        struct file *f;

        if (get_file(c, fd, &f, NULL) < 0)
                return false;
        file_unref(f);
        return true;
}

/* Linux's tid_fd_update_inode: r-x for reading, -wx for writing, owner only. */
mode_t proc_fd_mode(const struct proc_ctx *c, int fd)
{
        mode_t mode = S_IFLNK;
        struct file *f;

        if (get_file(c, fd, &f, NULL) < 0)
                return mode;
        if (file_readable(f))
                mode |= S_IRUSR | S_IXUSR;
        if (file_writable(f))
                mode |= S_IWUSR | S_IXUSR;
        file_unref(f);
        return mode;
}

/* What a file without a path is called (Linux's d_dname names). */
static void anon_name(struct file *f, struct seqbuf *b)
{
        struct stat st;

        if (vfs_stat(f, &st) < 0) {
                seqbuf_puts(b, "anon_inode:[unknown]");
                return;
        }
        switch (st.st_mode & S_IFMT) {
        case S_IFIFO:
                seqbuf_printf(b, "pipe:[%llu]", (unsigned long long)st.st_ino);
                break;
        case S_IFSOCK:
                seqbuf_printf(b, "socket:[%llu]", (unsigned long long)st.st_ino);
                break;
        case S_IFCHR:
                /* The launcher's stdio: its device is all we know. */
                if (major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
                        seqbuf_puts(b, "/dev/null");
                else
                        seqbuf_printf(b, "/dev/char/%u:%u", major(st.st_rdev),
                                      minor(st.st_rdev));
                break;
        default:
                seqbuf_printf(b, "anon_inode:[%llu]", (unsigned long long)st.st_ino);
                break;
        }
}

static int link_fd(const struct proc_ctx *c, struct seqbuf *b)
{
        struct fs_context *fs = NULL;
        struct file *f;
        int r;

        r = get_file(c, c->fd, &f, NULL);
        if (r < 0)
                return -ENOENT;
        if (!f->path.dentry) {
                anon_name(f, b);
                file_unref(f);
                return 0;
        }
        r = proc_src(c)->ops->fs(proc_src(c), c->tgid, &fs);
        if (r == 0) {
                char *buf = malloc(VFS_PATH_MAX);

                r = buf ? vfs_d_path_any(fs, &f->path, buf, VFS_PATH_MAX) : -ENOMEM;
                if (r > 0) {
                        seqbuf_puts(b, buf);
                        r = 0;
                }
                free(buf);
                fs_context_unref(fs);
        }
        file_unref(f);
        return r;
}

static int show_fdinfo(const struct proc_ctx *c, struct seqbuf *b)
{
        struct inode *inode;
        bool cloexec = false;
        struct file *f;
        unsigned flags;
        int64_t pos;
        int r;

        r = get_file(c, c->fd, &f, &cloexec);
        if (r < 0)
                return -ENOENT;
        pthread_mutex_lock(&f->pos_lock);
        pos = f->pos;
        flags = f->flags;
        pthread_mutex_unlock(&f->pos_lock);
        if (f->backend_pos && !f->stream) {
                int64_t p = vfs_llseek(f, 0, SEEK_CUR);

                pos = p < 0 ? 0 : p;
        }
        if (cloexec)
                flags |= O_CLOEXEC;
        inode = file_inode(f);
        seqbuf_printf(b, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n", (long long)pos,
                      flags, f->path.mnt ? f->path.mnt->id : 0,
                      inode ? (unsigned long long)inode->ino : 0ULL);
        if (f->ops->show_fdinfo)
                f->ops->show_fdinfo(f, b);
        file_unref(f);
        return 0;
}

/* The open file's own path: reopening it, or linkat(2) of an O_TMPFILE file,
 * reaches the same inode even when its name is gone. */
static int link_path_fd(const struct proc_ctx *c, struct path *ret)
{
        struct file *f;
        int r = get_file(c, c->fd, &f, NULL);

        if (r < 0)
                return -ENOENT;
        r = -ENOENT;
        if (f->path.dentry) {
                path_copy(ret, &f->path);
                r = 0;
        }
        file_unref(f);
        return r;
}

const struct proc_entry proc_fd_entry = { "", S_IFLNK | 0700, .link = link_fd,
                                          .link_path = link_path_fd };
const struct proc_entry proc_fdinfo_entry = { "", S_IFREG | 0400, .show = show_fdinfo };
