/* Mounts and mount namespaces: the tree of mounted file systems. */
#include <errno.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "vfs.h"

struct mount *mount_ref(struct mount *m)
{
        atomic_fetch_add_explicit(&m->refcount, 1, memory_order_relaxed);
        return m;
}

struct mount *mount_unref(struct mount *m)
{
        if (!m || atomic_fetch_sub_explicit(&m->refcount, 1, memory_order_acq_rel) != 1)
                return NULL;
        dentry_unref(m->mountpoint);
        mount_unref(m->parent);
        dentry_unref(m->root);
        sb_unref(m->sb);
        free(m);
        return NULL;
}

static int mount_new(struct mnt_namespace *ns, const char *type, const char *options,
                     const void *data, struct mount **ret)
{
        const struct fs_type *t = fs_type_find(type);
        struct super_block *sb;
        struct mount *m;
        dev_t dev;
        int r;

        if (!t)
                return -ENODEV;
        /* Anonymous devices are major 0, as Linux's get_anon_bdev(). */
        dev = makedev(0, 0x20 + atomic_fetch_add(&ns->next_dev, 1));
        if (t->mount_data && (data || !t->mount))
                r = t->mount_data(t, dev, options, data, &sb);
        else if (t->mount && !data)
                r = t->mount(t, dev, options, &sb);
        else
                r = -EINVAL;
        if (r < 0)
                return r;
        sb->mf = ns->mf;        /* before anyone else can see sb */
        m = calloc(1, sizeof(*m));
        if (!m) {
                sb_unref(sb);
                return -ENOMEM;
        }
        atomic_init(&m->refcount, 1);
        m->sb = sb;
        m->root = dentry_ref(sb->root);
        m->id = atomic_fetch_add(&ns->next_mnt_id, 1) + 1;
        *ret = m;
        return 0;
}

int mnt_ns_create(const char *type, const char *options, struct mnt_namespace **ret)
{
        return mnt_ns_create_memfile(type, options, NULL, ret);
}

int mnt_ns_create_memfile(const char *type, const char *options, struct memfile *mf,
                          struct mnt_namespace **ret)
{
        return mnt_ns_create_data(type, options, NULL, mf, ret);
}

int mnt_ns_create_data(const char *type, const char *options, const void *data,
                       struct memfile *mf, struct mnt_namespace **ret)
{
        struct mnt_namespace *ns = calloc(1, sizeof(*ns));
        int r;

        if (!ns)
                return -ENOMEM;
        atomic_init(&ns->refcount, 1);
        atomic_init(&ns->next_dev, 0);
        atomic_init(&ns->next_mnt_id, 0);
        ns->mf = mf;
        pthread_rwlock_init(&ns->lock, NULL);
        r = mount_new(ns, type, options, data, &ns->root);
        if (r < 0) {
                pthread_rwlock_destroy(&ns->lock);
                free(ns);
                return r;
        }
        *ret = ns;
        return 0;
}

struct mnt_namespace *mnt_ns_ref(struct mnt_namespace *ns)
{
        atomic_fetch_add_explicit(&ns->refcount, 1, memory_order_relaxed);
        return ns;
}

struct mnt_namespace *mnt_ns_unref(struct mnt_namespace *ns)
{
        if (!ns || atomic_fetch_sub_explicit(&ns->refcount, 1, memory_order_acq_rel) != 1)
                return NULL;
        /* Children first: each holds its parent. */
        while (ns->mounts) {
                struct mount *m = ns->mounts;

                ns->mounts = m->next_sibling;
                atomic_fetch_sub(&m->mountpoint->mounted, 1);
                mount_unref(m);
        }
        mount_unref(ns->shm_mnt);
        mount_unref(ns->root);
        pthread_rwlock_destroy(&ns->lock);
        free(ns);
        return NULL;
}

int vfs_mount(struct mnt_namespace *ns, const struct path *at, const char *type,
              const char *options)
{
        return vfs_mount_data(ns, at, type, options, NULL);
}

/* Put m (consumed) on the directory at. */
static void mount_attach(struct mnt_namespace *ns, const struct path *at, struct mount *m)
{
        m->parent = mount_ref(at->mnt);
        m->mountpoint = dentry_ref(at->dentry);
        pthread_rwlock_wrlock(&ns->lock);
        /* Newest first: the last mount on a point hides the earlier ones, and
         * the namespace drops them newest first. */
        m->next_sibling = ns->mounts;
        ns->mounts = m;
        atomic_fetch_add(&at->dentry->mounted, 1);
        pthread_rwlock_unlock(&ns->lock);
}

int vfs_mount_data(struct mnt_namespace *ns, const struct path *at, const char *type,
                   const char *options, const void *data)
{
        struct mount *m;
        int r;

        if (!at->dentry->inode || !S_ISDIR(at->dentry->inode->mode))
                return -ENOTDIR;
        r = mount_new(ns, type, options, data, &m);
        if (r < 0)
                return r;
        mount_attach(ns, at, m);
        return 0;
}

int vfs_bind_mount(struct mnt_namespace *ns, const struct path *at, const struct path *src)
{
        struct mount *m;

        if (S_ISDIR(at->dentry->inode->mode) != S_ISDIR(src->dentry->inode->mode))
                return S_ISDIR(at->dentry->inode->mode) ? -ENOTDIR : -EISDIR;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        atomic_init(&m->refcount, 1);
        m->sb = sb_ref(src->mnt->sb);
        m->root = dentry_ref(src->dentry);
        m->id = atomic_fetch_add(&ns->next_mnt_id, 1) + 1;
        mount_attach(ns, at, m);
        return 0;
}

int vfs_umount(struct mnt_namespace *ns, const struct path *p, bool detach)
{
        struct mount **link, *m = p->mnt;
        int r = 0;

        if (m == ns->root)
                return -EINVAL;         /* the namespace's root: pivot_root's job */
        if (p->dentry != m->root)
                return -EINVAL;         /* not a mount point */
        pthread_rwlock_wrlock(&ns->lock);
        for (link = &ns->mounts; *link && *link != m; link = &(*link)->next_sibling)
                ;
        if (!*link) {
                r = -EINVAL;            /* not in this namespace (already gone) */
                goto out;
        }
        for (struct mount *c = ns->mounts; c; c = c->next_sibling)
                if (c->parent == m) {
                        r = -EBUSY;     /* something is mounted below it */
                        goto out;
                }
        /* Busy while anything but the namespace and the caller's path holds
         * it (open files, cwds, roots), unless lazily detached. */
        if (!detach && atomic_load(&m->refcount) > 2) {
                r = -EBUSY;
                goto out;
        }
        *link = m->next_sibling;
        m->next_sibling = NULL;
        atomic_fetch_sub(&m->mountpoint->mounted, 1);
out:
        pthread_rwlock_unlock(&ns->lock);
        if (r == 0)
                mount_unref(m);         /* the namespace's reference */
        return r;
}

int mnt_ns_shm_mount(struct mnt_namespace *ns, struct mount **ret)
{
        int r = 0;

        pthread_rwlock_wrlock(&ns->lock);
        if (!ns->shm_mnt)
                r = mount_new(ns, "tmpfs", NULL, NULL, &ns->shm_mnt);
        if (r == 0)
                *ret = mount_ref(ns->shm_mnt);
        pthread_rwlock_unlock(&ns->lock);
        return r;
}

struct mount *mnt_lookup_child(struct mnt_namespace *ns, struct mount *mnt, struct dentry *d)
{
        struct mount *found = NULL;

        pthread_rwlock_rdlock(&ns->lock);
        for (struct mount *m = ns->mounts; m; m = m->next_sibling)
                if (m->parent == mnt && m->mountpoint == d) {
                        found = mount_ref(m);
                        break;
                }
        pthread_rwlock_unlock(&ns->lock);
        return found;
}

void path_get(const struct path *p)
{
        mount_ref(p->mnt);
        dentry_ref(p->dentry);
}

void path_put(struct path *p)
{
        dentry_unref(p->dentry);
        mount_unref(p->mnt);
        p->dentry = NULL;
        p->mnt = NULL;
}

void path_copy(struct path *dst, const struct path *src)
{
        path_get(src);
        *dst = *src;
}

void vfs_mount_set_nosuid(struct mnt_namespace *ns, const struct path *at)
{
        struct path p;

        path_copy(&p, at);
        follow_mounts(ns, &p);
        if (!path_equal(&p, at))
                p.mnt->nosuid = true;
        path_put(&p);
}
