/*
 * fork's address space (mm_fork, like Linux's dup_mmap) and giving a forked
 * mm its own platform address space on the child's thread
 * (mm_attach_platform). Little is copied at fork: the child's PMAs point at
 * the parent's pages, with one more reference each; private ones become
 * copy-on-write on both sides (cow.c breaks them on first write). Copied
 * for the child at once: the written pages of small private writable VMAs
 * the parent owns alone, up to 512 KiB a fork (a process's
 * stack, data and small heap: the parent keeps them writable, and neither
 * side faults on them), and the pages the caller names as hot (the ones
 * both sides write right away).
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "sentry/mm/internal.h"

/* What a fork copies at most, in bytes that hold data (mm_fork_tuning), and
 * in how many pieces a VMA. A copy costs about 0.2 us a page; sharing a page
 * costs the parent a write-protect (one per VMA, 50-150 us on these VMs) and
 * each side a fault, a copy and a mapping (20-60 us) when it writes it. */
struct mm_fork_tuning mm_fork_tuning = { .copy_max = 512 * 1024 };
#define FORK_COPY_RUNS  32

/* The child's copy of v's pages: the same pages, copy-on-write unless shared. */
static int share_pages(struct mm *parent, struct mm *child, const struct vma *v)
{
        bool shared = v->flags & VMA_SHARED;

        for (struct pma *p = pma_find(&parent->pmas, v->start); p && p->start < v->end;
             p = pma_next(p)) {
                guest_ptr_t a = MAX(p->start, v->start), b = MIN(p->end, v->end);
                struct pma *n = pma_new();
                int r;

                if (!n)
                        return -ENOMEM;
                r = memfile_ref(parent->mf, pma_off_of(p, a), b - a);
                if (r < 0) {
                        pma_free(n);
                        return r;
                }
                mm_insert_pma_locked(child, n, a, b, pma_off_of(p, a), !shared);
        }
        return 0;
}

/* Fresh zero pages for the child (MADV_WIPEONFORK). */
static int wipe_pages(struct mm *child, const struct vma *v)
{
        struct pma *n = pma_new();
        uint64_t off;
        int r;

        if (!n)
                return -ENOMEM;
        r = mm_alloc_backing_locked(child, v->start, vma_len(v), &off);
        if (r < 0) {
                pma_free(n);
                return r;
        }
        mm_insert_pma_locked(child, n, v->start, v->end, off, false);
        return 0;
}

/* The parent's side of a private VMA: its pages become copy-on-write, and
 * read-only on the platform if they were writable. */
static int protect_parent(struct mm_as_batch *batch, const struct vma *v)
{
        struct mm *parent = batch->mm;
        struct pma_prealloc pa = {};
        bool all_cow = true;
        struct pma *p;
        int r;

        for (p = pma_find(&parent->pmas, v->start); p && p->start < v->end; p = pma_next(p))
                all_cow &= p->cow;
        if (all_cow)
                return 0;       /* a second fork: already read-only on the platform */
        r = pma_prealloc_fill(&pa, 2);
        if (r < 0)
                return r;
        if (v->prot & PROT_WRITE) {
                /* A file VMA may have unpopulated (unmapped) pages. */
                r = v->file ? mm_as_batch_protect_backed_locked(batch, v->start, v->end,
                                                                v->prot & ~PROT_WRITE)
                            : mm_as_batch_add(batch, PLATFORM_AS_PROTECT, v->start, vma_len(v),
                                              v->prot & ~PROT_WRITE, 0);
                if (r < 0)
                        goto out;
        }
        mm_isolate_pmas_locked(parent, v->start, v->end, &pa);
        for (p = pma_find(&parent->pmas, v->start); p && p->start < v->end; p = pma_next(p))
                p->cow = true;
        for (p = pma_find(&parent->pmas, v->start); p && p->start < v->end; p = pma_next(p))
                p = pma_merge(&parent->pmas, p);
out:
        pma_prealloc_release(&pa);
        return r;
}

/* A page both sides are about to write: the child's own copy now (it has
 * no platform address space yet: nothing to map), and the parent's page
 * writable again after the batch's protect, unless a third mm (an earlier
 * child) still shares it. */
static int copy_hot_page(struct mm_as_batch *batch, struct mm *child, guest_ptr_t page)
{
        struct mm *parent = batch->mm;
        const struct vma *v = vma_lookup(&parent->vmas, page);
        struct pma_prealloc pa = {};
        struct pma *p;
        int r;

        if (!v || (v->flags & (VMA_SHARED | VMA_DONTFORK | VMA_WIPEONFORK)) ||
            !(v->prot & PROT_WRITE))
                return 0;
        p = pma_lookup(&parent->pmas, page);
        if (!p || !p->cow)
                return 0;               /* unpopulated, or done already */
        r = mm_break_cow_locked(child, page, page + PAGE_SIZE, true);
        if (r < 0 || !memfile_exclusive(parent->mf, pma_off_of(p, page), PAGE_SIZE))
                return r;
        r = pma_prealloc_fill(&pa, 2);
        if (r < 0)
                return r;
        r = mm_as_batch_add(batch, PLATFORM_AS_PROTECT, page, PAGE_SIZE, v->prot, 0);
        if (r == 0) {
                mm_isolate_pmas_locked(parent, page, page + PAGE_SIZE, &pa);
                p = pma_lookup(&parent->pmas, page);
                p->cow = false;
                pma_merge(&parent->pmas, p);
        }
        pma_prealloc_release(&pa);
        return r;
}

/* A run of the parent's data to copy: where it is in the guest and in the
 * memory file. */
struct fork_run {
        guest_ptr_t addr;
        uint64_t off, len;
};

/* The runs of v's data, when every piece of v is the parent's alone (not
 * copy-on-write) and they hold at most budget bytes: their count; -1 if v
 * must be shared instead. */
static int private_runs(struct mm *parent, const struct vma *v, uint64_t budget,
                        struct fork_run *runs)
{
        struct memfile_run found[FORK_COPY_RUNS];
        uint64_t bytes = 0;
        int n = 0;

        for (struct pma *p = pma_find(&parent->pmas, v->start); p && p->start < v->end;
             p = pma_next(p)) {
                guest_ptr_t a = MAX(p->start, v->start), b = MIN(p->end, v->end);
                int k;

                if (p->cow)
                        return -1;
                k = memfile_data_runs(parent->mf, pma_off_of(p, a), b - a, found,
                                      FORK_COPY_RUNS - n, budget - bytes);
                if (k < 0)
                        return -1;
                for (int i = 0; i < k; i++) {
                        runs[n++] = (struct fork_run){ a + (found[i].off - pma_off_of(p, a)),
                                                       found[i].off, found[i].len };
                        bytes += found[i].len;
                }
        }
        return n;
}

/* The child's own copy of a private writable VMA, when its data fits what
 * is left of the fork's budget: new pages for every piece, the data copied
 * in. The parent's side doesn't change. 1: copied; 0: share it instead. */
static int copy_private(struct mm *parent, struct mm *child, const struct vma *v,
                        uint64_t *budget)
{
        struct fork_run runs[FORK_COPY_RUNS];
        int n;

        if (!(v->prot & PROT_WRITE) || !*budget)
                return 0;
        n = private_runs(parent, v, *budget, runs);
        if (n < 0)
                return 0;
        for (struct pma *p = pma_find(&parent->pmas, v->start); p && p->start < v->end;
             p = pma_next(p)) {
                guest_ptr_t a = MAX(p->start, v->start), b = MIN(p->end, v->end);
                struct pma *c = pma_new();
                uint64_t off;
                int r;

                if (!c)
                        return -ENOMEM;
                r = mm_alloc_backing_locked(child, a, b - a, &off);
                if (r < 0) {
                        pma_free(c);
                        return r;
                }
                mm_insert_pma_locked(child, c, a, b, off, false);
        }
        for (int i = 0; i < n; i++) {
                const struct pma *c = pma_lookup(&child->pmas, runs[i].addr);
                uint64_t to = pma_off_of(c, runs[i].addr);

                assert(runs[i].addr + runs[i].len <= c->end);
                memfile_populate(child->mf, to, runs[i].len);
                memcpy(memfile_addr(child->mf, to), memfile_addr(parent->mf, runs[i].off),
                       runs[i].len);
                *budget -= runs[i].len;
        }
        return 1;
}

static int fork_vma(struct mm_as_batch *batch, struct mm *child, const struct vma *v,
                    uint64_t *budget)
{
        struct mm *parent = batch->mm;
        struct vma *n = vma_new();
        int r;

        if (!n)
                return -ENOMEM;
        *n = (struct vma){ .start = v->start, .end = v->end, .prot = v->prot,
                           .flags = v->flags, .file = v->file,
                           .vm_file = vma_vm_file_get(&v->vm_file), .pgoff = v->pgoff };
        vma_insert(&child->vmas, n);
        if (v->file) {
                r = mm_file_register_locked(child, v->file);
                if (r < 0)
                        return r;
        }

        if (v->flags & VMA_WIPEONFORK)
                return wipe_pages(child, v);
        if (!(v->flags & VMA_SHARED)) {
                r = copy_private(parent, child, v, budget);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        r = share_pages(parent, child, v);
        if (r == 0 && !(v->flags & VMA_SHARED))
                r = protect_parent(batch, v);
        return r;
}

int mm_fork(struct mm *parent, const guest_ptr_t *hot, unsigned nhot, struct mm **ret_child)
{
        struct mm_as_batch batch;
        uint64_t budget = mm_fork_tuning.copy_max;
        struct mm *child;
        int r, f;

        r = mm_alloc(parent->platform, parent->mf, &child);
        if (r < 0)
                return r;
        mm_lock_write(parent);
        child->mmap_base = parent->mmap_base;
        child->start_brk = parent->start_brk;
        child->brk = parent->brk;
        child->proc = parent->proc;
        /* The parent's pages become read-only on the platform in one go at
         * the end: a write by another of its threads before that lands in
         * a page the child shares, as if made before the fork. */
        mm_as_batch_init(&batch, parent);
        for (struct vma *v = vma_first(&parent->vmas); v && r == 0; v = vma_next(v))
                if (!(v->flags & VMA_DONTFORK))
                        r = fork_vma(&batch, child, v, &budget);
        for (unsigned i = 0; i < nhot && r == 0; i++)
                if (hot[i] < GUEST_ADDR_MAX)
                        r = copy_hot_page(&batch, child, PAGE_ROUND_DOWN(hot[i]));
        f = mm_as_batch_flush(&batch);
        r = r < 0 ? r : f;
        mm_unlock_write(parent);

        if (r < 0) {
                mm_unref(child);        /* drops the references taken so far */
                return r;
        }
        *ret_child = child;
        return 0;
}

int mm_attach_platform(struct mm *mm, struct platform *p, struct platform_ctx **ret_ctx)
{
        struct platform_ctx *ctx = NULL;
        int r;

        assert(p == mm->platform);
        mm_lock_write(mm);
        r = -EBUSY;
        if (mm->as)
                goto unlock;
        r = p->ops->as_create(p, &mm->as);
        if (r < 0) {
                mm->as = NULL;
                goto unlock;
        }
        /* The context first: a platform may map faster through the calling
         * thread's own context (ptrace injects into it directly). */
        if (ret_ctx) {
                r = p->ops->ctx_create(mm->as, &ctx);
                if (r < 0)
                        goto release;
        }
        r = mm_as_map_range_locked(mm, 0, GUEST_ADDR_MAX);
        if (r == 0)
                goto unlock;
        if (ctx)
                p->ops->ctx_release(ctx);
        ctx = NULL;
release:
        p->ops->as_release(mm->as);
        mm->as = NULL;
unlock:
        mm_unlock_write(mm);
        if (ret_ctx)
                *ret_ctx = ctx;
        return r;
}

int mm_exec_attach_platform(struct mm *mm, struct mm *old, struct platform_ctx *caller_ctx,
                            struct platform_ctx **ret_ctx)
{
        const struct platform_ops *ops = mm->platform->ops;
        struct platform_ctx *ctx = NULL;
        struct platform_as *as = NULL;
        int r;

        *ret_ctx = NULL;
        /* A vfork child shares its parent's: that one stays. */
        r = -EBUSY;
        if (__atomic_load_n(&old->refcount, __ATOMIC_ACQUIRE) != 1)
                goto out;
        mm_lock_write(old);
        as = old->as;
        old->as = NULL;
        mm_unlock_write(old);
        r = -ENOENT;
        if (!as)
                goto out;
        mm_lock_write(mm);
        r = -EBUSY;
        if (mm->as)
                goto unlock;
        if (caller_ctx && ops->ctx_exec && ops->ctx_exec(caller_ctx) == 0) {
                ctx = TAKE_PTR(caller_ctx);
        } else {
                if (caller_ctx)
                        ops->ctx_release(TAKE_PTR(caller_ctx));
                r = ops->ctx_create(as, &ctx);
                if (r < 0)
                        goto unlock;
        }
        /* Nothing of the old program stays mapped; then the new one's. */
        r = ops->as_unmap(as, MM_MIN_ADDR, GUEST_ADDR_MAX - MM_MIN_ADDR);
        if (r == 0) {
                mm->as = as;
                r = mm_as_map_range_locked(mm, 0, GUEST_ADDR_MAX);
                if (r == 0) {
                        mm_unlock_write(mm);
                        *ret_ctx = ctx;
                        return 0;
                }
                mm->as = NULL;
        }
        ops->ctx_release(ctx);
unlock:
        mm_unlock_write(mm);
out:
        if (caller_ctx)
                ops->ctx_release(caller_ctx);
        if (as)
                ops->as_release(as);
        return r;
}
