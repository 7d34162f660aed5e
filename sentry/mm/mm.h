/*
 * Guest memory: the memory file and address spaces.
 *
 * All guest memory lives in one memory file (a memfd, struct memfile) that the
 * sentry maps once in full, so copy-in/out is a VMA check plus memcpy. An
 * address space (struct mm) is a tree of VMAs (what the guest mapped) and a
 * tree of PMAs (which memory-file pages back it), mirrored into a platform
 * address space (a stub process) with platform->as_map(). Memory-file pages
 * are reference counted, so address spaces can share them: fork shares
 * private pages copy-on-write (mm_fork, mm_handle_fault).
 *
 * Lock order: mm->lock (rwlock) → mm->pma_lock → memfile->lock. None is held
 * across a sleep that the guest controls, except mm_lock_read() around a host
 * I/O into translated guest memory (see mm_translate()).
 *
 * Errors are -errno with the values Linux gives for the same call.
 */
#ifndef CONTERNEL_SENTRY_MM_H
#define CONTERNEL_SENTRY_MM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "lib/guest.h"
/* Before platform.h: <sys/user.h> redefines PAGE_SIZE/PAGE_MASK with other
 * spelling, which is only silent when the system header comes second. */
#include "lib/macro.h"
#include "platform/platform.h"

/* ---- The memory file ------------------------------------------------------ */

struct memfile;

/* A memfd of `size` bytes (sparse) mapped whole into the sentry. */
int memfile_create(uint64_t size, struct memfile **ret);
void memfile_destroy(struct memfile *mf);
int memfile_fd(const struct memfile *mf);
/* Allocate len bytes (page multiple) of file space; contents are zero. -ENOMEM when full. */
int memfile_alloc(struct memfile *mf, uint64_t len, uint64_t *ret_off);
/* Allocate exactly [off, off+len) if it is all free (to keep a growing
 * object's pages contiguous). -ENOMEM if any of it is in use or out of the file. */
int memfile_alloc_at(struct memfile *mf, uint64_t off, uint64_t len);
/* The file's size (the most that can ever be allocated). */
uint64_t memfile_size(const struct memfile *mf);
/* Give a range back, zeroed: its written pages are kept when they are few,
 * else released to the host (hole punched). */
void memfile_free(struct memfile *mf, uint64_t off, uint64_t len);
/* The pieces of [off, off+len) that hold data (pages touched since they were
 * last punched, resident or swapped out; the rest reads as zeros): at most
 * max pieces with at most max_bytes in all. Their count, or -1 when there
 * is more (or the host can't say). */
struct memfile_run {
        uint64_t off, len;
};
int memfile_data_runs(const struct memfile *mf, uint64_t off, uint64_t len,
                      struct memfile_run *runs, int max, uint64_t max_bytes);
/* Reference counts: an allocated page starts with one reference (its
 * allocation). memfile_ref adds one to every page of an allocated range
 * (-ENOMEM, nothing changed); memfile_unref drops one and frees the pages
 * whose count reaches zero (memfile_free). Both O(log n + shared extents in
 * the range), not O(pages). */
int memfile_ref(struct memfile *mf, uint64_t off, uint64_t len);
void memfile_unref(struct memfile *mf, uint64_t off, uint64_t len);
/* Whether every page of the range has exactly one reference. */
bool memfile_exclusive(struct memfile *mf, uint64_t off, uint64_t len);
/* Zero a range in place, releasing its pages (MADV_DONTNEED on private anon). */
void memfile_zero(struct memfile *mf, uint64_t off, uint64_t len);
/* Make a fresh range resident in the sentry's view in one call, before the
 * sentry writes it: first-touch faults cost several times more (a nested
 * VM's page faults above all: 20 against 7 us a fresh page here). */
void memfile_populate(struct memfile *mf, uint64_t off, uint64_t len);
/* The sentry's view of file offset off. */
void *memfile_addr(const struct memfile *mf, uint64_t off);
/* Bytes currently allocated (for tests and /proc/meminfo later). */
uint64_t memfile_allocated(const struct memfile *mf);

/* ---- Address spaces ------------------------------------------------------- */

struct mm;

/* A new empty address space with its own platform address space (stub). */
int mm_create(struct platform *p, struct memfile *mf, struct mm **ret);
struct mm *mm_ref(struct mm *mm);
/* Accepts NULL, returns NULL. The last reference releases the platform address
 * space (if any) and drops every page reference the mm holds. */
struct mm *mm_unref(struct mm *mm);
/* NULL for a forked mm until mm_attach_platform(). */
struct platform_as *mm_platform_as(const struct mm *mm);

/* fork(2)'s address space, like Linux's dup_mmap(). Call on the parent's
 * thread (it changes the parent's platform protections). The child gets every
 * VMA except MADV_DONTFORK ones, the same break, and:
 *   - private mappings: the parent's pages, copy-on-write in both. Writable
 *     ones are write-protected in the parent's platform address space; the
 *     first write in either mm copies the page (mm_handle_fault, copy-out).
 *     Except small writable ones the parent owns alone (up to 512 KiB of
 *     data a fork): the child gets a copy of their written pages at once,
 *     and the parent's side doesn't change.
 *   - MAP_SHARED anonymous mappings: the same pages, writable in both.
 *   - MADV_WIPEONFORK mappings: fresh zero pages (the flag is inherited).
 * O(VMAs + PMAs), whatever the memory size. The child has no platform address
 * space yet: mm_attach_platform() on the child's thread. -ENOMEM (the parent
 * stays consistent; some of its pages may be left copy-on-write, which only
 * costs a fault), or the platform's error.
 * hot[0..nhot): addresses both sides are about to write (the stack, the
 * thread area, the tid words clone writes). In a private writable mapping
 * the child gets its own copy of their pages at once and the parent keeps
 * them writable: each side saves a copy-on-write fault, which on a platform
 * costs a stop, a copy and a mapping, for a page copy here. */
int mm_fork(struct mm *parent, const guest_ptr_t *hot, unsigned nhot, struct mm **ret_child);
/* Create mm's platform address space on the calling thread (the thread that
 * will run it) and map every VMA into it, copy-on-write pages read-only.
 * With ret_ctx, also the calling thread's context in it, made before the
 * mappings (a platform may map faster through it). -EBUSY if it has one
 * already; on error the mm is left without one and *ret_ctx is NULL. */
int mm_attach_platform(struct mm *mm, struct platform *p, struct platform_ctx **ret_ctx);
/* execve: a new empty mm without a platform address space, to load the
 * program into (mm_as_map is a no-op until one is attached). */
int mm_create_detached(struct platform *p, struct memfile *mf, struct mm **ret);
/* execve's point of no return: take old's platform address space (old keeps
 * none, so its last reference leaves the stub alone), unmap every guest
 * mapping of the old program from it and map mm's, with the context in
 * *ret_ctx. caller_ctx (the caller's, in old's address space; may be NULL)
 * is given up: kept as *ret_ctx when the platform can restart a context
 * (->ctx_exec), else released and replaced by a new one on the calling
 * thread. Old's other contexts must be released first. Saves making a stub
 * (and a stub thread). -EBUSY if anyone else holds old (a vfork child's is
 * its parent's), -ENOENT if old had none; on other errors the address space
 * is released and mm has none (the caller falls back to
 * mm_attach_platform()). */
int mm_exec_attach_platform(struct mm *mm, struct mm *old, struct platform_ctx *caller_ctx,
                            struct platform_ctx **ret_ctx);
/* The task loop calls this for every SIGSEGV the platform reports, before
 * turning it into a signal. 0: resolved, resume the guest (a write to a
 * copy-on-write page of a writable VMA: the page was copied, or taken if this
 * mm held the last reference, and remapped writable; or a page of a file
 * mapping that was not populated: the file grew). -EFAULT: a real fault,
 * deliver SIGSEGV. -EIO: an access to a page of a file mapping past the end
 * of the file: deliver SIGBUS with si_code BUS_ADRERR and si_addr = addr
 * (Linux's VM_FAULT_SIGBUS). -ENOMEM: out of memory for the copy (Linux's OOM; the
 * caller kills the task or delivers SIGBUS/SIGSEGV), or the platform's error
 * remapping the page. Call on the thread that runs mm's address space. access is
 * PLATFORM_ACCESS_* bits, 0 if unknown: the ptrace platform cannot tell
 * reads from writes, so the VMA and PMA state decides (a fault on a cow page
 * of a writable VMA can only be a write). Takes the write lock. */
int mm_handle_fault(struct mm *mm, guest_ptr_t addr, unsigned access);

/* ---- File-backed mappings ------------------------------------------------ */

/* What a file offers to be mapped, like gVisor's memmap.Mappable or Linux's
 * address_space with its vm_operations. Embedded in the file system's inode
 * (mm_mappable_init()); the mm keeps it alive (->ref/->unref) while any of
 * its VMAs maps it, and it keeps a reverse map of the mms that map it, so
 * truncation can take pages away from them (mm_mappable_unmap_from()).
 *
 * Lock order: mm->lock → the file's own locks (the ops are called with the
 * mm's write lock held) → m->rmap_lock. mm_mappable_unmap_from() takes
 * rmap_lock and then each mm's lock, one at a time, with no file lock held. */
struct mm_mappable;

struct mm_mappable_ops {
        void (*ref)(struct mm_mappable *m);
        void (*unref)(struct mm_mappable *m);
        /* The memory-file page (in mf) holding the file's page pgoff, with a
         * new reference for the caller. alloc: allocate a hole (MAP_SHARED:
         * the mapping and the file must share it); else -ENOENT for a hole.
         * -ENXIO: the page starts at or past EOF. -ENODEV: the data is not in
         * mf. -ENOSPC, -ENOMEM. NULL slot: pages only through ->read, and
         * MAP_SHARED is -ENODEV. */
        int (*get_page)(struct mm_mappable *m, struct memfile *mf, uint64_t pgoff, bool alloc,
                        uint64_t *ret_off);
        /* Copy the file's page pgoff into dst (PAGE_SIZE bytes; zeroes past
         * EOF). -ENXIO if it starts at or past EOF, or an I/O error. */
        int (*read)(struct mm_mappable *m, uint64_t pgoff, void *dst);
        /* msync(MS_SYNC) of a shared mapping: write back what mappings
         * changed in pages the file keeps elsewhere than its backing store
         * (goferfs's page cache of a host file), as Linux's fsync of the
         * range. Called with the mm's lock held for reading. NULL slot:
         * nothing to write (tmpfs: the pages are the file). */
        int (*sync)(struct mm_mappable *m);
};

struct mm_rmap_entry;

struct mm_mappable {
        const struct mm_mappable_ops *ops;      /* immutable */
        /* Set before the first mapping, then immutable: the pages never
         * change (a read-only mount's file), so a private mapping may copy
         * them up front rather than on the first write (filemap.c). */
        bool frozen;
        pthread_mutex_t rmap_lock;
        struct mm_rmap_entry *rmap;             /* protected by rmap_lock: the mms mapping it */
};

void mm_mappable_init(struct mm_mappable *m, const struct mm_mappable_ops *ops);
/* When the object goes away (no mm maps it any more: they hold references). */
void mm_mappable_destroy(struct mm_mappable *m);
/* The file shrank to size bytes: every mapping of its pages from the page
 * containing size on (rounded up) loses them, so an access there is SIGBUS
 * (mm_handle_fault's -EIO), private copies included, as Linux's
 * truncate_pagecache(). Call without any of m's file locks. On a platform
 * that cannot change another thread's address space (ptrace) an mm whose
 * stub refuses keeps its stale pages (still referenced, never reused) until
 * it unmaps them. */
void mm_mappable_unmap_from(struct mm_mappable *m, uint64_t size);
/* Whether some MAP_SHARED mapping of m may write (Linux's i_mmap_writable:
 * opened for writing, whatever its protection now). Takes rmap_lock, then
 * each mm's lock: call with no lock of the file's held. */
bool mm_mappable_writably_mapped(struct mm_mappable *m);

/* shmdt(2)'s core: find the first mapping at or above addr of a mappable
 * with the given ops whose file offset is its distance from addr (the
 * attachment at addr, even if its first pages were unmapped), and unmap
 * every piece of that mappable at its matching offset from addr (Linux's
 * shmdt loop; one mappable per attachment). -EINVAL if there is none. */
int mm_unmap_attachment(struct mm *mm, guest_ptr_t addr, const struct mm_mappable_ops *ops);

/* The open file a mapping names in /proc/PID/maps (Linux's vma->vm_file):
 * vfs's struct file, opaque here, and how to hold it. Each VMA naming it
 * holds a reference (so the file stays open while mapped, as on Linux: its
 * write access, its locks, its close events); a reference a VMA gives up
 * under the mm's lock is dropped only after the lock is released (the
 * file's release takes the file system's locks). file NULL: none. */
struct file;
struct mm_vm_file_ops {
        struct file *(*ref)(struct file *f);    /* returns f */
        struct file *(*unref)(struct file *f);  /* returns NULL */
};
struct mm_vm_file {
        struct file *file;
        const struct mm_vm_file_ops *ops;
};

/* What mmap(2) of a file brings: the file's mappable (NULL if its file
 * system has no mmap: -ENODEV) and its open mode. */
struct mm_file_args {
        struct mm_vm_file vm_file;              /* borrowed; may be empty */
        struct mm_mappable *m;                  /* borrowed */
        uint64_t off;                           /* page aligned (the caller checked) */
        bool readable, writable;                /* FMODE_READ, FMODE_WRITE */
        bool write_sealed;                      /* F_SEAL_WRITE/FUTURE_WRITE: a shared
                                                 * mapping may not write (EPERM) */
};

/* mmap(2) of a file, Linux's do_mmap() with a file: the anonymous checks,
 * then EOVERFLOW (offset + length past what the file can hold), EOPNOTSUPP
 * (MAP_SHARED_VALIDATE with unknown flags), EACCES (MAP_SHARED|PROT_WRITE on
 * a file not open for writing; any mapping of a file not open for reading),
 * ENODEV (no mappable), EINVAL (MAP_GROWSDOWN, bad type).
 * MAP_PRIVATE: the file's pages mapped copy-on-write when they are in this
 * memory file (later writes to the file show until the page is written, as
 * on Linux), else copied in; holes are fresh zero pages. MAP_SHARED: the
 * file's own pages (holes allocated), writable if the VMA is. Pages from
 * the one at EOF on are not mapped: an access there is SIGBUS (the page
 * holding EOF is mapped whole, zeroes past it). The range is populated at
 * once; pages past EOF at the time are populated by a later fault if the
 * file grew. A hole the file has no room for (-ENOSPC) is SIGBUS at the
 * page, not an mmap error, as Linux's shmem. */
long mm_mmap_file(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags,
                  const struct mm_file_args *fa);
/* msync(2): argument checks and errnos as Linux (EINVAL for bad flags or an
 * unaligned addr, ENOMEM if part of the range is unmapped). File data is in
 * memory: nothing to write back. */
int mm_msync(struct mm *mm, guest_ptr_t addr, uint64_t len, int flags);

/* The system calls, with Linux's argument checks and errnos. mm_mmap is for
 * anonymous memory (without MAP_ANONYMOUS it returns -ENODEV; files go
 * through mm_mmap_file). mm_mmap returns the address or -errno. Guest mappings stay
 * in [64 KiB, GUEST_ADDR_MAX): MAP_FIXED below 64 KiB is -EPERM (Linux's
 * unprivileged mmap_min_addr), above GUEST_ADDR_MAX -ENOMEM. flags are MAP_* (MAP_PRIVATE or MAP_SHARED required, MAP_FIXED,
 * MAP_FIXED_NOREPLACE, MAP_ANONYMOUS, MAP_NORESERVE, MAP_POPULATE, MAP_GROWSDOWN,
 * MAP_STACK, MAP_32BIT ...). */
long mm_mmap(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags);
/* mm_mmap() of anonymous memory that holds a copy of a file's bytes from
 * file offset off on (the loader copies a program's segments): /proc/PID/maps
 * names it as a private mapping of vf at off, as Linux's ELF loader's file
 * mapping shows (the mm takes its own references to vf->file). */
long mm_mmap_copy_of(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags,
                     const struct mm_vm_file *vf, uint64_t off);
int mm_munmap(struct mm *mm, guest_ptr_t addr, uint64_t len);
int mm_mprotect(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot);
long mm_mremap(struct mm *mm, guest_ptr_t old_addr, uint64_t old_len,
               uint64_t new_len, int flags, guest_ptr_t new_addr);
int mm_madvise(struct mm *mm, guest_ptr_t addr, uint64_t len, int advice);
/* brk(2): returns the new (or unchanged) break, never an error. */
guest_ptr_t mm_brk(struct mm *mm, guest_ptr_t brk);
/* Set by the loader: the break starts at start (page aligned up). */
void mm_brk_init(struct mm *mm, guest_ptr_t start);

/* The identity of a futex word: its address in this mm for private memory,
 * its memory-file offset for MAP_SHARED memory (so processes sharing the
 * mapping meet). -EINVAL unaligned, -EFAULT unmapped (or not yet backed). */
struct mm_futex_key {
        bool shared;
        const struct mm *mm;            /* private: the address space */
        guest_ptr_t addr;               /* private: the address */
        /* private: keyed by a shared op (no FUTEX_PRIVATE_FLAG) on private
         * memory, which never matches a private op's key (Linux's
         * FUT_OFF_MMSHARED). */
        bool mmshared;
        uint64_t off;                   /* shared: memory-file offset */
};
int mm_futex_key(struct mm *mm, guest_ptr_t addr, bool private, struct mm_futex_key *ret);

/* Copy between sentry and guest memory, checked against the VMAs and their
 * protections (READ for copy_in, WRITE for copy_out). -EFAULT if any byte is
 * inaccessible; nothing partial is promised on failure. Copy-out first breaks
 * copy-on-write on the pages it writes (so -ENOMEM is possible too), and so
 * does every translation for writing: the sentry never writes into a page
 * another address space still shares. */
int mm_copy_in(struct mm *mm, void *dst, guest_ptr_t src, size_t len);
int mm_copy_out(struct mm *mm, guest_ptr_t dst, const void *src, size_t len);
/* Like mm_copy_out but ignores protections (the loader writes into
 * read-only pages), and for fresh memory: the whole pages it writes are
 * populated in one call first. Still -EFAULT outside any VMA. */
int mm_copy_out_force(struct mm *mm, guest_ptr_t dst, const void *src, size_t len);
/* Copy a NUL-terminated string of at most max bytes including the NUL.
 * Returns its length (without NUL), -EFAULT, or -ENAMETOOLONG if no NUL
 * within max. */
ssize_t mm_strncpy_in(struct mm *mm, char *dst, guest_ptr_t src, size_t max);

/* Host addresses (in the sentry's view of the memory file) for the guest range
 * [addr, addr+len) accessible with `access` (PLATFORM_ACCESS_*), for I/O
 * straight into guest memory. Fills at most iovmax iovecs and stops at the
 * first inaccessible byte; *ret_len is the bytes covered. Returns the number
 * of iovecs, or -EFAULT if not even the first byte is accessible (-ENOMEM if
 * copy-on-write cannot be broken for WRITE).
 * The caller holds mm_lock_read() from before this call until it is done with
 * the iovecs: the pages behind them stay this mm's (a copy-on-write break by
 * another thread meanwhile drops the old page only after every reader left). */
int mm_translate(struct mm *mm, guest_ptr_t addr, size_t len, unsigned access,
                 struct iovec *iov, int iovmax, size_t *ret_len);
void mm_lock_read(struct mm *mm);
/* Also drops references deferred by copy-on-write breaks, if it can take the
 * write lock without waiting. */
void mm_unlock_read(struct mm *mm);

#endif
