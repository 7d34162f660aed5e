/*
 * The PMA tree: which memory-file pages back which guest pages, in extents
 * ordered by guest address (internal.h says what a PMA is). The same shape as
 * the VMA tree; kept apart so that however the backing fragments (copy-on-
 * write breaks), the VMAs, their count and everything that walks them do not.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "sentry/mm/internal.h"

static struct pma *entry(const struct rb_node *n)
{
        return n ? rb_entry(n, struct pma, node) : NULL;
}

void pma_tree_init(struct pma_tree *t)
{
        t->root = RB_ROOT;
        t->count = 0;
}

struct pma *pma_find(const struct pma_tree *t, guest_ptr_t addr)
{
        struct rb_node *n = t->root.rb_node;
        struct pma *best = NULL;

        while (n) {
                struct pma *p = entry(n);
                if (p->end > addr) {
                        best = p;
                        if (p->start <= addr)
                                break;
                        n = n->rb_left;
                } else
                        n = n->rb_right;
        }
        return best;
}

struct pma *pma_lookup(const struct pma_tree *t, guest_ptr_t addr)
{
        struct pma *p = pma_find(t, addr);

        return p && p->start <= addr ? p : NULL;
}

struct pma *pma_first(const struct pma_tree *t)
{
        return entry(rb_first(&t->root));
}

struct pma *pma_next(const struct pma *p)
{
        return entry(rb_next(&p->node));
}

struct pma *pma_prev(const struct pma *p)
{
        return entry(rb_prev(&p->node));
}

void pma_insert(struct pma_tree *t, struct pma *p)
{
        struct rb_node **link = &t->root.rb_node, *parent = NULL;

        assert(p->start < p->end && PAGE_ALIGNED(p->start) && PAGE_ALIGNED(p->end));
        assert(PAGE_ALIGNED(p->off));
        while (*link) {
                struct pma *q = entry(*link);
                parent = *link;
                if (p->end <= q->start)
                        link = &parent->rb_left;
                else {
                        assert(p->start >= q->end);     /* overlap: our bug */
                        link = &parent->rb_right;
                }
        }
        rb_link_node(&p->node, parent, link);
        rb_insert_color(&p->node, &t->root);
        t->count++;
}

void pma_erase(struct pma_tree *t, struct pma *p)
{
        rb_erase(&p->node, &t->root);
        t->count--;
}

struct pma *pma_split(struct pma_tree *t, struct pma *p, guest_ptr_t addr, struct pma *spare)
{
        assert(p->start < addr && addr < p->end && PAGE_ALIGNED(addr));
        spare->start = addr;
        spare->end = p->end;
        spare->off = pma_off_of(p, addr);
        spare->cow = p->cow;
        p->end = addr;
        pma_insert(t, spare);
        return spare;
}

bool pma_mergeable(const struct pma *a, const struct pma *b)
{
        return a->end == b->start && a->off + pma_len(a) == b->off && a->cow == b->cow;
}

struct pma *pma_merge(struct pma_tree *t, struct pma *p)
{
        struct pma *prev = pma_prev(p), *next = pma_next(p);

        if (next && pma_mergeable(p, next)) {
                p->end = next->end;
                pma_erase(t, next);
                pma_free(next);
        }
        if (prev && pma_mergeable(prev, p)) {
                prev->end = p->end;
                pma_erase(t, p);
                pma_free(p);
                p = prev;
        }
        return p;
}

struct pma *pma_new(void)
{
        return calloc(1, sizeof(struct pma));
}

void pma_free(struct pma *p)
{
        free(p);
}

int pma_prealloc_fill(struct pma_prealloc *pa, unsigned n)
{
        assert(n <= PMA_PREALLOC_MAX);
        while (pa->n < n) {
                pa->p[pa->n] = pma_new();
                if (!pa->p[pa->n])
                        return -ENOMEM;
                pa->n++;
        }
        return 0;
}

struct pma *pma_prealloc_take(struct pma_prealloc *pa)
{
        assert(pa->n > 0);
        return pa->p[--pa->n];
}

void pma_prealloc_release(struct pma_prealloc *pa)
{
        while (pa->n > 0)
                pma_free(pa->p[--pa->n]);
}
