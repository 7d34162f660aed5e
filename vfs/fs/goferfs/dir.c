/* goferfs directories: the inode ops that change names, each one round trip
 * to the gofer under sb->lock (see goferfs.h), and readdir through GETDENTS. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>              /* RENAME_* */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vfs/libfs.h"

static uint32_t node_of(struct inode *inode)
{
        return GOFERFS_I(inode)->node;
}

/* After a change in dir: the gofer's times and link count are the truth,
 * but asking costs a round trip; keep ours close (what tmpfs does). */
static void dir_touch(struct inode *dir, int dlink)
{
        pthread_mutex_lock(&dir->lock);
        dir->nlink = (unsigned)((int)dir->nlink + dlink);
        vfs_now(&dir->mtime);
        dir->ctime = dir->mtime;
        pthread_mutex_unlock(&dir->lock);
}

static int goferfs_lookup(struct inode *dir, const char *name, struct inode **ret)
{
        struct goferfs_inode *gd = GOFERFS_I(dir);
        const char *names[1] = { name };
        struct gofer_walk_result *w;
        int r;

        if (strset_has(&gd->negative, name))
                return -ENOENT;
        w = malloc(sizeof(*w));
        if (!w)
                return -ENOMEM;
        r = gofer_walk(goferfs_client(dir), node_of(dir), names, 1, w);
        if (r == 0)
                r = goferfs_new_inode(dir->sb, &w->nodes[0], ret);
        free(w);
        /* On a read-only mount a missing name stays missing. */
        if (r == -ENOENT && GOFERFS_SB(dir->sb)->ro && gd->negative.n < GOFERFS_NEGATIVE_MAX)
                strset_add(&gd->negative, name, strlen(name));
        return r;
}

/* One WALK for as many of names as the gofer reaches (up to the first
 * non-directory, missing name or error), each node cached as a dentry under
 * the one before: a walk of /usr/include/linux/x.h on a cold cache is one
 * round trip, not four. */
static int goferfs_lookup_ahead(struct dentry *dir, const char *const *names, unsigned n,
                                struct dentry **ret)
{
        struct goferfs_inode *gd = GOFERFS_I(dir->inode);
        struct gofer_client *client = goferfs_client(dir->inode);
        struct super_block *sb = dir->sb;
        bool ro = GOFERFS_SB(sb)->ro;
        struct gofer_walk_result *w;
        struct dentry *parent = NULL;
        unsigned used = 0, made = 0;    /* nodes consumed, dentries made */
        int r;

        if (strset_has(&gd->negative, names[0]))
                return -ENOENT;
        w = malloc(sizeof(*w));
        if (!w)
                return -ENOMEM;
        n = MIN(n, GOFER_WALK_MAX);
        r = gofer_walk(client, gd->node, names, n, w);
        if (r < 0) {
                free(w);
                if (r == -ENOENT && ro && gd->negative.n < GOFERFS_NEGATIVE_MAX)
                        strset_add(&gd->negative, names[0], strlen(names[0]));
                return r;
        }
        while (used < w->n) {
                struct inode *inode;
                struct dentry *d;
                bool keep;

                r = goferfs_new_inode(sb, &w->nodes[used++], &inode);  /* consumes the node */
                if (r < 0)
                        break;
                keep = sb->cache_lookup(sb, inode);
                /* Past the first, only what stays cached: a dentry nobody
                 * held would go at once, and its release takes sb->lock. */
                if (made > 0 && !keep) {
                        inode_unref(inode);
                        break;
                }
                r = d_alloc(made ? parent : dir, names[made], &d);
                if (r < 0) {
                        inode_unref(inode);
                        break;
                }
                d_instantiate(d, inode);
                if (keep)
                        d_pin(d);
                if (made == 0) {
                        *ret = d;                       /* the caller's reference */
                        parent = dentry_ref(d);
                } else {
                        dentry_unref(parent);           /* never the last one */
                        parent = d;
                }
                made++;
        }
        for (unsigned j = used; j < w->n; j++)
                gofer_clunk(client, &w->nodes[j].node, 1);
        /* The name the walk found missing stays missing on a read-only mount. */
        if (ro && w->error == -ENOENT && made == w->n && S_ISDIR(parent->inode->mode)) {
                struct goferfs_inode *gp = GOFERFS_I(parent->inode);

                if (gp->negative.n < GOFERFS_NEGATIVE_MAX)
                        strset_add(&gp->negative, names[made], strlen(names[made]));
        }
        dentry_unref(parent);
        free(w);
        return made ? 0 : r;
}

/* Instantiate d with the node the gofer made; d is cached (pinned) like a
 * looked-up name. */
static int instantiate(struct inode *dir, struct dentry *d, const struct gofer_entry *e,
                       struct inode **ret)
{
        struct inode *inode;
        int r = goferfs_new_inode(dir->sb, e, &inode);

        if (r < 0)
                return r;
        d_instantiate(d, inode);
        if (dir->sb->cache_lookup(dir->sb, inode))
                d_pin(d);
        if (ret)
                *ret = inode;
        return 0;
}

static int goferfs_create(struct inode *dir, struct dentry *d, mode_t mode,
                          const struct vfs_cred *c)
{
        struct gofer_entry e;
        struct inode *inode;
        int fd, r;

        if ((r = goferfs_may_change(dir)) < 0)
                return r;
        r = gofer_create(goferfs_client(dir), node_of(dir), d->name, O_RDWR, mode & 07777,
                         c->uid, c->gid, &e, &fd);
        if (r < 0)
                return r;
        r = instantiate(dir, d, &e, &inode);
        if (r < 0) {
                close(fd);
                return r;
        }
        /* The open that follows uses it: a create is one round trip. */
        GOFERFS_I(inode)->wfd = fd;
        dir_touch(dir, 0);
        return 0;
}

static int goferfs_mkdir(struct inode *dir, struct dentry *d, mode_t mode,
                         const struct vfs_cred *c)
{
        struct gofer_entry e;
        int r;

        if ((r = goferfs_may_change(dir)) < 0)
                return r;
        r = gofer_mkdir(goferfs_client(dir), node_of(dir), d->name, mode & 07777, c->uid,
                        c->gid, &e);
        if (r == 0 && (r = instantiate(dir, d, &e, NULL)) == 0)
                dir_touch(dir, 1);
        return r;
}

static int goferfs_symlink(struct inode *dir, struct dentry *d, const char *target,
                           const struct vfs_cred *c)
{
        struct gofer_entry e;
        int r;

        if ((r = goferfs_may_change(dir)) < 0)
                return r;
        if (strlen(target) > GOFER_TARGET_MAX)
                return -ENAMETOOLONG;
        r = gofer_symlink(goferfs_client(dir), node_of(dir), d->name, target, c->uid, c->gid,
                          &e);
        if (r == 0 && (r = instantiate(dir, d, &e, NULL)) == 0)
                dir_touch(dir, 0);
        return r;
}

static int goferfs_mknod(struct inode *dir, struct dentry *d, mode_t mode, dev_t dev,
                         const struct vfs_cred *c)
{
        struct gofer_entry e;
        int r;

        if ((r = goferfs_may_change(dir)) < 0)
                return r;
        if (dev != 0 || (!S_ISFIFO(mode) && !S_ISSOCK(mode)))
                return -EPERM;          /* the gofer makes no devices */
        r = gofer_mknod(goferfs_client(dir), node_of(dir), d->name, mode, c->uid, c->gid, &e);
        if (r == 0 && (r = instantiate(dir, d, &e, NULL)) == 0)
                dir_touch(dir, 0);
        return r;
}

static int goferfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
        struct inode *target = old->inode;
        struct gofer_entry e;
        int r;

        if ((r = goferfs_may_change(dir)) < 0)
                return r;
        r = gofer_link(goferfs_client(dir), node_of(dir), d->name, node_of(target), &e);
        if (r < 0)
                return r;
        pthread_mutex_lock(&target->lock);
        goferfs_apply_stat(target, &e.stat);
        pthread_mutex_unlock(&target->lock);
        r = instantiate(dir, d, &e, NULL);
        if (r == 0)
                dir_touch(dir, 0);
        return r;
}

static int do_unlink(struct inode *dir, struct dentry *d, int flags)
{
        struct inode *victim = d->inode;
        int r;

        if ((r = goferfs_may_change(dir)) < 0)
                return r;
        r = gofer_unlink(goferfs_client(dir), node_of(dir), d->name, flags);
        if (r < 0)
                return r;
        pthread_mutex_lock(&victim->lock);
        victim->nlink = flags & AT_REMOVEDIR ? 0 : victim->nlink - (victim->nlink > 0);
        vfs_now(&victim->ctime);
        pthread_mutex_unlock(&victim->lock);
        dir_touch(dir, flags & AT_REMOVEDIR ? -1 : 0);
        return 0;
}

static int goferfs_unlink(struct inode *dir, struct dentry *d)
{
        return do_unlink(dir, d, 0);
}

static int goferfs_rmdir(struct inode *dir, struct dentry *d)
{
        return do_unlink(dir, d, AT_REMOVEDIR);
}

static int goferfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
                          struct dentry *nd, const char *newname, unsigned flags)
{
        bool isdir = S_ISDIR(od->inode->mode);
        int r;

        if ((r = goferfs_may_change(odir)) < 0)
                return r;
        r = gofer_rename(goferfs_client(odir), node_of(odir), od->name, node_of(ndir),
                         newname, flags);
        if (r < 0)
                return r;
        if (nd && !(flags & RENAME_EXCHANGE)) {
                struct inode *victim = nd->inode;

                pthread_mutex_lock(&victim->lock);
                victim->nlink = S_ISDIR(victim->mode) ? 0 : victim->nlink - (victim->nlink > 0);
                pthread_mutex_unlock(&victim->lock);
        }
        if (odir != ndir && isdir && !(flags & RENAME_EXCHANGE)) {
                dir_touch(odir, -1);
                dir_touch(ndir, nd && S_ISDIR(nd->inode->mode) ? 0 : 1);
        } else {
                dir_touch(odir, 0);
                if (ndir != odir)
                        dir_touch(ndir, 0);
        }
        return 0;
}

static int goferfs_dir_open(struct inode *inode, unsigned flags, struct file **ret);

const struct inode_ops goferfs_dir_inode_ops = {
        .lookup = goferfs_lookup,
        .lookup_ahead = goferfs_lookup_ahead,
        .create = goferfs_create,
        .mkdir = goferfs_mkdir,
        .symlink = goferfs_symlink,
        .mknod = goferfs_mknod,
        .link = goferfs_link,
        .unlink = goferfs_unlink,
        .rmdir = goferfs_rmdir,
        .rename = goferfs_rename,
        .setattr = goferfs_setattr,
        .open = goferfs_dir_open,
};

/* ---- readdir ---------------------------------------------------------------- */

/* The position is an entry index: 0 ".", 1 "..", then the gofer's entries
 * in its order. The file remembers where the gofer's listing of the next
 * index starts, so reading on is one GETDENTS per batch; a seek elsewhere
 * lists from the start again. Protected by the file's pos_lock. */
struct goferfs_dir_file {
        struct file base;
        uint64_t next_index;            /* entry index host_off lists first */
        uint64_t host_off;              /* the gofer's offset for it */
};

static int goferfs_dir_open(struct inode *inode, unsigned flags, struct file **ret)
{
        struct goferfs_dir_file *df = calloc(1, sizeof(*df));

        (void)inode;
        if (!df)
                return -ENOMEM;
        file_init(&df->base, &goferfs_dir_file_ops, flags, false);
        *ret = &df->base;
        return 0;
}

static int goferfs_iterate(struct file *f, uint64_t *pos, d_emit_fn emit, void *ctx)
{
        struct goferfs_dir_file *df = container_of(f, struct goferfs_dir_file, base);
        struct dentry *d = f->path.dentry;
        struct inode *dir = d->inode;
        uint64_t want;

        if (*pos == 0) {
                if (!emit(ctx, ".", 1, dir->ino, DT_DIR, 1))
                        return 0;
                *pos = 1;
        }
        if (*pos == 1) {
                uint64_t pino;

                pthread_mutex_lock(&d->sb->lock);
                pino = (d->parent ? d->parent : d)->inode->ino;
                pthread_mutex_unlock(&d->sb->lock);
                if (!emit(ctx, "..", 2, pino, DT_DIR, 2))
                        return 0;
                *pos = 2;
        }
        want = *pos - 2;
        if (want != df->next_index) {
                df->next_index = 0;
                df->host_off = 0;
        }
        for (;;) {
                struct gofer_dirents *batch;
                int r = gofer_getdents(goferfs_client(dir), GOFERFS_I(dir)->node, df->host_off,
                                       0, &batch);

                if (r < 0)
                        return r;
                if (batch->n == 0) {
                        free(batch);
                        return 0;
                }
                for (unsigned i = 0; i < batch->n; i++) {
                        const struct gofer_dirent *e = &batch->ents[i];

                        if (df->next_index == want) {
                                if (!emit(ctx, e->name, e->namelen, e->ino, e->type, want + 3)) {
                                        free(batch);
                                        return 0;
                                }
                                want++;
                                *pos = want + 2;
                        }
                        df->next_index++;
                        df->host_off = e->next_offset;
                }
                free(batch);
        }
}

static int goferfs_dir_fsync(struct file *f, bool datasync)
{
        struct inode *dir = file_inode(f);

        return gofer_fsync(goferfs_client(dir), GOFERFS_I(dir)->node, datasync);
}

static void goferfs_dir_release(struct file *f)
{
        free(container_of(f, struct goferfs_dir_file, base));
}

const struct file_ops goferfs_dir_file_ops = {
        .read = simple_dir_read,
        .iterate = goferfs_iterate,
        .llseek = simple_dir_llseek,
        .fsync = goferfs_dir_fsync,
        .release = goferfs_dir_release,
};
