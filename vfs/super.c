/* Superblocks and the registry of file system types. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfs.h"

#define FS_TYPES_MAX 16

/* Written only by constructors before main, read-only after. */
static const struct fs_type *fs_types[FS_TYPES_MAX];
static int nr_fs_types;

void fs_type_register(const struct fs_type *type)
{
        if (nr_fs_types < FS_TYPES_MAX)
                fs_types[nr_fs_types++] = type;
}

const struct fs_type *fs_type_find(const char *name)
{
        for (int i = 0; i < nr_fs_types; i++)
                if (strcmp(fs_types[i]->name, name) == 0)
                        return fs_types[i];
        return NULL;
}

const struct fs_type *fs_type_nth(int i)
{
        return i >= 0 && i < nr_fs_types ? fs_types[i] : NULL;
}

int sb_create(const struct fs_type *type, dev_t dev, struct super_block **ret)
{
        struct super_block *sb = calloc(1, sizeof(*sb));

        if (!sb)
                return -ENOMEM;
        atomic_init(&sb->refcount, 1);
        sb->type = type;
        sb->dev = dev;
        pthread_mutex_init(&sb->lock, NULL);
        atomic_init(&sb->next_ino, 1);
        *ret = sb;
        return 0;
}

struct super_block *sb_ref(struct super_block *sb)
{
        atomic_fetch_add_explicit(&sb->refcount, 1, memory_order_relaxed);
        return sb;
}

struct super_block *sb_unref(struct super_block *sb)
{
        if (!sb || atomic_fetch_sub_explicit(&sb->refcount, 1, memory_order_acq_rel) != 1)
                return NULL;
        /* The fs drops what it pins (tmpfs: every linked dentry), then the root. */
        if (sb->put_super)
                sb->put_super(sb);
        dentry_unref(sb->root);
        pthread_mutex_destroy(&sb->lock);
        free(sb);
        return NULL;
}

uint64_t sb_next_ino(struct super_block *sb)
{
        return atomic_fetch_add(&sb->next_ino, 1);
}
