/*
 * sysfs, minimal: /sys/devices/system/cpu/{online,possible,present}, a
 * fixed tree built at mount time. The CPU list ("0-1") comes as the mount
 * options, from the launcher's sched_getaffinity at boot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>

#include "lib/macro.h"
#include "vfs/libfs.h"
#include "vfs/seq_file.h"

struct sysfs_attr {
        struct inode base;
        char text[];                    /* immutable: the contents */
};

static void sysfs_free_inode(struct inode *inode)
{
        free(container_of(inode, struct sysfs_attr, base));
}

static int sysfs_attr_open(struct inode *inode, unsigned flags, struct file **ret)
{
        struct seqbuf b = SEQBUF_INIT;

        seqbuf_puts(&b, container_of(inode, struct sysfs_attr, base)->text);
        return seq_file_open(&seq_file_ops, flags, &b, ret);
}

static const struct inode_ops sysfs_attr_inode_ops = {
        .open = sysfs_attr_open,
};

/* A read-only file holding text. Linux sizes attributes at a page. */
static int add_attr(struct dentry *dir, const char *name, const char *text)
{
        size_t len = strlen(text);
        struct sysfs_attr *a = calloc(1, sizeof(*a) + len + 1);

        if (!a)
                return -ENOMEM;
        simple_inode_init(&a->base, dir->sb, &sysfs_attr_inode_ops, S_IFREG | 0444,
                          sysfs_free_inode);
        a->base.size = PAGE_SIZE;
        memcpy(a->text, text, len + 1);
        return simple_add(dir, name, &a->base, NULL);
}

static int sysfs_fill(struct dentry *root, const char *cpus)
{
        static const char *const files[] = { "online", "possible", "present" };
        struct dentry *d = root;
        char *text;
        int r = 0;

        for (const char *const *n = (const char *const[]){ "devices", "system", "cpu", NULL };
             r == 0 && *n; n++)
                r = simple_mkdir(d, *n, 0755, &d);
        if (r < 0)
                return r;
        if (asprintf(&text, "%s\n", cpus) < 0)
                return -ENOMEM;
        for (size_t i = 0; r == 0 && i < ARRAY_SIZE(files); i++)
                r = add_attr(d, files[i], text);
        free(text);
        return r;
}

/* options: "cpus=LIST" (default "0"). */
static int sysfs_mount(const struct fs_type *type, dev_t dev, const char *options,
                       struct super_block **ret)
{
        const char *cpus = "0";
        struct super_block *sb;
        int r;

        if (options && strncmp(options, "cpus=", 5) == 0)
                cpus = options + 5;
        r = simple_sb_create(type, dev, 0555, &sb);
        if (r < 0)
                return r;
        r = sysfs_fill(sb->root, cpus);
        if (r < 0) {
                sb_unref(sb);
                return r;
        }
        *ret = sb;
        return 0;
}

static const struct fs_type sysfs_type = {
        .name = "sysfs",
        .magic = SYSFS_MAGIC,
        .mount = sysfs_mount,
};

__attribute__((constructor)) static void sysfs_register(void)
{
        fs_type_register(&sysfs_type);
}
