/*
 * What /proc/PID shows of an address space (Linux keeps these in mm_struct
 * too): the executable's path, where the initial stack holds the argv and
 * envp strings, and a walk over the VMAs. Public, for
 * sentry/kernel/procfs_source.c.
 */
#ifndef CONTERNEL_SENTRY_MM_PROC_INFO_H
#define CONTERNEL_SENTRY_MM_PROC_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sentry/mm/mm.h"

#include "lib/guest.h"

struct mm;

#define MM_EXE_PATH_MAX 4096

/* Protected by mm->lock; copied by mm_fork(). */
struct mm_proc_info {
        guest_ptr_t arg_start, arg_end, env_start, env_end;
        char exe[MM_EXE_PATH_MAX];      /* "" if unknown */
};

/* After loading a program: remember its path and find argv and envp from
 * the initial stack pointer (argc, argv[], NULL, envp[], NULL). -EFAULT if
 * the stack is not laid out that way (the fields are left 0). */
int mm_proc_info_init(struct mm *mm, const char *exe, guest_ptr_t sp);
/* The executable's path into buf (NUL-terminated); -ENOENT if unknown,
 * -ENAMETOOLONG if size is too small. */
int mm_get_exe_path(struct mm *mm, char *buf, size_t size);
/* A copy of the argv (env false) or envp strings as memory holds them now,
 * in a new buffer (*ret, free it) of *ret_len bytes; 0 bytes if unknown. */
int mm_read_args(struct mm *mm, bool env, char **ret, size_t *ret_len);

/* One VMA as /proc/PID/maps and smaps show it. */
struct mm_vma_info {
        guest_ptr_t start, end;
        int prot;                       /* PROT_* */
        bool shared;
        bool may_write;                 /* PROT_WRITE allowed (Linux's VM_MAYWRITE) */
        bool account;                   /* Linux's VM_ACCOUNT */
        const char *name;               /* "[heap]", "[stack]" or NULL (static strings) */
        /* The file it maps or copies (a reference: mm_vmas_release() drops
         * it), or empty; pgoff is the file offset of start (0 without). */
        struct mm_vm_file vm_file;
        uint64_t pgoff;
        uint64_t rss;                   /* bytes of it a PMA backs */
};

/* A snapshot of the VMAs in address order, taken under the read lock, so
 * the caller may name the files with no mm lock held: a new array in *ret
 * (NULL when there are none) of *ret_n entries. -ENOMEM. */
int mm_get_vmas(struct mm *mm, struct mm_vma_info **ret, size_t *ret_n);
/* Drop the snapshot's file references and free it. Accepts NULL. */
void mm_vmas_release(struct mm_vma_info *v, size_t n);

/* Sizes for /proc/PID/status and statm, in bytes. rss counts the pages a
 * PMA backs (approximately what was touched). */
struct mm_usage {
        uint64_t vm_size, rss, data, stack;
};
void mm_get_usage(struct mm *mm, struct mm_usage *ret);

struct memfile;

#endif
