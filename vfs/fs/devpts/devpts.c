/*
 * devpts: /dev/pts, one instance per mount (Linux's fs/devpts/inode.c
 * with newinstance semantics). Its root holds ptmx (5:2), which makes a new
 * pair (vfs/tty/pty.c), and a node N (136:N) per pair while its master is
 * open. The sandbox's /dev/ptmx is a symlink to pts/ptmx, as in Docker.
 *
 * Locking: devpts->lock guards the index map (a leaf); the nodes are the
 * dentry cache under sb->lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>

#include "lib/macro.h"
#include "vfs/libfs.h"
#include "vfs/tty/tty.h"

#define DEVPTS_MAX        1024         /* pairs at once (Linux: kernel.pty.max) */
#define UNIX98_PTY_SLAVE_MAJOR 136
#define TTYAUX_MAJOR      5

struct devpts {
        struct super_block *sb;         /* immutable, borrowed: the sb owns us */
        pthread_mutex_t lock;
        unsigned char used[DEVPTS_MAX]; /* protected by lock */
};

struct devpts_inode {
        struct inode base;
        struct devpts *pts;             /* immutable: for ptmx */
        struct tty *tty;                /* immutable, a reference: for node N */
};

static struct devpts_inode *to_dinode(struct inode *inode)
{
        return container_of(inode, struct devpts_inode, base);
}

struct super_block *devpts_sb(struct devpts *pts)
{
        return pts->sb;
}

int devpts_new_index(struct devpts *pts, int *ret)
{
        int r = -ENOSPC;

        pthread_mutex_lock(&pts->lock);
        for (int i = 0; i < DEVPTS_MAX; i++) {
                if (!pts->used[i]) {
                        pts->used[i] = 1;
                        *ret = i;
                        r = 0;
                        break;
                }
        }
        pthread_mutex_unlock(&pts->lock);
        return r;
}

void devpts_free_index(struct devpts *pts, int index)
{
        pthread_mutex_lock(&pts->lock);
        pts->used[index] = 0;
        pthread_mutex_unlock(&pts->lock);
}

static void devpts_free_inode(struct inode *inode)
{
        struct devpts_inode *di = to_dinode(inode);

        tty_unref(di->tty);
        free(di);
}

static int ptmx_open(struct inode *inode, unsigned flags, struct file **ret)
{
        return pty_open_master(to_dinode(inode)->pts, flags, ret);
}

static int pts_open(struct inode *inode, unsigned flags, struct file **ret)
{
        return pty_open_slave(to_dinode(inode)->tty, flags, ret);
}

static const struct inode_ops ptmx_inode_ops = { .open = ptmx_open };
static const struct inode_ops pts_inode_ops = { .open = pts_open };

int devpts_add_node(struct devpts *pts, int index, struct tty *tty, struct dentry **ret_d)
{
        struct super_block *sb = pts->sb;
        struct devpts_inode *di = calloc(1, sizeof(*di));
        struct dentry *d;
        char name[16];
        int r;

        if (!di)
                return -ENOMEM;
        simple_inode_init(&di->base, sb, &pts_inode_ops, S_IFCHR | 0620, devpts_free_inode);
        di->base.rdev = makedev(UNIX98_PTY_SLAVE_MAJOR, index);
        di->base.gid = 5;               /* tty, Linux's usual gid= option */
        di->pts = pts;
        di->tty = tty_ref(tty);
        snprintf(name, sizeof(name), "%d", index);
        pthread_mutex_lock(&sb->lock);
        d = d_lookup(sb->root, name);
        if (d && d->inode) {
                r = -EEXIST;            /* cannot happen: the index was free */
        } else if (d) {
                d = dentry_ref(d);      /* a negative entry from a lookup: fill it */
                r = 0;
        } else {
                r = d_alloc(sb->root, name, &d);
        }
        if (r == 0) {
                d_instantiate(d, &di->base);
                d_pin(d);
                *ret_d = d;             /* our reference, as well as the pin */
        }
        pthread_mutex_unlock(&sb->lock);
        if (r < 0)
                inode_unref(&di->base);
        return r;
}

void devpts_remove_node(struct devpts *pts, struct dentry *d)
{
        pthread_mutex_lock(&pts->sb->lock);
        if (d->inode)
                d_delete(d);
        pthread_mutex_unlock(&pts->sb->lock);
        dentry_unref(d);
}

static void devpts_put_super(struct super_block *sb)
{
        struct devpts *pts = sb->fs_info;

        simple_unpin_tree(sb, sb->root);
        pthread_mutex_destroy(&pts->lock);
        free(pts);
}

static int devpts_mount(const struct fs_type *type, dev_t dev, const char *options,
                        struct super_block **ret)
{
        struct devpts_inode *ptmx;
        struct super_block *sb;
        struct devpts *pts;
        int r;

        (void)options;
        r = simple_sb_create(type, dev, 0755, &sb);
        if (r < 0)
                return r;
        pts = calloc(1, sizeof(*pts));
        ptmx = calloc(1, sizeof(*ptmx));
        if (!pts || !ptmx) {
                free(pts);
                free(ptmx);
                sb_unref(sb);
                return -ENOMEM;
        }
        pts->sb = sb;
        pthread_mutex_init(&pts->lock, NULL);
        sb->fs_info = pts;
        sb->put_super = devpts_put_super;
        /* ptmxmode=0666, as container runtimes mount it. */
        simple_inode_init(&ptmx->base, sb, &ptmx_inode_ops, S_IFCHR | 0666, devpts_free_inode);
        ptmx->base.rdev = makedev(TTYAUX_MAJOR, 2);
        ptmx->pts = pts;
        r = simple_add(sb->root, "ptmx", &ptmx->base, NULL);
        if (r < 0) {
                sb_unref(sb);
                return r;
        }
        *ret = sb;
        return 0;
}

static const struct fs_type devpts_type = {
        .name = "devpts",
        .magic = DEVPTS_SUPER_MAGIC,
        .mount = devpts_mount,
};

__attribute__((constructor)) static void devpts_register(void)
{
        fs_type_register(&devpts_type);
}
