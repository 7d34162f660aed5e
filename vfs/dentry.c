/*
 * Dentries and the dentry cache: each directory dentry keeps its children in
 * a red-black tree by name (lookup) and a list in creation order (readdir
 * with stable offsets). A child holds a reference on its parent; the parent's
 * cache holds none on its children. A dentry's count drops to zero only under
 * sb->lock, so a lookup under sb->lock never finds one being freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfs.h"

static struct dentry *d_new(struct super_block *sb, const char *name)
{
        struct dentry *d = calloc(1, sizeof(*d));

        if (!d)
                return NULL;
        d->name = strdup(name);
        if (!d->name) {
                free(d);
                return NULL;
        }
        atomic_init(&d->refcount, 1);
        atomic_init(&d->mounted, 0);
        d->sb = sb;
        d->children = RB_ROOT;
        d->next_offset = 2;     /* 0 and 1 are "." and ".." */
        return d;
}

struct dentry *d_make_root(struct super_block *sb, struct inode *inode)
{
        struct dentry *d = d_new(sb, "/");

        if (!d) {
                inode_unref(inode);
                return NULL;
        }
        d->inode = inode;
        return d;
}

struct dentry *dentry_ref(struct dentry *d)
{
        atomic_fetch_add_explicit(&d->refcount, 1, memory_order_relaxed);
        return d;
}

static void d_unhash(struct dentry *d)
{
        struct dentry *p = d->parent;

        if (!d->hashed)
                return;
        rb_erase(&d->node, &p->children);
        if (d->prev)
                d->prev->next = d->next;
        else
                p->first = d->next;
        if (d->next)
                d->next->prev = d->prev;
        else
                p->last = d->prev;
        d->next = d->prev = NULL;
        d->hashed = false;
}

static void d_hash(struct dentry *d, struct dentry *p)
{
        struct rb_node **link = &p->children.rb_node, *parent = NULL;

        while (*link) {
                parent = *link;
                link = strcmp(d->name, rb_entry(parent, struct dentry, node)->name) < 0 ?
                        &parent->rb_left : &parent->rb_right;
        }
        rb_link_node(&d->node, parent, link);
        rb_insert_color(&d->node, &p->children);
        d->prev = p->last;
        d->next = NULL;
        if (p->last)
                p->last->next = d;
        else
                p->first = d;
        p->last = d;
        d->dir_offset = p->next_offset++;
        d->hashed = true;
}

struct dentry *dentry_unref(struct dentry *d)
{
        while (d) {
                struct super_block *sb = d->sb;
                struct dentry *parent;
                int v = atomic_load_explicit(&d->refcount, memory_order_relaxed);

                if (v > 1) {
                        if (atomic_compare_exchange_weak(&d->refcount, &v, v - 1))
                                return NULL;
                        continue;
                }
                pthread_mutex_lock(&sb->lock);
                if (atomic_fetch_sub(&d->refcount, 1) != 1) {
                        pthread_mutex_unlock(&sb->lock);
                        return NULL;
                }
                d_unhash(d);
                parent = d->parent;
                pthread_mutex_unlock(&sb->lock);
                inode_unref(d->inode);
                free(d->name);
                free(d);
                d = parent;     /* the child's reference on its parent */
        }
        return NULL;
}

struct dentry *d_lookup(struct dentry *dir, const char *name)
{
        struct rb_node *n = dir->children.rb_node;

        while (n) {
                struct dentry *d = rb_entry(n, struct dentry, node);
                int c = strcmp(name, d->name);

                if (c == 0)
                        return d;
                n = c < 0 ? n->rb_left : n->rb_right;
        }
        return NULL;
}

int d_alloc(struct dentry *dir, const char *name, struct dentry **ret)
{
        struct dentry *d = d_new(dir->sb, name);

        if (!d)
                return -ENOMEM;
        d->parent = dentry_ref(dir);
        d_hash(d, dir);
        *ret = d;
        return 0;
}

int d_alloc_pseudo(struct dentry *dir, const char *name, struct inode *inode,
                   struct dentry **ret)
{
        struct dentry *d = d_new(dir->sb, name);

        if (!d) {
                inode_unref(inode);
                return -ENOMEM;
        }
        d->parent = dentry_ref(dir);
        d->inode = inode;
        *ret = d;
        return 0;
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
        d->inode = inode;
}

void d_pin(struct dentry *d)
{
        if (!d->pinned) {
                d->pinned = true;
                dentry_ref(d);
        }
}

void d_delete(struct dentry *d)
{
        d_unhash(d);
        if (d->pinned) {
                /* The caller holds a reference: this never frees. */
                d->pinned = false;
                atomic_fetch_sub(&d->refcount, 1);
        }
}

int d_move(struct dentry *d, struct dentry *newdir, const char *newname)
{
        char *name = strdup(newname);
        struct dentry *old;

        if (!name)
                return -ENOMEM;
        d_unhash(d);
        free(d->name);
        d->name = name;
        old = d->parent;
        d->parent = dentry_ref(newdir);
        d_hash(d, newdir);
        /* d's reference on its old parent; the caller holds another (its
         * walk's), so this never frees. */
        atomic_fetch_sub(&old->refcount, 1);
        return 0;
}

int d_exchange(struct dentry *a, struct dentry *b)
{
        struct dentry *pa = a->parent, *pb = b->parent;
        char *na = a->name, *nb = b->name;

        d_unhash(a);
        d_unhash(b);
        a->name = nb;
        b->name = na;
        a->parent = pb;
        b->parent = pa;
        d_hash(a, pb);
        d_hash(b, pa);
        return 0;
}

bool d_is_ancestor(struct dentry *anc, struct dentry *d)
{
        for (; d; d = d->parent)
                if (d == anc)
                        return true;
        return false;
}

static unsigned d_type_of(mode_t mode)
{
        return (mode & S_IFMT) >> 12;   /* DT_* are S_IFMT >> 12 */
}

void dcache_readdir(struct dentry *dir, uint64_t *pos, d_emit_fn emit, void *ctx)
{
        struct super_block *sb = dir->sb;
        struct dentry *d;

        pthread_mutex_lock(&sb->lock);
        if (*pos == 0) {
                if (!emit(ctx, ".", 1, dir->inode->ino, 4 /* DT_DIR */, 1))
                        goto out;
                *pos = 1;
        }
        if (*pos == 1) {
                struct dentry *p = dir->parent ? dir->parent : dir;

                if (!emit(ctx, "..", 2, p->inode->ino, 4, 2))
                        goto out;
                *pos = 2;
        }
        for (d = dir->first; d; d = d->next) {
                if (d->dir_offset < *pos || !d->inode)
                        continue;
                if (!emit(ctx, d->name, strlen(d->name), d->inode->ino,
                          d_type_of(d->inode->mode), d->dir_offset + 1))
                        break;
                *pos = d->dir_offset + 1;
        }
out:
        pthread_mutex_unlock(&sb->lock);
}
