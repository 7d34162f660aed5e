/* Inside the loader: reading the file, and the initial stack split into a
 * pure layout step (testable without an mm) and the step that maps it. */
#ifndef CONTERNEL_SENTRY_LOADER_INTERNAL_H
#define CONTERNEL_SENTRY_LOADER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/guest.h"
#include "sentry/loader/loader.h"

struct mm;

/* Linux's exec limits (include/uapi/linux/binfmts.h, fs/exec.c). */
#define LOADER_MAX_ARG_STRLEN  (32 * 4096UL)    /* one string, NUL included */
#define LOADER_MAX_ARG_STRINGS 0x7fffffffUL     /* argc, envc */
#define LOADER_ARG_MAX         (32 * 4096UL)    /* the least room for strings */
#define LOADER_STK_LIM         (8UL << 20)      /* _STK_LIM */

/* Where static-pie (ET_DYN) images go: like Linux's ELF_ET_DYN_BASE, two
 * thirds of the address space, page aligned. */
#define LOADER_ET_DYN_BASE     (((GUEST_ADDR_MAX / 3) * 2) & ~0xfffULL)

/* pread exactly len bytes at off. 0, or -EIO on an I/O error or a short read
 * (the caller has checked the file is long enough, so short means it changed). */
int loader_pread_full(struct loader_file *f, void *buf, size_t len, uint64_t off);

/* ---- The initial stack ---------------------------------------------------- */

/* The auxv values the caller decides (in Linux's order, see stack_layout.c). */
struct stack_auxv {
        uint64_t minsigstksz;           /* AT_MINSIGSTKSZ */
        uint64_t hwcap;                 /* AT_HWCAP */
        uint64_t phdr, phent, phnum;    /* AT_PHDR (biased), AT_PHENT, AT_PHNUM */
        uint64_t base;                  /* AT_BASE: interpreter base, 0 if static */
        uint64_t entry;                 /* AT_ENTRY (biased) */
        uint64_t uid, euid, gid, egid;
        uint64_t secure;                /* AT_SECURE */
        uint64_t hwcap2;                /* AT_HWCAP2 */
};

struct stack_args {
        const char *execfn;             /* AT_EXECFN string */
        char *const *argv;              /* NULL means empty */
        char *const *envp;              /* NULL means empty */
        uint64_t stack_limit;           /* RLIMIT_STACK soft limit, for the E2BIG limit */
        uint8_t random[16];             /* AT_RANDOM bytes */
        uint64_t align_rand;            /* bytes dropped below the strings before
                                         * aligning (Linux's arch_align_stack); < 8192 */
        struct stack_auxv aux;
};

/* Where everything went, as guest addresses. */
struct stack_layout {
        size_t size;                    /* bytes used: [sp, top) */
        guest_ptr_t sp;                 /* 16-byte aligned, points at argc */
        guest_ptr_t argv, envp, auxv;   /* the three arrays */
        guest_ptr_t execfn, random, platform;
        uint64_t argc, envc;            /* argc is at least 1 (see below) */
        unsigned nauxv;                 /* auxv pairs including AT_NULL */
};

#define STACK_AUXV_MAX 24               /* pairs, AT_NULL included */
#define STACK_PLATFORM "x86_64"

/* Lay out the initial stack below top exactly as Linux's exec and
 * create_elf_tables do, from high to low: an 8-byte zero word, execfn, the
 * envp and argv strings, (alignment), the platform string, the 16 AT_RANDOM
 * bytes, (16-byte alignment), auxv, envp[] + NULL, argv[] + NULL, argc.
 * An empty argv gets argv[0] = "" as Linux does since 5.18.
 *
 * With buf == NULL only computes *ret (to learn ret->size). Otherwise buf
 * holds the guest bytes [top - bufsize, top) and must be at least ret->size
 * long; the bytes of [sp, top) are written (padding zeroed).
 * -E2BIG if the arguments exceed Linux's limits, -ENOMEM if bufsize is too
 * small, -EINVAL if top is not 16-byte aligned or too low. */
int loader_stack_layout(const struct stack_args *a, guest_ptr_t top,
                        void *buf, size_t bufsize, struct stack_layout *ret);

/* Map the stack VMA in mm (entirely above image_end, else -ENOMEM), write
 * the layout into it (fills a->random and a->align_rand itself) and return
 * the initial rsp. -E2BIG, -ENOMEM, or an mm_mmap/mm_copy_out_force error. */
int loader_setup_stack(struct mm *mm, struct stack_args *a, bool exec_stack,
                       guest_ptr_t image_end, guest_ptr_t *ret_sp);

#endif
