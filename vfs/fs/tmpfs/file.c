/* tmpfs regular files: sparse pages in a red-black tree by index, each a
 * page of the memory file; a missing page reads as zeroes. Data is protected
 * by inode->lock. Every page counts against the superblock's size= budget
 * (-ENOSPC). Symlinks and special files are here too (their inode ops are
 * small). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "tmpfs.h"

struct tmpfs_page *tmpfs_page_find(struct tmpfs_inode *ti, uint64_t index)
{
        struct rb_node *n = ti->pages.rb_node;

        while (n) {
                struct tmpfs_page *pg = rb_entry(n, struct tmpfs_page, node);

                if (index == pg->index)
                        return pg;
                n = index < pg->index ? n->rb_left : n->rb_right;
        }
        return NULL;
}

struct tmpfs_page *tmpfs_page_find_ge(struct tmpfs_inode *ti, uint64_t index)
{
        struct rb_node *n = ti->pages.rb_node;
        struct tmpfs_page *best = NULL;

        while (n) {
                struct tmpfs_page *pg = rb_entry(n, struct tmpfs_page, node);

                if (pg->index >= index) {
                        best = pg;
                        n = n->rb_left;
                } else {
                        n = n->rb_right;
                }
        }
        return best;
}

void *tmpfs_page_data(struct tmpfs_inode *ti, const struct tmpfs_page *pg)
{
        return memfile_addr(ti->mf, pg->off);
}

/* Memory-file space for a new page at index: right after the previous
 * page's when free, so a file written in order is contiguous (one PMA
 * when mapped). */
static int page_alloc_off(struct tmpfs_inode *ti, struct rb_node *parent, uint64_t index,
                          uint64_t *ret_off)
{
        struct tmpfs_page *prev = NULL;

        if (parent) {
                struct tmpfs_page *pp = rb_entry(parent, struct tmpfs_page, node);
                struct rb_node *n = pp->index < index ? parent : rb_prev(parent);

                prev = n ? rb_entry(n, struct tmpfs_page, node) : NULL;
        }
        if (prev && prev->index == index - 1 &&
            memfile_alloc_at(ti->mf, prev->off + PAGE_SIZE, PAGE_SIZE) == 0) {
                *ret_off = prev->off + PAGE_SIZE;
                return 0;
        }
        return memfile_alloc(ti->mf, PAGE_SIZE, ret_off);
}

/* Count n new pages in the file (inode->lock held). */
static void pages_added(struct tmpfs_inode *ti, uint64_t n)
{
        ti->nr_pages += n;
        ti->base.blocks = (int64_t)ti->nr_pages * (PAGE_SIZE / 512);
}

int tmpfs_page_get(struct tmpfs_inode *ti, uint64_t index, struct tmpfs_page **ret)
{
        struct rb_node **link = &ti->pages.rb_node, *parent = NULL;
        struct super_block *sb = ti->base.sb;
        struct tmpfs_page *pg;
        int r;

        while (*link) {
                parent = *link;
                pg = rb_entry(parent, struct tmpfs_page, node);
                if (index == pg->index) {
                        *ret = pg;
                        return 0;
                }
                link = index < pg->index ? &parent->rb_left : &parent->rb_right;
        }
        if (!ti->mf) {
                r = tmpfs_memfile(sb, &ti->mf);
                if (r < 0)
                        return r;
        }
        pg = calloc(1, sizeof(*pg));
        if (!pg)
                return -ENOMEM;
        r = tmpfs_charge(sb, 1);
        if (r < 0)
                goto free_pg;
        r = page_alloc_off(ti, parent, index, &pg->off);
        if (r < 0) {
                r = -ENOSPC;            /* the memory file is full: as a full tmpfs */
                goto uncharge;
        }
        memfile_populate(ti->mf, pg->off, PAGE_SIZE);   /* it is about to be written */
        pg->index = index;
        rb_link_node(&pg->node, parent, link);
        rb_insert_color(&pg->node, &ti->pages);
        pages_added(ti, 1);
        *ret = pg;
        return 0;

uncharge:
        tmpfs_uncharge(sb, 1);
free_pg:
        free(pg);
        return r;
}

/* Link a new page (its index not in the tree) into ti->pages. */
static void page_link(struct tmpfs_inode *ti, struct tmpfs_page *pg)
{
        struct rb_node **link = &ti->pages.rb_node, *parent = NULL;

        while (*link) {
                parent = *link;
                link = pg->index < rb_entry(parent, struct tmpfs_page, node)->index
                               ? &parent->rb_left : &parent->rb_right;
        }
        rb_link_node(&pg->node, parent, link);
        rb_insert_color(&pg->node, &ti->pages);
}

/* n missing pages from index on (none of them in the file): charged at
 * once, one contiguous memory-file range (right after the previous page's
 * when free). -ENOSPC, -ENOMEM. */
static int fill_run(struct tmpfs_inode *ti, uint64_t index, uint64_t n)
{
        struct super_block *sb = ti->base.sb;
        struct tmpfs_page *prev = index ? tmpfs_page_find(ti, index - 1) : NULL;
        struct tmpfs_page **pgs;
        uint64_t off, i;
        int r = -ENOMEM;

        pgs = calloc(n, sizeof(*pgs));
        if (!pgs)
                return -ENOMEM;
        for (i = 0; i < n; i++)
                if (!(pgs[i] = calloc(1, sizeof(**pgs))))
                        goto free_pgs;
        r = tmpfs_charge(sb, n);
        if (r < 0)
                goto free_pgs;
        if (prev && memfile_alloc_at(ti->mf, prev->off + PAGE_SIZE, n * PAGE_SIZE) == 0) {
                off = prev->off + PAGE_SIZE;
        } else if (memfile_alloc(ti->mf, n * PAGE_SIZE, &off) < 0) {
                tmpfs_uncharge(sb, n);
                r = -ENOSPC;
                goto free_pgs;
        }
        for (i = 0; i < n; i++) {
                pgs[i]->index = index + i;
                pgs[i]->off = off + i * PAGE_SIZE;
                page_link(ti, pgs[i]);
        }
        pages_added(ti, n);
        free(pgs);
        return 0;

free_pgs:
        for (i = 0; i < n; i++)
                free(pgs[i]);
        free(pgs);
        return r;
}

void tmpfs_pages_prefill(struct tmpfs_inode *ti, uint64_t first, uint64_t count)
{
        uint64_t i = first, end = first + count;

        if (!ti->mf && tmpfs_memfile(ti->base.sb, &ti->mf) < 0)
                return;
        while (i < end) {
                struct tmpfs_page *pg = tmpfs_page_find_ge(ti, i);
                struct rb_node *n;

                /* Skip the pages already there. */
                while (pg && pg->index == i && i < end) {
                        i++;
                        n = rb_next(&pg->node);
                        pg = n ? rb_entry(n, struct tmpfs_page, node) : NULL;
                }
                if (i >= end)
                        return;
                uint64_t stop = pg ? MIN(pg->index, end) : end;

                if (fill_run(ti, i, stop - i) < 0)
                        return;
                i = stop;
        }
}

void tmpfs_page_drop(struct tmpfs_inode *ti, struct tmpfs_page *pg)
{
        rb_erase(&pg->node, &ti->pages);
        memfile_unref(ti->mf, pg->off, PAGE_SIZE);
        free(pg);
        ti->nr_pages--;
        ti->base.blocks = (int64_t)ti->nr_pages * (PAGE_SIZE / 512);
        tmpfs_uncharge(ti->base.sb, 1);
}

void tmpfs_truncate_locked(struct tmpfs_inode *ti, int64_t size)
{
        uint64_t first = ((uint64_t)size + PAGE_SIZE - 1) / PAGE_SIZE, dropped = 0;
        struct tmpfs_page *pg;

        /* Zero the tail of the last partial page: growing again reads zeroes
         * (and so does a mapping of it, past the end, as on Linux). */
        if (size % PAGE_SIZE && (pg = tmpfs_page_find(ti, (uint64_t)size / PAGE_SIZE)))
                memset((char *)tmpfs_page_data(ti, pg) + size % PAGE_SIZE, 0,
                       PAGE_SIZE - size % PAGE_SIZE);
        uint64_t run_off = 0, run_len = 0;

        /* Pages in index order; runs of them contiguous in the memory file
         * (as writes allocate them) go back in one call: one hole punched,
         * one TLB flush, not one per page. Mappings may hold pages a while
         * longer (their own references); the last one frees them. */
        while ((pg = tmpfs_page_find_ge(ti, first))) {
                rb_erase(&pg->node, &ti->pages);
                if (run_len && pg->off == run_off + run_len) {
                        run_len += PAGE_SIZE;
                } else {
                        if (run_len)
                                memfile_unref(ti->mf, run_off, run_len);
                        run_off = pg->off;
                        run_len = PAGE_SIZE;
                }
                free(pg);
                ti->nr_pages--;
                dropped++;
        }
        if (run_len)
                memfile_unref(ti->mf, run_off, run_len);
        if (dropped)
                tmpfs_uncharge(ti->base.sb, dropped);
        ti->base.size = size;
        ti->base.blocks = (int64_t)ti->nr_pages * (PAGE_SIZE / 512);
}

static ssize_t tmpfs_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct inode *inode = file_inode(f);
        struct tmpfs_inode *ti = TMPFS_I(inode);
        struct iov_cursor c;
        size_t done = 0, want;
        uint64_t off = (uint64_t)*pos;

        iov_cursor_init(&c, dst);
        pthread_mutex_lock(&inode->lock);
        if ((int64_t)off >= inode->size) {
                pthread_mutex_unlock(&inode->lock);
                goto out;
        }
        want = MIN(dst->count, (uint64_t)inode->size - off);
        while (done < want) {
                uint64_t in = (off + done) % PAGE_SIZE;
                size_t n = MIN(want - done, PAGE_SIZE - in);
                struct tmpfs_page *pg = tmpfs_page_find(ti, (off + done) / PAGE_SIZE), *p;
                ssize_t moved;

                if (!pg) {
                        moved = (ssize_t)iov_cursor_zero(&c, n);
                } else {
                        /* A run of pages contiguous in the memory file, read
                         * by the host kernel (see tmpfs_write). */
                        for (p = pg; done + n < want;) {
                                struct rb_node *nx = rb_next(&p->node);
                                struct tmpfs_page *q =
                                        nx ? rb_entry(nx, struct tmpfs_page, node) : NULL;

                                if (!q || q->index != p->index + 1 ||
                                    q->off != p->off + PAGE_SIZE)
                                        break;
                                n += MIN(want - done - n, PAGE_SIZE);
                                p = q;
                        }
                        moved = iov_cursor_pread(&c, memfile_fd(ti->mf),
                                                 (int64_t)(pg->off + in), n);
                        if (moved < 0)
                                break;
                }
                done += (size_t)moved;
                if ((size_t)moved < n)
                        break;
        }
        pthread_mutex_unlock(&inode->lock);
        *pos += (int64_t)done;
out:
        if (dst->count)
                inode_touch_atime(inode);
        return (ssize_t)done;
}

static ssize_t tmpfs_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        struct inode *inode = file_inode(f);
        struct tmpfs_inode *ti = TMPFS_I(inode);
        struct iov_cursor c;
        size_t done = 0, want = src->count;
        uint64_t off;
        int r = 0;

        iov_cursor_init(&c, src);
        pthread_mutex_lock(&inode->lock);
        if (file_write_appends(f, src))
                *pos = inode->size;
        off = (uint64_t)*pos;
        if (want == 0) {
                pthread_mutex_unlock(&inode->lock);
                return 0;
        }
        if (off >= (uint64_t)VFS_MAX_FILESIZE) {
                pthread_mutex_unlock(&inode->lock);
                return -EFBIG;
        }
        want = MIN(want, (uint64_t)VFS_MAX_FILESIZE - off);
        want = tmpfs_seal_write_len(ti, off, want, &r);
        if (!want) {
                pthread_mutex_unlock(&inode->lock);
                return r;
        }
        /* Pages are allocated ahead in runs of up to TMPFS_PREFILL_PAGES,
         * then filled by the host kernel (pwritev into the memory file), a
         * run of pages contiguous in the memory file at a time: the sentry
         * never touches the new pages through its own mapping, where each
         * first touch would be a page fault (what makes a write to tmpfs
         * cost more than on Linux, whose kernel copies into its page cache
         * directly). */
        uint64_t filled_to = off / PAGE_SIZE, last = (off + want - 1) / PAGE_SIZE;

        while (done < want) {
                uint64_t in = (off + done) % PAGE_SIZE, index = (off + done) / PAGE_SIZE;
                size_t n = MIN(want - done, PAGE_SIZE - in);
                struct tmpfs_page *pg, *p;
                ssize_t moved;

                if (index >= filled_to) {
                        uint64_t count = MIN(last - index + 1, TMPFS_PREFILL_PAGES);

                        tmpfs_pages_prefill(ti, index, count);
                        filled_to = index + count;
                }
                r = tmpfs_page_get(ti, index, &pg);
                if (r < 0)
                        break;
                /* Extend over the next pages while they follow in the file. */
                for (p = pg; done + n < want;) {
                        struct rb_node *nx = rb_next(&p->node);
                        struct tmpfs_page *q = nx ? rb_entry(nx, struct tmpfs_page, node) : NULL;

                        if (!q || q->index != p->index + 1 || q->off != p->off + PAGE_SIZE)
                                break;
                        n += MIN(want - done - n, PAGE_SIZE);
                        p = q;
                }
                moved = iov_cursor_pwrite(&c, memfile_fd(ti->mf), (int64_t)(pg->off + in), n);
                if (moved < 0) {
                        r = (int)moved;
                        break;
                }
                done += (size_t)moved;
                if ((size_t)moved < n)
                        break;
        }
        if (done) {
                if ((int64_t)(off + done) > inode->size)
                        inode->size = (int64_t)(off + done);
                vfs_now(&inode->mtime);
                inode->ctime = inode->mtime;
        }
        pthread_mutex_unlock(&inode->lock);
        if (!done)
                return r < 0 ? r : -EFAULT;
        *pos += (int64_t)done;
        return (ssize_t)done;
}

/* SEEK_DATA and SEEK_HOLE with page granularity, as tmpfs. inode->lock held. */
static int64_t seek_data_hole(struct tmpfs_inode *ti, int64_t offset, bool data)
{
        int64_t size = ti->base.size;
        uint64_t index = (uint64_t)offset / PAGE_SIZE;

        if (offset >= size)
                return -ENXIO;
        if (data) {
                struct tmpfs_page *pg = tmpfs_page_find_ge(ti, index);
                int64_t start;

                if (!pg)
                        return -ENXIO;
                start = (int64_t)(pg->index * PAGE_SIZE);
                start = MAX(start, offset);
                return start < size ? start : -ENXIO;
        }
        while (tmpfs_page_find(ti, index))
                index++;
        return MIN(MAX((int64_t)(index * PAGE_SIZE), offset), size);
}

static int64_t tmpfs_llseek(struct file *f, int64_t offset, int whence)
{
        struct inode *inode = file_inode(f);
        int64_t r;

        pthread_mutex_lock(&f->pos_lock);
        pthread_mutex_lock(&inode->lock);
        switch (whence) {
        case SEEK_SET:
                r = offset;
                break;
        case SEEK_CUR:
                r = __builtin_add_overflow(f->pos, offset, &r) ? -1 : r;
                break;
        case SEEK_END:
                r = __builtin_add_overflow(inode->size, offset, &r) ? -1 : r;
                break;
        case SEEK_DATA:
        case SEEK_HOLE:
                r = offset < 0 ? -ENXIO : seek_data_hole(TMPFS_I(inode), offset, whence == SEEK_DATA);
                if (r == -ENXIO)
                        goto out;
                break;
        default:
                r = -EINVAL;
                goto out;
        }
        if (r < 0)
                r = -EINVAL;
        else
                f->pos = r;
out:
        pthread_mutex_unlock(&inode->lock);
        pthread_mutex_unlock(&f->pos_lock);
        return r;
}

/* ---- mmap: the file's pages, as they are ------------------------------------ */

static struct tmpfs_inode *map_inode(struct mm_mappable *m)
{
        return container_of(m, struct tmpfs_inode, map);
}

static void tmpfs_map_ref(struct mm_mappable *m)
{
        inode_ref(&map_inode(m)->base);
}

static void tmpfs_map_unref(struct mm_mappable *m)
{
        inode_unref(&map_inode(m)->base);
}

static int tmpfs_map_get_page(struct mm_mappable *m, struct memfile *mf, uint64_t pgoff,
                              bool alloc, uint64_t *ret_off)
{
        struct tmpfs_inode *ti = map_inode(m);
        struct tmpfs_page *pg;
        struct memfile *own;
        int r;

        pthread_mutex_lock(&ti->base.lock);
        r = -ENXIO;
        if (pgoff >= (uint64_t)ti->base.size)
                goto out;
        own = ti->mf;
        if (!own) {
                r = tmpfs_memfile(ti->base.sb, &own);
                if (r < 0)
                        goto out;
        }
        r = -ENODEV;
        if (own != mf)
                goto out;
        pg = tmpfs_page_find(ti, pgoff / PAGE_SIZE);
        r = -ENOENT;
        if (!pg && !alloc)
                goto out;
        if (!pg) {
                r = tmpfs_page_get(ti, pgoff / PAGE_SIZE, &pg);
                if (r < 0)
                        goto out;
        }
        r = memfile_ref(mf, pg->off, PAGE_SIZE);
        if (r == 0)
                *ret_off = pg->off;
out:
        pthread_mutex_unlock(&ti->base.lock);
        return r;
}

static int tmpfs_map_read(struct mm_mappable *m, uint64_t pgoff, void *dst)
{
        struct tmpfs_inode *ti = map_inode(m);
        struct tmpfs_page *pg;
        int r = -ENXIO;

        pthread_mutex_lock(&ti->base.lock);
        if (pgoff < (uint64_t)ti->base.size) {
                pg = tmpfs_page_find(ti, pgoff / PAGE_SIZE);
                if (pg)
                        memcpy(dst, tmpfs_page_data(ti, pg), PAGE_SIZE);
                else
                        memset(dst, 0, PAGE_SIZE);
                r = 0;
        }
        pthread_mutex_unlock(&ti->base.lock);
        return r;
}

const struct mm_mappable_ops tmpfs_mappable_ops = {
        .ref = tmpfs_map_ref,
        .unref = tmpfs_map_unref,
        .get_page = tmpfs_map_get_page,
        .read = tmpfs_map_read,
};

static int tmpfs_mmap(struct file *f, struct mm_mappable **ret)
{
        *ret = &TMPFS_I(file_inode(f))->map;
        return 0;
}

const struct file_ops tmpfs_file_ops = {
        .read = tmpfs_read,
        .write = tmpfs_write,
        .llseek = tmpfs_llseek,
        .mmap = tmpfs_mmap,
        .fallocate = tmpfs_fallocate,
        .fsync = noop_fsync,
};

int tmpfs_setattr(struct inode *inode, const struct iattr *ia)
{
        int r;

        pthread_mutex_lock(&inode->lock);
        r = tmpfs_seal_setattr(TMPFS_I(inode), ia);
        pthread_mutex_unlock(&inode->lock);
        if (r < 0)
                return r;
        if (ia->valid & ATTR_SIZE) {
                if (!S_ISREG(inode->mode))
                        return -EINVAL;
                bool shrunk;

                pthread_mutex_lock(&inode->lock);
                shrunk = ia->size < inode->size;
                if (ia->size != inode->size) {
                        tmpfs_truncate_locked(TMPFS_I(inode), ia->size);
                        vfs_now(&inode->mtime);
                        inode->ctime = inode->mtime;
                }
                pthread_mutex_unlock(&inode->lock);
                /* Mappings lose the pages past the new end (SIGBUS there). */
                if (shrunk)
                        mm_mappable_unmap_from(&TMPFS_I(inode)->map, (uint64_t)ia->size);
        }
        setattr_copy(inode, ia);
        return 0;
}

static int tmpfs_file_open(struct inode *inode, unsigned flags, struct file **ret)
{
        (void)inode;
        return file_new(&tmpfs_file_ops, flags, ret);
}

const struct inode_ops tmpfs_file_inode_ops = {
        .setattr = tmpfs_setattr,
        .open = tmpfs_file_open,
        .setxattr = tmpfs_setxattr,
        .getxattr = tmpfs_getxattr,
        .listxattr = tmpfs_listxattr,
        .removexattr = tmpfs_removexattr,
};

static int tmpfs_readlink(struct inode *inode, char *buf, size_t size)
{
        const char *t = TMPFS_I(inode)->target;
        size_t len = MIN(strlen(t), size);

        memcpy(buf, t, len);
        return (int)len;
}

const struct inode_ops tmpfs_symlink_inode_ops = {
        .readlink = tmpfs_readlink,
        .setattr = tmpfs_setattr,
        .setxattr = tmpfs_setxattr,
        .getxattr = tmpfs_getxattr,
        .listxattr = tmpfs_listxattr,
        .removexattr = tmpfs_removexattr,
};

/* FIFOs open an end of their pipe; sockets and device nodes (whiteouts:
 * the guest makes no other) cannot be opened. */
static int tmpfs_special_open(struct inode *inode, unsigned flags, struct file **ret)
{
        if (S_ISFIFO(inode->mode))
                return fifo_open(inode, flags, ret);
        return -ENXIO;
}

/* Device nodes, FIFOs and sockets. */
const struct inode_ops tmpfs_special_inode_ops = {
        .setattr = tmpfs_setattr,
        .open = tmpfs_special_open,
        .setxattr = tmpfs_setxattr,
        .getxattr = tmpfs_getxattr,
        .listxattr = tmpfs_listxattr,
        .removexattr = tmpfs_removexattr,
};
