/* goferfs and mmap: on a read-only mount (the overlay's lower layer) the
 * pages of a file are read once into the sandbox's memory file and kept,
 * like Linux's page cache: every mapping shares them (MAP_PRIVATE copy-on-
 * write), so ld.so mapping libc in each new process copies nothing. The
 * served tree does not change behind the sandbox's back (goferfs.h), so the
 * cache needs no revalidation. A writable mount has no cache: MAP_PRIVATE
 * copies pages in through ->read, MAP_SHARED is -ENODEV. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct cached_page {
        struct rb_node node;            /* in goferfs_inode.pages */
        uint64_t index;
        uint64_t off;                   /* memory-file offset; holds one reference */
};

static struct goferfs_inode *map_inode(struct mm_mappable *m)
{
        return container_of(m, struct goferfs_inode, map);
}

static void goferfs_map_ref(struct mm_mappable *m)
{
        inode_ref(&map_inode(m)->base);
}

static void goferfs_map_unref(struct mm_mappable *m)
{
        inode_unref(&map_inode(m)->base);
}

/* Read the file's page at byte offset pgoff into dst (zeroes past EOF).
 * inode->lock held. -ENXIO at or past EOF. */
static int read_page_locked(struct goferfs_inode *gi, uint64_t pgoff, void *dst)
{
        struct inode *inode = &gi->base;
        ssize_t n;
        int fd, r;

        if (pgoff >= (uint64_t)inode->size)
                return -ENXIO;
        /* Under mmap(2) the file is open (its fd is there); a later fault
         * after its last close opens one again, kept like any rfd. */
        r = goferfs_inode_fd_locked(inode, false, &fd);
        if (r < 0)
                return r;
        n = pread(fd, dst, PAGE_SIZE, (off_t)pgoff);
        if (n < 0)
                return -EIO;
        if (n == 0)
                return -ENXIO;  /* shrunk behind our back */
        memset((char *)dst + n, 0, PAGE_SIZE - (size_t)n);
        return 0;
}

static int goferfs_map_read(struct mm_mappable *m, uint64_t pgoff, void *dst)
{
        struct goferfs_inode *gi = map_inode(m);
        int r;

        pthread_mutex_lock(&gi->base.lock);
        r = read_page_locked(gi, pgoff, dst);
        pthread_mutex_unlock(&gi->base.lock);
        return r;
}

static struct cached_page *cache_find(struct goferfs_inode *gi, uint64_t index,
                                      struct rb_node ***ret_link, struct rb_node **ret_parent)
{
        struct rb_node **link = &gi->pages.rb_node, *parent = NULL;

        while (*link) {
                struct cached_page *cp = rb_entry(*link, struct cached_page, node);

                parent = *link;
                if (index == cp->index)
                        return cp;
                link = index < cp->index ? &parent->rb_left : &parent->rb_right;
        }
        *ret_link = link;
        *ret_parent = parent;
        return NULL;
}

static int goferfs_map_get_page(struct mm_mappable *m, struct memfile *mf, uint64_t pgoff,
                                bool alloc, uint64_t *ret_off)
{
        struct goferfs_inode *gi = map_inode(m);
        struct super_block *sb = gi->base.sb;
        struct rb_node **link, *parent;
        struct cached_page *cp;
        int r;

        (void)alloc;            /* no holes here: every page is read */
        if (!GOFERFS_SB(sb)->ro || !sb->mf || mf != sb->mf)
                return -ENODEV;
        pthread_mutex_lock(&gi->base.lock);
        r = -ENXIO;
        if (pgoff >= (uint64_t)gi->base.size)
                goto out;
        cp = cache_find(gi, pgoff / PAGE_SIZE, &link, &parent);
        if (!cp) {
                cp = calloc(1, sizeof(*cp));
                r = cp ? memfile_alloc(mf, PAGE_SIZE, &cp->off) : -ENOMEM;
                if (r < 0) {
                        free(cp);
                        goto out;
                }
                memfile_populate(mf, cp->off, PAGE_SIZE);
                r = read_page_locked(gi, pgoff & ~(uint64_t)(PAGE_SIZE - 1),
                                     memfile_addr(mf, cp->off));
                if (r < 0) {
                        memfile_free(mf, cp->off, PAGE_SIZE);
                        free(cp);
                        goto out;
                }
                cp->index = pgoff / PAGE_SIZE;
                rb_link_node(&cp->node, parent, link);
                rb_insert_color(&cp->node, &gi->pages);
                gi->nr_pages++;
        }
        r = memfile_ref(mf, cp->off, PAGE_SIZE);        /* the mapping's own */
        if (r == 0)
                *ret_off = cp->off;
out:
        pthread_mutex_unlock(&gi->base.lock);
        return r;
}

const struct mm_mappable_ops goferfs_mappable_ops = {
        .ref = goferfs_map_ref,
        .unref = goferfs_map_unref,
        .get_page = goferfs_map_get_page,
        .read = goferfs_map_read,
};

void goferfs_cache_drop(struct goferfs_inode *gi)
{
        struct memfile *mf = gi->base.sb->mf;
        struct rb_node *n;

        while ((n = rb_first(&gi->pages))) {
                struct cached_page *cp = rb_entry(n, struct cached_page, node);

                rb_erase(n, &gi->pages);
                memfile_unref(mf, cp->off, PAGE_SIZE);
                free(cp);
        }
        gi->nr_pages = 0;
}
