/*
 * The path walk, in the shape of Linux's fs/namei.c: link_path_walk() walks
 * every component but the last (nd_walk_parent()), then the caller decides
 * what the last one means (lookup, create, unlink...), following a final
 * symlink by feeding its target back into the walk (nd_follow_last()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void follow_mounts(struct mnt_namespace *ns, struct path *p)
{
        while (atomic_load(&p->dentry->mounted)) {
                struct mount *m = mnt_lookup_child(ns, p->mnt, p->dentry);

                if (!m)
                        return;
                path_put(p);
                p->mnt = m;
                p->dentry = dentry_ref(m->root);
        }
}

int nd_follow_mounts(struct nameidata *nd, struct path *p)
{
        struct mount *m;

        if (!(nd->resolve & VFS_RESOLVE_NO_XDEV)) {
                follow_mounts(nd->ns, p);
                return 0;
        }
        if (!atomic_load(&p->dentry->mounted))
                return 0;
        m = mnt_lookup_child(nd->ns, p->mnt, p->dentry);
        if (!m)
                return 0;
        mount_unref(m);
        return -EXDEV;
}

int nd_init(struct nameidata *nd, const struct vfs_at *at, const char *name, unsigned flags)
{
        *nd = (struct nameidata){ .cred = at->cred, .ns = at->fs->ns, .resolve = at->resolve };
        if (!*name && !(flags & LOOKUP_EMPTY))
                return -ENOENT;
        /* Under BENEATH an absolute name leaves at once (Linux's nd_jump_root()). */
        if (*name == '/' && (nd->resolve & VFS_RESOLVE_BENEATH))
                return -EXDEV;
        nd->buf = strdup(name);
        if (!nd->buf)
                return -ENOMEM;
        if (at->dir)
                path_copy(&nd->path, at->dir);
        else
                fs_get_cwd(at->fs, &nd->path);
        /* Scoped lookups: the starting directory is the root. */
        if (nd->resolve & VFS_RESOLVE_SCOPED)
                path_copy(&nd->root, &nd->path);
        else
                fs_get_root(at->fs, &nd->root);
        /* A relative walk starts in a directory (an absolute one ignores it). */
        if (*name && (*name != '/' || (nd->resolve & VFS_RESOLVE_IN_ROOT)) &&
            !inode_is_dir(nd->path.dentry->inode))
                return -ENOTDIR;
        return 0;
}

void nd_release(struct nameidata *nd)
{
        path_put(&nd->path);
        path_put(&nd->root);
        free(nd->buf);
        nd->buf = NULL;
}

static void nd_set_path(struct nameidata *nd, const struct path *p)
{
        struct path old = nd->path;

        path_copy(&nd->path, p);
        path_put(&old);
}

/* `..`: never above the process root (the starting directory of a scoped
 * lookup: EXDEV under BENEATH); from a mount's root, to its mountpoint
 * first (EXDEV under NO_XDEV). */
static int nd_dotdot(struct nameidata *nd)
{
        for (;;) {
                struct path *p = &nd->path;

                if (path_equal(p, &nd->root))
                        return (nd->resolve & VFS_RESOLVE_BENEATH) ? -EXDEV : 0;
                if (p->dentry != p->mnt->root) {
                        struct super_block *sb = p->dentry->sb;
                        struct dentry *parent;

                        pthread_mutex_lock(&sb->lock);
                        parent = p->dentry->parent ? dentry_ref(p->dentry->parent) : NULL;
                        pthread_mutex_unlock(&sb->lock);
                        if (!parent)
                                return 0;
                        dentry_unref(p->dentry);
                        p->dentry = parent;
                        break;
                }
                pthread_rwlock_rdlock(&nd->ns->lock);
                if (!p->mnt->parent) {
                        pthread_rwlock_unlock(&nd->ns->lock);
                        /* the namespace root */
                        return (nd->resolve & VFS_RESOLVE_BENEATH) ? -EXDEV : 0;
                }
                struct path up = { mount_ref(p->mnt->parent), dentry_ref(p->mnt->mountpoint) };
                pthread_rwlock_unlock(&nd->ns->lock);
                path_put(p);
                *p = up;
                if (nd->resolve & VFS_RESOLVE_NO_XDEV)
                        return -EXDEV;
        }
        return nd_follow_mounts(nd, &nd->path);
}

int d_lookup_fetch(struct dentry *dir, const char *name, struct dentry **ret)
{
        struct super_block *sb = dir->sb;
        struct inode *inode;
        struct dentry *d;
        int r;

        d = d_lookup(dir, name);
        if (d) {
                *ret = dentry_ref(d);
                return 0;
        }
        if (!dir->inode->ops->lookup)
                return -ENOENT;
        r = dir->inode->ops->lookup(dir->inode, name, &inode);
        if (r < 0)
                return r;
        r = d_alloc(dir, name, &d);
        if (r < 0) {
                inode_unref(inode);
                return r;
        }
        d_instantiate(d, inode);
        if (sb->cache_lookup && sb->cache_lookup(sb, d->inode))
                d_pin(d);
        *ret = d;
        return 0;
}

int lookup_child(struct dentry *dir, const char *name, struct dentry **ret)
{
        struct super_block *sb = dir->sb;
        int r;

        pthread_mutex_lock(&sb->lock);
        r = d_lookup_fetch(dir, name, ret);
        pthread_mutex_unlock(&sb->lock);
        return r;
}

int d_lookup_fetch_ahead(struct dentry *dir, const char *const *names, unsigned n,
                         struct dentry **ret)
{
        struct dentry *d;

        if (n < 2 || !dir->inode->ops->lookup_ahead)
                return d_lookup_fetch(dir, names[0], ret);
        d = d_lookup(dir, names[0]);
        if (d) {
                *ret = dentry_ref(d);
                return 0;
        }
        return dir->inode->ops->lookup_ahead(dir, names, MIN(n, VFS_LOOKUP_AHEAD_MAX), ret);
}

int lookup_child_ahead(struct dentry *dir, const char *const *names, unsigned n,
                       struct dentry **ret)
{
        struct super_block *sb = dir->sb;
        int r;

        pthread_mutex_lock(&sb->lock);
        r = d_lookup_fetch_ahead(dir, names, n, ret);
        pthread_mutex_unlock(&sb->lock);
        return r;
}

/* lookup_child() for a walk step: name, then rest (what follows its
 * slashes, the walk's remaining components). On a miss in a directory
 * whose fs can look ahead, the plain names of rest go along (up to the
 * first "." or ".."), so one fs round trip can cache the whole way. */
static int lookup_child_walk(struct dentry *dir, const char *name, const char *rest,
                             struct dentry **ret)
{
        const char *names[VFS_LOOKUP_AHEAD_MAX];
        struct super_block *sb = dir->sb;
        char *copy, *p;
        unsigned n = 1;
        int r;

        if (!dir->inode->ops->lookup_ahead || !*rest)
                return lookup_child(dir, name, ret);
        pthread_mutex_lock(&sb->lock);
        struct dentry *d = d_lookup(dir, name);

        if (d)
                *ret = dentry_ref(d);
        pthread_mutex_unlock(&sb->lock);
        if (d)
                return 0;
        copy = strdup(rest);
        if (!copy)
                return lookup_child(dir, name, ret);
        names[0] = name;
        for (p = copy; *p && n < VFS_LOOKUP_AHEAD_MAX;) {
                size_t len = strcspn(p, "/");
                char *next = p + len;

                if (len > VFS_NAME_MAX || (p[0] == '.' && (len == 1 || (len == 2 && p[1] == '.'))))
                        break;
                while (*next == '/')
                        *next++ = '\0';
                names[n++] = p;
                p = next;
        }
        r = lookup_child_ahead(dir, names, n, ret);
        free(copy);
        return r;
}

/* Read the target of a symlink into a new string. */
static int read_link(struct inode *link, char **ret)
{
        char *target;
        int n;

        if (!link->ops->readlink)
                return -EINVAL;
        target = malloc(VFS_PATH_MAX);
        if (!target)
                return -ENOMEM;
        n = link->ops->readlink(link, target, VFS_PATH_MAX - 1);
        if (n < 0) {
                free(target);
                return n;
        }
        target[n] = '\0';
        if (n == 0) {
                free(target);
                return -ENOENT;
        }
        *ret = target;
        return 0;
}

/* Replace the walk's remaining name by target + rest. */
static int nd_push_link(struct nameidata *nd, struct inode *link, const char *rest)
{
        char *target, *buf;
        size_t tl, rl;
        int r;

        if (nd->resolve & VFS_RESOLVE_NO_SYMLINKS)
                return -ELOOP;
        if (++nd->nlinks > VFS_MAXSYMLINKS)
                return -ELOOP;
        r = read_link(link, &target);
        if (r < 0)
                return r;
        /* An absolute target jumps to the root (Linux's nd_jump_root()). */
        if (target[0] == '/' &&
            ((nd->resolve & VFS_RESOLVE_BENEATH) ||
             ((nd->resolve & VFS_RESOLVE_NO_XDEV) && nd->path.mnt != nd->root.mnt))) {
                free(target);
                return -EXDEV;
        }
        tl = strlen(target);
        rl = strlen(rest);
        buf = malloc(tl + rl + 2);
        if (!buf) {
                free(target);
                return -ENOMEM;
        }
        memcpy(buf, target, tl);
        if (rl) {
                buf[tl] = '/';
                memcpy(buf + tl + 1, rest, rl + 1);
        } else {
                buf[tl] = '\0';
        }
        free(target);
        free(nd->buf);
        nd->buf = buf;
        return 0;
}

int nd_magic_link(struct nameidata *nd, struct inode *link, struct path *ret)
{
        int r;

        if (!link->ops->get_link_path)
                return 0;
        /* Linux's pick_link() and nd_jump_link(). */
        if (nd->resolve & (VFS_RESOLVE_NO_SYMLINKS | VFS_RESOLVE_NO_MAGICLINKS))
                return -ELOOP;
        if (nd->nlinks + 1 > VFS_MAXSYMLINKS)
                return -ELOOP;
        r = link->ops->get_link_path(link, ret);
        if (r == -ENOENT) {
                /* No path (a pipe): its text is walked, which a lookup
                 * that may not leave its mount or root would refuse. */
                if (nd->resolve & (VFS_RESOLVE_NO_XDEV | VFS_RESOLVE_SCOPED))
                        return -EXDEV;
                return 0;
        }
        if (r < 0)
                return r;
        if (((nd->resolve & VFS_RESOLVE_NO_XDEV) && ret->mnt != nd->path.mnt) ||
            (nd->resolve & VFS_RESOLVE_SCOPED)) {
                path_put(ret);
                return -EXDEV;
        }
        nd->nlinks++;
        return 1;
}

int nd_follow_last(struct nameidata *nd, struct inode *link)
{
        return nd_push_link(nd, link, nd->trailing ? "/" : "");
}

static enum last_type classify(const char *name)
{
        if (name[0] == '.' && name[1] == '\0')
                return LAST_DOT;
        if (name[0] == '.' && name[1] == '.' && name[2] == '\0')
                return LAST_DOTDOT;
        return LAST_NORM;
}

int nd_walk_parent(struct nameidata *nd)
{
        char *p = nd->buf;
        int r;

restart:
        if (*p == '/') {
                nd_set_path(nd, &nd->root);
                while (*p == '/')
                        p++;
                if (!*p) {
                        nd->last = p;
                        nd->last_type = LAST_ROOT;
                        nd->trailing = false;
                        return 0;
                }
        } else if (!*p) {
                /* "" with LOOKUP_EMPTY: the starting point itself. */
                nd->last = p;
                nd->last_type = LAST_ROOT;
                nd->trailing = false;
                return 0;
        }
        for (;;) {
                size_t len = strcspn(p, "/");
                char *end = p + len, *next = end;
                struct dentry *child;
                struct inode *inode;

                if (len > VFS_NAME_MAX)
                        return -ENAMETOOLONG;
                r = vfs_permission(nd->path.dentry->inode, nd->cred, MAY_EXEC);
                if (r < 0)
                        return r;
                while (*next == '/')
                        next++;
                *end = '\0';
                if (!*next) {
                        nd->last = p;
                        nd->last_type = classify(p);
                        nd->trailing = end != next;
                        return 0;
                }
                switch (classify(p)) {
                case LAST_DOT:
                        p = next;
                        continue;
                case LAST_DOTDOT:
                        r = nd_dotdot(nd);
                        if (r < 0)
                                return r;
                        p = next;
                        continue;
                default:
                        break;
                }
                r = lookup_child_walk(nd->path.dentry, p, next, &child);
                if (r < 0)
                        return r;
                inode = child->inode;
                if (inode_is_lnk(inode)) {
                        struct path jump;

                        r = nd_magic_link(nd, inode, &jump);
                        if (r == 1) {
                                dentry_unref(child);
                                path_put(&nd->path);
                                nd->path = jump;
                                if (!inode_is_dir(nd->path.dentry->inode))
                                        return -ENOTDIR;
                                p = next;
                                continue;
                        }
                        if (r == 0)
                                r = nd_push_link(nd, inode, next);
                        dentry_unref(child);
                        if (r < 0)
                                return r;
                        p = nd->buf;
                        goto restart;
                }
                dentry_unref(nd->path.dentry);
                nd->path.dentry = child;
                r = nd_follow_mounts(nd, &nd->path);
                if (r < 0)
                        return r;
                if (!inode_is_dir(nd->path.dentry->inode))
                        return -ENOTDIR;
                p = next;
        }
}

int nd_lookup_last(struct nameidata *nd, unsigned flags, struct path *ret)
{
        for (;;) {
                struct dentry *child;
                struct path p;
                int r;

                r = nd_walk_parent(nd);
                if (r < 0)
                        return r;
                switch (nd->last_type) {
                case LAST_DOTDOT:
                        r = nd_dotdot(nd);
                        if (r < 0)
                                return r;
                        /* fall through */
                case LAST_DOT:
                case LAST_ROOT:
                        path_copy(ret, &nd->path);
                        return 0;
                case LAST_NORM:
                        break;
                }
                r = lookup_child(nd->path.dentry, nd->last, &child);
                if (r < 0)
                        return r;
                if (inode_is_lnk(child->inode) && ((flags & LOOKUP_FOLLOW) || nd->trailing)) {
                        r = nd_magic_link(nd, child->inode, &p);
                        if (r == 0)
                                r = nd_follow_last(nd, child->inode);
                        dentry_unref(child);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                continue;
                } else {
                        p = (struct path){ mount_ref(nd->path.mnt), child };
                }
                r = nd_follow_mounts(nd, &p);
                if (r < 0) {
                        path_put(&p);
                        return r;
                }
                if ((nd->trailing || (flags & LOOKUP_DIRECTORY)) &&
                    !inode_is_dir(p.dentry->inode)) {
                        path_put(&p);
                        return -ENOTDIR;
                }
                *ret = p;
                return 0;
        }
}

int vfs_lookup(const struct vfs_at *at, const char *name, unsigned flags, struct path *ret)
{
        struct nameidata nd;
        int r;

        r = nd_init(&nd, at, name, flags);
        if (r == 0)
                r = nd_lookup_last(&nd, flags, ret);
        nd_release(&nd);
        if (r == 0 && (flags & LOOKUP_DIRECTORY) && !inode_is_dir(ret->dentry->inode)) {
                path_put(ret);
                r = -ENOTDIR;
        }
        return r;
}
