/*
 * struct mm: lifetime, locking, and the tree-plus-platform helpers the system
 * calls share (isolating a range, removing one, finding a free one, mapping
 * fresh anonymous memory, mapping a range as the trees say).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

int mm_alloc(struct platform *p, struct memfile *mf, struct mm **ret)
{
        struct mm *mm;
        int r;

        mm = calloc(1, sizeof(*mm));
        if (!mm)
                return -ENOMEM;
        r = -pthread_rwlock_init(&mm->lock, NULL);
        if (r < 0)
                goto free_mm;
        r = -pthread_mutex_init(&mm->pma_lock, NULL);
        if (r < 0)
                goto destroy_lock;

        mm->refcount = 1;
        mm->platform = p;
        mm->mf = mf;
        /* Linux's default layout: mmap grows down from below the stack area.
         * No randomisation yet. */
        mm->mmap_base = GUEST_ADDR_MAX - MM_STACK_GAP;
        vma_tree_init(&mm->vmas);
        pma_tree_init(&mm->pmas);
        *ret = mm;
        return 0;

destroy_lock:
        pthread_rwlock_destroy(&mm->lock);
free_mm:
        free(mm);
        return r;
}

int mm_create(struct platform *p, struct memfile *mf, struct mm **ret)
{
        struct mm *mm;
        int r;

        r = mm_alloc(p, mf, &mm);
        if (r < 0)
                return r;
        r = p->ops->as_create(p, &mm->as);
        if (r < 0) {
                mm_unref(mm);
                return r;
        }
        *ret = mm;
        return 0;
}

int mm_create_detached(struct platform *p, struct memfile *mf, struct mm **ret)
{
        return mm_alloc(p, mf, ret);
}

struct mm *mm_ref(struct mm *mm)
{
        __atomic_add_fetch(&mm->refcount, 1, __ATOMIC_RELAXED);
        return mm;
}

/* The removed VMAs' file references go with no lock held. */
static void free_dead_vmas(struct vma *v)
{
        while (v) {
                struct vma *next = v->dead_next;

                vma_free(v);
                v = next;
        }
}

static void mm_free(struct mm *mm)
{
        struct vma *v;
        struct pma *p;

        /* The stub goes away with its mappings; only our side needs freeing. */
        if (mm->as)
                mm_ops(mm)->as_release(mm->as);
        mm_drain_deferred_locked(mm);
        free(mm->deferred);
        while ((p = pma_first(&mm->pmas))) {
                memfile_unref(mm->mf, p->off, pma_len(p));
                pma_erase(&mm->pmas, p);
                pma_free(p);
        }
        while ((v = vma_first(&mm->vmas))) {
                vma_erase(&mm->vmas, v);
                vma_free(v);
        }
        free_dead_vmas(mm->dead_vmas);
        mm_files_release(mm);
        pthread_mutex_destroy(&mm->pma_lock);
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

int mm_as_map(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, uint64_t off)
{
        return mm->as ? mm_ops(mm)->as_map(mm->as, addr, len, prot, off) : 0;
}

int mm_as_unmap(struct mm *mm, guest_ptr_t addr, uint64_t len)
{
        return mm->as ? mm_ops(mm)->as_unmap(mm->as, addr, len) : 0;
}

int mm_as_protect(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot)
{
        return mm->as ? mm_ops(mm)->as_protect(mm->as, addr, len, prot) : 0;
}

static int as_op_one(struct mm *mm, const struct platform_as_op *op)
{
        switch (op->kind) {
        case PLATFORM_AS_MAP:
                return mm_as_map(mm, op->addr, op->len, op->prot, op->off);
        case PLATFORM_AS_UNMAP:
                return mm_as_unmap(mm, op->addr, op->len);
        case PLATFORM_AS_PROTECT:
                return mm_as_protect(mm, op->addr, op->len, op->prot);
        }
        return -EINVAL;
}

int mm_as_batch_add(struct mm_as_batch *b, enum platform_as_op_kind kind, guest_ptr_t addr,
                    uint64_t len, int prot, uint64_t off)
{
        struct platform_as_op op = { .kind = kind, .prot = prot, .addr = addr, .len = len,
                                     .off = off };
        int r;

        if (!b->mm->as)
                return 0;
        if (!mm_ops(b->mm)->as_apply)
                return as_op_one(b->mm, &op);
        if (b->n == MM_AS_BATCH_MAX) {
                r = mm_as_batch_flush(b);
                if (r < 0)
                        return r;
        }
        b->ops[b->n++] = op;
        return 0;
}

int mm_as_batch_flush(struct mm_as_batch *b)
{
        unsigned n = b->n;

        b->n = 0;
        if (n == 0 || !b->mm->as)
                return 0;
        return mm_ops(b->mm)->as_apply(b->mm->as, b->ops, n);
}

void mm_lock_read(struct mm *mm)
{
        pthread_rwlock_rdlock(&mm->lock);
}

void mm_unlock_read(struct mm *mm)
{
        pthread_rwlock_unlock(&mm->lock);
        /* Deferred references go as soon as nobody reads; don't wait for it. */
        if (__atomic_load_n(&mm->ndeferred, __ATOMIC_RELAXED) &&
            pthread_rwlock_trywrlock(&mm->lock) == 0)
                mm_unlock_write(mm);
}

void mm_lock_write(struct mm *mm)
{
        pthread_rwlock_wrlock(&mm->lock);
}

void mm_unlock_write(struct mm *mm)
{
        struct vma *dead = mm->dead_vmas;

        mm_drain_deferred_locked(mm);
        mm->dead_vmas = NULL;
        pthread_rwlock_unlock(&mm->lock);
        free_dead_vmas(dead);
}

void mm_discard_vma_locked(struct mm *mm, struct vma *v)
{
        if (!v->vm_file.file) {
                vma_free(v);
                return;
        }
        v->dead_next = mm->dead_vmas;
        mm->dead_vmas = v;
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

void mm_remove_vmas_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                           struct vma_prealloc *pa)
{
        struct vma *v, *next;

        mm_isolate_range_locked(mm, start, end, pa);
        for (v = vma_find(&mm->vmas, start); v && v->start < end; v = next) {
                next = vma_next(v);
                vma_erase(&mm->vmas, v);
                mm_discard_vma_locked(mm, v);
        }
}

void mm_isolate_pmas_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                            struct pma_prealloc *pa)
{
        struct pma *p = pma_find(&mm->pmas, start);

        if (p && p->start < start && p->end > start)
                pma_split(&mm->pmas, p, start, pma_prealloc_take(pa));
        p = pma_find(&mm->pmas, end - 1);
        if (p && p->start < end && p->end > end)
                pma_split(&mm->pmas, p, end, pma_prealloc_take(pa));
}

void mm_drop_pmas_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                         struct pma_prealloc *pa)
{
        struct pma *p, *next;

        mm_isolate_pmas_locked(mm, start, end, pa);
        for (p = pma_find(&mm->pmas, start); p && p->start < end; p = next) {
                next = pma_next(p);
                memfile_unref(mm->mf, p->off, pma_len(p));
                pma_erase(&mm->pmas, p);
                pma_free(p);
        }
}

void mm_remove_range_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                            struct vma_prealloc *vpa, struct pma_prealloc *ppa)
{
        mm_remove_vmas_locked(mm, start, end, vpa);
        mm_drop_pmas_locked(mm, start, end, ppa);
}

int mm_unmap_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end)
{
        struct vma_prealloc vpa = {};
        struct pma_prealloc ppa = {};
        bool files;
        int r;

        if (!vma_find_intersection(&mm->vmas, start, end))
                return 0;               /* nothing mapped: success, like Linux */
        files = mm_range_has_file_locked(mm, start, end);
        r = vma_prealloc_fill(&vpa, 2);
        if (r == 0)
                r = pma_prealloc_fill(&ppa, 2);
        /* Never reach into the platform's part above GUEST_ADDR_MAX. */
        if (r == 0)
                r = mm_as_unmap(mm, start, MIN(end, GUEST_ADDR_MAX) - start);
        if (r == 0) {
                mm_remove_range_locked(mm, start, end, &vpa, &ppa);
                if (files)
                        mm_files_prune_locked(mm);
        }
        vma_prealloc_release(&vpa);
        pma_prealloc_release(&ppa);
        return r;
}

int mm_as_map_range_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end)
{
        struct mm_as_batch batch;
        struct vma *v;
        struct pma *p;
        int r;

        mm_as_batch_init(&batch, mm);
        for (v = vma_find(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
                guest_ptr_t vs = MAX(v->start, start), ve = MIN(v->end, end);

                for (p = pma_find(&mm->pmas, vs); p && p->start < ve; p = pma_next(p)) {
                        guest_ptr_t a = MAX(p->start, vs), b = MIN(p->end, ve);

                        r = mm_as_batch_add(&batch, PLATFORM_AS_MAP, a, b - a,
                                            mm_pma_prot(v, p), pma_off_of(p, a));
                        if (r < 0)
                                return r;
                }
        }
        return mm_as_batch_flush(&batch);
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

int mm_alloc_backing_locked(struct mm *mm, guest_ptr_t addr, uint64_t len, uint64_t *ret_off)
{
        struct pma *above = pma_find(&mm->pmas, addr);
        struct pma *below = above ? pma_prev(above)
                                  : rb_entry_safe(rb_last(&mm->pmas.root), struct pma, node);

        /* Contiguous with a neighbour's pages, so the PMAs merge (brk growth,
         * consecutive top-down mmaps). */
        if (below && below->end == addr && !below->cow &&
            memfile_alloc_at(mm->mf, below->off + pma_len(below), len) == 0) {
                *ret_off = below->off + pma_len(below);
                return 0;
        }
        if (above && above->start == addr + len && !above->cow && above->off >= len &&
            memfile_alloc_at(mm->mf, above->off - len, len) == 0) {
                *ret_off = above->off - len;
                return 0;
        }
        return memfile_alloc(mm->mf, len, ret_off);
}

void mm_insert_pma_locked(struct mm *mm, struct pma *p, guest_ptr_t start, guest_ptr_t end,
                          uint64_t off, bool cow)
{
        *p = (struct pma){ .start = start, .end = end, .off = off, .cow = cow };
        pma_insert(&mm->pmas, p);
        pma_merge(&mm->pmas, p);
}

int mm_map_anon_locked(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot,
                       int vma_flags, const struct mm_vm_file *vf, uint64_t pgoff)
{
        struct vma *v;
        struct pma *p;
        uint64_t off;
        int r = -ENOMEM;

        assert(range_free(mm, addr, len));
        v = vma_new();
        p = pma_new();
        if (!v || !p)
                goto free_nodes;
        r = mm_alloc_backing_locked(mm, addr, len, &off);
        if (r < 0)
                goto free_nodes;
        r = mm_as_map(mm, addr, len, prot, off);
        if (r < 0)
                goto free_range;

        *v = (struct vma){ .start = addr, .end = addr + len, .prot = prot, .flags = vma_flags,
                           .vm_file = vma_vm_file_get(vf), .pgoff = vf && vf->file ? pgoff : 0 };
        vma_insert(&mm->vmas, v);
        vma_merge(&mm->vmas, v);
        mm_insert_pma_locked(mm, p, addr, addr + len, off, false);
        return 0;

free_range:
        memfile_free(mm->mf, off, len);
free_nodes:
        vma_free(v);
        pma_free(p);
        return r;
}
