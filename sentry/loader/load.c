/* loader_load(): map an ELF image's PT_LOAD segments (and its interpreter's,
 * for a dynamic program), set the break, build the initial stack and the
 * first registers. Like Linux's load_elf_binary() and load_elf_interp(). */
#include <assert.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/loader/internal.h"
#include "sentry/mm/mm.h"

#define LOAD_BOUNCE_SIZE (128UL << 10)

/* Signal frame size when the host kernel doesn't say (before Linux 5.14):
 * the old MINSIGSTKSZ. */
#define LOADER_DEFAULT_MINSIGSTKSZ 2048

/* Copy file bytes [off, off + len) to guest addr through a bounce buffer.
 * With must_fill false, stops quietly at end of file (the tail of a page
 * that a file mapping would show). */
static int copy_file_to_guest(struct mm *mm, struct loader_file *f, uint64_t off, guest_ptr_t addr,
                              uint64_t len, bool must_fill, uint8_t *bounce)
{
        while (len > 0) {
                size_t chunk = MIN(len, LOAD_BOUNCE_SIZE);
                ssize_t n;

                if (off > (uint64_t)INT64_MAX - chunk)
                        return -EIO;
                n = f->ops->pread(f, bounce, chunk, off);
                if (n == -EINTR)
                        continue;
                if (n < 0)
                        return -EIO;
                if (n == 0)
                        return must_fill ? -EIO : 0;    /* the file shrank? */
                int r = mm_copy_out_force(mm, addr, bounce, (size_t)n);
                if (r < 0)
                        return r;
                off += (uint64_t)n;
                addr += (uint64_t)n;
                len -= (uint64_t)n;
        }
        return 0;
}

/* One PT_LOAD at bias: fresh zero pages with the segment's protection, then
 * the file bytes (written past the protection). As with Linux's file mapping, the page holding the segment's
 * start also gets the file bytes before it, and if there is no bss the last
 * page gets the file bytes after it; bss is zero. A later segment sharing a
 * page replaces it (Linux's MAP_FIXED does the same). The pages up to the
 * end of the file bytes are named after the file at their offset, the
 * bss pages past them are anonymous, as Linux's elf_map() and its
 * bss brk show in /proc/PID/maps. */
static int load_segment(struct mm *mm, struct loader_file *f, const struct elf_segment *seg,
                        uint64_t bias, uint8_t *bounce)
{
        if (seg->memsz == 0)
                return 0;

        guest_ptr_t vaddr = bias + seg->vaddr;
        guest_ptr_t start = PAGE_ROUND_DOWN(vaddr);
        guest_ptr_t end = PAGE_ROUND_UP(vaddr + seg->memsz);
        long addr;
        int r;

        guest_ptr_t named_end = seg->filesz ? MIN(end, PAGE_ROUND_UP(vaddr + seg->filesz)) : start;

        if (named_end > start) {
                addr = mm_mmap_copy_of(mm, start, named_end - start, seg->prot,
                                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, &f->vm_file,
                                       seg->offset - (vaddr - start));
                if (addr < 0)
                        return (int)addr;
        }
        if (end > named_end) {
                addr = mm_mmap(mm, named_end, end - named_end, seg->prot,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
                if (addr < 0)
                        return (int)addr;
        }

        if (seg->filesz > 0) {
                uint64_t lead = vaddr - start;  /* == seg->offset % PAGE_SIZE */
                uint64_t file_start = seg->offset - lead;
                uint64_t need = lead + seg->filesz;

                r = copy_file_to_guest(mm, f, file_start, start, need, true, bounce);
                if (r < 0)
                        return r;
                if (seg->memsz == seg->filesz) {
                        uint64_t tail = PAGE_ROUND_UP(vaddr + seg->filesz) - (start + need);
                        r = copy_file_to_guest(mm, f, file_start + need, start + need,
                                               tail, false, bounce);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static uint64_t host_auxval(unsigned long type, uint64_t fallback)
{
        unsigned long v = getauxval(type);
        return v ? v : fallback;
}

static int load_segments(struct mm *mm, struct loader_file *f, const struct elf_info *info, uint64_t bias,
                         uint8_t *bounce)
{
        for (unsigned i = 0; i < info->nsegments; i++) {
                int r = load_segment(mm, f, &info->segments[i], bias, bounce);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The PT_INTERP path: NUL-terminated exactly at its end, as Linux wants. */
static int read_interp_path(struct loader_file *f, const struct elf_info *info, char **ret)
{
        char *path = malloc(info->interp_size);
        int r;

        if (!path)
                return -ENOMEM;
        r = loader_pread_full(f, path, info->interp_size, info->interp_offset);
        if (r == 0 && path[info->interp_size - 1] != '\0')
                r = -ENOEXEC;
        if (r < 0) {
                free(path);
                return r;
        }
        *ret = path;
        return 0;
}

/* Open and load the interpreter: an ET_DYN one where mm_mmap finds room for
 * its whole span (top-down, like Linux's load_elf_interp without a hint), an
 * ET_EXEC one at its own addresses. Its bias (AT_BASE) and entry. */
static int load_interp(struct mm *mm, const struct loader_args *a, const char *path,
                       uint8_t *bounce, uint64_t *ret_bias, uint64_t *ret_entry)
{
        _cleanup_free_ struct elf_info *info = NULL;
        struct loader_file *f;
        uint64_t bias = 0;
        int r;

        r = a->interp->open(a->interp_ctx, path, &f);
        if (r < 0)
                return r;
        info = malloc(sizeof(*info));
        r = info ? elf_read_info(f, info) : -ENOMEM;
        if (r < 0)
                goto out;
        if (info->type == ET_DYN) {
                uint64_t span = info->max_vaddr - info->min_vaddr;
                long addr;

                if (span > GUEST_ADDR_MAX) {
                        r = -ENOMEM;
                        goto out;
                }
                addr = mm_mmap(mm, 0, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
                if (addr < 0) {
                        r = (int)addr;
                        goto out;
                }
                r = mm_munmap(mm, (guest_ptr_t)addr, span);
                if (r < 0)
                        goto out;
                bias = (uint64_t)addr - info->min_vaddr;
        }
        *ret_entry = bias + info->entry;
        if (*ret_entry >= GUEST_ADDR_MAX) {
                r = -ENOEXEC;
                goto out;
        }
        r = load_segments(mm, f, info, bias, bounce);
        *ret_bias = bias;
out:
        f->ops->close(f);
        return r;
}

int loader_load(struct mm *mm, const struct loader_args *a, struct cpu_regs *ret_regs)
{
        _cleanup_free_ struct elf_info *info = NULL;
        _cleanup_free_ uint8_t *bounce = NULL;
        _cleanup_free_ char *interp_path = NULL;
        uint64_t bias = 0;
        guest_ptr_t sp;
        int r;

        assert(mm && a && a->filename && ret_regs);

        info = malloc(sizeof(*info));
        if (!info)
                return -ENOMEM;
        r = elf_read_info(a->file, info);
        if (r < 0)
                return r;

        /* A dynamic program needs its interpreter: the caller opens it. */
        if (info->has_interp && !a->interp)
                return -ENOEXEC;
        if (info->has_interp) {
                r = read_interp_path(a->file, info, &interp_path);
                if (r < 0)
                        return r;
        }

        if (info->type == ET_DYN) {
                /* PIE and static-pie: at ELF_ET_DYN_BASE (no randomisation
                 * yet). bias + v == base + (v - min_vaddr), modulo 2^64. */
                uint64_t base = LOADER_ET_DYN_BASE;
                if (info->max_vaddr - info->min_vaddr > GUEST_ADDR_MAX - base)
                        return -ENOMEM;
                bias = base - info->min_vaddr;
        }

        uint64_t entry = bias + info->entry;
        if (entry >= GUEST_ADDR_MAX)
                return -ENOEXEC;

        bounce = malloc(LOAD_BOUNCE_SIZE);
        if (!bounce)
                return -ENOMEM;
        r = load_segments(mm, a->file, info, bias, bounce);
        if (r < 0)
                return r;

        guest_ptr_t image_end = bias + info->max_vaddr;
        mm_brk_init(mm, image_end);

        /* After the program, so that its fixed addresses are taken first. */
        uint64_t start = entry, interp_bias = 0;
        if (interp_path) {
                r = load_interp(mm, a, interp_path, bounce, &interp_bias, &start);
                if (r < 0)
                        return r;
        }

        struct stack_args sa = {
                .execfn = a->filename,
                .argv = a->argv,
                .envp = a->envp,
                .stack_limit = a->stack_limit,
                .aux = {
                        .minsigstksz = host_auxval(AT_MINSIGSTKSZ, LOADER_DEFAULT_MINSIGSTKSZ),
                        .hwcap = getauxval(AT_HWCAP),
                        .phdr = bias + info->phdr_vaddr,
                        .phent = sizeof(Elf64_Phdr),
                        .phnum = info->phnum,
                        .base = interp_bias,    /* 0 without an interpreter */
                        .entry = entry,
                        .uid = a->uid,
                        .euid = a->euid,
                        .gid = a->gid,
                        .egid = a->egid,
                        .secure = a->secure,
                        .hwcap2 = getauxval(AT_HWCAP2),
                },
        };
        r = loader_setup_stack(mm, &sa, info->exec_stack, image_end, &sp);
        if (r < 0)
                return r;

        /* Linux's ELF_PLAT_INIT/start_thread: everything zero but these;
         * rdx = 0 tells the program there is no atexit function to register. */
        memset(ret_regs, 0, sizeof(*ret_regs));
        ret_regs->gp.rip = start;
        ret_regs->gp.rsp = sp;
        ret_regs->gp.eflags = 0x202;
        ret_regs->gp.cs = 0x33;
        ret_regs->gp.ss = 0x2b;
        return 0;
}
