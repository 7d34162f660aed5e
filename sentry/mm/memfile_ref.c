/*
 * Reference counts on memory-file pages, for pages that several mappings share
 * (fork's copy-on-write, MAP_SHARED anonymous memory inherited by a child).
 *
 * An allocated page that no extent covers has one reference: the common case
 * costs nothing. Ranges with two or more references are extents in a tree by
 * offset, (off, len, count), adjacent extents with equal counts merged. So
 * taking or dropping a reference on a range is O(log n + extents in the range),
 * whatever its length: fork of a big heap is one extent, not one count per page.
 *
 * Dropping the last reference frees the pages (memfile_free: hole punched,
 * offsets back to the allocator). If a node cannot be allocated to split an
 * extent, the reference is kept instead (the pages leak, they are never freed
 * under someone still using them).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "sentry/mm/internal.h"

static struct memfile_ref *ref_entry(struct rb_node *n)
{
        return rb_entry_safe(n, struct memfile_ref, node);
}

static uint64_t ref_end(const struct memfile_ref *e)
{
        return e->off + e->len;
}

/* The first extent ending above off (the one containing off, or the next). */
static struct memfile_ref *ref_find(const struct memfile *mf, uint64_t off)
{
        struct rb_node *n = mf->refs.rb_node;
        struct memfile_ref *best = NULL;

        while (n) {
                struct memfile_ref *e = ref_entry(n);
                if (ref_end(e) > off) {
                        best = e;
                        if (e->off <= off)
                                break;
                        n = n->rb_left;
                } else
                        n = n->rb_right;
        }
        return best;
}

static void ref_insert(struct memfile *mf, struct memfile_ref *e)
{
        struct rb_node **link = &mf->refs.rb_node, *parent = NULL;

        while (*link) {
                parent = *link;
                link = e->off < ref_entry(parent)->off ? &parent->rb_left : &parent->rb_right;
        }
        rb_link_node(&e->node, parent, link);
        rb_insert_color(&e->node, &mf->refs);
}

static void ref_drop(struct memfile *mf, struct memfile_ref *e)
{
        rb_erase(&e->node, &mf->refs);
        free(e);
}

/* Split e at off (inside it): e keeps [e->off, off), the new node the rest.
 * -ENOMEM leaves e whole. */
static int ref_split(struct memfile *mf, struct memfile_ref *e, uint64_t off)
{
        struct memfile_ref *hi = calloc(1, sizeof(*hi));

        if (!hi)
                return -ENOMEM;
        assert(e->off < off && off < ref_end(e));
        hi->off = off;
        hi->len = ref_end(e) - off;
        hi->count = e->count;
        e->len = off - e->off;
        ref_insert(mf, hi);
        return 0;
}

/* Merge equal-count neighbours among the extents touching [off, end). */
static void ref_coalesce(struct memfile *mf, uint64_t off, uint64_t end)
{
        struct memfile_ref *e = ref_find(mf, off ? off - 1 : 0), *next;

        for (; e && e->off <= end; e = next) {
                next = ref_entry(rb_next(&e->node));
                if (next && ref_end(e) == next->off && e->count == next->count) {
                        e->len += next->len;
                        ref_drop(mf, next);
                        next = e;       /* it may absorb the one after too */
                }
        }
}

int memfile_ref(struct memfile *mf, uint64_t off, uint64_t len)
{
        uint64_t end = off + len, at = off;
        int r = 0;

        assert(PAGE_ALIGNED(off) && PAGE_ALIGNED(len) && end <= mf->size);
        pthread_mutex_lock(&mf->lock);
        while (at < end) {
                struct memfile_ref *e = ref_find(mf, at);

                if (e && e->off <= at) {
                        if (e->off < at) {
                                r = ref_split(mf, e, at);
                                if (r < 0)
                                        break;
                                e = ref_find(mf, at);
                        }
                        if (ref_end(e) > end) {
                                r = ref_split(mf, e, end);
                                if (r < 0)
                                        break;
                        }
                        e->count++;
                        at = ref_end(e);
                } else {
                        /* A gap: pages with one reference, now two. */
                        struct memfile_ref *n = calloc(1, sizeof(*n));
                        if (!n) {
                                r = -ENOMEM;
                                break;
                        }
                        n->off = at;
                        n->len = (e && e->off < end ? e->off : end) - at;
                        n->count = 2;
                        ref_insert(mf, n);
                        at = ref_end(n);
                }
        }
        ref_coalesce(mf, off, at);
        pthread_mutex_unlock(&mf->lock);
        if (r < 0 && at > off)
                memfile_unref(mf, off, at - off);       /* undo the part done */
        return r;
}

void memfile_unref(struct memfile *mf, uint64_t off, uint64_t len)
{
        uint64_t end = off + len, at = off;

        assert(PAGE_ALIGNED(off) && PAGE_ALIGNED(len) && end <= mf->size);
        pthread_mutex_lock(&mf->lock);
        while (at < end) {
                struct memfile_ref *e = ref_find(mf, at);

                if (e && e->off <= at) {
                        uint64_t piece_end = MIN(ref_end(e), end);

                        /* Out of nodes: keep the reference (a leak, never a
                         * premature free). */
                        if ((e->off < at && ref_split(mf, e, at) < 0) ||
                            ((e = ref_find(mf, at)) && ref_end(e) > end &&
                             ref_split(mf, e, end) < 0)) {
                                at = piece_end;
                                continue;
                        }
                        if (--e->count == 1)
                                ref_drop(mf, e);
                        at = piece_end;
                } else {
                        /* The last reference: free. The caller owns these pages
                         * alone, so nobody can change them while unlocked. */
                        uint64_t gap_end = e && e->off < end ? e->off : end;

                        pthread_mutex_unlock(&mf->lock);
                        memfile_free(mf, at, gap_end - at);
                        pthread_mutex_lock(&mf->lock);
                        at = gap_end;
                }
        }
        ref_coalesce(mf, off, end);
        pthread_mutex_unlock(&mf->lock);
}

bool memfile_exclusive(struct memfile *mf, uint64_t off, uint64_t len)
{
        struct memfile_ref *e;
        bool r;

        pthread_mutex_lock(&mf->lock);
        e = ref_find(mf, off);
        r = !(e && e->off < off + len);
        pthread_mutex_unlock(&mf->lock);
        return r;
}

unsigned memfile_refcount(struct memfile *mf, uint64_t off)
{
        struct memfile_ref *e;
        unsigned r;

        pthread_mutex_lock(&mf->lock);
        e = ref_find(mf, off);
        r = e && e->off <= off ? e->count : 1;
        pthread_mutex_unlock(&mf->lock);
        return r;
}

void memfile_refs_destroy(struct memfile *mf)
{
        struct rb_node *n;

        while ((n = rb_first(&mf->refs)))
                ref_drop(mf, ref_entry(n));
}
