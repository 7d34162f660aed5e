/*
 * The memory file: one memfd holding all guest memory, mapped whole into the
 * sentry, and an allocator of page-aligned ranges of it.
 *
 * Allocator: free extents live in two red-black trees, by offset (neighbours,
 * coalescing on free) and by (length, offset). Allocation is best fit, lowest
 * offset among equals: O(log n), and it keeps large extents whole for large
 * mappings, where first fit by offset would chip the low end of the biggest
 * extent. The file is sparse, so unallocated ranges cost nothing.
 *
 * A freed range must read as zeros when it is allocated again. Its pages
 * that hold data are zeroed by hand and kept when they are few (at most
 * MEMFILE_KEEP_DATA bytes in at most MEMFILE_KEEP_RUNS pieces; the file's
 * holes in the range need nothing); otherwise the range is hole-punched and
 * its pages go back to the host. A punch unmaps the pages from every
 * process and flushes TLBs: 50-300 us on these VMs, and an exiting process
 * frees several ranges. Zeroing a page costs ~0.2 us, and the next allocation
 * there, often at the same offsets (a fork's copies of the same pages, fork
 * after fork), finds its pages resident instead of faulting fresh ones in.
 * Once MEMFILE_KEEP_MAX bytes were kept so, every free extent is punched
 * (trim). memfile_zero always punches.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sentry/mm/internal.h"

static struct memfile_extent *off_entry(struct rb_node *n)
{
        return rb_entry_safe(n, struct memfile_extent, by_off);
}

static struct memfile_extent *len_entry(struct rb_node *n)
{
        return rb_entry_safe(n, struct memfile_extent, by_len);
}

static void insert_by_off(struct memfile *mf, struct memfile_extent *e)
{
        struct rb_node **link = &mf->free_by_off.rb_node, *parent = NULL;

        while (*link) {
                parent = *link;
                link = e->off < off_entry(parent)->off ? &parent->rb_left : &parent->rb_right;
        }
        rb_link_node(&e->by_off, parent, link);
        rb_insert_color(&e->by_off, &mf->free_by_off);
}

static bool len_less(const struct memfile_extent *a, const struct memfile_extent *b)
{
        return a->len < b->len || (a->len == b->len && a->off < b->off);
}

static void insert_by_len(struct memfile *mf, struct memfile_extent *e)
{
        struct rb_node **link = &mf->free_by_len.rb_node, *parent = NULL;

        while (*link) {
                parent = *link;
                link = len_less(e, len_entry(parent)) ? &parent->rb_left : &parent->rb_right;
        }
        rb_link_node(&e->by_len, parent, link);
        rb_insert_color(&e->by_len, &mf->free_by_len);
}

/* e's length changed: reposition it in the by-length tree. */
static void resize(struct memfile *mf, struct memfile_extent *e, uint64_t off, uint64_t len)
{
        rb_erase(&e->by_len, &mf->free_by_len);
        e->off = off;
        e->len = len;
        insert_by_len(mf, e);
}

static void drop(struct memfile *mf, struct memfile_extent *e)
{
        rb_erase(&e->by_off, &mf->free_by_off);
        rb_erase(&e->by_len, &mf->free_by_len);
        free(e);
}

/* The free extent with the greatest offset <= off, or NULL. */
static struct memfile_extent *floor_extent(const struct memfile *mf, uint64_t off)
{
        struct rb_node *n = mf->free_by_off.rb_node;
        struct memfile_extent *best = NULL;

        while (n) {
                struct memfile_extent *e = off_entry(n);
                if (e->off <= off) {
                        best = e;
                        n = n->rb_right;
                } else
                        n = n->rb_left;
        }
        return best;
}

int memfile_create(uint64_t size, struct memfile **ret)
{
        struct memfile *mf;
        int r;

        if (size == 0 || !PAGE_ALIGNED(size) || size > (uint64_t)INT64_MAX)
                return -EINVAL;

        mf = calloc(1, sizeof(*mf));
        if (!mf)
                return -ENOMEM;
        mf->size = size;
        mf->free_by_off = RB_ROOT;
        mf->free_by_len = RB_ROOT;
        mf->refs = RB_ROOT;

        mf->fd = memfd_create("conternel-memory", MFD_CLOEXEC);
        if (mf->fd < 0) {
                r = -errno;
                goto free_mf;
        }
        if (ftruncate(mf->fd, (off_t)size) < 0) {
                r = -errno;
                goto close_fd;
        }
        mf->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
                        mf->fd, 0);
        if (mf->base == MAP_FAILED) {
                r = -errno;
                goto close_fd;
        }

        struct memfile_extent *e = calloc(1, sizeof(*e));
        if (!e) {
                r = -ENOMEM;
                goto unmap;
        }
        e->off = 0;
        e->len = size;
        insert_by_off(mf, e);
        insert_by_len(mf, e);

        r = pthread_mutex_init(&mf->lock, NULL);
        if (r) {
                r = -r;
                free(e);
                goto unmap;
        }
        *ret = mf;
        return 0;

unmap:
        munmap(mf->base, size);
close_fd:
        close(mf->fd);
free_mf:
        free(mf);
        return r;
}

void memfile_destroy(struct memfile *mf)
{
        struct rb_node *n;

        if (!mf)
                return;
        while ((n = rb_first(&mf->free_by_off)))
                drop(mf, off_entry(n));
        memfile_refs_destroy(mf);
        pthread_mutex_destroy(&mf->lock);
        munmap(mf->base, mf->size);
        close(mf->fd);
        free(mf);
}

int memfile_fd(const struct memfile *mf)
{
        return mf->fd;
}

void *memfile_addr(const struct memfile *mf, uint64_t off)
{
        assert(off <= mf->size);
        return mf->base + off;
}

uint64_t memfile_size(const struct memfile *mf)
{
        return mf->size;
}

uint64_t memfile_allocated(const struct memfile *mf)
{
        return __atomic_load_n(&mf->allocated, __ATOMIC_RELAXED);
}

static void account(struct memfile *mf, int64_t delta)
{
        __atomic_store_n(&mf->allocated, mf->allocated + (uint64_t)delta, __ATOMIC_RELAXED);
}

int memfile_alloc(struct memfile *mf, uint64_t len, uint64_t *ret_off)
{
        struct rb_node *n;
        struct memfile_extent *best = NULL;

        if (len == 0 || !PAGE_ALIGNED(len))
                return -EINVAL;

        pthread_mutex_lock(&mf->lock);
        /* Smallest extent with length >= len (lowest offset among equals). */
        n = mf->free_by_len.rb_node;
        while (n) {
                struct memfile_extent *e = len_entry(n);
                if (e->len >= len) {
                        best = e;
                        n = n->rb_left;
                } else
                        n = n->rb_right;
        }
        if (!best) {
                pthread_mutex_unlock(&mf->lock);
                return -ENOMEM;
        }

        *ret_off = best->off;
        if (best->len == len)
                drop(mf, best);
        else    /* Its start moves up inside its own range: by_off order holds. */
                resize(mf, best, best->off + len, best->len - len);
        account(mf, (int64_t)len);
        pthread_mutex_unlock(&mf->lock);
        return 0;
}

int memfile_alloc_in_hole(struct memfile *mf, uint64_t span, uint64_t delta, uint64_t len,
                          uint64_t *ret_off)
{
        struct memfile_extent *best = NULL;
        struct rb_node *n;
        uint64_t off;

        if (span < delta || span - delta < len)
                return -EINVAL;
        pthread_mutex_lock(&mf->lock);
        for (n = mf->free_by_len.rb_node; n;) {
                struct memfile_extent *e = len_entry(n);
                if (e->len >= span) {
                        best = e;
                        n = n->rb_left;
                } else
                        n = n->rb_right;
        }
        off = best ? best->off + delta : 0;
        pthread_mutex_unlock(&mf->lock);
        if (!best)
                return -ENOMEM;
        /* Unlocked in between: someone may have taken it; then -ENOMEM. */
        if (memfile_alloc_at(mf, off, len) < 0)
                return -ENOMEM;
        *ret_off = off;
        return 0;
}

int memfile_alloc_at(struct memfile *mf, uint64_t off, uint64_t len)
{
        struct memfile_extent *e, *tail = NULL;
        int r = 0;

        if (len == 0 || !PAGE_ALIGNED(len) || !PAGE_ALIGNED(off) ||
            off > mf->size || len > mf->size - off)
                return -ENOMEM;

        /* A node for the part of the extent above the range, allocated before
         * the lock is taken; freed if unused. */
        tail = calloc(1, sizeof(*tail));
        if (!tail)
                return -ENOMEM;

        pthread_mutex_lock(&mf->lock);
        e = floor_extent(mf, off);
        if (!e || e->off + e->len < off + len) {
                r = -ENOMEM;
                goto unlock;
        }

        uint64_t e_end = e->off + e->len;
        if (e->off + e->len > off + len) {
                tail->off = off + len;
                tail->len = e_end - (off + len);
                insert_by_off(mf, tail);
                insert_by_len(mf, tail);
                tail = NULL;
        }
        if (e->off < off)
                resize(mf, e, e->off, off - e->off);
        else
                drop(mf, e);
        account(mf, (int64_t)len);
unlock:
        pthread_mutex_unlock(&mf->lock);
        free(tail);
        return r;
}

static void punch(struct memfile *mf, uint64_t off, uint64_t len)
{
        /* Cannot fail on a memfd for an in-range, page-aligned range short of
         * a host bug; if it did, the pages would merely stay resident, so the
         * zeroing is done by hand to keep the contract. */
        if (fallocate(mf->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t)off, (off_t)len) < 0)
                memset(mf->base + off, 0, len);
}

int memfile_data_runs(const struct memfile *mf, uint64_t off, uint64_t len,
                      struct memfile_run *runs, int max, uint64_t max_bytes)
{
        uint64_t end = off + len, total = 0;
        int n = 0;

        assert(off <= mf->size && len <= mf->size - off);
        while (off < end) {
                off_t d = lseek(mf->fd, (off_t)off, SEEK_DATA), h;

                if (d < 0)
                        return errno == ENXIO ? n : -1;
                if ((uint64_t)d >= end)
                        break;
                h = lseek(mf->fd, d, SEEK_HOLE);
                if (h < 0 || n == max)
                        return -1;
                off = MIN((uint64_t)h, end);
                runs[n++] = (struct memfile_run){ (uint64_t)d, off - (uint64_t)d };
                total += off - (uint64_t)d;
                if (total > max_bytes)
                        return -1;
        }
        return n;
}

/* Zero [off, off+len), a range about to be freed. */
static void zero_for_free(struct memfile *mf, uint64_t off, uint64_t len)
{
        unsigned char vec[MEMFILE_KEEP_SMALL / PAGE_SIZE];
        struct memfile_run runs[MEMFILE_KEEP_RUNS];
        uint64_t pages = len / PAGE_SIZE, kept = 0;
        int n;

        /* The common case, a small range all of whose pages are resident,
         * in one call. mincore sees the page cache: a page out on swap reads
         * as absent, and then memfile_data_runs decides. */
        if (len <= MEMFILE_KEEP_SMALL && mincore(mf->base + off, len, vec) == 0) {
                uint64_t i;

                for (i = 0; i < pages && (vec[i] & 1); i++)
                        ;
                if (i == pages) {
                        memset(mf->base + off, 0, len);
                        __atomic_add_fetch(&mf->kept, len, __ATOMIC_RELAXED);
                        return;
                }
        }
        /* A range with few pages written (a stack, a heap, a cow piece):
         * zero those, the holes stay holes. */
        n = memfile_data_runs(mf, off, len, runs, MEMFILE_KEEP_RUNS, MEMFILE_KEEP_DATA);
        if (n < 0) {
                punch(mf, off, len);
                return;
        }
        for (int i = 0; i < n; i++) {
                memset(mf->base + runs[i].off, 0, runs[i].len);
                kept += runs[i].len;
        }
        __atomic_add_fetch(&mf->kept, kept, __ATOMIC_RELAXED);
}

/* Under mf->lock: give every free page back to the host. */
static void trim_locked(struct memfile *mf)
{
        for (struct rb_node *n = rb_first(&mf->free_by_off); n; n = rb_next(n))
                punch(mf, off_entry(n)->off, off_entry(n)->len);
        __atomic_store_n(&mf->kept, 0, __ATOMIC_RELAXED);
}

void memfile_populate(struct memfile *mf, uint64_t off, uint64_t len)
{
        /* Linux 5.14+; an older host just takes the faults. */
        assert(PAGE_ALIGNED(off) && PAGE_ALIGNED(len));
        assert(off <= mf->size && len <= mf->size - off);
        (void)madvise(mf->base + off, len, MADV_POPULATE_WRITE);
}

void memfile_zero(struct memfile *mf, uint64_t off, uint64_t len)
{
        assert(PAGE_ALIGNED(off) && PAGE_ALIGNED(len));
        assert(off <= mf->size && len <= mf->size - off);
        if (len)
                punch(mf, off, len);
}

void memfile_free(struct memfile *mf, uint64_t off, uint64_t len)
{
        struct memfile_extent *prev, *next, *e;
        struct rb_node *n;

        assert(PAGE_ALIGNED(off) && PAGE_ALIGNED(len));
        assert(off <= mf->size && len <= mf->size - off);
        if (len == 0)
                return;

        /* Zero before the range is free: once it is, another thread may own it. */
        zero_for_free(mf, off, len);

        e = calloc(1, sizeof(*e));      /* used only if no neighbour absorbs the range */

        pthread_mutex_lock(&mf->lock);
        prev = floor_extent(mf, off);
        n = prev ? rb_next(&prev->by_off) : rb_first(&mf->free_by_off);
        next = off_entry(n);
        /* Freeing free space is our bug (double free or bad bookkeeping). */
        assert(!prev || prev->off + prev->len <= off);
        assert(!next || off + len <= next->off);

        bool join_prev = prev && prev->off + prev->len == off;
        bool join_next = next && off + len == next->off;

        if (join_prev && join_next) {
                uint64_t total = prev->len + len + next->len;
                drop(mf, next);
                resize(mf, prev, prev->off, total);
        } else if (join_prev) {
                resize(mf, prev, prev->off, prev->len + len);
        } else if (join_next) {
                /* next's start moves down into a gap: by_off order holds. */
                resize(mf, next, off, next->len + len);
        } else if (e) {
                e->off = off;
                e->len = len;
                insert_by_off(mf, e);
                insert_by_len(mf, e);
                e = NULL;
        } else {
                /* Out of memory for a node: the range is zeroed and its pages
                 * returned to the host, but its offsets leak until destroy. */
                pthread_mutex_unlock(&mf->lock);
                return;
        }
        account(mf, -(int64_t)len);
        if (__atomic_load_n(&mf->kept, __ATOMIC_RELAXED) > MEMFILE_KEEP_MAX)
                trim_locked(mf);
        pthread_mutex_unlock(&mf->lock);
        free(e);
}
