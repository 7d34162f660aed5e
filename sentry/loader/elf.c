/* Reading and validating ELF headers. Every field is hostile input: the checks
 * follow Linux's load_elf_binary() and are stricter where the ELF spec is
 * (segment order, page congruence). */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/loader/internal.h"

/* Linux refuses program header tables above 64 KiB (load_elf_phdrs). */
#define ELF_MAX_PHDRS_SIZE 65536U

int loader_pread_full(struct loader_file *f, void *buf, size_t len, uint64_t off)
{
        uint8_t *p = buf;

        while (len > 0) {
                if (off > (uint64_t)INT64_MAX)
                        return -EIO;
                ssize_t n = f->ops->pread(f, p, len, off);
                if (n == -EINTR)
                        continue;
                if (n <= 0)
                        return -EIO;    /* an error, or the file shrank under us */
                p += n;
                len -= (size_t)n;
                off += (uint64_t)n;
        }
        return 0;
}

static ssize_t fd_file_pread(struct loader_file *f, void *buf, size_t len, uint64_t off)
{
        ssize_t n = pread(container_of(f, struct loader_fd_file, base)->fd, buf, len, (off_t)off);

        return n < 0 ? -errno : n;
}

static int64_t fd_file_size(struct loader_file *f)
{
        struct stat st;

        if (fstat(container_of(f, struct loader_fd_file, base)->fd, &st) < 0)
                return -errno;
        return st.st_size;
}

static void fd_file_close(struct loader_file *f)
{
        (void)f;
}

static const struct loader_file_ops fd_file_ops = {
        .pread = fd_file_pread,
        .size = fd_file_size,
        .close = fd_file_close,
};

void loader_fd_file_init(struct loader_fd_file *f, int fd)
{
        *f = (struct loader_fd_file){ .base.ops = &fd_file_ops, .fd = fd };
}

int elf_read_info_fd(int fd, struct elf_info *ret)
{
        struct loader_fd_file f;

        loader_fd_file_init(&f, fd);
        return elf_read_info(&f.base, ret);
}

/* a + b <= limit, without overflow. */
static bool range_within(uint64_t a, uint64_t b, uint64_t limit)
{
        return a <= limit && b <= limit - a;
}

static int phdr_prot(uint32_t flags)
{
        int prot = 0;

        if (flags & PF_R)
                prot |= PROT_READ;
        if (flags & PF_W)
                prot |= PROT_WRITE;
        if (flags & PF_X)
                prot |= PROT_EXEC;
        return prot;
}

static int check_ehdr(const Elf64_Ehdr *eh, uint64_t file_size)
{
        if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
                return -ENOEXEC;
        if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
            eh->e_ident[EI_DATA] != ELFDATA2LSB ||
            eh->e_ident[EI_VERSION] != EV_CURRENT)
                return -ENOEXEC;
        /* e_version is not checked: Linux doesn't, and tiny hand-made
         * images reuse it. */
        if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
                return -ENOEXEC;
        if (eh->e_machine != EM_X86_64)
                return -ENOEXEC;
        if (eh->e_phentsize != sizeof(Elf64_Phdr))
                return -ENOEXEC;
        if (eh->e_phnum == 0 ||
            (uint32_t)eh->e_phnum * sizeof(Elf64_Phdr) > ELF_MAX_PHDRS_SIZE)
                return -ENOEXEC;
        if (!range_within(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), file_size))
                return -ENOEXEC;
        if (eh->e_entry >= GUEST_ADDR_MAX)
                return -ENOEXEC;
        return 0;
}

static int add_load(struct elf_info *info, const Elf64_Phdr *ph, uint64_t file_size)
{
        if (info->nsegments >= ELF_MAX_SEGMENTS)
                return -ENOEXEC;
        if (ph->p_filesz > ph->p_memsz)
                return -ENOEXEC;
        if (!range_within(ph->p_offset, ph->p_filesz, file_size))
                return -ENOEXEC;
        /* GUEST_ADDR_MAX is page aligned, so the page-rounded end fits too. */
        if (!range_within(ph->p_vaddr, ph->p_memsz, GUEST_ADDR_MAX))
                return -ENOEXEC;
        /* Mapped by pages: file offset and address must agree within a page. */
        if ((ph->p_offset & (PAGE_SIZE - 1)) != (ph->p_vaddr & (PAGE_SIZE - 1)))
                return -ENOEXEC;
        if (info->nsegments > 0) {
                const struct elf_segment *prev = &info->segments[info->nsegments - 1];
                /* Ascending and disjoint (ELF spec; prev end cannot overflow). */
                if (ph->p_vaddr < prev->vaddr + prev->memsz)
                        return -ENOEXEC;
        }

        info->segments[info->nsegments++] = (struct elf_segment) {
                .vaddr = ph->p_vaddr,
                .memsz = ph->p_memsz,
                .filesz = ph->p_filesz,
                .offset = ph->p_offset,
                .prot = phdr_prot(ph->p_flags),
        };
        return 0;
}

int elf_read_info(struct loader_file *f, struct elf_info *ret)
{
        _cleanup_free_ Elf64_Phdr *phdrs = NULL;
        struct elf_info info = {};
        uint64_t phdr_from_load = 0, phdr_from_pt_phdr = 0;
        bool phdr_in_load = false;
        Elf64_Ehdr eh;
        int64_t size;
        int r;

        size = f->ops->size(f);
        if (size < 0)
                return -EIO;
        if (size < (int64_t)sizeof(eh))
                return -ENOEXEC;
        uint64_t file_size = (uint64_t)size;

        r = loader_pread_full(f, &eh, sizeof(eh), 0);
        if (r < 0)
                return r;
        r = check_ehdr(&eh, file_size);
        if (r < 0)
                return r;

        size_t phsize = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
        phdrs = malloc(phsize);
        if (!phdrs)
                return -ENOMEM;
        r = loader_pread_full(f, phdrs, phsize, eh.e_phoff);
        if (r < 0)
                return r;

        info.type = eh.e_type;
        info.entry = eh.e_entry;
        info.phoff = eh.e_phoff;
        info.phnum = eh.e_phnum;
        info.phentsize = eh.e_phentsize;

        for (unsigned i = 0; i < eh.e_phnum; i++) {
                const Elf64_Phdr *ph = &phdrs[i];

                switch (ph->p_type) {
                case PT_LOAD:
                        r = add_load(&info, ph, file_size);
                        if (r < 0)
                                return r;
                        /* Like Linux >= 5.18: the PT_LOAD whose file range
                         * holds e_phoff tells where the headers are mapped. */
                        if (ph->p_offset <= eh.e_phoff &&
                            eh.e_phoff - ph->p_offset < ph->p_filesz) {
                                phdr_from_load = eh.e_phoff - ph->p_offset + ph->p_vaddr;
                                phdr_in_load = true;
                        }
                        break;
                case PT_INTERP:
                        /* Linux's bounds on the interpreter path. */
                        if (ph->p_filesz < 2 || ph->p_filesz > 4096 ||
                            !range_within(ph->p_offset, ph->p_filesz, file_size))
                                return -ENOEXEC;
                        /* The first one is the interpreter, as in Linux. */
                        if (!info.has_interp) {
                                info.interp_offset = ph->p_offset;
                                info.interp_size = ph->p_filesz;
                        }
                        info.has_interp = true;
                        break;
                case PT_GNU_STACK:
                        /* The last one wins, as in Linux. */
                        info.exec_stack = ph->p_flags & PF_X;
                        break;
                case PT_PHDR:
                        if (ph->p_vaddr >= GUEST_ADDR_MAX)
                                return -ENOEXEC;
                        phdr_from_pt_phdr = ph->p_vaddr;
                        break;
                default:
                        break;
                }
        }

        if (info.nsegments == 0)
                return -ENOEXEC;

        info.phdr_vaddr = phdr_in_load ? phdr_from_load : phdr_from_pt_phdr;

        const struct elf_segment *first = &info.segments[0];
        const struct elf_segment *last = &info.segments[info.nsegments - 1];
        info.min_vaddr = PAGE_ROUND_DOWN(first->vaddr);
        info.max_vaddr = PAGE_ROUND_UP(last->vaddr + last->memsz);
        if (info.max_vaddr == info.min_vaddr)
                return -ENOEXEC;        /* nothing to map */
        /* An entry outside every segment is not checked: Linux runs it and
         * the program faults on its first instruction. */

        *ret = info;
        return 0;
}
