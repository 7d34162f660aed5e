/*
 * devfs: the sandbox's /dev, a fixed tree built at mount time (the dentry
 * cache is the directory). Character devices open through their struct
 * chrdev; fd, stdin, stdout and stderr are symlinks into /proc/self/fd, ptmx
 * one to pts/ptmx; shm and pts are empty directories for the tmpfs and the
 * devpts the launcher mounts on them.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>

#include "devfs.h"
#include "lib/macro.h"
#include "vfs/libfs.h"

struct devfs_inode {
        struct inode base;
        const struct chrdev *dev;       /* immutable */
};

static int devfs_chr_open(struct inode *inode, unsigned flags, struct file **ret)
{
        const struct chrdev *dev = container_of(inode, struct devfs_inode, base)->dev;

        return dev->open(dev, flags, ret);
}

static const struct inode_ops devfs_chr_inode_ops = {
        .open = devfs_chr_open,
};

static void devfs_free_inode(struct inode *inode)
{
        free(container_of(inode, struct devfs_inode, base));
}

static int add_chrdev(struct dentry *dir, const struct chrdev *dev)
{
        struct devfs_inode *di = calloc(1, sizeof(*di));

        if (!di)
                return -ENOMEM;
        simple_inode_init(&di->base, dir->sb, &devfs_chr_inode_ops, S_IFCHR | dev->mode,
                          devfs_free_inode);
        di->base.rdev = makedev(dev->major, dev->minor);
        di->dev = dev;
        return simple_add(dir, dev->name, &di->base, NULL);
}

static int add_symlink(struct dentry *dir, const char *name, const char *target)
{
        struct inode *inode;
        int r = simple_symlink_new(dir->sb, target, &inode);

        return r < 0 ? r : simple_add(dir, name, inode, NULL);
}

static int devfs_fill(struct dentry *root)
{
        static const struct { const char *name, *target; } links[] = {
                { "fd", "/proc/self/fd" },
                { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" },
                { "stderr", "/proc/self/fd/2" },
                { "ptmx", "pts/ptmx" },         /* devpts's own, as in Docker */
        };
        int r = 0;

        for (size_t i = 0; r == 0 && i < devfs_nr_mem_devices; i++)
                r = add_chrdev(root, &devfs_mem_devices[i]);
        if (r == 0)
                r = add_chrdev(root, &devfs_tty_device);
        for (size_t i = 0; r == 0 && i < ARRAY_SIZE(links); i++)
                r = add_symlink(root, links[i].name, links[i].target);
        if (r == 0)
                r = simple_mkdir(root, "shm", 01777, NULL);
        if (r == 0)
                r = simple_mkdir(root, "pts", 0755, NULL);
        return r;
}

static int devfs_mount(const struct fs_type *type, dev_t dev, const char *options,
                       struct super_block **ret)
{
        struct super_block *sb;
        int r;

        (void)options;
        r = simple_sb_create(type, dev, 0755, &sb);
        if (r < 0)
                return r;
        r = devfs_fill(sb->root);
        if (r < 0) {
                sb_unref(sb);
                return r;
        }
        *ret = sb;
        return 0;
}

static const struct fs_type devfs_type = {
        .name = "devtmpfs",
        .magic = TMPFS_MAGIC,          /* devtmpfs is a tmpfs */
        .mount = devfs_mount,
};

__attribute__((constructor)) static void devfs_register(void)
{
        fs_type_register(&devfs_type);
}
