#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"


/* access(2) without AT_EACCESS: the real ids, and the capabilities a root
 * real uid would have (do_faccessat()'s override creds). */
struct vfs_cred task_vfs_real_cred(struct task *t)
{
        const struct creds *c = &t->creds;
        uint64_t caps = c->cap_effective;

        if (!(c->securebits & CREDS_SECBIT(CREDS_SECURE_NO_SETUID_FIXUP)))
                caps = c->ruid == 0 ? c->cap_permitted : 0;
        return (struct vfs_cred){
                .uid = c->ruid, .gid = c->rgid,
                .ngroups = c->ngroups, .groups = c->groups,
                .caps_set = true, .caps = caps,
        };
}

int path_copy_in(struct task *t, guest_ptr_t upath, char **ret)
{
        char *buf = malloc(VFS_PATH_MAX);
        ssize_t n;

        if (!buf)
                return -ENOMEM;
        n = mm_strncpy_in(t->mm, buf, upath, VFS_PATH_MAX);
        if (n < 0) {
                free(buf);
                return (int)n;
        }
        *ret = buf;
        return 0;
}

void at_cwd(struct task *t, struct at_call *c)
{
        *c = (struct at_call){ .cred = task_vfs_cred(t) };
        c->at = (struct vfs_at){ .fs = t->fs, .cred = &c->cred };
}

int at_begin(struct task *t, int dirfd, guest_ptr_t upath, bool empty_ok, struct at_call *c)
{
        char *name;
        int r;

        r = path_copy_in(t, upath, &name);
        if (r < 0) {
                at_cwd(t, c);
                return r;
        }
        return at_begin_name(t, dirfd, name, empty_ok, false, c);
}

int at_begin_name(struct task *t, int dirfd, char *name, bool empty_ok, bool dir_always,
                  struct at_call *c)
{
        at_cwd(t, c);
        c->name = name;
        if (!c->name[0] && !empty_ok)
                return -ENOENT;
        if ((c->name[0] == '/' && !dir_always) || dirfd == AT_FDCWD)
                return 0;
        c->file = fdtable_get(t->fdt, dirfd);
        if (!c->file)
                return -EBADF;
        if (!c->file->path.dentry)
                return c->name[0] ? -ENOTDIR : 0;
        path_copy(&c->dir, &c->file->path);
        c->at.dir = &c->dir;
        return 0;
}

void at_end(struct at_call *c)
{
        free(c->name);
        c->name = NULL;
        if (c->dir.dentry)
                path_put(&c->dir);
        c->file = file_unref(c->file);
}

struct file *task_fget(struct task *t, int fd)
{
        struct file *f = fdtable_get(t->fdt, fd);

        if (f && (f->flags & O_PATH))
                return file_unref(f);
        return f;
}
