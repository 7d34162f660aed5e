/*
 * Program loading: ELF images (static ET_EXEC, static-pie and PIE ET_DYN,
 * and dynamic programs with their PT_INTERP interpreter) and the initial
 * stack (argv, envp, auxv).
 *
 * The executable is read through a struct loader_file (the sentry wraps
 * its open VFS file); so is the interpreter, which the caller opens by path
 * (struct loader_interp_ops). Every header field is hostile: a
 * malformed or truncated image is -ENOEXEC, never a crash.
 */
#ifndef CONTERNEL_SENTRY_LOADER_H
#define CONTERNEL_SENTRY_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/guest.h"
#include "platform/platform.h"
#include "sentry/mm/mm.h"

struct mm;

#define ELF_MAX_SEGMENTS 64

struct elf_segment {
        uint64_t vaddr;         /* p_vaddr (before the load bias) */
        uint64_t memsz, filesz;
        uint64_t offset;        /* p_offset */
        int prot;               /* PROT_* from p_flags */
};

/* What the loader needs from an ELF image, validated. */
struct elf_info {
        uint16_t type;          /* ET_EXEC or ET_DYN */
        uint64_t entry;         /* e_entry, before the bias */
        uint64_t phoff;         /* e_phoff */
        uint16_t phnum, phentsize;
        uint64_t phdr_vaddr;    /* where the program headers are mapped, before bias; 0 if not mapped */
        bool has_interp;        /* PT_INTERP present: a dynamic program */
        uint64_t interp_offset; /* the first PT_INTERP's path in the file: p_offset */
        uint64_t interp_size;   /* and p_filesz (2..4096, NUL included) */
        bool exec_stack;        /* PT_GNU_STACK with PF_X */
        unsigned nsegments;
        struct elf_segment segments[ELF_MAX_SEGMENTS];
        uint64_t min_vaddr, max_vaddr;  /* page-aligned span of the PT_LOAD segments */
};

/* What the loader reads an image through: the executable or its
 * interpreter (an open file of the sentry's VFS; a host fd in tests). */
struct loader_file;
struct loader_file_ops {
        /* Up to len bytes at off: the count (0 at end of file) or -errno. */
        ssize_t (*pread)(struct loader_file *f, void *buf, size_t len, uint64_t off);
        /* The file's size in bytes, or -errno. */
        int64_t (*size)(struct loader_file *f);
        /* Release a file the interpreter opener returned. */
        void (*close)(struct loader_file *f);
};
struct loader_file {
        const struct loader_file_ops *ops;
        /* The open file /proc/PID/maps names the segments after (borrowed;
         * the mm takes references), or empty (a host fd). */
        struct mm_vm_file vm_file;
};

/* A loader_file over a host fd (borrowed: close() leaves it open). */
struct loader_fd_file {
        struct loader_file base;
        int fd;
};
void loader_fd_file_init(struct loader_fd_file *f, int fd);

/* Read and validate the ELF headers of f. -ENOEXEC for anything that isn't
 * a loadable x86_64 ELF (truncated files included), -EIO on a read error or
 * a file that shrinks while read, -ENOMEM. elf_read_info_fd() reads a host fd. */
int elf_read_info(struct loader_file *f, struct elf_info *ret);
int elf_read_info_fd(int fd, struct elf_info *ret);

/* How the loader reaches a dynamic program's interpreter: open path (the
 * PT_INTERP string, as the program gave it; Linux's open_exec() in the
 * caller's file system) and hand back a file the loader reads and then
 * closes through its ops. Returns 0 or -errno, which loader_load returns as
 * is (-ENOENT, -EACCES, ...). */
struct loader_interp_ops {
        int (*open)(void *ctx, const char *path, struct loader_file **ret);
};

struct loader_args {
        struct loader_file *file;       /* the executable, borrowed */
        /* NULL: PT_INTERP images are -ENOEXEC (nowhere to find ld.so). */
        const struct loader_interp_ops *interp;
        void *interp_ctx;               /* passed to interp->open */
        const char *filename;           /* AT_EXECFN and the ELF's name */
        char *const *argv;
        char *const *envp;
        uint32_t uid, euid, gid, egid;
        bool secure;                    /* AT_SECURE */
        uint64_t stack_limit;           /* RLIMIT_STACK soft limit, bytes */
};

/* Load the image into the (empty) mm, build the initial stack and set the
 * registers for the first instruction: rip = entry, rsp = stack pointer, the
 * rest zero as Linux does. A dynamic program (PT_INTERP) also gets its
 * interpreter, like Linux's load_elf_binary(): ET_DYN interpreters at an
 * address mm_mmap chooses (AT_BASE = their bias), ET_EXEC ones where they
 * say; rip = the interpreter's entry, AT_ENTRY = the program's; segment
 * protections as given (execute-only included; PT_GNU_RELRO is ld.so's to
 * apply). -ENOEXEC (also a PT_INTERP path without its NUL, an interpreter
 * that is no loadable ELF, or no a->interp), the opener's error, -ENOMEM,
 * -E2BIG (arguments too long), -EIO, or an error of mm_mmap(), mm_munmap()
 * or mm_copy_out_force(). On failure the mm may hold a partial
 * image: the caller discards it (as Linux's exec past the point of no return). */
int loader_load(struct mm *mm, const struct loader_args *a, struct cpu_regs *ret_regs);

#endif
