/* Shared set-up for the VFS unit tests: a namespace on a fresh tmpfs, a
 * root caller, and a few short-hands. */
#ifndef VFS_HELPERS_H
#define VFS_HELPERS_H

#include <fcntl.h>
#include <string.h>

#include "vfs/file.h"
#include "vfs/namei.h"
#include "vfs/vfs.h"

static const struct vfs_cred root_cred = { 0 };

struct vfs_env {
        struct fs_context *fs;
        struct vfs_at at;
};

static inline void env_setup(struct vfs_env *e)
{
        struct mnt_namespace *ns;

        assert_int_equal(mnt_ns_create("tmpfs", "mode=0755", &ns), 0);
        assert_int_equal(fs_context_create(ns, &e->fs), 0);
        mnt_ns_unref(ns);
        e->at = (struct vfs_at){ .fs = e->fs, .cred = &root_cred };
}

static inline void env_teardown(struct vfs_env *e)
{
        fs_context_unref(e->fs);
}

static inline int lookup_ino(struct vfs_env *e, const char *name, unsigned flags, uint64_t *ino)
{
        struct path p;
        int r = vfs_lookup(&e->at, name, flags, &p);

        if (r == 0) {
                *ino = p.dentry->inode->ino;
                path_put(&p);
        }
        return r;
}

static inline ssize_t file_pwrite(struct file *f, const void *buf, size_t len, int64_t pos)
{
        struct iovec iov = { (void *)buf, len };
        struct iov_iter it = { &iov, 1, len };

        return vfs_write(f, &it, pos);
}

static inline ssize_t file_pread(struct file *f, void *buf, size_t len, int64_t pos)
{
        struct iovec iov = { buf, len };
        struct iov_iter it = { &iov, 1, len };

        return vfs_read(f, &it, pos);
}

static inline int touch(struct vfs_env *e, const char *name)
{
        struct file *f = NULL;
        int r = vfs_open(&e->at, name, O_CREAT | O_RDWR, 0644, &f);

        file_unref(f);
        return r;
}

#endif
