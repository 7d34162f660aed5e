/* overlay files: regular files are the real (upper or lower) file behind a
 * thin file of the overlay's own; directories list the merged view; setattr
 * copies up first. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lib/strset.h"
#include "vfs/libfs.h"
#include "vfs/namei.h"

int ovl_setattr(struct inode *inode, const struct iattr *ia)
{
        struct ovl_inode *oi = OVL_I(inode);
        struct inode *real;
        int r;

        pthread_mutex_lock(&inode->sb->lock);
        r = ovl_copy_up(oi);
        real = r == 0 ? inode_ref(oi->upper.dentry->inode) : NULL;
        pthread_mutex_unlock(&inode->sb->lock);
        if (r < 0)
                return r;
        r = real->ops->setattr ? real->ops->setattr(real, ia) : -EPERM;
        inode_unref(real);
        if (r == 0)
                ovl_copy_attr(oi);
        return r;
}

/* ---- Regular files ------------------------------------------------------------ */

struct ovl_file {
        struct file base;
        struct file *real;              /* a reference */
};

static struct file *real_of(struct file *f)
{
        struct file *real = container_of(f, struct ovl_file, base)->real;

        /* fcntl(F_SETFL) changed ours: the real file behaves by them. */
        real->flags = (real->flags & ~(unsigned)(O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)) |
                      (f->flags & (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME));
        return real;
}

/* The position is ours (the real file's stays unused): the real ops run
 * at it, and move it as they would their own (O_APPEND included). */
static ssize_t ovl_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct file *real = real_of(f);

        return real->ops->read(real, dst, pos);
}

static ssize_t ovl_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        struct file *real = real_of(f);

        return real->ops->write(real, src, pos);
}

static int64_t ovl_llseek(struct file *f, int64_t offset, int whence)
{
        struct stat st;
        int64_t r;

        if (whence == SEEK_DATA || whence == SEEK_HOLE) {
                /* The real file knows its holes (its own position moves
                 * too, unused). */
                r = vfs_llseek(real_of(f), offset, whence);
                return r < 0 ? r : generic_llseek_to(f, r);
        }
        r = whence == SEEK_END ? vfs_stat(f, &st) : 0;
        return r < 0 ? r : generic_llseek(f, offset, whence, whence == SEEK_END ? st.st_size : 0);
}

static int ovl_mmap(struct file *f, struct mm_mappable **ret)
{
        struct file *real = real_of(f);

        return real->ops->mmap ? real->ops->mmap(real, ret) : -ENODEV;
}

static int ovl_fsync(struct file *f, bool datasync)
{
        return vfs_fsync(real_of(f), datasync);
}

static int ovl_fallocate(struct file *f, int mode, int64_t offset, int64_t len)
{
        return vfs_fallocate(real_of(f), mode, offset, len);
}

static void ovl_file_release(struct file *f)
{
        struct ovl_file *of = container_of(f, struct ovl_file, base);

        file_unref(of->real);
        free(of);
}

static const struct file_ops ovl_file_ops = {
        .read = ovl_read,
        .write = ovl_write,
        .llseek = ovl_llseek,
        .mmap = ovl_mmap,
        .fsync = ovl_fsync,
        .fallocate = ovl_fallocate,
        .release = ovl_file_release,
};

int ovl_open(struct inode *inode, unsigned flags, struct file **ret)
{
        struct ovl_inode *oi = OVL_I(inode);
        unsigned acc = flags & O_ACCMODE;
        struct ovl_file *of;
        struct path real;
        int r = 0;

        if (acc == O_WRONLY || acc == O_RDWR) {
                pthread_mutex_lock(&inode->sb->lock);
                r = ovl_copy_up(oi);
                pthread_mutex_unlock(&inode->sb->lock);
                if (r < 0)
                        return r;
        }
        ovl_real_get(oi, &real);
        of = calloc(1, sizeof(*of));
        r = of ? vfs_open_path(&real, &ovl_root_cred, flags, &of->real) : -ENOMEM;
        path_put(&real);
        if (r < 0) {
                free(of);
                return r;
        }
        file_init(&of->base, &ovl_file_ops, flags, false);
        *ret = &of->base;
        return 0;
}

/* ---- Directories: the merged listing ------------------------------------------- */

struct ovl_dirent {
        char *name;
        uint64_t ino;
        unsigned type;
};

/* The entries, and the names seen so far (entries and whited-out names;
 * the entries' names point into the set). */
struct ovl_dirlist {
        struct ovl_dirent *ents;
        size_t n, cap;
        struct strset seen;
        bool collect_whiteouts;
        int error;
};

static void dirlist_free(struct ovl_dirlist *l)
{
        strset_free(&l->seen);
        free(l->ents);
        *l = (struct ovl_dirlist){ 0 };
}

static bool collect(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type,
                    uint64_t next_off)
{
        struct ovl_dirlist *l = ctx;
        bool whiteout = len > OVL_WH_PREFIX_LEN &&
                        strncmp(name, OVL_WH_PREFIX, OVL_WH_PREFIX_LEN) == 0;
        int r;

        (void)next_off;
        if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
                return true;
        if (whiteout) {
                name += OVL_WH_PREFIX_LEN;
                len -= OVL_WH_PREFIX_LEN;
                if (!l->collect_whiteouts || (len == 8 && memcmp(name, ".wh..opq", 8) == 0))
                        return true;
        }
        r = strset_add(&l->seen, name, len);
        if (r <= 0) {
                l->error = r;           /* 0: seen already (a lower name shown or hidden) */
                return r == 0;
        }
        if (whiteout)
                return true;
        if (l->n == l->cap) {
                size_t cap = l->cap ? 2 * l->cap : 64;
                struct ovl_dirent *e = realloc(l->ents, cap * sizeof(*e));

                if (!e) {
                        l->error = -ENOMEM;
                        return false;
                }
                l->ents = e;
                l->cap = cap;
        }
        /* The set's copy: find it by a NUL-terminated name. */
        char key[VFS_NAME_MAX + 1];

        memcpy(key, name, MIN(len, (size_t)VFS_NAME_MAX));
        key[MIN(len, (size_t)VFS_NAME_MAX)] = '\0';
        l->ents[l->n++] = (struct ovl_dirent){ (char *)strset_get(&l->seen, key), ino, type };
        return true;
}

static int list_layer(const struct path *p, struct ovl_dirlist *l)
{
        struct file *f;
        int r = vfs_open_path(p, &ovl_root_cred, O_RDONLY | O_DIRECTORY, &f);

        if (r < 0)
                return r;
        r = vfs_iterate(f, collect, l);         /* collect never stops early but on error */
        file_unref(f);
        return r < 0 ? r : l->error;
}

/* The merged listing: the upper's entries (its whiteouts hide lower names),
 * then the lower's not already shown or hidden. sb->lock held. */
static int dir_read(struct ovl_inode *oi, struct ovl_dirlist *l)
{
        int r = 0;

        *l = (struct ovl_dirlist){ .collect_whiteouts = true };
        if (oi->upper.dentry)
                r = list_layer(&oi->upper, l);
        if (r == 0 && oi->lower.dentry && !oi->opaque) {
                l->collect_whiteouts = false;
                r = list_layer(&oi->lower, l);
        }
        if (r < 0)
                dirlist_free(l);
        return r;
}

int ovl_dir_is_empty(struct ovl_inode *oi)
{
        struct ovl_dirlist l;
        int r = dir_read(oi, &l);

        if (r < 0)
                return r;
        r = l.n == 0;
        dirlist_free(&l);
        return r;
}

/* The upper's own marker names (".wh.*"), as they are. */
struct markers {
        char **names;
        size_t n, cap;
        int error;
};

static bool collect_marker(void *ctx, const char *name, size_t len, uint64_t ino,
                           unsigned type, uint64_t next_off)
{
        struct markers *m = ctx;
        char *copy;

        (void)ino, (void)type, (void)next_off;
        if (len <= OVL_WH_PREFIX_LEN || strncmp(name, OVL_WH_PREFIX, OVL_WH_PREFIX_LEN) != 0)
                return true;
        if (m->n == m->cap) {
                size_t cap = m->cap ? 2 * m->cap : 16;
                char **v = realloc(m->names, cap * sizeof(*v));

                if (!v) {
                        m->error = -ENOMEM;
                        return false;
                }
                m->names = v;
                m->cap = cap;
        }
        copy = strndup(name, len);
        if (!copy) {
                m->error = -ENOMEM;
                return false;
        }
        m->names[m->n++] = copy;
        return true;
}

int ovl_dir_clear_markers(struct ovl_inode *oi)
{
        struct vfs_at at = { .fs = OVL_SB(oi->base.sb)->upper_fs, .cred = &ovl_root_cred,
                             .dir = &oi->upper };
        struct markers m = { 0 };
        struct file *f;
        int r;

        r = vfs_open_path(&oi->upper, &ovl_root_cred, O_RDONLY | O_DIRECTORY, &f);
        if (r < 0)
                return r;
        r = vfs_iterate(f, collect_marker, &m);
        file_unref(f);
        if (r == 0)
                r = m.error;
        for (size_t i = 0; i < m.n; i++) {
                if (r == 0)
                        r = vfs_unlink(&at, m.names[i]);
                free(m.names[i]);
        }
        free(m.names);
        return r;
}

struct ovl_dir_file {
        struct file base;
        struct ovl_dirlist list;        /* a snapshot taken at open */
};

static int ovl_iterate(struct file *f, uint64_t *pos, d_emit_fn emit, void *ctx)
{
        struct ovl_dir_file *df = container_of(f, struct ovl_dir_file, base);
        struct dentry *d = f->path.dentry;

        if (*pos == 0) {
                if (!emit(ctx, ".", 1, d->inode->ino, 4 /* DT_DIR */, 1))
                        return 0;
                *pos = 1;
        }
        if (*pos == 1) {
                uint64_t pino;

                pthread_mutex_lock(&d->sb->lock);
                pino = (d->parent ? d->parent : d)->inode->ino;
                pthread_mutex_unlock(&d->sb->lock);
                if (!emit(ctx, "..", 2, pino, 4, 2))
                        return 0;
                *pos = 2;
        }
        for (; *pos - 2 < df->list.n; (*pos)++) {
                const struct ovl_dirent *e = &df->list.ents[*pos - 2];

                if (!emit(ctx, e->name, strlen(e->name), e->ino, e->type, *pos + 1))
                        return 0;
        }
        return 0;
}

static void ovl_dir_release(struct file *f)
{
        struct ovl_dir_file *df = container_of(f, struct ovl_dir_file, base);

        dirlist_free(&df->list);
        free(df);
}

static const struct file_ops ovl_dir_file_ops = {
        .read = simple_dir_read,
        .iterate = ovl_iterate,
        .llseek = simple_dir_llseek,
        .fsync = noop_fsync,
        .release = ovl_dir_release,
};

int ovl_dir_open(struct inode *inode, unsigned flags, struct file **ret)
{
        struct ovl_dir_file *df = calloc(1, sizeof(*df));
        int r;

        if (!df)
                return -ENOMEM;
        pthread_mutex_lock(&inode->sb->lock);
        r = dir_read(OVL_I(inode), &df->list);
        pthread_mutex_unlock(&inode->sb->lock);
        if (r < 0) {
                free(df);
                return r;
        }
        file_init(&df->base, &ovl_dir_file_ops, flags, false);
        *ret = &df->base;
        return 0;
}
