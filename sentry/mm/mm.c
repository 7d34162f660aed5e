/*
 * struct mm: lifetime, locking, and the tree-plus-platform helpers the system
 * calls share (isolating a range, removing one, finding a free one, mapping
 * fresh anonymous memory).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

int mm_create(struct platform *p, struct memfile *mf, struct mm **ret)
{
        struct mm *mm;
        int r;

        mm = calloc(1, sizeof(*mm));
        if (!mm)
                return -ENOMEM;
        r = -pthread_rwlock_init(&mm->lock, NULL);
        if (r < 0)
                goto free_mm;
        r = p->ops->as_create(p, &mm->as);
        if (r < 0)
                goto destroy_lock;

        mm->refcount = 1;
        mm->platform = p;
        mm->mf = mf;
        /* Linux's default layout: mmap grows down from below the stack area.
         * No randomisation yet. */
        mm->mmap_base = GUEST_ADDR_MAX - MM_STACK_GAP;
        vma_tree_init(&mm->vmas);
        *ret = mm;
        return 0;

destroy_lock:
        pthread_rwlock_destroy(&mm->lock);
free_mm:
        free(mm);
        return r;
}

struct mm *mm_ref(struct mm *mm)
{
        __atomic_add_fetch(&mm->refcount, 1, __ATOMIC_RELAXED);
        return mm;
}

static void mm_free(struct mm *mm)
{
        struct vma *v;

        /* The stub goes away with its mappings; only our side needs freeing. */
        if (mm->as)
                mm_ops(mm)->as_release(mm->as);
        while ((v = vma_first(&mm->vmas))) {
                memfile_free(mm->mf, v->off, vma_len(v));
                vma_erase(&mm->vmas, v);
                vma_free(v);
        }
        pthread_rwlock_destroy(&mm->lock);
        free(mm);
}

struct mm *mm_unref(struct mm *mm)
{
        if (mm && __atomic_sub_fetch(&mm->refcount, 1, __ATOMIC_ACQ_REL) == 0)
                mm_free(mm);
        return NULL;
}

struct platform_as *mm_platform_as(const struct mm *mm)
{
        return mm->as;
}

void mm_lock_read(struct mm *mm)
{
        pthread_rwlock_rdlock(&mm->lock);
}

void mm_unlock_read(struct mm *mm)
{
        pthread_rwlock_unlock(&mm->lock);
}

void mm_isolate_range_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                             struct vma_prealloc *pa)
{
        struct vma *v = vma_find(&mm->vmas, start);

        if (v && v->start < start && v->end > start)
                v = vma_split(&mm->vmas, v, start, vma_prealloc_take(pa));
        /* The last VMA reaching into the range may straddle end. */
        v = vma_find(&mm->vmas, end - 1);
        if (v && v->start < end && v->end > end)
                vma_split(&mm->vmas, v, end, vma_prealloc_take(pa));
}

void mm_remove_range_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                            bool free_pages, struct vma_prealloc *pa)
{
        struct vma *v, *next;

        mm_isolate_range_locked(mm, start, end, pa);
        for (v = vma_find(&mm->vmas, start); v && v->start < end; v = next) {
                next = vma_next(v);
                if (free_pages)
                        memfile_free(mm->mf, v->off, vma_len(v));
                vma_erase(&mm->vmas, v);
                vma_free(v);
        }
}

int mm_unmap_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end)
{
        struct vma_prealloc pa = {};
        int r;

        if (!vma_find_intersection(&mm->vmas, start, end))
                return 0;               /* nothing mapped: success, like Linux */
        r = vma_prealloc_fill(&pa, 2);
        if (r < 0)
                return r;
        /* Never reach into the platform's part above GUEST_ADDR_MAX. */
        r = mm_ops(mm)->as_unmap(mm->as, start, MIN(end, GUEST_ADDR_MAX) - start);
        if (r == 0)
                mm_remove_range_locked(mm, start, end, true, &pa);
        vma_prealloc_release(&pa);
        return r;
}

static bool range_free(struct mm *mm, guest_ptr_t addr, uint64_t len)
{
        return !vma_find_intersection(&mm->vmas, addr, addr + len);
}

int mm_get_unmapped_area_locked(struct mm *mm, guest_ptr_t hint, uint64_t len,
                                bool map_32bit, guest_ptr_t *ret)
{
        if (len > GUEST_ADDR_MAX)
                return -ENOMEM;

        /* Like Linux, a usable hint wins (it was rounded to a page already). */
        if (hint && hint >= MM_MIN_ADDR && hint <= GUEST_ADDR_MAX - len &&
            range_free(mm, hint, len)) {
                *ret = hint;
                return 0;
        }
        if (map_32bit)
                return vma_gap_bottomup(&mm->vmas, len, MM_32BIT_LOW, MM_32BIT_HIGH, ret);
        /* Top-down below mmap_base; then, like Linux's fallback, anywhere. */
        if (vma_gap_topdown(&mm->vmas, len, MM_MIN_ADDR, mm->mmap_base, ret) == 0)
                return 0;
        return vma_gap_topdown(&mm->vmas, len, MM_MIN_ADDR, GUEST_ADDR_MAX, ret);
}

int mm_map_anon_locked(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot,
                       int vma_flags)
{
        struct vma *v;
        uint64_t off;
        int r;

        assert(range_free(mm, addr, len));
        v = vma_new();
        if (!v)
                return -ENOMEM;

        /* Prefer file offsets contiguous with a compatible neighbour, so the
         * VMAs merge (brk growth, consecutive top-down mmaps). */
        struct vma *above = vma_find(&mm->vmas, addr);
        struct vma *prev = above ? vma_prev(above) : rb_entry_safe(rb_last(&mm->vmas.root),
                                                                     struct vma, node);
        if (prev && prev->end == addr && prev->prot == prot && prev->flags == vma_flags &&
            memfile_alloc_at(mm->mf, prev->off + vma_len(prev), len) == 0)
                off = prev->off + vma_len(prev);
        else if (above && above->start == addr + len && above->prot == prot &&
                 above->flags == vma_flags && above->off >= len &&
                 memfile_alloc_at(mm->mf, above->off - len, len) == 0)
                off = above->off - len;         /* top-down neighbours merge too */
        else {
                r = memfile_alloc(mm->mf, len, &off);
                if (r < 0)
                        goto free_vma;
        }

        r = mm_ops(mm)->as_map(mm->as, addr, len, prot, off);
        if (r < 0)
                goto free_range;

        v->start = addr;
        v->end = addr + len;
        v->prot = prot;
        v->flags = vma_flags;
        v->off = off;
        vma_insert(&mm->vmas, v);
        vma_merge(&mm->vmas, v);
        return 0;

free_range:
        memfile_free(mm->mf, off, len);
free_vma:
        vma_free(v);
        return r;
}
