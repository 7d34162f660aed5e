/* goferfs and mmap: the page cache. The pages of a file that something
 * mapped are read once into the sandbox's memory file and kept, like
 * Linux's page cache: every mapping shares them (MAP_PRIVATE copy-on-write),
 * so ld.so mapping libc in each new process copies nothing.
 *
 * Read-only mounts (the overlay's lower layer): the served tree does not
 * change behind the sandbox's back (goferfs.h), so the pages never go stale.
 *
 * Writable mounts (--overlay=none, -v volumes): MAP_SHARED maps the cached
 * pages, so a store through a mapping changes them and not (yet) the host
 * file. While an inode has cached pages, read(2) reads them (the host file
 * for the pages not cached) and write(2) writes through to the host file
 * and into them, so read, write and every mapping agree, as on Linux. What
 * a shared mapping may have changed (cache_dirty) is written back to the
 * host file on msync(MS_SYNC), fsync, the last close of the file, the end
 * of a mapping (munmap, exit, exec), before a truncate or fallocate (whose
 * result is then read back in), and when the inode goes. Pages no mapping
 * holds any more are dropped at the end of a mapping. Host processes see a
 * mapping's stores only after such a write-back.
 *
 * Eviction: past cache_max pages per superblock, the least recently mapped
 * pages that no mapping holds (their only memory-file reference is the
 * cache's) are dropped (an LRU over every inode of the superblock; another
 * inode's pages only if its lock is free at once). A page a mapping holds
 * stays: the budget may be exceeded by what is mapped. On a writable mount
 * nothing is evicted: its pages go with their last mapping, after the
 * write-back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

struct cached_page {
        struct rb_node node;            /* in goferfs_inode.pages */
        struct goferfs_lru lru;         /* in goferfs_sb.lru; protected by cache_lock */
        struct goferfs_inode *owner;    /* immutable */
        uint64_t index;
        uint64_t off;                   /* memory-file offset; holds one reference */
};

void goferfs_cache_init(struct goferfs_sb *info, uint64_t max_pages)
{
        pthread_mutex_init(&info->cache_lock, NULL);
        info->lru.prev = info->lru.next = &info->lru;
        info->cache_max = max_pages;
}

/* ---- the LRU (cache_lock held) ----------------------------------------------- */

static void lru_del(struct goferfs_lru *e)
{
        e->prev->next = e->next;
        e->next->prev = e->prev;
        e->prev = e->next = e;
}

static void lru_add_tail(struct goferfs_sb *info, struct goferfs_lru *e)
{
        e->prev = info->lru.prev;
        e->next = &info->lru;
        info->lru.prev->next = e;
        info->lru.prev = e;
}

/* ---- the pages of one inode (its lock held) ---------------------------------- */

static struct memfile *cache_mf(struct goferfs_inode *gi)
{
        return gi->base.sb->mf;
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
        if (ret_link) {
                *ret_link = link;
                *ret_parent = parent;
        }
        return NULL;
}

static struct cached_page *page_of(struct rb_node *n)
{
        return rb_entry_safe(n, struct cached_page, node);
}

/* The first cached page at or after index, or NULL. */
static struct cached_page *cache_find_ge(struct goferfs_inode *gi, uint64_t index)
{
        struct rb_node *n = gi->pages.rb_node;
        struct cached_page *best = NULL;

        while (n) {
                struct cached_page *cp = page_of(n);

                if (cp->index >= index) {
                        best = cp;
                        n = n->rb_left;
                } else {
                        n = n->rb_right;
                }
        }
        return best;
}

/* Take cp out of its inode and the LRU; the cache's reference goes. The
 * owner's lock held, and cache_lock when locked says so. */
static void page_remove(struct goferfs_inode *gi, struct cached_page *cp, bool locked)
{
        struct goferfs_sb *info = GOFERFS_SB(gi->base.sb);

        rb_erase(&cp->node, &gi->pages);
        gi->nr_pages--;
        if (!locked)
                pthread_mutex_lock(&info->cache_lock);
        lru_del(&cp->lru);
        info->cache_pages--;
        if (!locked)
                pthread_mutex_unlock(&info->cache_lock);
        memfile_unref(cache_mf(gi), cp->off, PAGE_SIZE);
        free(cp);
}

/* Whether only the cache holds cp (no mapping does). */
static bool page_unmapped(struct goferfs_inode *gi, struct cached_page *cp)
{
        return memfile_exclusive(cache_mf(gi), cp->off, PAGE_SIZE);
}

/* A reference to inode unless it is already going (refcount 0: its
 * destroy runs or is about to, and drops its pages itself). */
static bool inode_tryget(struct inode *inode)
{
        int v = atomic_load(&inode->refcount);

        while (v > 0)
                if (atomic_compare_exchange_weak(&inode->refcount, &v, v + 1))
                        return true;
        return false;
}

#define EVICT_BATCH 16

/* Past the budget: drop least recently used pages no mapping holds, on a
 * read-only mount (a writable mount's pages go when their last mapping
 * does, after the write-back: goferfs_map_unref). self's lock is held (the
 * caller's inode); another inode's page only with a reference to it and
 * its lock free at once. The references go after cache_lock (the last one
 * may destroy the inode, which takes cache_lock). */
static void cache_evict(struct goferfs_sb *info, struct goferfs_inode *self)
{
        struct goferfs_inode *held[EVICT_BATCH];
        unsigned nheld = 0;

        if (!info->ro)
                return;
        pthread_mutex_lock(&info->cache_lock);
        /* Each page looked at once at most: the ones kept go to the tail. */
        for (uint64_t scan = info->cache_pages;
             info->cache_pages > info->cache_max && scan > 0 && nheld < EVICT_BATCH; scan--) {
                struct cached_page *cp = container_of(info->lru.next, struct cached_page, lru);
                struct goferfs_inode *gi = cp->owner;
                bool mine = gi == self, locked = mine;

                if (!mine && inode_tryget(&gi->base)) {
                        held[nheld++] = gi;
                        locked = pthread_mutex_trylock(&gi->base.lock) == 0;
                }
                if (locked && page_unmapped(gi, cp)) {
                        page_remove(gi, cp, true);
                } else {
                        lru_del(&cp->lru);
                        lru_add_tail(info, &cp->lru);
                }
                if (locked && !mine)
                        pthread_mutex_unlock(&gi->base.lock);
        }
        pthread_mutex_unlock(&info->cache_lock);
        for (unsigned i = 0; i < nheld; i++)
                inode_unref(&held[i]->base);
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

int goferfs_cache_writeback_locked(struct goferfs_inode *gi)
{
        struct inode *inode = &gi->base;
        struct memfile *mf = cache_mf(gi);
        struct cached_page *cp;
        bool mapped = false;
        int fd, r;

        if (!gi->cache_dirty || !gi->nr_pages || GOFERFS_SB(inode->sb)->ro)
                return 0;
        r = goferfs_inode_fd_locked(inode, true, &fd);
        if (r == -EACCES || r == -EROFS || r == -EPERM) {
                /* Not writable: neither was any mapping (a shared writable
                 * one needs the file open for writing); only read-only
                 * shared mappings marked the pages. */
                gi->cache_dirty = false;
                return 0;
        }
        if (r < 0)
                return r;
        /* Runs of consecutive pages before EOF, one pwritev each. */
        cp = page_of(rb_first(&gi->pages));
        while (cp && cp->index * PAGE_SIZE < (uint64_t)inode->size) {
                struct iovec v[64];
                uint64_t start = cp->index * PAGE_SIZE, next = cp->index;
                int n = 0;
                ssize_t want = 0, done;

                while (cp && n < 64 && cp->index == next &&
                       cp->index * PAGE_SIZE < (uint64_t)inode->size) {
                        uint64_t at = cp->index * PAGE_SIZE;

                        v[n].iov_base = memfile_addr(mf, cp->off);
                        v[n].iov_len = MIN(PAGE_SIZE, (uint64_t)inode->size - at);
                        want += (ssize_t)v[n].iov_len;
                        mapped |= !page_unmapped(gi, cp);
                        n++;
                        next++;
                        cp = page_of(rb_next(&cp->node));
                }
                do {
                        done = pwritev(fd, v, n, (off_t)start);
                } while (done < 0 && errno == EINTR);
                if (done < 0)
                        return -errno;
                if (done != want)
                        return -EIO;
        }
        for (; cp; cp = page_of(rb_next(&cp->node)))
                mapped |= !page_unmapped(gi, cp);
        /* A mapping still there may write again. */
        gi->cache_dirty = mapped;
        return 0;
}

ssize_t goferfs_cache_read_locked(struct goferfs_inode *gi, const struct iov_iter *dst,
                                  int64_t pos)
{
        struct inode *inode = &gi->base;
        struct iov_cursor c;
        size_t done = 0, want;
        int fd = -1, r;

        if (pos >= inode->size)
                return 0;
        want = MIN(dst->count, (uint64_t)(inode->size - pos));
        iov_cursor_init(&c, dst);
        while (done < want) {
                uint64_t at = (uint64_t)pos + done, index = at / PAGE_SIZE;
                size_t n = MIN(want - done, PAGE_SIZE - at % PAGE_SIZE);
                struct cached_page *cp = cache_find_ge(gi, index);
                ssize_t moved;

                if (cp && cp->index == index) {
                        moved = (ssize_t)iov_cursor_copy_to(
                                &c, (char *)memfile_addr(cache_mf(gi), cp->off) + at % PAGE_SIZE, n);
                } else {
                        /* Up to the next cached page, from the host file. */
                        uint64_t end = cp ? cp->index * PAGE_SIZE : UINT64_MAX;

                        n = MIN(want - done, end - at);
                        if (fd < 0 && (r = goferfs_inode_fd_locked(inode, false, &fd)) < 0)
                                return done ? (ssize_t)done : r;
                        moved = iov_cursor_pread(&c, fd, (int64_t)at, n);
                        if (moved < 0)
                                return done ? (ssize_t)done : moved;
                }
                done += (size_t)moved;
                if ((size_t)moved < n)
                        break;
        }
        return (ssize_t)done;
}

void goferfs_cache_wrote_locked(struct goferfs_inode *gi, const struct iov_iter *src,
                                int64_t pos, size_t n)
{
        struct iov_cursor c;
        size_t done = 0;

        iov_cursor_init(&c, src);
        while (done < n) {
                uint64_t at = (uint64_t)pos + done;
                size_t len = MIN(n - done, PAGE_SIZE - at % PAGE_SIZE);
                struct cached_page *cp = cache_find(gi, at / PAGE_SIZE, NULL, NULL);

                if (cp)
                        iov_cursor_copy_from(
                                &c, (char *)memfile_addr(cache_mf(gi), cp->off) + at % PAGE_SIZE, len);
                else
                        iov_cursor_skip(&c, len);
                done += len;
        }
}

void goferfs_cache_reload_locked(struct goferfs_inode *gi, int64_t from)
{
        uint64_t size = (uint64_t)gi->base.size;
        struct cached_page *cp = cache_find_ge(gi, (uint64_t)from / PAGE_SIZE);

        while (cp) {
                struct cached_page *next = page_of(rb_next(&cp->node));
                uint64_t at = cp->index * PAGE_SIZE;
                void *data = memfile_addr(cache_mf(gi), cp->off);

                /* Past EOF the page goes (mappings lose it: unmap_from);
                 * else what the host file holds now. */
                if (at >= size || read_page_locked(gi, at, data) < 0)
                        page_remove(gi, cp, false);
                cp = next;
        }
}

/* ---- the mappable ------------------------------------------------------------ */

static struct goferfs_inode *map_inode(struct mm_mappable *m)
{
        return container_of(m, struct goferfs_inode, map);
}

static void goferfs_map_ref(struct mm_mappable *m)
{
        inode_ref(&map_inode(m)->base);
}

/* An mm stopped mapping the file (munmap, exit, exec): write back what it
 * may have changed, and on a writable mount drop the pages nothing maps. */
static void goferfs_map_unref(struct mm_mappable *m)
{
        struct goferfs_inode *gi = map_inode(m);

        pthread_mutex_lock(&gi->base.lock);
        if (gi->nr_pages && !GOFERFS_SB(gi->base.sb)->ro &&
            goferfs_cache_writeback_locked(gi) == 0 && !gi->cache_dirty) {
                for (struct cached_page *cp = page_of(rb_first(&gi->pages)), *next; cp; cp = next) {
                        next = page_of(rb_next(&cp->node));
                        if (page_unmapped(gi, cp))
                                page_remove(gi, cp, false);
                }
        }
        pthread_mutex_unlock(&gi->base.lock);
        inode_unref(&gi->base);
}

static int goferfs_map_read(struct mm_mappable *m, uint64_t pgoff, void *dst)
{
        struct goferfs_inode *gi = map_inode(m);
        struct cached_page *cp;
        int r;

        pthread_mutex_lock(&gi->base.lock);
        cp = gi->nr_pages ? cache_find(gi, pgoff / PAGE_SIZE, NULL, NULL) : NULL;
        if (cp && pgoff < (uint64_t)gi->base.size) {
                memcpy(dst, memfile_addr(cache_mf(gi), cp->off), PAGE_SIZE);
                r = 0;
        } else {
                r = read_page_locked(gi, pgoff, dst);
        }
        pthread_mutex_unlock(&gi->base.lock);
        return r;
}

static int goferfs_map_get_page(struct mm_mappable *m, struct memfile *mf, uint64_t pgoff,
                                bool alloc, uint64_t *ret_off)
{
        struct goferfs_inode *gi = map_inode(m);
        struct super_block *sb = gi->base.sb;
        struct goferfs_sb *info = GOFERFS_SB(sb);
        struct rb_node **link, *parent;
        struct cached_page *cp;
        bool added = false;
        int r;

        if (!sb->mf || mf != sb->mf)
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
                r = read_page_locked(gi, pgoff & ~(uint64_t)(PAGE_SIZE - 1),
                                     memfile_addr(mf, cp->off));
                if (r < 0) {
                        memfile_free(mf, cp->off, PAGE_SIZE);
                        free(cp);
                        goto out;
                }
                cp->owner = gi;
                cp->index = pgoff / PAGE_SIZE;
                rb_link_node(&cp->node, parent, link);
                rb_insert_color(&cp->node, &gi->pages);
                gi->nr_pages++;
                added = true;
        }
        r = memfile_ref(mf, cp->off, PAGE_SIZE);        /* the mapping's own */
        if (r == 0) {
                *ret_off = cp->off;
                /* alloc: a shared mapping, which may store into the page. */
                if (alloc && !info->ro)
                        gi->cache_dirty = true;
        }
        pthread_mutex_lock(&info->cache_lock);
        if (added) {
                lru_add_tail(info, &cp->lru);
                info->cache_pages++;
        } else {
                lru_del(&cp->lru);
                lru_add_tail(info, &cp->lru);
        }
        bool over = info->cache_pages > info->cache_max;
        pthread_mutex_unlock(&info->cache_lock);
        if (over)
                cache_evict(info, gi);
out:
        pthread_mutex_unlock(&gi->base.lock);
        return r;
}

/* msync(MS_SYNC): what the mappings changed to the host file, then the
 * host file to its disk. */
static int goferfs_map_sync(struct mm_mappable *m)
{
        struct goferfs_inode *gi = map_inode(m);
        int r, fd;

        pthread_mutex_lock(&gi->base.lock);
        r = goferfs_cache_writeback_locked(gi);
        if (r == 0 && !GOFERFS_SB(gi->base.sb)->ro &&
            (r = goferfs_inode_fd_locked(&gi->base, false, &fd)) == 0 && fdatasync(fd) < 0)
                r = -errno;
        pthread_mutex_unlock(&gi->base.lock);
        return r;
}

const struct mm_mappable_ops goferfs_mappable_ops = {
        .ref = goferfs_map_ref,
        .unref = goferfs_map_unref,
        .get_page = goferfs_map_get_page,
        .read = goferfs_map_read,
        .sync = goferfs_map_sync,
};

void goferfs_cache_drop(struct goferfs_inode *gi)
{
        struct rb_node *n;

        while ((n = rb_first(&gi->pages)))
                page_remove(gi, page_of(n), false);
        gi->cache_dirty = false;
}
