/* goferfs: the file system type, superblocks over one gofer connection, and
 * inodes made from the nodes the gofer hands out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "goferfs.h"
#include "internal.h"
#include "vfs/libfs.h"

void goferfs_apply_stat(struct inode *inode, const struct gofer_stat *st)
{
        inode->mode = st->mode;
        inode->uid = st->uid;
        inode->gid = st->gid;
        inode->nlink = st->nlink;
        inode->size = (int64_t)st->size;
        inode->blocks = (int64_t)st->blocks;
        inode->atime = (struct timespec){ st->atime.sec, st->atime.nsec };
        inode->mtime = (struct timespec){ st->mtime.sec, st->mtime.nsec };
        inode->ctime = (struct timespec){ st->ctime.sec, st->ctime.nsec };
}

static void goferfs_destroy_inode(struct inode *inode)
{
        struct goferfs_inode *gi = GOFERFS_I(inode);

        gofer_clunk(goferfs_client(inode), &gi->node, 1);
        if (S_ISREG(inode->mode)) {
                /* Nobody else can reach it: eviction only takes pages of
                 * inodes it holds a reference to. */
                (void)goferfs_cache_writeback_locked(gi);
                goferfs_cache_drop(gi);
                mm_mappable_destroy(&gi->map);
        }
        if (gi->rfd >= 0)
                close(gi->rfd);
        if (gi->rfd_kept)
                atomic_fetch_sub(&GOFERFS_SB(inode->sb)->kept_fds, 1);
        strset_free(&gi->negative);
        if (gi->wfd >= 0)
                close(gi->wfd);
        free(gi->target);
        free(gi);
}


int goferfs_new_inode(struct super_block *sb, const struct gofer_entry *e, struct inode **ret)
{
        struct goferfs_inode *gi = calloc(1, sizeof(*gi));
        const struct inode_ops *ops;
        mode_t mode = e->stat.mode;

        if (!gi) {
                gofer_clunk(GOFERFS_SB(sb)->client, &e->node, 1);
                return -ENOMEM;
        }
        switch (mode & S_IFMT) {
        case S_IFDIR:
                ops = &goferfs_dir_inode_ops;
                break;
        case S_IFREG:
                ops = &goferfs_file_inode_ops;
                break;
        case S_IFLNK:
                ops = &goferfs_symlink_inode_ops;
                break;
        default:
                ops = &goferfs_special_inode_ops;
                break;
        }
        /* The host's inode number, under the mount's own device (one gofer
         * serves one host file system: see gofer/README.md). */
        inode_init(&gi->base, sb, ops, mode, NULL, goferfs_destroy_inode);
        gi->base.ino = e->stat.ino;
        gi->node = e->node;
        gi->rfd = gi->wfd = -1;
        goferfs_apply_stat(&gi->base, &e->stat);
        if (S_ISREG(mode)) {
                mm_mappable_init(&gi->map, &goferfs_mappable_ops);
                gi->map.frozen = GOFERFS_SB(sb)->ro;    /* the tree is not changed behind us */
        }
        *ret = &gi->base;
        return 0;
}

/* Keep directories and symlinks (walks cross them again and again) and, up
 * to a budget of gofer nodes, other files. */
static bool goferfs_cache_lookup(struct super_block *sb, struct inode *inode)
{
        struct goferfs_sb *info = GOFERFS_SB(sb);

        if (S_ISDIR(inode->mode) || S_ISLNK(inode->mode))
                return true;
        return atomic_fetch_add(&info->cached, 1) < GOFERFS_CACHED_MAX;
}

static void goferfs_put_super(struct super_block *sb)
{
        struct goferfs_sb *info = GOFERFS_SB(sb);

        if (sb->root) {
                simple_unpin_tree(sb, sb->root);
                sb->root = dentry_unref(sb->root);
        }
        gofer_client_free(info->client);
        pthread_mutex_destroy(&info->cache_lock);
        free(info);
}

/* "ro" or "rw", and "cache_pages=N" (the page cache's budget, N > 0). */
static int parse_options(const char *options, bool *ro, uint64_t *cache_max)
{
        _cleanup_free_ char *copy = NULL;
        char *save = NULL;

        *ro = false;
        *cache_max = GOFERFS_CACHE_PAGES_DEFAULT;
        if (!options || !*options)
                return 0;
        copy = strdup(options);
        if (!copy)
                return -ENOMEM;
        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                if (strcmp(o, "ro") == 0)
                        *ro = true;
                else if (strncmp(o, "cache_pages=", 12) == 0) {
                        char *end;

                        errno = 0;
                        *cache_max = strtoull(o + 12, &end, 10);
                        if (errno || end == o + 12 || *end || *cache_max == 0)
                                return -EINVAL;
                } else if (strcmp(o, "rw") != 0)
                        return -EINVAL;
        }
        return 0;
}

static int goferfs_mount_data(const struct fs_type *type, dev_t dev, const char *options,
                              const void *data, struct super_block **ret)
{
        const struct goferfs_mount_data *md = data;
        struct goferfs_sb *info;
        struct gofer_entry root;
        struct super_block *sb;
        struct inode *inode;
        uint64_t cache_max;
        bool ro;
        int r;

        if (!md || !md->client)
                return -EINVAL;
        r = parse_options(options, &ro, &cache_max);
        if (r < 0)
                return r;
        r = gofer_attach(md->client, &root);
        if (r < 0)
                return r;
        if (!S_ISDIR(root.stat.mode)) {
                gofer_clunk(md->client, &root.node, 1);
                return -ENOTDIR;
        }
        info = calloc(1, sizeof(*info));
        r = info ? sb_create(type, dev, &sb) : -ENOMEM;
        if (r < 0) {
                free(info);
                gofer_clunk(md->client, &root.node, 1);
                return r;
        }
        info->client = md->client;
        info->ro = ro;
        goferfs_cache_init(info, cache_max);
        sb->fs_info = info;
        sb->cache_lookup = goferfs_cache_lookup;
        r = goferfs_new_inode(sb, &root, &inode);
        if (r == 0) {
                sb->root = d_make_root(sb, inode);
                if (!sb->root)
                        r = -ENOMEM;
        }
        if (r < 0) {
                info->client = NULL;    /* still the caller's */
                sb->put_super = goferfs_put_super;
                sb_unref(sb);
                return r;
        }
        sb->put_super = goferfs_put_super;
        *ret = sb;
        return 0;
}

/* The host file system's counts, asked of the gofer. */
static void goferfs_statfs(struct super_block *sb, struct statfs *ret)
{
        struct gofer_statfs st;

        if (gofer_statfs(GOFERFS_SB(sb)->client, GOFERFS_I(sb->root->inode)->node, &st) < 0)
                return;
        ret->f_bsize = (long)st.bsize;
        ret->f_frsize = (long)st.frsize;
        ret->f_blocks = st.blocks;
        ret->f_bfree = st.bfree;
        ret->f_bavail = st.bavail;
        ret->f_files = st.files;
        ret->f_ffree = st.ffree;
        ret->f_namelen = (long)st.namelen;
}

static const struct fs_type goferfs_type = {
        .name = "goferfs",
        .magic = 0x01021997,    /* V9FS_MAGIC, as gVisor reports gofer mounts */
        .statfs = goferfs_statfs,
        .mount_data = goferfs_mount_data,
};

static void __attribute__((constructor)) goferfs_register(void)
{
        fs_type_register(&goferfs_type);
}
