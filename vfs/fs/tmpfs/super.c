/* tmpfs: the file system type, superblocks (options, the memory file and
 * the size budget) and inodes. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>

#include "tmpfs.h"

static void tmpfs_destroy_inode(struct inode *inode)
{
        struct tmpfs_inode *ti = TMPFS_I(inode);

        if (S_ISREG(inode->mode)) {
                tmpfs_truncate_locked(ti, 0);
                mm_mappable_destroy(&ti->map);
        }
        tmpfs_xattrs_destroy(ti);
        free(ti->target);
        free(ti);
}

int tmpfs_new_inode(struct super_block *sb, mode_t mode, const struct vfs_cred *c,
                    struct inode **ret)
{
        struct tmpfs_inode *ti = calloc(1, sizeof(*ti));
        const struct inode_ops *ops;

        if (!ti)
                return -ENOMEM;
        switch (mode & S_IFMT) {
        case S_IFDIR:
                ops = &tmpfs_dir_inode_ops;
                break;
        case S_IFREG:
                ops = &tmpfs_file_inode_ops;
                break;
        case S_IFLNK:
                ops = &tmpfs_symlink_inode_ops;
                break;
        default:
                ops = &tmpfs_special_inode_ops;
                break;
        }
        inode_init(&ti->base, sb, ops, mode, c, tmpfs_destroy_inode);
        ti->pages = RB_ROOT;
        if (S_ISREG(mode))
                mm_mappable_init(&ti->map, &tmpfs_mappable_ops);
        if (S_ISDIR(mode)) {
                ti->base.nlink = 2;
                ti->base.size = 2 * BOGO_DIRENT_SIZE;
        }
        *ret = &ti->base;
        return 0;
}

/* Drop the pins of every linked dentry below d (unmount: Linux's
 * d_genocide), deepest first. */
static void tmpfs_unpin_tree(struct super_block *sb, struct dentry *d)
{
        for (;;) {
                struct dentry *c;

                pthread_mutex_lock(&sb->lock);
                c = d->first;
                if (c)
                        dentry_ref(c);
                pthread_mutex_unlock(&sb->lock);
                if (!c)
                        return;
                tmpfs_unpin_tree(sb, c);
                pthread_mutex_lock(&sb->lock);
                d_delete(c);            /* we hold a reference: never frees */
                pthread_mutex_unlock(&sb->lock);
                dentry_unref(c);
        }
}

/* A tmpfs mounted in a namespace without a memory file (unit tests, early
 * boot) keeps its data in a memory file of its own, this big (sparse). */
#define TMPFS_OWN_MEMFILE_SIZE (2ULL << 30)
/* Linux's default size=: half of RAM; here half of the memory file. */
#define TMPFS_DEFAULT_PERCENT 50

static void tmpfs_put_super(struct super_block *sb)
{
        struct tmpfs_sb *info = TMPFS_SB(sb);

        /* Every inode goes before the memory file its data is in (open
         * files hold the superblock, so none is left). */
        if (sb->root) {
                tmpfs_unpin_tree(sb, sb->root);
                sb->root = dentry_unref(sb->root);
        }
        if (info->own_mf)
                memfile_destroy(info->own_mf);
        pthread_mutex_destroy(&info->lock);
        free(info);
}

int tmpfs_memfile(struct super_block *sb, struct memfile **ret)
{
        struct tmpfs_sb *info = TMPFS_SB(sb);
        int r = 0;

        if (sb->mf) {
                *ret = sb->mf;
                return 0;
        }
        pthread_mutex_lock(&info->lock);
        if (!info->own_mf)
                r = memfile_create(TMPFS_OWN_MEMFILE_SIZE, &info->own_mf);
        if (r == 0)
                *ret = info->own_mf;
        pthread_mutex_unlock(&info->lock);
        return r < 0 ? -ENOMEM : 0;
}

uint64_t tmpfs_max_pages(struct super_block *sb)
{
        struct tmpfs_sb *info = TMPFS_SB(sb);
        uint64_t total;

        if (info->max_pages)
                return info->max_pages;
        total = sb->mf ? memfile_size(sb->mf) : TMPFS_OWN_MEMFILE_SIZE;
        return MAX(total / PAGE_SIZE / 100 * info->size_percent, 1);
}

int tmpfs_charge(struct super_block *sb, uint64_t n)
{
        struct tmpfs_sb *info = TMPFS_SB(sb);
        uint64_t max = tmpfs_max_pages(sb);
        int r = 0;

        pthread_mutex_lock(&info->lock);
        if (info->used_pages + n > max)
                r = -ENOSPC;
        else
                info->used_pages += n;
        pthread_mutex_unlock(&info->lock);
        return r;
}

void tmpfs_uncharge(struct super_block *sb, uint64_t n)
{
        struct tmpfs_sb *info = TMPFS_SB(sb);

        pthread_mutex_lock(&info->lock);
        info->used_pages -= n;
        pthread_mutex_unlock(&info->lock);
}

/* size=BYTES[kKmMgGtT] or size=PERCENT%, as Linux's shmem_parse_one(): the
 * size is rounded up to pages; 0 is refused here (Linux: unlimited, which a
 * memory file cannot be). */
static int parse_size(const char *v, struct tmpfs_sb *info)
{
        char *end;
        uint64_t n, mul = 1;

        errno = 0;
        n = strtoull(v, &end, 10);
        if (errno || end == v || n == 0)
                return -EINVAL;
        if (*end == '%') {
                if (end[1] || n > 100)
                        return -EINVAL;
                info->size_percent = (unsigned)n;
                info->max_pages = 0;
                return 0;
        }
        switch (*end) {
        case 'k': case 'K': mul = 1ULL << 10; end++; break;
        case 'm': case 'M': mul = 1ULL << 20; end++; break;
        case 'g': case 'G': mul = 1ULL << 30; end++; break;
        case 't': case 'T': mul = 1ULL << 40; end++; break;
        case '\0': break;
        default: return -EINVAL;
        }
        if (*end || n > UINT64_MAX / mul - PAGE_SIZE)
                return -EINVAL;
        info->max_pages = (n * mul + PAGE_SIZE - 1) / PAGE_SIZE;
        return 0;
}

/* mode=OCTAL and size=..., comma separated (getsubopt); anything else is
 * -EINVAL, as Linux's tmpfs. */
static int parse_options(const char *options, mode_t *mode, struct tmpfs_sb *info)
{
        enum { OPT_MODE, OPT_SIZE };
        static char *const tokens[] = { [OPT_MODE] = "mode", [OPT_SIZE] = "size", NULL };
        char *copy, *p, *value;
        int r = 0;

        if (!options || !*options)
                return 0;
        copy = strdup(options);
        if (!copy)
                return -ENOMEM;
        p = copy;
        while (*p && r == 0) {
                char *end;

                switch (getsubopt(&p, tokens, &value)) {
                case OPT_MODE:
                        if (!value) {
                                r = -EINVAL;
                                break;
                        }
                        *mode = (mode_t)strtoul(value, &end, 8) & 07777;
                        if (end == value || *end)
                                r = -EINVAL;
                        break;
                case OPT_SIZE:
                        r = value ? parse_size(value, info) : -EINVAL;
                        break;
                default:
                        r = -EINVAL;
                        break;
                }
        }
        free(copy);
        return r;
}

static int tmpfs_mount(const struct fs_type *type, dev_t dev, const char *options,
                       struct super_block **ret)
{
        struct tmpfs_sb *info;
        struct super_block *sb;
        struct inode *root;
        int r;

        mode_t mode = 01777;

        info = calloc(1, sizeof(*info));
        if (!info)
                return -ENOMEM;
        info->size_percent = TMPFS_DEFAULT_PERCENT;
        r = parse_options(options, &mode, info);
        if (r < 0) {
                free(info);
                return r;
        }
        pthread_mutex_init(&info->lock, NULL);
        r = sb_create(type, dev, &sb);
        if (r < 0) {
                pthread_mutex_destroy(&info->lock);
                free(info);
                return r;
        }
        sb->fs_info = info;
        sb->put_super = tmpfs_put_super;
        r = tmpfs_new_inode(sb, S_IFDIR | mode, NULL, &root);
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

/* shmem_statfs(): the size= budget in pages; no inode limit here, so the
 * inode counts stay 0. */
static void tmpfs_statfs(struct super_block *sb, struct statfs *ret)
{
        struct tmpfs_sb *info = TMPFS_SB(sb);
        uint64_t max = tmpfs_max_pages(sb);

        pthread_mutex_lock(&info->lock);
        ret->f_blocks = max;
        ret->f_bfree = ret->f_bavail = max - info->used_pages;
        pthread_mutex_unlock(&info->lock);
}

static const struct fs_type tmpfs_type = {
        .name = "tmpfs",
        .magic = TMPFS_MAGIC,
        .statfs = tmpfs_statfs,
        .mount = tmpfs_mount,
};

__attribute__((constructor)) static void tmpfs_register(void)
{
        fs_type_register(&tmpfs_type);
}
