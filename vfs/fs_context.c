/* Per-process file system state: root, working directory, umask. */
#include <errno.h>
#include <stdlib.h>

#include "vfs.h"

int fs_context_create(struct mnt_namespace *ns, struct fs_context **ret)
{
        struct fs_context *fs = calloc(1, sizeof(*fs));

        if (!fs)
                return -ENOMEM;
        atomic_init(&fs->refcount, 1);
        fs->ns = mnt_ns_ref(ns);
        pthread_mutex_init(&fs->lock, NULL);
        fs->root = (struct path){ mount_ref(ns->root), dentry_ref(ns->root->root) };
        path_copy(&fs->cwd, &fs->root);
        fs->umask = 022;
        *ret = fs;
        return 0;
}

int fs_context_dup(struct fs_context *fs, struct fs_context **ret)
{
        struct fs_context *n = calloc(1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        atomic_init(&n->refcount, 1);
        n->ns = mnt_ns_ref(fs->ns);
        pthread_mutex_init(&n->lock, NULL);
        pthread_mutex_lock(&fs->lock);
        path_copy(&n->root, &fs->root);
        path_copy(&n->cwd, &fs->cwd);
        n->umask = fs->umask;
        pthread_mutex_unlock(&fs->lock);
        *ret = n;
        return 0;
}

struct fs_context *fs_context_ref(struct fs_context *fs)
{
        atomic_fetch_add_explicit(&fs->refcount, 1, memory_order_relaxed);
        return fs;
}

struct fs_context *fs_context_unref(struct fs_context *fs)
{
        if (!fs || atomic_fetch_sub_explicit(&fs->refcount, 1, memory_order_acq_rel) != 1)
                return NULL;
        path_put(&fs->cwd);
        path_put(&fs->root);
        mnt_ns_unref(fs->ns);
        pthread_mutex_destroy(&fs->lock);
        free(fs);
        return NULL;
}

void fs_get_root(struct fs_context *fs, struct path *ret)
{
        pthread_mutex_lock(&fs->lock);
        path_copy(ret, &fs->root);
        pthread_mutex_unlock(&fs->lock);
}

void fs_get_cwd(struct fs_context *fs, struct path *ret)
{
        pthread_mutex_lock(&fs->lock);
        path_copy(ret, &fs->cwd);
        pthread_mutex_unlock(&fs->lock);
}

void fs_set_cwd(struct fs_context *fs, const struct path *p)
{
        struct path old;

        pthread_mutex_lock(&fs->lock);
        old = fs->cwd;
        path_copy(&fs->cwd, p);
        pthread_mutex_unlock(&fs->lock);
        path_put(&old);
}

void fs_set_root(struct fs_context *fs, const struct path *p)
{
        struct path old;

        pthread_mutex_lock(&fs->lock);
        old = fs->root;
        path_copy(&fs->root, p);
        pthread_mutex_unlock(&fs->lock);
        path_put(&old);
}

mode_t fs_umask(struct fs_context *fs, mode_t mask, bool set)
{
        mode_t old;

        pthread_mutex_lock(&fs->lock);
        old = fs->umask;
        if (set)
                fs->umask = mask & 0777;
        pthread_mutex_unlock(&fs->lock);
        return old;
}
