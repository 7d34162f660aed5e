/*
 * madvise(2), after Linux's mm/madvise.c: the advice is applied to each
 * mapped piece of the range; holes make the call fail with -ENOMEM at the end,
 * like Linux. Hints that only tune the host's paging are accepted and do
 * nothing (the host pages the memory file as it sees fit).
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

static bool advice_valid(int advice)
{
        switch (advice) {
        case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
        case MADV_DONTNEED: case MADV_FREE: case MADV_REMOVE:
        case MADV_DONTFORK: case MADV_DOFORK: case MADV_WIPEONFORK: case MADV_KEEPONFORK:
        case MADV_MERGEABLE: case MADV_UNMERGEABLE:
        case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_COLLAPSE:
        case MADV_DONTDUMP: case MADV_DODUMP:
        case MADV_COLD: case MADV_PAGEOUT:
        case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
        case MADV_DONTNEED_LOCKED:
        case MADV_HWPOISON: case MADV_SOFT_OFFLINE:
                return true;
        default:
                /* Includes MADV_GUARD_INSTALL/REMOVE (Linux 6.13): not built yet,
                 * refused as older kernels refuse them. */
                return false;
        }
}

/* Advice that changes VMA flags: the pieces must become whole VMAs. */
static bool advice_sets_flags(int advice)
{
        return advice == MADV_DONTFORK || advice == MADV_DOFORK ||
               advice == MADV_WIPEONFORK || advice == MADV_KEEPONFORK;
}

/* Private pages of [start, end) inside v read back as zero from now on. This
 * mm's own pages are zeroed in place (holes punched); pages still shared
 * copy-on-write with another mm are replaced by fresh zero pages, the shared
 * ones keep their contents for the other side. */
static int zap_private(struct mm *mm, const struct vma *v, guest_ptr_t start, guest_ptr_t end)
{
        guest_ptr_t at = start;
        int r = 0;

        while (at < end) {
                struct pma_prealloc pa = {};
                struct pma *p = pma_lookup(&mm->pmas, at);
                guest_ptr_t b = MIN(p->end, end);
                uint64_t old = pma_off_of(p, at), fresh;

                if (!p->cow || memfile_exclusive(mm->mf, old, b - at)) {
                        memfile_zero(mm->mf, old, b - at);
                        at = b;
                        continue;
                }
                r = pma_prealloc_fill(&pa, 2);
                if (r == 0)
                        r = memfile_alloc(mm->mf, b - at, &fresh);
                if (r < 0) {
                        pma_prealloc_release(&pa);
                        break;
                }
                r = mm_as_map(mm, at, b - at, v->prot, fresh);
                if (r < 0) {
                        memfile_free(mm->mf, fresh, b - at);
                        pma_prealloc_release(&pa);
                        break;
                }
                mm_isolate_pmas_locked(mm, at, b, &pa);
                p = pma_lookup(&mm->pmas, at);
                p->off = fresh;
                p->cow = false;
                pma_merge(&mm->pmas, p);
                memfile_unref(mm->mf, old, b - at);
                pma_prealloc_release(&pa);
                at = b;
        }
        return r;
}

/* Apply advice to [start, end) inside v. */
static int advise_piece(struct mm *mm, struct vma *v, guest_ptr_t start, guest_ptr_t end,
                        int advice)
{
        bool shared = v->flags & VMA_SHARED;
        int r;

        if (v->file) {
                switch (advice) {
                case MADV_DONTNEED:
                case MADV_DONTNEED_LOCKED:
                        /* The file's pages live on in the file; a private
                         * mapping's copies are dropped and it reads the file
                         * again, as on Linux. */
                        if (shared)
                                return 0;
                        r = mm_file_zap_locked(mm, start, end);
                        if (r == 0)
                                r = mm_file_populate_locked(mm, v, start, end);
                        return r == -ENXIO ? 0 : r;
                case MADV_FREE:
                case MADV_WIPEONFORK:
                        return -EINVAL;         /* anonymous memory only */
                case MADV_REMOVE:
                        /* Linux punches a hole in the file through fallocate,
                         * which no file system here supports yet. */
                        if (!shared || (v->flags & VMA_NOMAYWRITE))
                                return -EACCES;
                        return -EOPNOTSUPP;
                default:
                        break;
                }
        }

        switch (advice) {
        case MADV_DONTNEED:
        case MADV_DONTNEED_LOCKED:
                /* Private pages are dropped and read back as zero; shared
                 * anonymous (shmem) pages live on in the object. */
                return shared ? 0 : zap_private(mm, v, start, end);
        case MADV_FREE:
                /* Private anonymous only. Freeing now is one of the outcomes
                 * Linux allows (contents are undefined until written). */
                if (shared)
                        return -EINVAL;
                return zap_private(mm, v, start, end);
        case MADV_REMOVE:
                /* Punches a hole in the backing object (every sharer sees
                 * it): shared only. */
                if (!shared)
                        return -EINVAL;
                for (guest_ptr_t at = start; at < end;) {
                        struct pma *p = pma_lookup(&mm->pmas, at);
                        guest_ptr_t b = MIN(p->end, end);

                        memfile_zero(mm->mf, pma_off_of(p, at), b - at);
                        at = b;
                }
                return 0;
        case MADV_WIPEONFORK:
                if (shared)
                        return -EINVAL;
                v->flags |= VMA_WIPEONFORK;
                return 0;
        case MADV_KEEPONFORK:
                v->flags &= ~VMA_WIPEONFORK;
                return 0;
        case MADV_DONTFORK:
                v->flags |= VMA_DONTFORK;
                return 0;
        case MADV_DOFORK:
                v->flags &= ~VMA_DONTFORK;
                return 0;
        case MADV_POPULATE_READ:
        case MADV_POPULATE_WRITE:
                /* Faulting in would fail on these: Linux says -EINVAL for
                 * "incompatible permissions". Pages are not prefaulted. */
                if (v->prot == PROT_NONE ||
                    (advice == MADV_POPULATE_WRITE && !(v->prot & PROT_WRITE)))
                        return -EINVAL;
                return 0;
        default:
                return 0;       /* paging hints */
        }
}

static int madvise_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end, int advice)
{
        struct vma_prealloc pa = {};
        guest_ptr_t first = start;
        int r, unmapped = 0;
        struct vma *v;

        if (!vma_find(&mm->vmas, start))
                return -ENOMEM;
        if (advice_sets_flags(advice)) {
                r = vma_prealloc_fill(&pa, 2);
                if (r < 0)
                        return r;
                mm_isolate_range_locked(mm, start, end, &pa);
        }

        r = 0;
        for (v = vma_find(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
                if (v->start > start)
                        unmapped = -ENOMEM;
                start = MAX(start, v->start);
                r = advise_piece(mm, v, start, MIN(end, v->end), advice);
                if (r < 0)
                        break;
                start = v->end;
        }
        if (r == 0 && start < end)
                unmapped = -ENOMEM;     /* a hole at the end of the range */

        /* Pieces whose flags now match their neighbours' become one again. */
        if (advice_sets_flags(advice))
                for (v = vma_find(&mm->vmas, first); v && v->start < end; v = vma_next(v))
                        v = vma_merge(&mm->vmas, v);
        vma_prealloc_release(&pa);
        return r < 0 ? r : unmapped;
}

int mm_madvise(struct mm *mm, guest_ptr_t start, uint64_t len_in, int advice)
{
        guest_ptr_t end;
        uint64_t len;
        int r;

        if (!advice_valid(advice))
                return -EINVAL;
        if (!PAGE_ALIGNED(start))
                return -EINVAL;
        len = mm_page_align(len_in);
        if (len_in && !len)
                return -EINVAL;         /* rounded up from a small negative */
        end = start + len;
        if (end < start)
                return -EINVAL;
        if (end == start)
                return 0;
        if (advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE)
                return -EPERM;          /* needs CAP_SYS_ADMIN in the host's sense */

        mm_lock_write(mm);
        r = madvise_locked(mm, start, end, advice);
        mm_unlock_write(mm);
        return r;
}
