/* statfs(2) and fstatfs(2): Linux's statfs_by_dentry() over the fs type's
 * magic and counts, with the f_flags of the mount (ST_VALID, and
 * ST_RELATIME: the only atime policy here). */
#include <errno.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "file.h"
#include "internal.h"

#ifndef ST_RELATIME
#define ST_RELATIME 0x1000
#endif
#define ST_VALID 0x0020                 /* f_flags is meaningful (Linux 2.6.36) */

/* Linux's simple_statfs(): the magic, page-sized blocks, NAME_MAX, and the
 * device as the fsid (u64_to_fsid(huge_encode_dev(dev))). */
static void simple_statfs(long magic, dev_t dev, struct statfs *st)
{
        uint64_t id = (minor(dev) & 0xff) | ((uint64_t)major(dev) << 8) |
                      ((uint64_t)(minor(dev) & ~0xffu) << 12);

        memset(st, 0, sizeof(*st));
        st->f_type = magic;
        st->f_bsize = 4096;
        st->f_namelen = VFS_NAME_MAX;
        st->f_fsid.__val[0] = (int)(uint32_t)id;
        st->f_fsid.__val[1] = (int)(uint32_t)(id >> 32);
}

int vfs_statfs(const struct path *p, struct statfs *ret)
{
        struct super_block *sb = p->dentry->sb;
        const struct fs_type *type = sb->type;

        if (!type->magic)
                return -ENOSYS;
        simple_statfs(type->magic, sb->dev, ret);
        if (type->statfs)
                type->statfs(sb, ret);
        if (ret->f_frsize == 0)
                ret->f_frsize = ret->f_bsize;
        ret->f_flags = ST_VALID | ST_RELATIME;
        return 0;
}

int vfs_fstatfs(struct file *f, struct statfs *ret)
{
        struct stat st;
        long magic;
        int r;

        if (f->path.dentry)
                return vfs_statfs(&f->path, ret);
        r = vfs_stat(f, &st);
        if (r < 0)
                return r;
        /* Kernel-internal mounts: no relatime, no counts. */
        switch (st.st_mode & S_IFMT) {
        case S_IFIFO:
                magic = PIPEFS_MAGIC;
                break;
        case S_IFSOCK:
                magic = SOCKFS_MAGIC;
                break;
        case 0:
                magic = ANON_INODE_FS_MAGIC;
                break;
        default:
                return -ENOSYS;         /* a host passthrough file */
        }
        simple_statfs(magic, 0, ret);
        ret->f_frsize = ret->f_bsize;
        ret->f_flags = ST_VALID;
        return 0;
}
