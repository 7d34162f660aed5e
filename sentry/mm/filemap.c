/*
 * File-backed mappings: populating a file VMA's pages from its file, the
 * reverse map from a file to the mms that map it, and taking pages away when
 * the file shrinks (Linux's filemap faults, i_mmap and unmap_mapping_range).
 *
 * A file VMA's pages are populated when it is mapped, page by page through
 * the file's mappable: MAP_SHARED gets the file's own memory-file pages (the
 * same pages read(2) and write(2) use), MAP_PRIVATE gets them copy-on-write
 * (or a copy, or a fresh zero page for a hole). Pages from the one at EOF on
 * get no PMA: a fault there is populated if the file grew meanwhile, else
 * SIGBUS (-EIO).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

void mm_mappable_init(struct mm_mappable *m, const struct mm_mappable_ops *ops)
{
        m->ops = ops;
        pthread_mutex_init(&m->rmap_lock, NULL);
        m->rmap = NULL;
        m->frozen = false;
}

void mm_mappable_destroy(struct mm_mappable *m)
{
        pthread_mutex_destroy(&m->rmap_lock);
}

/* ---- Registration: which mms map which files ------------------------------ */

int mm_file_register_locked(struct mm *mm, struct mm_mappable *m)
{
        struct mm_rmap_entry *e;

        for (e = mm->files; e; e = e->next_in_mm)
                if (e->m == m)
                        return 0;
        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        m->ops->ref(m);
        e->mm = mm;
        e->m = m;
        pthread_mutex_lock(&m->rmap_lock);
        e->next_in_m = m->rmap;
        m->rmap = e;
        pthread_mutex_unlock(&m->rmap_lock);
        e->next_in_mm = mm->files;
        mm->files = e;
        return 0;
}

static void unlink_from_file(struct mm_rmap_entry *e)
{
        struct mm_mappable *m = e->m;

        pthread_mutex_lock(&m->rmap_lock);
        for (struct mm_rmap_entry **pp = &m->rmap; *pp; pp = &(*pp)->next_in_m)
                if (*pp == e) {
                        *pp = e->next_in_m;
                        break;
                }
        pthread_mutex_unlock(&m->rmap_lock);
        m->ops->unref(m);
        free(e);
}

static bool file_mapped(struct mm *mm, struct mm_mappable *m)
{
        for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v))
                if (v->file == m)
                        return true;
        return false;
}

void mm_files_prune_locked(struct mm *mm)
{
        struct mm_rmap_entry **pp = &mm->files, *e;

        while ((e = *pp)) {
                if (file_mapped(mm, e->m)) {
                        pp = &e->next_in_mm;
                        continue;
                }
                *pp = e->next_in_mm;
                unlink_from_file(e);
        }
}

void mm_files_release(struct mm *mm)
{
        struct mm_rmap_entry *e;

        while ((e = mm->files)) {
                mm->files = e->next_in_mm;
                unlink_from_file(e);
        }
}

bool mm_range_has_file_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end)
{
        for (struct vma *v = vma_find(&mm->vmas, start); v && v->start < end; v = vma_next(v))
                if (v->file)
                        return true;
        return false;
}

/* ---- Populating ----------------------------------------------------------- */

/* A small private writable mapping of a file that never changes (a
 * program's or a library's data and GOT, from the read-only lower layer) is
 * nearly always written, by the dynamic loader's relocations first: its own
 * copies up front cost a memcpy each instead of a write fault each (a round
 * trip to the stub). Only for frozen files: a private mapping of any other
 * sees the file's changes until it writes a page, as on Linux. */
#define EAGER_COPY_MAX (16 * PAGE_SIZE)

static bool eager_copy(const struct vma *v)
{
        return v->file->frozen && (v->prot & PROT_WRITE) && vma_len(v) <= EAGER_COPY_MAX;
}

/* The memory-file page for page pgoff of v's file. */
static int file_page(struct mm *mm, struct vma *v, guest_ptr_t at, uint64_t *ret_off,
                     bool *ret_cow)
{
        const struct mm_mappable_ops *ops = v->file->ops;
        uint64_t pgoff = v->pgoff + (at - v->start);
        bool shared = v->flags & VMA_SHARED;
        int r = -ENODEV;

        *ret_cow = false;
        if (ops->get_page)
                r = ops->get_page(v->file, mm->mf, pgoff, shared, ret_off);
        if (r == 0 && !shared && eager_copy(v)) {
                uint64_t page = *ret_off;

                r = mm_alloc_backing_locked(mm, at, PAGE_SIZE, ret_off);
                if (r == 0)
                        memcpy(memfile_addr(mm->mf, *ret_off), memfile_addr(mm->mf, page),
                               PAGE_SIZE);
                memfile_unref(mm->mf, page, PAGE_SIZE);
                return r;
        }
        if (r == 0) {
                *ret_cow = !shared;     /* private: the file's page until written */
                return 0;
        }
        if (shared || (r != -ENOENT && r != -ENODEV))
                return r;
        /* Private, and a hole (zero page) or data elsewhere (a copy). */
        if (r == -ENODEV && !ops->read)
                return -ENODEV;
        bool hole = r == -ENOENT;

        r = mm_alloc_backing_locked(mm, at, PAGE_SIZE, ret_off);
        if (r < 0 || hole)
                return r;
        r = ops->read(v->file, pgoff, memfile_addr(mm->mf, *ret_off));
        if (r < 0)
                memfile_free(mm->mf, *ret_off, PAGE_SIZE);
        return r;
}

int mm_file_populate_locked(struct mm *mm, struct vma *v, guest_ptr_t start, guest_ptr_t end)
{
        guest_ptr_t at;
        int r = 0, m;

        for (at = start; at < end; at += PAGE_SIZE) {
                struct pma *p;
                uint64_t off;
                bool cow;

                if (pma_lookup(&mm->pmas, at))
                        continue;
                p = pma_new();
                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                r = file_page(mm, v, at, &off, &cow);
                if (r < 0) {
                        /* A full file system is SIGBUS at the page, as
                         * Linux's shmem fault, not an mmap error. */
                        if (r == -ENOSPC)
                                r = -ENXIO;
                        pma_free(p);
                        break;
                }
                mm_insert_pma_locked(mm, p, at, at + PAGE_SIZE, off, cow);
        }
        /* One platform call per PMA piece (the pages are mostly contiguous). */
        m = at > start ? mm_as_map_range_locked(mm, start, at) : 0;
        return r < 0 ? r : m;
}

bool mm_range_backed_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end)
{
        guest_ptr_t at = start;

        for (struct pma *p = pma_find(&mm->pmas, start); p && at < end; p = pma_next(p)) {
                if (p->start > at)
                        return false;
                at = p->end;
        }
        return at >= end;
}

int mm_as_batch_protect_backed_locked(struct mm_as_batch *b, guest_ptr_t start,
                                      guest_ptr_t end, int prot)
{
        guest_ptr_t run = 0, run_end = 0;
        int run_prot = -1, r;

        /* One call per run of touching PMAs with equal protection. */
        for (struct pma *p = pma_find(&b->mm->pmas, start); p && p->start < end;
             p = pma_next(p)) {
                guest_ptr_t a = MAX(p->start, start), e = MIN(p->end, end);
                int pp = p->cow ? prot & ~PROT_WRITE : prot;

                if (run_prot != -1 && (a != run_end || pp != run_prot)) {
                        r = mm_as_batch_add(b, PLATFORM_AS_PROTECT, run, run_end - run,
                                            run_prot, 0);
                        if (r < 0)
                                return r;
                        run_prot = -1;
                }
                if (run_prot == -1) {
                        run = a;
                        run_prot = pp;
                }
                run_end = e;
        }
        return run_prot == -1 ? 0 : mm_as_batch_add(b, PLATFORM_AS_PROTECT, run,
                                                     run_end - run, run_prot, 0);
}

int mm_as_protect_backed_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end, int prot)
{
        struct mm_as_batch batch;
        int r;

        mm_as_batch_init(&batch, mm);
        r = mm_as_batch_protect_backed_locked(&batch, start, end, prot);
        return r < 0 ? r : mm_as_batch_flush(&batch);
}

/* ---- Taking pages away ----------------------------------------------------- */

/* Unmap and drop the PMAs of [start, end) (inside file VMAs). If the
 * platform refuses, the pages stay (still referenced): stale, never reused. */
static int zap_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end)
{
        struct pma_prealloc pa = {};
        struct pma *p, *next;
        int r;

        r = pma_prealloc_fill(&pa, 2);
        if (r < 0)
                return r;
        for (p = pma_find(&mm->pmas, start); p && p->start < end; p = pma_next(p)) {
                guest_ptr_t a = MAX(p->start, start), b = MIN(p->end, end);

                r = mm_as_unmap(mm, a, b - a);
                if (r < 0)
                        goto out;
        }
        mm_isolate_pmas_locked(mm, start, end, &pa);
        for (p = pma_find(&mm->pmas, start); p && p->start < end; p = next) {
                next = pma_next(p);
                memfile_unref(mm->mf, p->off, pma_len(p));
                pma_erase(&mm->pmas, p);
                pma_free(p);
        }
out:
        pma_prealloc_release(&pa);
        return r;
}

int mm_file_zap_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end)
{
        return zap_locked(mm, start, end);
}

static bool mm_tryref(struct mm *mm)
{
        int n = __atomic_load_n(&mm->refcount, __ATOMIC_RELAXED);

        while (n > 0)
                if (__atomic_compare_exchange_n(&mm->refcount, &n, n + 1, false,
                                                __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                        return true;
        return false;
}

static void unmap_from_in(struct mm *mm, struct mm_mappable *m, uint64_t from)
{
        mm_lock_write(mm);
        for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v)) {
                guest_ptr_t start;

                if (v->file != m || v->pgoff + vma_len(v) <= from)
                        continue;
                start = v->pgoff >= from ? v->start : v->start + (from - v->pgoff);
                zap_locked(mm, start, v->end);
        }
        mm_unlock_write(mm);
}

/* The mms mapping m, each with a reference, in a new array (*ret_n of
 * them); rmap_lock is taken and dropped. */
static struct mm **rmap_collect(struct mm_mappable *m, size_t *ret_n)
{
        struct mm **mms = NULL;
        size_t n = 0, cap = 0;

        pthread_mutex_lock(&m->rmap_lock);
        for (struct mm_rmap_entry *e = m->rmap; e; e = e->next_in_m) {
                if (n == cap) {
                        size_t ncap = cap ? 2 * cap : 4;
                        struct mm **t = reallocarray(mms, ncap, sizeof(*t));

                        if (!t)
                                break;  /* out of memory: the rest are not seen */
                        mms = t;
                        cap = ncap;
                }
                if (mm_tryref(e->mm))
                        mms[n++] = e->mm;
        }
        pthread_mutex_unlock(&m->rmap_lock);
        *ret_n = n;
        return mms;
}

bool mm_mappable_writably_mapped(struct mm_mappable *m)
{
        size_t n;
        struct mm **mms = rmap_collect(m, &n);
        bool found = false;

        for (size_t i = 0; i < n; i++) {
                struct mm *mm = mms[i];

                mm_lock_read(mm);
                for (struct vma *v = vma_first(&mm->vmas); v && !found; v = vma_next(v))
                        if (v->file == m && (v->flags & VMA_SHARED) &&
                            !(v->flags & VMA_NOMAYWRITE))
                                found = true;
                mm_unlock_read(mm);
                mm_unref(mm);
        }
        free(mms);
        return found;
}

void mm_mappable_unmap_from(struct mm_mappable *m, uint64_t size)
{
        uint64_t from = PAGE_ROUND_UP(size);
        size_t n;
        /* Collected first, then visited with no lock of the file's held:
         * the order is mm->lock → rmap_lock. Out of memory, the mms not
         * collected keep stale pages. */
        struct mm **mms = rmap_collect(m, &n);

        for (size_t i = 0; i < n; i++) {
                unmap_from_in(mms[i], m, from);
                mm_unref(mms[i]);
        }
        free(mms);
}

/* ---- shmdt ----------------------------------------------------------------- */

int mm_unmap_attachment(struct mm *mm, guest_ptr_t addr, const struct mm_mappable_ops *ops)
{
        struct mm_mappable *m = NULL;
        struct vma *v;
        int r = 0;

        mm_lock_write(mm);
        /* The first piece of an attachment at its own offset from addr: the
         * one at addr, or above if its first pages were unmapped (Linux). */
        for (v = vma_find(&mm->vmas, addr); v; v = vma_next(v))
                if (v->file && v->file->ops == ops && v->pgoff == v->start - addr) {
                        m = v->file;
                        break;
                }
        if (!m) {
                mm_unlock_write(mm);
                return -EINVAL;
        }
        /* Like Linux's shmdt: every piece of the same attachment at its own
         * offset from addr (within the file's size: a mappable maps no more). */
        while (v && r == 0) {
                struct vma *next = vma_next(v);
                guest_ptr_t start = v->start, end = v->end;

                if (v->file == m && v->pgoff == start - addr) {
                        guest_ptr_t resume = next ? next->start : 0;

                        r = mm_unmap_locked(mm, start, end);
                        /* The tree changed: find the next piece again. */
                        next = next ? vma_find(&mm->vmas, resume) : NULL;
                }
                v = next;
        }
        mm_unlock_write(mm);
        return r;
}
