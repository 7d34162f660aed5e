/* overlay: lookup across the layers and the operations on names, each done
 * on the upper layer through the VFS (as root: the overlay checked the
 * caller), with whiteouts where a lower name must disappear. Called with
 * the overlay's sb->lock held (vfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>              /* RENAME_* */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vfs/internal.h"
#include "vfs/namei.h"

static bool is_whiteout_name(const char *name)
{
        return strncmp(name, OVL_WH_PREFIX, OVL_WH_PREFIX_LEN) == 0;
}

static struct vfs_at upper_at(struct ovl_inode *dir)
{
        return (struct vfs_at){
                .fs = OVL_SB(dir->base.sb)->upper_fs,
                .cred = &ovl_root_cred,
                .dir = &dir->upper,
        };
}

/* The child name of a layer's directory p (a new path reference), -ENOENT. */
static int layer_child(const struct path *p, const char *name, struct path *ret)
{
        struct dentry *d;
        int r = lookup_child(p->dentry, name, &d);

        if (r < 0)
                return r;
        if (!d->inode) {
                dentry_unref(d);
                return -ENOENT;
        }
        *ret = (struct path){ mount_ref(p->mnt), d };
        return 0;
}

/* Whether the layer directory p has a child name. */
static bool layer_has(const struct path *p, const char *name)
{
        struct path c;

        if (!p->dentry || layer_child(p, name, &c) < 0)
                return false;
        path_put(&c);
        return true;
}

static bool upper_has(struct ovl_inode *dir, const char *name)
{
        return layer_has(&dir->upper, name);
}

static int whiteout_name(const char *name, char *buf, size_t size)
{
        if ((size_t)snprintf(buf, size, OVL_WH_PREFIX "%s", name) >= size ||
            strlen(buf) > VFS_NAME_MAX)
                return -ENAMETOOLONG;
        return 0;
}

static bool has_whiteout(struct ovl_inode *dir, const char *name)
{
        char wh[VFS_NAME_MAX + 8];

        return whiteout_name(name, wh, sizeof(wh)) == 0 && upper_has(dir, wh);
}

/* Whether the lower layer shows name under dir (the name must be hidden by
 * a whiteout when it goes from the overlay). */
static bool lower_has(struct ovl_inode *dir, const char *name)
{
        struct path p;

        if (dir->opaque || !dir->lower.dentry || layer_child(&dir->lower, name, &p) < 0)
                return false;
        path_put(&p);
        return true;
}

/* An empty file named name in the upper directory p (a whiteout or the
 * opaque mark). */
static int make_marker_in(struct super_block *sb, const struct path *p, const char *name)
{
        struct vfs_at at = { .fs = OVL_SB(sb)->upper_fs, .cred = &ovl_root_cred, .dir = p };
        struct file *f;
        int r = vfs_open(&at, name, O_CREAT | O_WRONLY, 0, &f);

        if (r == 0)
                file_unref(f);
        return r;
}

static int make_marker(struct ovl_inode *dir, const char *name)
{
        return make_marker_in(dir->base.sb, &dir->upper, name);
}

static int make_whiteout(struct ovl_inode *dir, const char *name)
{
        char wh[VFS_NAME_MAX + 8];
        int r = whiteout_name(name, wh, sizeof(wh));

        return r < 0 ? r : make_marker(dir, wh);
}

static int ovl_lookup(struct inode *dir_inode, const char *name, struct inode **ret)
{
        struct ovl_inode *dir = OVL_I(dir_inode);
        struct path up = { 0 }, low = { 0 };
        bool opaque = false;
        int r = 0;

        if (is_whiteout_name(name))
                return -ENOENT;
        if (dir->upper.dentry) {
                r = layer_child(&dir->upper, name, &up);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (r == -ENOENT && has_whiteout(dir, name))
                        return -ENOENT;
                r = 0;
        }
        /* Below: only what an upper directory merges with, or all of it. */
        if (!dir->opaque && dir->lower.dentry &&
            (!up.dentry || S_ISDIR(up.dentry->inode->mode))) {
                r = layer_child(&dir->lower, name, &low);
                if (r == 0 && up.dentry && !S_ISDIR(low.dentry->inode->mode))
                        path_put(&low);
                if (r < 0 && r != -ENOENT)
                        goto out;
                r = 0;
        }
        if (up.dentry && S_ISDIR(up.dentry->inode->mode) && low.dentry)
                opaque = layer_has(&up, OVL_OPAQUE);
        if (!up.dentry && !low.dentry)
                r = -ENOENT;
        else
                r = ovl_new_inode(dir_inode->sb, dir, name, &up, &low, opaque, ret);
out:
        if (up.dentry)
                path_put(&up);
        if (low.dentry)
                path_put(&low);
        return r;
}

/* A walk going on below names[0]: the lower layer may look the rest up in
 * one go (goferfs: one WALK), so the overlay's own lookups of the next
 * names find the lower dentries cached. Then as ovl_lookup. */
static int ovl_lookup_ahead(struct dentry *d, const char *const *names, unsigned n,
                            struct dentry **ret)
{
        struct ovl_inode *dir = OVL_I(d->inode);
        struct dentry *low;

        if (!dir->opaque && dir->lower.dentry && !is_whiteout_name(names[0]) &&
            lookup_child_ahead(dir->lower.dentry, names, n, &low) == 0)
                dentry_unref(low);
        return d_lookup_fetch(d, names[0], ret);
}

/* Before a new name in dir: dir has an upper, the name is allowed, and a
 * whiteout hiding a lower one is gone (*hid_lower says it was there). */
static int prepare_new(struct ovl_inode *dir, const char *name, bool *hid_lower)
{
        char wh[VFS_NAME_MAX + 8];
        struct vfs_at at;
        int r;

        *hid_lower = false;
        if (is_whiteout_name(name))
                return -EINVAL;
        r = ovl_copy_up(dir);
        if (r < 0)
                return r;
        if (whiteout_name(name, wh, sizeof(wh)) == 0 && upper_has(dir, wh)) {
                at = upper_at(dir);
                r = vfs_unlink(&at, wh);
                if (r < 0)
                        return r;
                *hid_lower = true;
        }
        return 0;
}

/* The new upper entry: owned by c, then shown in the overlay at d. */
static int finish_new(struct ovl_inode *dir, struct dentry *d, const struct vfs_cred *c,
                      bool opaque)
{
        struct path up, none = { 0 };
        struct inode *inode;
        int r;

        r = layer_child(&dir->upper, d->name, &up);
        if (r < 0)
                return r;
        r = vfs_chown(&up, &ovl_root_cred, c->uid, c->gid);
        if (r == 0)
                r = ovl_new_inode(dir->base.sb, dir, d->name, &up, &none, opaque, &inode);
        path_put(&up);
        if (r < 0)
                return r;
        d_instantiate(d, inode);
        if (dir->base.sb->cache_lookup(dir->base.sb, inode))
                d_pin(d);
        return 0;
}

static int ovl_create(struct inode *dir_inode, struct dentry *d, mode_t mode,
                      const struct vfs_cred *c)
{
        struct ovl_inode *dir = OVL_I(dir_inode);
        struct vfs_at at;
        struct file *f;
        bool hid;
        int r;

        if (!S_ISREG(mode))
                return -EPERM;
        r = prepare_new(dir, d->name, &hid);
        if (r < 0)
                return r;
        at = upper_at(dir);
        r = vfs_open(&at, d->name, O_CREAT | O_EXCL | O_RDWR, mode & 07777, &f);
        if (r < 0)
                return r;
        file_unref(f);
        return finish_new(dir, d, c, false);
}

static int ovl_mkdir(struct inode *dir_inode, struct dentry *d, mode_t mode,
                     const struct vfs_cred *c)
{
        struct ovl_inode *dir = OVL_I(dir_inode);
        struct vfs_at at;
        bool hid;
        int r;

        r = prepare_new(dir, d->name, &hid);
        if (r < 0)
                return r;
        at = upper_at(dir);
        r = vfs_mkdir(&at, d->name, mode & 07777);
        if (r < 0)
                return r;
        if (hid) {
                /* A lower directory of that name must not show through. */
                struct path up;

                r = layer_child(&dir->upper, d->name, &up);
                if (r < 0)
                        return r;
                r = make_marker_in(dir->base.sb, &up, OVL_OPAQUE);
                path_put(&up);
                if (r < 0)
                        return r;
        }
        return finish_new(dir, d, c, hid);
}

static int ovl_symlink(struct inode *dir_inode, struct dentry *d, const char *target,
                       const struct vfs_cred *c)
{
        struct ovl_inode *dir = OVL_I(dir_inode);
        struct vfs_at at;
        bool hid;
        int r;

        r = prepare_new(dir, d->name, &hid);
        if (r < 0)
                return r;
        at = upper_at(dir);
        r = vfs_symlink(target, &at, d->name);
        return r < 0 ? r : finish_new(dir, d, c, false);
}

static int ovl_mknod(struct inode *dir_inode, struct dentry *d, mode_t mode, dev_t dev,
                     const struct vfs_cred *c)
{
        struct ovl_inode *dir = OVL_I(dir_inode);
        struct vfs_at at;
        bool hid;
        int r;

        r = prepare_new(dir, d->name, &hid);
        if (r < 0)
                return r;
        at = upper_at(dir);
        r = vfs_mknodat(&at, d->name, mode, dev, NULL);
        return r < 0 ? r : finish_new(dir, d, c, false);
}

static int ovl_link(struct dentry *old, struct inode *dir_inode, struct dentry *d)
{
        struct ovl_inode *dir = OVL_I(dir_inode), *o = OVL_I(old->inode);
        struct vfs_at oat, nat;
        struct vfs_cred owner;
        bool hid;
        int r;

        r = ovl_copy_up(o);
        if (r == 0)
                r = prepare_new(dir, d->name, &hid);
        if (r < 0)
                return r;
        oat = (struct vfs_at){ .fs = OVL_SB(dir->base.sb)->upper_fs, .cred = &ovl_root_cred,
                               .dir = &o->upper };
        nat = upper_at(dir);
        r = vfs_link(&oat, "", LOOKUP_EMPTY, &nat, d->name);
        if (r < 0)
                return r;
        ovl_copy_attr(o);
        owner = (struct vfs_cred){ .uid = o->base.uid, .gid = o->base.gid };
        return finish_new(dir, d, &owner, false);
}

static int remove_name(struct inode *dir_inode, struct dentry *d, bool isdir)
{
        struct ovl_inode *dir = OVL_I(dir_inode), *oi = OVL_I(d->inode);
        bool below = lower_has(dir, d->name);
        struct vfs_at at;
        int r;

        if (below && (r = ovl_copy_up(dir)) < 0)
                return r;
        if (oi->upper.dentry) {
                at = upper_at(dir);
                if (isdir) {
                        r = ovl_dir_clear_markers(oi);
                        if (r == 0)
                                r = vfs_rmdir(&at, d->name);
                } else {
                        r = vfs_unlink(&at, d->name);
                }
                if (r < 0)
                        return r;
        }
        if (below && (r = make_whiteout(dir, d->name)) < 0)
                return r;
        oi->unlinked = true;
        pthread_mutex_lock(&oi->base.lock);
        oi->base.nlink = isdir ? 0 : oi->base.nlink - (oi->base.nlink > 0);
        pthread_mutex_unlock(&oi->base.lock);
        return 0;
}

static int ovl_unlink(struct inode *dir, struct dentry *d)
{
        return remove_name(dir, d, false);
}

static int ovl_rmdir(struct inode *dir, struct dentry *d)
{
        int r = ovl_dir_is_empty(OVL_I(d->inode));

        if (r < 0)
                return r;
        if (r == 0)
                return -ENOTEMPTY;
        return remove_name(dir, d, true);
}

static int ovl_rename(struct inode *odir_inode, struct dentry *od, struct inode *ndir_inode,
                      struct dentry *nd, const char *newname, unsigned flags)
{
        struct ovl_inode *odir = OVL_I(odir_inode), *ndir = OVL_I(ndir_inode);
        struct ovl_inode *o = OVL_I(od->inode), *n = nd ? OVL_I(nd->inode) : NULL;
        bool isdir = S_ISDIR(o->base.mode), below_old, hid;
        struct vfs_at oat, nat;
        char *name;
        int r;

        /* No redirects: a directory with lower entries cannot move, nor can
         * anything with a lower part trade places. */
        if ((isdir && o->lower.dentry) ||
            ((flags & RENAME_EXCHANGE) && (o->lower.dentry || n->lower.dentry)))
                return -EXDEV;
        if (n && S_ISDIR(n->base.mode) && !(flags & RENAME_EXCHANGE)) {
                r = ovl_dir_is_empty(n);
                if (r <= 0)
                        return r < 0 ? r : -ENOTEMPTY;
                if (n->upper.dentry && (r = ovl_dir_clear_markers(n)) < 0)
                        return r;
        }
        name = strdup(newname);
        if (!name)
                return -ENOMEM;
        below_old = lower_has(odir, od->name);
        r = ovl_copy_up(o);
        if (r == 0)
                r = ovl_copy_up(odir);
        if (r == 0)
                r = prepare_new(ndir, newname, &hid);
        if (r == 0 && isdir && (hid || lower_has(ndir, newname)) && !o->opaque) {
                r = make_marker(o, OVL_OPAQUE);
                o->opaque = r == 0;
        }
        if (r == 0) {
                oat = upper_at(odir);
                nat = upper_at(ndir);
                r = vfs_rename(&oat, od->name, &nat, newname, flags);
        }
        if (r == 0 && below_old && !(flags & RENAME_EXCHANGE))
                r = make_whiteout(odir, od->name);
        if (r < 0) {
                free(name);
                return r;
        }
        /* The overlay inodes follow their names (for later copy-ups). */
        if (flags & RENAME_EXCHANGE) {
                char *oname = strdup(od->name);

                if (oname) {
                        free(n->name);
                        n->name = oname;
                }
                inode_unref(&n->parent->base);
                n->parent = OVL_I(inode_ref(odir_inode));
        } else if (n) {
                /* The replaced file lost that name, as after an unlink. */
                n->unlinked = true;
                pthread_mutex_lock(&n->base.lock);
                n->base.nlink = S_ISDIR(n->base.mode) ? 0 : n->base.nlink - (n->base.nlink > 0);
                pthread_mutex_unlock(&n->base.lock);
        }
        free(o->name);
        o->name = name;
        inode_unref(&o->parent->base);
        o->parent = OVL_I(inode_ref(ndir_inode));
        /* The upper paths moved with the rename; refresh them. */
        if (o->upper.dentry)
                ovl_copy_attr(o);
        return 0;
}

const struct inode_ops ovl_dir_inode_ops = {
        .lookup = ovl_lookup,
        .lookup_ahead = ovl_lookup_ahead,
        .create = ovl_create,
        .mkdir = ovl_mkdir,
        .symlink = ovl_symlink,
        .mknod = ovl_mknod,
        .link = ovl_link,
        .unlink = ovl_unlink,
        .rmdir = ovl_rmdir,
        .rename = ovl_rename,
        .setattr = ovl_setattr,
        .getattr = ovl_getattr,
        .open = ovl_dir_open,
};

static int ovl_readlink(struct inode *inode, char *buf, size_t size)
{
        struct ovl_inode *oi = OVL_I(inode);
        struct path real;
        int r;

        ovl_real_get(oi, &real);
        r = vfs_readlink(&real, buf, size);
        path_put(&real);
        return r;
}

const struct inode_ops ovl_file_inode_ops = {
        .setattr = ovl_setattr,
        .getattr = ovl_getattr,
        .open = ovl_open,
};

const struct inode_ops ovl_symlink_inode_ops = {
        .readlink = ovl_readlink,
        .setattr = ovl_setattr,
        .getattr = ovl_getattr,
};

/* FIFOs open on the real inode (its pipe); sockets and devices have no open. */
static int ovl_special_open(struct inode *inode, unsigned flags, struct file **ret)
{
        struct inode *real;
        struct path p;
        int r;

        ovl_real_get(OVL_I(inode), &p);
        real = p.dentry->inode;
        r = real->ops->open ? real->ops->open(real, flags, ret) : -ENXIO;
        path_put(&p);
        return r;
}

const struct inode_ops ovl_special_inode_ops = {
        .setattr = ovl_setattr,
        .getattr = ovl_getattr,
        .open = ovl_special_open,
};
