/*
 * sentry/mm internals: the memory file's allocator and reference counts, the
 * VMA tree (what the guest mapped), the PMA tree (which memory-file pages back
 * it) and struct mm. Nothing outside sentry/mm includes this (tests do, to
 * check the pieces).
 *
 * Lock order (as in mm.h): mm->lock → mm->pma_lock → memfile->lock.
 */
#ifndef CONTERNEL_SENTRY_MM_INTERNAL_H
#define CONTERNEL_SENTRY_MM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "lib/macro.h"
#include "lib/rbtree.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/proc_info.h"

/* ---- The memory file ------------------------------------------------------ */

/* A free range of the memory file. Lives in two trees at once: by offset (to
 * find neighbours and coalesce) and by (length, offset) (best fit). */
struct memfile_extent {
        struct rb_node by_off;
        struct rb_node by_len;
        uint64_t off, len;
};

/* Allocated pages with two or more references (memfile_ref.c); pages no
 * extent covers have exactly one. */
struct memfile_ref {
        struct rb_node node;
        uint64_t off, len;
        unsigned count;                 /* >= 2 */
};

struct memfile {
        int fd;                         /* immutable after create */
        uint8_t *base;                  /* immutable: the whole file, MAP_SHARED */
        uint64_t size;                  /* immutable */
        pthread_mutex_t lock;
        struct rb_root free_by_off;     /* protected by lock */
        struct rb_root free_by_len;     /* protected by lock */
        struct rb_root refs;            /* protected by lock: struct memfile_ref */
        uint64_t allocated;             /* protected by lock (read atomically) */
        uint64_t kept;                  /* atomic: bytes freed unpunched since the last trim */
};

/* memfile_free keeps (zeroes by hand, doesn't punch) a freed range's pages
 * when they hold at most KEEP_DATA bytes in at most KEEP_RUNS pieces (one
 * mincore call tells for a range of at most KEEP_SMALL bytes all resident);
 * past KEEP_MAX bytes kept, it punches every free extent (memfile.c). */
#define MEMFILE_KEEP_SMALL      (64 * 1024)
#define MEMFILE_KEEP_DATA       (1024 * 1024)
#define MEMFILE_KEEP_RUNS       16
#define MEMFILE_KEEP_MAX        (64ULL << 20)

/* How many bytes of data a fork copies for the child at most (fork.c);
 * the unit tests of copy-on-write set it to 0. */
struct mm_fork_tuning {
        uint64_t copy_max;
};
extern struct mm_fork_tuning mm_fork_tuning;

/* Allocate len bytes at offset delta inside the best-fitting free extent of at
 * least span bytes, leaving room around it for neighbours allocated later
 * with memfile_alloc_at() (copy-on-write copies of a big range, in any order,
 * end up contiguous). -ENOMEM if no extent is that big. */
int memfile_alloc_in_hole(struct memfile *mf, uint64_t span, uint64_t delta, uint64_t len,
                          uint64_t *ret_off);
/* The reference count of the page at off (1 if allocated and unshared). */
unsigned memfile_refcount(struct memfile *mf, uint64_t off);
void memfile_refs_destroy(struct memfile *mf);  /* memfile_destroy's part */

/* ---- VMAs ------------------------------------------------------------------ */

/* VMA flags (not MAP_*: only what a VMA keeps). */
#define VMA_SHARED      0x1     /* MAP_SHARED: the same pages after fork */
#define VMA_GROWSDOWN   0x2     /* MAP_GROWSDOWN: recorded; no automatic growth yet */
#define VMA_DONTFORK    0x4     /* MADV_DONTFORK */
#define VMA_WIPEONFORK  0x8     /* MADV_WIPEONFORK */
#define VMA_NOMAYWRITE  0x10    /* shared file mapping of a file not open for writing:
                                 * PROT_WRITE never (Linux's !VM_MAYWRITE) */
#define VMA_ACCOUNT     0x20    /* Linux's VM_ACCOUNT: private memory that was writable
                                 * (mmap without MAP_NORESERVE, brk, or mprotect adding
                                 * PROT_WRITE); never cleared, so such a mapping stays
                                 * apart from read-only neighbours, as /proc shows on Linux */
#define VMA_NORESERVE   0x40    /* MAP_NORESERVE: never VMA_ACCOUNT (Linux's VM_NORESERVE) */

/* One mapping [start, end) as the guest asked for it: protections and flags,
 * and for a file mapping the file and the file offset of start. Which
 * memory-file pages back it is the PMA tree's business. */
struct vma {
        struct rb_node node;
        guest_ptr_t start, end;         /* page aligned, start < end */
        int prot;                       /* PROT_READ|PROT_WRITE|PROT_EXEC */
        int flags;                      /* VMA_* */
        /* Borrowed: the mm's registration (mm->files) holds the reference
         * while any VMA points at it. */
        struct mm_mappable *file;
        /* The open file /proc/PID/maps names (a reference, dropped by
         * vma_free(); mm_discard_vma_locked() defers it past the lock).
         * Set with file for mmap(2) of a file, or alone on anonymous memory
         * that copies a file (the loader's segments). Empty otherwise. */
        struct mm_vm_file vm_file;
        /* File offset of start (bytes, page aligned) when file or
         * vm_file.file is set, else 0. */
        uint64_t pgoff;
        struct vma *dead_next;          /* on mm->dead_vmas (mm.c) */
};

/* Whether v maps (or names) a file at an offset that moves with its start. */
static inline bool vma_has_pgoff(const struct vma *v)
{
        return v->file || v->vm_file.file;
}

/* A new reference to vf's file, for a VMA (vf may be empty or NULL). */
static inline struct mm_vm_file vma_vm_file_get(const struct mm_vm_file *vf)
{
        if (!vf || !vf->file)
                return (struct mm_vm_file){ 0 };
        return (struct mm_vm_file){ vf->ops->ref(vf->file), vf->ops };
}

static inline uint64_t vma_len(const struct vma *v)
{
        return v->end - v->start;
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
 * spare (consumed) becomes [addr, end). Returns spare. */
struct vma *vma_split(struct vma_tree *t, struct vma *v, guest_ptr_t addr, struct vma *spare);

/* Whether a (below) and b (above) can be one VMA: touching, same prot and
 * flags, same file at continuing offsets. */
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
/* Frees v and drops its vm_file reference at once: for VMAs another VMA
 * of the same file outlives (merges), or with no lock held. */
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

/* ---- PMAs: the backing of guest memory ------------------------------------ */

/* Guest range [start, end) is backed by memory-file range [off, off + len).
 * Every page inside an anonymous VMA is covered by exactly one PMA, none
 * outside; a file VMA may have pages without one (past EOF when it was
 * populated, or taken by truncation): an access there faults and the fault
 * populates it from the file or is SIGBUS. PMA
 * boundaries are independent of VMA boundaries (a PMA may span two VMAs, a VMA
 * may have many PMAs). Like gVisor's pmas, or Linux's page tables by extent.
 *
 * cow: private pages that may be shared with another mm (after fork). They
 * are mapped without PROT_WRITE on the platform; the first write, by the
 * guest (mm_handle_fault) or by the sentry (copy-out), copies them, or takes
 * them as they are when this mm holds the only reference. In a private VMA a
 * PMA that is not cow is this mm's alone (refcount 1); in a shared VMA pages
 * are never cow and may have any count. */
struct pma {
        struct rb_node node;
        guest_ptr_t start, end;         /* page aligned, start < end */
        uint64_t off;                   /* memory-file offset of start */
        bool cow;
};

static inline uint64_t pma_len(const struct pma *p)
{
        return p->end - p->start;
}

static inline uint64_t pma_off_of(const struct pma *p, guest_ptr_t addr)
{
        return p->off + (addr - p->start);
}

/* Protected like the VMAs: mm->lock held for writing, or for reading with
 * mm->pma_lock. */
struct pma_tree {
        struct rb_root root;
        size_t count;
};

void pma_tree_init(struct pma_tree *t);
/* The first PMA with end > addr, or NULL. */
struct pma *pma_find(const struct pma_tree *t, guest_ptr_t addr);
/* The PMA containing addr, or NULL. */
struct pma *pma_lookup(const struct pma_tree *t, guest_ptr_t addr);
struct pma *pma_first(const struct pma_tree *t);
struct pma *pma_next(const struct pma *p);
struct pma *pma_prev(const struct pma *p);
void pma_insert(struct pma_tree *t, struct pma *p);   /* must not overlap (asserted) */
void pma_erase(struct pma_tree *t, struct pma *p);    /* the caller frees it */
/* Like vma_split: p keeps [start, addr), spare (consumed) becomes [addr, end)
 * with the matching file offset. Returns spare. */
struct pma *pma_split(struct pma_tree *t, struct pma *p, guest_ptr_t addr, struct pma *spare);
/* Touching, contiguous file offsets, same cow state. */
bool pma_mergeable(const struct pma *a, const struct pma *b);
/* Merge p with mergeable neighbours (freeing them); returns the survivor. */
struct pma *pma_merge(struct pma_tree *t, struct pma *p);
struct pma *pma_new(void);              /* zeroed, NULL on OOM */
void pma_free(struct pma *p);

#define PMA_PREALLOC_MAX 4
struct pma_prealloc {
        struct pma *p[PMA_PREALLOC_MAX];
        unsigned n;
};
int pma_prealloc_fill(struct pma_prealloc *pa, unsigned n);    /* -ENOMEM */
struct pma *pma_prealloc_take(struct pma_prealloc *pa);        /* asserts one is left */
void pma_prealloc_release(struct pma_prealloc *pa);

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

/* A memory-file range whose reference this mm gave up while readers may
 * still hold translations of it (see mm_defer_unref()). */
struct mm_deferred {
        uint64_t off, len;
};

struct mm {
        pthread_rwlock_t lock;
        int refcount;                   /* atomic */
        struct platform *platform;      /* immutable */
        /* Set once by mm_create or mm_attach_platform (write lock); NULL for a
         * forked mm not attached yet: platform calls are skipped then. */
        struct platform_as *as;
        struct memfile *mf;             /* immutable, borrowed: outlives the mm */
        guest_ptr_t mmap_base;          /* immutable: top of the top-down mmap area */
        struct vma_tree vmas;           /* protected by lock */
        struct pma_tree pmas;           /* lock (write), or lock (read) + pma_lock */
        guest_ptr_t start_brk;          /* protected by lock: 0 until mm_brk_init() */
        guest_ptr_t brk;                /* protected by lock: unaligned, as Linux keeps it */
        /* CoW breaks done under the read lock (copy-out, translate for
         * writing) drop their old pages here; dropped for real under the
         * write lock, when no reader can hold a translation of them. */
        pthread_mutex_t pma_lock;
        struct mm_deferred *deferred;   /* protected by pma_lock */
        size_t ndeferred, deferred_cap; /* protected by pma_lock; ndeferred read atomically */
        guest_ptr_t last_spurious;      /* protected by lock: see mm_handle_fault */
        struct mm_proc_info proc;       /* protected by lock: for /proc (proc_info.c) */
        struct mm_rmap_entry *files;    /* protected by lock: the files it maps (filemap.c) */
        /* Removed VMAs whose vm_file reference is dropped (and the VMA
         * freed) once the write lock is released: mm_unlock_write(). */
        struct vma *dead_vmas;          /* protected by lock */
};

/* One (mm, file) pair: on the file's rmap list and the mm's files list. The
 * entry holds a reference to the file; the mm's are taken only briefly, by
 * mm_mappable_unmap_from. */
struct mm_rmap_entry {
        struct mm *mm;
        struct mm_mappable *m;
        struct mm_rmap_entry *next_in_m;        /* protected by m->rmap_lock */
        struct mm_rmap_entry *next_in_mm;       /* protected by mm->lock */
};

static inline const struct platform_ops *mm_ops(const struct mm *mm)
{
        return mm->platform->ops;
}

/* A new mm without a platform address space (mm_create adds one; mm_fork's
 * child gets one from mm_attach_platform). */
int mm_alloc(struct platform *p, struct memfile *mf, struct mm **ret);

/* Platform calls on mm's address space; 0 without doing anything when the mm
 * has none yet (forked, not attached). */
int mm_as_map(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, uint64_t off);
int mm_as_unmap(struct mm *mm, guest_ptr_t addr, uint64_t len);
int mm_as_protect(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot);

/* Platform changes gathered and applied together: one hand-off to the stub
 * for all of them on a platform with ->as_apply, each at once otherwise.
 * add may apply what it has (when full): its error is then that of the
 * batch. Nothing is undone on error, as with the single calls. */
#define MM_AS_BATCH_MAX 48
struct mm_as_batch {
        struct mm *mm;
        unsigned n;
        struct platform_as_op ops[MM_AS_BATCH_MAX];
};
static inline void mm_as_batch_init(struct mm_as_batch *b, struct mm *mm)
{
        b->mm = mm;
        b->n = 0;
}
int mm_as_batch_add(struct mm_as_batch *b, enum platform_as_op_kind kind, guest_ptr_t addr,
                    uint64_t len, int prot, uint64_t off);
int mm_as_batch_flush(struct mm_as_batch *b);

/* The write lock, and its release, which first drops deferred references. */
void mm_lock_write(struct mm *mm);
void mm_unlock_write(struct mm *mm);

/* The protection a page of v backed by p has on the platform. */
static inline int mm_pma_prot(const struct vma *v, const struct pma *p)
{
        return p->cow ? v->prot & ~PROT_WRITE : v->prot;
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
/* Free a VMA taken out of the tree, its vm_file reference dropped after
 * the write lock is released (mm_unlock_write()). Write lock held. */
void mm_discard_vma_locked(struct mm *mm, struct vma *v);
/* Remove every VMA piece in [start, end) from the tree. Does not touch the
 * PMAs or the platform. Takes up to two VMAs from pa. Write lock held. */
void mm_remove_vmas_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                           struct vma_prealloc *pa);
/* Split the PMAs straddling start or end. Takes up to two PMAs from pa. */
void mm_isolate_pmas_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                            struct pma_prealloc *pa);
/* Remove the PMAs of [start, end) and drop their page references. Takes up
 * to two PMAs from pa. Write lock held. */
void mm_drop_pmas_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                         struct pma_prealloc *pa);
/* Both of the above: what munmap does to the trees. Write lock held. */
void mm_remove_range_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end,
                            struct vma_prealloc *vpa, struct pma_prealloc *ppa);
/* Map [start, end) on the platform as the trees say (each VMA piece with each
 * PMA's protection). Lock held. */
int mm_as_map_range_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end);
/* munmap's work on [start, end) (page aligned): platform, tree, file ranges.
 * 0 if nothing was mapped there. Write lock held. */
int mm_unmap_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end);
/* An unmapped range of len bytes for a non-MAP_FIXED request: the hint if it
 * fits, else top-down below mmap_base (bottom-up in the MAP_32BIT window).
 * -ENOMEM if nothing fits. Lock held. */
int mm_get_unmapped_area_locked(struct mm *mm, guest_ptr_t hint, uint64_t len,
                                bool map_32bit, guest_ptr_t *ret);
/* Map a fresh zeroed anonymous range at [addr, addr+len) (free in the tree),
 * mirrored to the platform; named as a copy of vf at file offset pgoff when
 * vf is given (mm_mmap_copy_of()), else NULL and 0. Write lock held.
 * -ENOMEM, or the platform's error. */
int mm_map_anon_locked(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot,
                       int vma_flags, const struct mm_vm_file *vf, uint64_t pgoff);
/* Fresh zeroed file space for guest range [addr, addr+len), placed after or
 * before a neighbouring PMA's pages when possible so the PMAs merge. */
int mm_alloc_backing_locked(struct mm *mm, guest_ptr_t addr, uint64_t len, uint64_t *ret_off);
/* Insert a PMA for [start, end) at off (node consumed) and merge it. */
void mm_insert_pma_locked(struct mm *mm, struct pma *p, guest_ptr_t start, guest_ptr_t end,
                          uint64_t off, bool cow);

/* filemap.c. Register mm as mapping m (once per pair; takes a reference
 * on m). -ENOMEM. Write lock held. */
int mm_file_register_locked(struct mm *mm, struct mm_mappable *m);
/* Drop the registrations of the files no VMA maps any more (after an unmap
 * that removed file VMAs). O(files x VMAs). Write lock held. */
void mm_files_prune_locked(struct mm *mm);
/* Unmap [start, end) on the platform and drop its PMAs, leaving the VMAs
 * (unpopulated: a fault repopulates them). Write lock held. */
int mm_file_zap_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end);
/* Whether a VMA in [start, end) maps a file. */
bool mm_range_has_file_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end);
/* Drop every registration (mm_free). */
void mm_files_release(struct mm *mm);
/* Give the pages of file VMA v in [start, end) that have no PMA one, from
 * the file, and map them on the platform. Stops at the first page past
 * EOF or that the file has no room for: -ENXIO (an access there is SIGBUS).
 * -ENOMEM, or the platform's error. Write lock held. */
int mm_file_populate_locked(struct mm *mm, struct vma *v, guest_ptr_t start, guest_ptr_t end);
/* Whether every page of [start, end) has a PMA. */
bool mm_range_backed_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end);
/* as_protect over the backed pieces of [start, end) only (a file VMA's
 * unbacked pages are not mapped on the platform), each with prot less
 * PROT_WRITE on cow pages. */
int mm_as_protect_backed_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end, int prot);
/* The same, added to a batch of mm's. */
int mm_as_batch_protect_backed_locked(struct mm_as_batch *b, guest_ptr_t start,
                                      guest_ptr_t end, int prot);

/* cow.c. Make [start, end) (page aligned, inside VMAs) writable in place for
 * the sentry and the guest: copy each cow page, or take it if this mm holds
 * the only reference, and remap it on the platform with its VMA's protection.
 * With the write lock held (for_write), old references are dropped at once;
 * with the read lock and pma_lock, they are deferred. -ENOMEM, or the
 * platform's error (pages done so far stay done). */
int mm_break_cow_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end, bool write_locked);
/* Whether any PMA in [start, end) is cow. */
bool mm_range_has_cow_locked(struct mm *mm, guest_ptr_t start, guest_ptr_t end);
/* Give up this mm's reference to [off, off+len) later (read lock and pma_lock
 * held); see struct mm. */
void mm_defer_unref(struct mm *mm, uint64_t off, uint64_t len);
/* Drop the deferred references. Write lock held. */
void mm_drain_deferred_locked(struct mm *mm);

#endif
