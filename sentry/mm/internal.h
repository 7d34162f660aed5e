/*
 * sentry/mm internals: the memory file's allocator, the VMA tree and struct mm.
 * Nothing outside sentry/mm includes this (tests do, to check the pieces).
 *
 * Lock order (as in mm.h): mm->lock → memfile->lock.
 */
#ifndef CONTERNEL_SENTRY_MM_INTERNAL_H
#define CONTERNEL_SENTRY_MM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/macro.h"
#include "lib/rbtree.h"
#include "sentry/mm/mm.h"

/* ---- The memory file ------------------------------------------------------ */

/* A free range of the memory file. Lives in two trees at once: by offset (to
 * find neighbours and coalesce) and by (length, offset) (best fit). */
struct memfile_extent {
        struct rb_node by_off;
        struct rb_node by_len;
        uint64_t off, len;
};

struct memfile {
        int fd;                         /* immutable after create */
        uint8_t *base;                  /* immutable: the whole file, MAP_SHARED */
        uint64_t size;                  /* immutable */
        pthread_mutex_t lock;
        struct rb_root free_by_off;     /* protected by lock */
        struct rb_root free_by_len;     /* protected by lock */
        uint64_t allocated;             /* protected by lock (read atomically) */
};

/* Allocate exactly [off, off+len) if it is all free (to grow a mapping in
 * place with contiguous file offsets, so its VMA stays one VMA). -ENOMEM if
 * any of it is in use or out of the file. */
int memfile_alloc_at(struct memfile *mf, uint64_t off, uint64_t len);

/* ---- VMAs ------------------------------------------------------------------ */

/* VMA flags (not MAP_*: only what a VMA keeps). */
#define VMA_SHARED      0x1     /* MAP_SHARED: not copied on fork (later) */
#define VMA_GROWSDOWN   0x2     /* MAP_GROWSDOWN: recorded; no automatic growth yet */
#define VMA_DONTFORK    0x4     /* MADV_DONTFORK */
#define VMA_WIPEONFORK  0x8     /* MADV_WIPEONFORK */

/* One mapping [start, end), backed by memory-file range [off, off + end - start).
 * Each VMA owns its file range exclusively (no sharing until fork exists). */
struct vma {
        struct rb_node node;
        guest_ptr_t start, end;         /* page aligned, start < end */
        int prot;                       /* PROT_READ|PROT_WRITE|PROT_EXEC */
        int flags;                      /* VMA_* */
        uint64_t off;                   /* memory-file offset of start */
};

static inline uint64_t vma_len(const struct vma *v)
{
        return v->end - v->start;
}

/* The memory-file offset backing guest address addr (inside v). */
static inline uint64_t vma_off_of(const struct vma *v, guest_ptr_t addr)
{
        return v->off + (addr - v->start);
}

/* Non-overlapping VMAs ordered by address. Protected by the owner's lock. */
struct vma_tree {
        struct rb_root root;
        size_t count;
};

void vma_tree_init(struct vma_tree *t);
/* The first VMA with end > addr (the one containing addr, or the next above), or NULL. */
struct vma *vma_find(const struct vma_tree *t, guest_ptr_t addr);
/* The VMA containing addr, or NULL. */
struct vma *vma_lookup(const struct vma_tree *t, guest_ptr_t addr);
/* The first VMA intersecting [start, end), or NULL. */
struct vma *vma_find_intersection(const struct vma_tree *t, guest_ptr_t start, guest_ptr_t end);
struct vma *vma_first(const struct vma_tree *t);
struct vma *vma_next(const struct vma *v);
struct vma *vma_prev(const struct vma *v);

/* Link v (fields set) into the tree. It must not overlap any VMA (asserted). */
void vma_insert(struct vma_tree *t, struct vma *v);
/* Unlink v; the caller frees it. */
void vma_erase(struct vma_tree *t, struct vma *v);

/* Split v at addr (start < addr < end, page aligned): v keeps [start, addr),
 * spare (consumed) becomes [addr, end) with the matching file offset.
 * Returns spare. */
struct vma *vma_split(struct vma_tree *t, struct vma *v, guest_ptr_t addr, struct vma *spare);

/* Whether a (below) and b (above) can be one VMA: touching, same prot and
 * flags, contiguous file offsets. */
bool vma_mergeable(const struct vma *a, const struct vma *b);
/* Merge v with its neighbours where vma_mergeable(); the absorbed VMAs are
 * freed. Returns the VMA now covering v's range. */
struct vma *vma_merge(struct vma_tree *t, struct vma *v);

/* Free-range search among [low, high) for len bytes (page multiple, > 0).
 * Top-down returns the highest fitting address, bottom-up the lowest.
 * -ENOMEM if none. O(number of VMAs in the window): VMAs are few; a gap-
 * augmented tree like Linux's maple tree can replace this later. */
int vma_gap_topdown(const struct vma_tree *t, uint64_t len, guest_ptr_t low,
                    guest_ptr_t high, guest_ptr_t *ret);
int vma_gap_bottomup(const struct vma_tree *t, uint64_t len, guest_ptr_t low,
                     guest_ptr_t high, guest_ptr_t *ret);

struct vma *vma_new(void);              /* zeroed, NULL on OOM */
void vma_free(struct vma *v);

/* VMAs allocated up front so an operation cannot fail half way through. */
#define VMA_PREALLOC_MAX 4
struct vma_prealloc {
        struct vma *v[VMA_PREALLOC_MAX];
        unsigned n;
};
int vma_prealloc_fill(struct vma_prealloc *pa, unsigned n);    /* -ENOMEM */
struct vma *vma_prealloc_take(struct vma_prealloc *pa);        /* asserts one is left */
void vma_prealloc_release(struct vma_prealloc *pa);            /* frees the unused */

/* ---- Address spaces ------------------------------------------------------- */

/* Linux's TASK_SIZE on x86_64 (4-level paging): the bound Linux checks
 * arguments against. Mappings themselves stay below GUEST_ADDR_MAX. */
#define MM_TASK_SIZE 0x00007ffffffff000ULL
/* Linux's vm.mmap_min_addr default: no guest mapping below it (EPERM for MAP_FIXED). */
#define MM_MIN_ADDR 0x10000ULL
/* Room kept free above mmap_base for the main stack, like Linux's minimum gap. */
#define MM_STACK_GAP (128ULL << 20)
/* Linux's sysctl vm.max_map_count default. */
#define MM_MAX_MAP_COUNT 65530
/* MAP_32BIT window on x86_64 (arch/x86/kernel/sys_x86_64.c find_start_end). */
#define MM_32BIT_LOW 0x40000000ULL
#define MM_32BIT_HIGH 0x80000000ULL

struct mm {
        pthread_rwlock_t lock;
        int refcount;                   /* atomic */
        struct platform *platform;      /* immutable */
        struct platform_as *as;         /* immutable */
        struct memfile *mf;             /* immutable, borrowed: outlives the mm */
        guest_ptr_t mmap_base;          /* immutable: top of the top-down mmap area */
        struct vma_tree vmas;           /* protected by lock */
        guest_ptr_t start_brk;          /* protected by lock: 0 until mm_brk_init() */
        guest_ptr_t brk;                /* protected by lock: unaligned, as Linux keeps it */
};

static inline const struct platform_ops *mm_ops(const struct mm *mm)
{
        return mm->platform->ops;
}

/* Page-align len up; 0 if that wraps (callers turn 0 into their errno). */
static inline uint64_t mm_page_align(uint64_t len)
{
        return len > UINT64_MAX - PAGE_SIZE + 1 ? 0 : PAGE_ROUND_UP(len);
}

/* Split the VMAs straddling start or end so that [start, end) is made of
 * whole VMAs. Takes up to two VMAs from pa. Write lock held. */
void mm_isolate_range_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                             struct vma_prealloc *pa);
/* Remove every VMA piece in [start, end) from the tree; free_pages gives their
 * file ranges back (false when the pages moved elsewhere, mremap). Does not
 * touch the platform. Takes up to two VMAs from pa. Write lock held. */
void mm_remove_range_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                            bool free_pages, struct vma_prealloc *pa);
/* munmap's work on [start, end) (page aligned): platform, tree, file ranges.
 * 0 if nothing was mapped there. Write lock held. */
int mm_unmap_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end);
/* An unmapped range of len bytes for a non-MAP_FIXED request: the hint if it
 * fits, else top-down below mmap_base (bottom-up in the MAP_32BIT window).
 * -ENOMEM if nothing fits. Lock held. */
int mm_get_unmapped_area_locked(struct mm *mm, guest_ptr_t hint, uint64_t len,
                                bool map_32bit, guest_ptr_t *ret);
/* Map a fresh zeroed anonymous range at [addr, addr+len) (free in the tree),
 * mirrored to the platform. Write lock held. -ENOMEM, or the platform's error. */
int mm_map_anon_locked(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot,
                       int vma_flags);

#endif
