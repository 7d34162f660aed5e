/* procfs: the "proc" file system type, mounted with struct procfs_mount_data. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>

#include "internal.h"

static const struct proc_entry proc_root_entry = { "/", S_IFDIR | 0555, .dir = &proc_root_dir };

static void procfs_put_super(struct super_block *sb)
{
        struct procfs_info *info = sb->fs_info;

        procfs_source_unref(info->source);
        free(info->cpuinfo);
        free(info);
}

static int procfs_mount(const struct fs_type *type, dev_t dev, const char *options,
                        const void *data, struct super_block **ret)
{
        const struct procfs_mount_data *md = data;
        struct procfs_info *info;
        struct super_block *sb;
        struct inode *root;
        struct proc_ctx ctx;
        int r;

        (void)options;
        if (!md || !md->source)
                return -EINVAL;
        info = calloc(1, sizeof(*info));
        if (!info)
                return -ENOMEM;
        if (md->cpuinfo && !(info->cpuinfo = strdup(md->cpuinfo))) {
                free(info);
                return -ENOMEM;
        }
        info->ncpus = md->ncpus;
        info->source = procfs_source_ref(md->source);
        r = sb_create(type, dev, &sb);
        if (r < 0) {
                procfs_source_unref(info->source);
                free(info->cpuinfo);
                free(info);
                return r;
        }
        sb->fs_info = info;
        sb->put_super = procfs_put_super;
        ctx = (struct proc_ctx){ .info = info };
        r = proc_inode_new(sb, &proc_root_entry, &ctx, &root);
        if (r < 0)
                goto fail;
        sb->root = d_make_root(sb, root);
        if (!sb->root) {
                r = -ENOMEM;
                goto fail;
        }
        *ret = sb;
        return 0;
fail:
        sb_unref(sb);
        return r;
}

static const struct fs_type procfs_type = {
        .name = "proc",
        .magic = PROC_SUPER_MAGIC,
        .mount_data = procfs_mount,
};

__attribute__((constructor)) static void procfs_register(void)
{
        fs_type_register(&procfs_type);
}
