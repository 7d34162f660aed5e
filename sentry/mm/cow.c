/*
 * Copy-on-write: breaking it (for a guest write fault, or before the sentry
 * writes guest memory) and the references that a break under the read lock
 * has to keep a little longer.
 *
 * A break of [a, b) inside one VMA and one cow PMA: if this mm holds the only
 * reference to the pages (the other side unmapped, exec'd or exited), take
 * them as they are; otherwise copy them into fresh pages placed where they
 * will merge with their neighbours' copies (see place_copy), map those, and
 * drop the reference to the old ones.
 *
 * Dropping the old reference at once is only safe under the write lock: a
 * reader (mm_translate's caller doing host I/O) may hold a host address of the
 * old page, which the other mm could free and the allocator hand to a third
 * process the moment we let go. So breaks under the read lock (copy-out,
 * translation for writing) park the old range on mm->deferred, dropped at the
 * next write unlock, or at a read unlock that finds the lock free.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/mm/internal.h"

bool mm_range_has_cow_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end)
{
        for (struct pma *p = pma_find(&mm->pmas, start); p && p->start < end; p = pma_next(p))
                if (p->cow)
                        return true;
        return false;
}

void mm_defer_unref(struct mm *mm, uint64_t off, uint64_t len)
{
        if (mm->ndeferred == mm->deferred_cap) {
                size_t cap = mm->deferred_cap ? 2 * mm->deferred_cap : 8;
                struct mm_deferred *d = reallocarray(mm->deferred, cap, sizeof(*d));

                if (!d)
                        return;         /* out of memory: the pages leak, never a use after free */
                mm->deferred = d;
                mm->deferred_cap = cap;
        }
        mm->deferred[mm->ndeferred] = (struct mm_deferred){ off, len };
        __atomic_store_n(&mm->ndeferred, mm->ndeferred + 1, __ATOMIC_RELAXED);
}

void mm_drain_deferred_locked(struct mm *mm)
{
        for (size_t i = 0; i < mm->ndeferred; i++)
                memfile_unref(mm->mf, mm->deferred[i].off, mm->deferred[i].len);
        __atomic_store_n(&mm->ndeferred, 0, __ATOMIC_RELAXED);
}

/* File space for a copy of [a, a+len) of cow PMA p. Copies of one PMA's pages
 * made in any order should end up contiguous, so the copies merge back into
 * one PMA (a 1 GiB heap written all over after fork is one PMA again, not
 * 262144). So: right after the copy below p or right before the one above,
 * at the offset that continues it; else at the matching offset of a free
 * extent big enough for all of p; else anywhere. */
static int place_copy(struct mm *mm, struct pma *p, guest_ptr_t a, uint64_t len,
                      uint64_t *ret_off)
{
        struct pma *prev = pma_prev(p), *next = pma_next(p);

        if (prev && prev->end == p->start && !prev->cow) {
                uint64_t off = prev->off + (a - prev->start);
                if (memfile_alloc_at(mm->mf, off, len) == 0) {
                        *ret_off = off;
                        return 0;
                }
        }
        if (next && next->start == p->end && !next->cow && next->off >= next->start - a) {
                uint64_t off = next->off - (next->start - a);
                if (memfile_alloc_at(mm->mf, off, len) == 0) {
                        *ret_off = off;
                        return 0;
                }
        }
        if (memfile_alloc_in_hole(mm->mf, pma_len(p), a - p->start, len, ret_off) == 0)
                return 0;
        return memfile_alloc(mm->mf, len, ret_off);
}

/* Break [a, b), inside v and inside cow PMA p. */
static int break_piece(struct mm *mm, const struct vma *v, struct pma *p, guest_ptr_t a,
                       guest_ptr_t b, bool write_locked)
{
        struct pma_prealloc pa = {};
        uint64_t old = pma_off_of(p, a), len = b - a, fresh;
        bool take = memfile_exclusive(mm->mf, old, len);
        int r;

        r = pma_prealloc_fill(&pa, 2);
        if (r < 0)
                return r;
        if (take) {
                if (v->prot & PROT_WRITE)
                        r = mm_as_protect(mm, a, len, v->prot);
        } else {
                r = place_copy(mm, p, a, len, &fresh);
                if (r == 0) {
                        memcpy(memfile_addr(mm->mf, fresh), memfile_addr(mm->mf, old), len);
                        r = mm_as_map(mm, a, len, v->prot, fresh);
                        if (r < 0)
                                memfile_free(mm->mf, fresh, len);
                }
        }
        if (r < 0)
                goto out;

        mm_isolate_pmas_locked(mm, a, b, &pa);
        p = pma_lookup(&mm->pmas, a);
        p->cow = false;
        if (!take) {
                p->off = fresh;
                if (write_locked)
                        memfile_unref(mm->mf, old, len);
                else
                        mm_defer_unref(mm, old, len);
        }
        pma_merge(&mm->pmas, p);
out:
        pma_prealloc_release(&pa);
        return r;
}

int mm_break_cow_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end, bool write_locked)
{
        for (struct vma *v = vma_find(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
                guest_ptr_t at = MAX(v->start, start), ve = MIN(v->end, end);

                while (at < ve) {
                        struct pma *p = pma_lookup(&mm->pmas, at);
                        guest_ptr_t b;

                        if (!p) {       /* an unpopulated page of a file VMA */
                                p = pma_find(&mm->pmas, at);
                                at = p ? MIN(p->start, ve) : ve;
                                continue;
                        }
                        b = MIN(p->end, ve);

                        if (p->cow) {
                                int r = break_piece(mm, v, p, at, b, write_locked);
                                if (r < 0)
                                        return r;
                        }
                        at = b;
                }
        }
        return 0;
}

int mm_handle_fault(struct mm *mm, guest_ptr_t addr, unsigned access)
{
        guest_ptr_t page = PAGE_ROUND_DOWN(addr);
        struct vma *v;
        struct pma *p;
        int r = -EFAULT;

        mm_lock_write(mm);
        v = vma_lookup(&mm->vmas, addr);
        if (v && v->file && v->prot && !pma_lookup(&mm->pmas, page)) {
                /* Not populated: past EOF when mapped, or truncated since. */
                r = mm_file_populate_locked(mm, v, page, page + PAGE_SIZE);
                if (r == -ENXIO)
                        r = -EIO;       /* SIGBUS */
                else if (r < 0 && r != -ENOMEM)
                        r = -EFAULT;
                goto unlock;
        }
        if (!v || !(v->prot & PROT_WRITE))
                goto unlock;
        /* An instruction fetch from a non-executable page is real. From an
         * executable one it cannot fault (cow pages keep PROT_EXEC): ptrace's
         * "EXEC" only means si_addr == rip, which a write to the instruction's
         * own address also gives. */
        if ((access & PLATFORM_ACCESS_EXEC) && !(v->prot & PROT_EXEC))
                goto unlock;
        p = pma_lookup(&mm->pmas, page);
        if (p->cow) {
                /* The whole piece when it is ours alone (one fault, not one per
                 * page, for a parent whose child has exec'd); else the page. */
                guest_ptr_t a = MAX(p->start, v->start), b = MIN(p->end, v->end);

                if (!memfile_exclusive(mm->mf, pma_off_of(p, a), b - a)) {
                        a = page;
                        b = page + PAGE_SIZE;
                }
                r = break_piece(mm, v, p, a, b, true);
                mm->last_spurious = 0;
        } else if (mm->last_spurious != addr + 1) {
                /* Writable and not cow: another thread broke it between the
                 * fault and here. Retry once; the same fault twice in a row
                 * is real. (+1: page 0 is never mapped, 0 means none.) */
                mm->last_spurious = addr + 1;
                r = 0;
        } else
                mm->last_spurious = 0;
unlock:
        mm_unlock_write(mm);
        return r;
}
