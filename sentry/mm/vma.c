/*
 * The VMA tree: non-overlapping guest mappings in a red-black tree ordered by
 * address, with split, merge and free-range search. Knows nothing about the
 * memory file (pma.c) or the platform: struct mm drives those (mm.c, mmap.c, ...).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "sentry/mm/internal.h"

static struct vma *entry(const struct rb_node *n)
{
        return n ? rb_entry(n, struct vma, node) : NULL;
}

void vma_tree_init(struct vma_tree *t)
{
        t->root = RB_ROOT;
        t->count = 0;
}

struct vma *vma_find(const struct vma_tree *t, guest_ptr_t addr)
{
        struct rb_node *n = t->root.rb_node;
        struct vma *best = NULL;

        while (n) {
                struct vma *v = entry(n);
                if (v->end > addr) {
                        best = v;
                        if (v->start <= addr)
                                break;
                        n = n->rb_left;
                } else
                        n = n->rb_right;
        }
        return best;
}

struct vma *vma_lookup(const struct vma_tree *t, guest_ptr_t addr)
{
        struct vma *v = vma_find(t, addr);

        return v && v->start <= addr ? v : NULL;
}

struct vma *vma_find_intersection(const struct vma_tree *t, guest_ptr_t start, guest_ptr_t end)
{
        struct vma *v = vma_find(t, start);

        return v && v->start < end ? v : NULL;
}

struct vma *vma_first(const struct vma_tree *t)
{
        return entry(rb_first(&t->root));
}

struct vma *vma_next(const struct vma *v)
{
        return entry(rb_next(&v->node));
}

struct vma *vma_prev(const struct vma *v)
{
        return entry(rb_prev(&v->node));
}

void vma_insert(struct vma_tree *t, struct vma *v)
{
        struct rb_node **link = &t->root.rb_node, *parent = NULL;

        assert(v->start < v->end && PAGE_ALIGNED(v->start) && PAGE_ALIGNED(v->end));
        while (*link) {
                struct vma *p = entry(*link);
                parent = *link;
                if (v->end <= p->start)
                        link = &parent->rb_left;
                else {
                        assert(v->start >= p->end);     /* overlap: our bug */
                        link = &parent->rb_right;
                }
        }
        rb_link_node(&v->node, parent, link);
        rb_insert_color(&v->node, &t->root);
        t->count++;
}

void vma_erase(struct vma_tree *t, struct vma *v)
{
        rb_erase(&v->node, &t->root);
        t->count--;
}

struct vma *vma_split(struct vma_tree *t, struct vma *v, guest_ptr_t addr, struct vma *spare)
{
        assert(v->start < addr && addr < v->end && PAGE_ALIGNED(addr));
        spare->start = addr;
        spare->end = v->end;
        spare->prot = v->prot;
        spare->flags = v->flags;
        spare->file = v->file;
        spare->vm_file = vma_vm_file_get(&v->vm_file);
        spare->pgoff = vma_has_pgoff(v) ? v->pgoff + (addr - v->start) : 0;
        /* Shrinking v keeps its place in the order; spare goes right after it. */
        v->end = addr;
        vma_insert(t, spare);
        return spare;
}

bool vma_mergeable(const struct vma *a, const struct vma *b)
{
        return a->end == b->start && a->prot == b->prot && a->flags == b->flags &&
               a->file == b->file && a->vm_file.file == b->vm_file.file &&
               (!vma_has_pgoff(a) || a->pgoff + vma_len(a) == b->pgoff);
}

struct vma *vma_merge(struct vma_tree *t, struct vma *v)
{
        struct vma *prev = vma_prev(v), *next = vma_next(v);

        if (next && vma_mergeable(v, next)) {
                v->end = next->end;
                vma_erase(t, next);
                vma_free(next);
        }
        if (prev && vma_mergeable(prev, v)) {
                prev->end = v->end;
                vma_erase(t, v);
                vma_free(v);
                v = prev;
        }
        return v;
}

int vma_gap_topdown(const struct vma_tree *t, uint64_t len, guest_ptr_t low,
                    guest_ptr_t high, guest_ptr_t *ret)
{
        struct vma *v, *p;
        guest_ptr_t top = high;

        if (len == 0 || low >= high || len > high - low)
                return -ENOMEM;

        /* v: the first VMA ending above high; if it straddles high, the
         * window's top is its start. Then walk down: each gap is [p->end, top). */
        v = vma_find(t, high);
        if (v && v->start < high)
                top = v->start;
        p = v ? vma_prev(v) : entry(rb_last(&t->root));

        for (;; p = vma_prev(p)) {
                guest_ptr_t bottom = p ? MAX(p->end, low) : low;

                if (top > bottom && top - bottom >= len) {
                        *ret = top - len;
                        return 0;
                }
                if (!p || p->start <= low)
                        return -ENOMEM;
                top = p->start;
        }
}

int vma_gap_bottomup(const struct vma_tree *t, uint64_t len, guest_ptr_t low,
                     guest_ptr_t high, guest_ptr_t *ret)
{
        struct vma *v;
        guest_ptr_t bottom = low;

        if (len == 0 || low >= high || len > high - low)
                return -ENOMEM;

        for (v = vma_find(t, low); ; v = vma_next(v)) {
                guest_ptr_t top = v ? MIN(v->start, high) : high;

                if (top > bottom && top - bottom >= len) {
                        *ret = bottom;
                        return 0;
                }
                if (!v || v->end >= high)
                        return -ENOMEM;
                bottom = MAX(bottom, v->end);
        }
}

struct vma *vma_new(void)
{
        return calloc(1, sizeof(struct vma));
}

void vma_free(struct vma *v)
{
        if (v && v->vm_file.file)
                v->vm_file.ops->unref(v->vm_file.file);
        free(v);
}

int vma_prealloc_fill(struct vma_prealloc *pa, unsigned n)
{
        assert(n <= VMA_PREALLOC_MAX);
        while (pa->n < n) {
                pa->v[pa->n] = vma_new();
                if (!pa->v[pa->n])
                        return -ENOMEM;
                pa->n++;
        }
        return 0;
}

struct vma *vma_prealloc_take(struct vma_prealloc *pa)
{
        assert(pa->n > 0);
        return pa->v[--pa->n];
}

void vma_prealloc_release(struct vma_prealloc *pa)
{
        while (pa->n > 0)
                vma_free(pa->v[--pa->n]);
}
