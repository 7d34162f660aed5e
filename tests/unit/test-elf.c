/* elf_read_info() on good and hostile images, the initial stack layout, and
 * loader_load() into a fake mm (this file defines the few mm_* it uses). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "lib/macro.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/loader/internal.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"

/* ---- Building images ------------------------------------------------------ */

/* A small valid static ET_EXEC: headers and text in one R-X segment, data +
 * bss in a RW- one, and a PT_GNU_STACK. Three pages long. */
#define IMG_SIZE (3 * 4096)
#define IMG_PHNUM 3

struct img {
        union {
                uint8_t bytes[IMG_SIZE];
                struct {
                        Elf64_Ehdr eh;
                        Elf64_Phdr ph[IMG_PHNUM];
                };
        };
        size_t len;
};

static void img_init(struct img *im)
{
        memset(im, 0, sizeof(*im));
        im->len = IMG_SIZE;
        memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
        im->eh.e_ident[EI_CLASS] = ELFCLASS64;
        im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
        im->eh.e_ident[EI_VERSION] = EV_CURRENT;
        im->eh.e_type = ET_EXEC;
        im->eh.e_machine = EM_X86_64;
        im->eh.e_version = EV_CURRENT;
        im->eh.e_entry = 0x400100;
        im->eh.e_phoff = sizeof(Elf64_Ehdr);
        im->eh.e_ehsize = sizeof(Elf64_Ehdr);
        im->eh.e_phentsize = sizeof(Elf64_Phdr);
        im->eh.e_phnum = IMG_PHNUM;

        im->ph[0] = (Elf64_Phdr) {
                .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
                .p_offset = 0, .p_vaddr = 0x400000, .p_paddr = 0x400000,
                .p_filesz = 0x1800, .p_memsz = 0x1800, .p_align = 0x1000,
        };
        im->ph[1] = (Elf64_Phdr) {
                .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
                .p_offset = 0x2100, .p_vaddr = 0x403100, .p_paddr = 0x403100,
                .p_filesz = 0x800, .p_memsz = 0x3000, .p_align = 0x1000,
        };
        im->ph[2] = (Elf64_Phdr) {
                .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W,
        };
}

static int img_read(const void *bytes, size_t len, struct elf_info *info)
{
        int fd = memfd_create("test-elf", MFD_CLOEXEC);
        int r;

        assert_true(fd >= 0);
        if (len > 0)
                assert_int_equal(write(fd, bytes, len), (ssize_t)len);
        r = elf_read_info_fd(fd, info);
        close(fd);
        return r;
}

static int read_img(const struct img *im, struct elf_info *info)
{
        return img_read(im->bytes, im->len, info);
}

/* The result for the image changed by `change` (a statement on im). */
#define CHECK_ENOEXEC(change) do {                                      \
                struct img im;                                          \
                struct elf_info info;                                   \
                img_init(&im);                                          \
                change;                                                 \
                assert_int_equal(read_img(&im, &info), -ENOEXEC);       \
        } while (0)

/* ---- Good images ---------------------------------------------------------- */

static void test_small_exec_is_read(void **state)
{
        struct img im;
        struct elf_info info;

        (void)state;
        img_init(&im);
        assert_int_equal(read_img(&im, &info), 0);
        assert_int_equal(info.type, ET_EXEC);
        assert_int_equal(info.entry, 0x400100);
        assert_int_equal(info.phoff, 64);
        assert_int_equal(info.phnum, IMG_PHNUM);
        assert_int_equal(info.phentsize, sizeof(Elf64_Phdr));
        assert_int_equal(info.phdr_vaddr, 0x400040);
        assert_false(info.has_interp);
        assert_false(info.exec_stack);
        assert_int_equal(info.nsegments, 2);
        assert_int_equal(info.segments[0].vaddr, 0x400000);
        assert_int_equal(info.segments[0].prot, PROT_READ | PROT_EXEC);
        assert_int_equal(info.segments[1].vaddr, 0x403100);
        assert_int_equal(info.segments[1].offset, 0x2100);
        assert_int_equal(info.segments[1].filesz, 0x800);
        assert_int_equal(info.segments[1].memsz, 0x3000);
        assert_int_equal(info.segments[1].prot, PROT_READ | PROT_WRITE);
        assert_int_equal(info.min_vaddr, 0x400000);
        assert_int_equal(info.max_vaddr, 0x407000);
}

static void test_exec_stack_flag(void **state)
{
        struct img im;
        struct elf_info info;

        (void)state;
        img_init(&im);
        im.ph[2].p_flags |= PF_X;
        assert_int_equal(read_img(&im, &info), 0);
        assert_true(info.exec_stack);

        /* No PT_GNU_STACK on x86_64: not executable, as in Linux. */
        im.ph[2].p_type = PT_NOTE;
        assert_int_equal(read_img(&im, &info), 0);
        assert_false(info.exec_stack);
}

static void test_interp_is_noted(void **state)
{
        struct img im;
        struct elf_info info;

        (void)state;
        img_init(&im);
        im.ph[2] = (Elf64_Phdr) { .p_type = PT_INTERP, .p_offset = 0x200, .p_filesz = 28 };
        memcpy(im.bytes + 0x200, "/lib64/ld-linux-x86-64.so.2", 28);
        assert_int_equal(read_img(&im, &info), 0);
        assert_true(info.has_interp);
}

static void test_pt_phdr_used_when_headers_not_loaded(void **state)
{
        struct img im;
        struct elf_info info;

        (void)state;
        img_init(&im);
        /* Program headers in the file's third page, outside every PT_LOAD. */
        memcpy(im.bytes + 0x2a00, im.ph, sizeof(im.ph));
        im.eh.e_phoff = 0x2a00;
        assert_int_equal(read_img(&im, &info), 0);
        assert_int_equal(info.phdr_vaddr, 0);

        Elf64_Phdr *ph = (Elf64_Phdr *)(void *)(im.bytes + 0x2a00);
        ph[2] = (Elf64_Phdr) { .p_type = PT_PHDR, .p_flags = PF_R, .p_vaddr = 0x400a00 };
        assert_int_equal(read_img(&im, &info), 0);
        assert_int_equal(info.phdr_vaddr, 0x400a00);
}

static void test_static_pie_is_dyn(void **state)
{
        struct img im;
        struct elf_info info;

        (void)state;
        img_init(&im);
        im.eh.e_type = ET_DYN;
        im.eh.e_entry = 0x100;
        im.ph[0].p_vaddr = 0;
        im.ph[1].p_vaddr = 0x3100;
        assert_int_equal(read_img(&im, &info), 0);
        assert_int_equal(info.type, ET_DYN);
        assert_int_equal(info.min_vaddr, 0);
        assert_int_equal(info.max_vaddr, 0x7000);
        assert_int_equal(info.phdr_vaddr, 0x40);
}

static void test_zero_memsz_segment_is_accepted(void **state)
{
        struct img im;
        struct elf_info info;

        (void)state;
        img_init(&im);
        im.ph[2] = (Elf64_Phdr) { .p_type = PT_LOAD, .p_vaddr = 0x500000, .p_offset = 0 };
        assert_int_equal(read_img(&im, &info), 0);
        assert_int_equal(info.nsegments, 3);
        /* Its address counts for the span, as in Linux's total_mapping_size(). */
        assert_int_equal(info.max_vaddr, 0x500000);
}

/* Only the program headers' own pages, not the declared segment bytes: the
 * image stays valid when shortened to what the segments cover. */
static void test_exact_file_size_is_enough(void **state)
{
        struct img im;
        struct elf_info info;

        (void)state;
        img_init(&im);
        im.len = 0x2100 + 0x800;
        assert_int_equal(read_img(&im, &info), 0);
}

static void check_real_binary(const char *path, uint16_t type, bool interp)
{
        struct elf_info info;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(elf_read_info_fd(fd, &info), 0);
        close(fd);
        assert_int_equal(info.type, type);
        assert_int_equal(info.has_interp, interp);
        assert_true(info.nsegments >= 1);
        assert_true(info.phdr_vaddr != 0);
        assert_true(info.min_vaddr < info.max_vaddr);
        assert_true(info.entry >= info.min_vaddr && info.entry < info.max_vaddr);
}

static void test_busybox_is_read(void **state)
{
        (void)state;
        if (access("/bin/busybox", R_OK) < 0)
                skip();
        check_real_binary("/bin/busybox", ET_EXEC, false);
}

static void test_static_pie_binary_is_read(void **state)
{
        const char *path = getenv("ELF_STATIC_PIE");

        (void)state;
        if (!path || access(path, R_OK) < 0)
                skip();
        check_real_binary(path, ET_DYN, false);
}

static void test_own_dynamic_binary_has_interp(void **state)
{
        (void)state;
        check_real_binary("/proc/self/exe", ET_DYN, true);
}

/* ---- Malformed images ----------------------------------------------------- */

static void test_bad_magic_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.eh.e_ident[EI_MAG1] = 'e');
        CHECK_ENOEXEC(memcpy(im.bytes, "#!/bin/sh\n", 10));
}

static void test_wrong_class_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.eh.e_ident[EI_CLASS] = ELFCLASS32);
        CHECK_ENOEXEC(im.eh.e_ident[EI_CLASS] = ELFCLASSNONE);
}

static void test_wrong_data_or_version_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.eh.e_ident[EI_DATA] = ELFDATA2MSB);
        CHECK_ENOEXEC(im.eh.e_ident[EI_VERSION] = EV_NONE);
}

static void test_wrong_machine_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.eh.e_machine = EM_AARCH64);
        CHECK_ENOEXEC(im.eh.e_machine = EM_386);
}

static void test_wrong_type_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.eh.e_type = ET_REL);
        CHECK_ENOEXEC(im.eh.e_type = ET_CORE);
}

static void test_zero_length_file_is_enoexec(void **state)
{
        struct elf_info info;

        (void)state;
        assert_int_equal(img_read("", 0, &info), -ENOEXEC);
}

static void test_truncated_header_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.len = 4);
        CHECK_ENOEXEC(im.len = sizeof(Elf64_Ehdr) - 1);
}

static void test_truncated_phdrs_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.len = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr));
        CHECK_ENOEXEC(im.eh.e_phoff = IMG_SIZE - sizeof(Elf64_Phdr));
        CHECK_ENOEXEC(im.eh.e_phoff = UINT64_MAX - 8);
}

static void test_phnum_absurd_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.eh.e_phnum = 0);
        CHECK_ENOEXEC(im.eh.e_phnum = PN_XNUM);
        CHECK_ENOEXEC(im.eh.e_phnum = 65536 / sizeof(Elf64_Phdr) + 1);
        /* Within 64 KiB, but beyond the file. */
        CHECK_ENOEXEC(im.eh.e_phnum = 1000);
}

static void test_phentsize_wrong_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.eh.e_phentsize = sizeof(Elf64_Phdr) - 1);
        CHECK_ENOEXEC(im.eh.e_phentsize = sizeof(Elf32_Phdr));
        CHECK_ENOEXEC(im.eh.e_phentsize = 0);
}

static void test_segment_offset_beyond_file_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.ph[1].p_offset = IMG_SIZE + 0x100);
        CHECK_ENOEXEC(im.ph[1].p_filesz = im.ph[1].p_memsz = 0x1000);   /* ends past EOF */
        CHECK_ENOEXEC(im.ph[1].p_offset = UINT64_MAX - 0xeff);          /* offset + filesz wraps */
        CHECK_ENOEXEC(im.len = 0x2100 + 0x800 - 1);
}

static void test_filesz_greater_than_memsz_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.ph[1].p_memsz = im.ph[1].p_filesz - 1);
}

static void test_vaddr_overflow_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.ph[1].p_memsz = UINT64_MAX - 0x1000);
        CHECK_ENOEXEC({ im.ph[1].p_vaddr = UINT64_MAX - 0xeff; im.ph[1].p_offset = 0x2100; });
}

static void test_vaddr_above_guest_max_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.ph[1].p_vaddr = GUEST_ADDR_MAX + 0x100);
        /* Ends one byte past the top. */
        CHECK_ENOEXEC({
                im.ph[1].p_vaddr = GUEST_ADDR_MAX - 0x3000 + 0x100;
                im.ph[1].p_memsz = 0x3000 - 0x100 + 1;
        });
        CHECK_ENOEXEC(im.eh.e_entry = GUEST_ADDR_MAX);
}

static void test_segment_ending_at_guest_max_is_accepted(void **state)
{
        struct img im;
        struct elf_info info;

        (void)state;
        img_init(&im);
        im.ph[1].p_vaddr = GUEST_ADDR_MAX - 0x3000 + 0x100;
        im.ph[1].p_memsz = 0x3000 - 0x100;
        assert_int_equal(read_img(&im, &info), 0);
        assert_int_equal(info.max_vaddr, GUEST_ADDR_MAX);
}

static void test_overlapping_segments_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC({ im.ph[1].p_vaddr = 0x401100; });                 /* inside the first */
        CHECK_ENOEXEC({ im.ph[1].p_vaddr = 0x4017f0; im.ph[1].p_offset = 0x27f0 - 0x1000; });
}

static void test_unsorted_segments_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC({ Elf64_Phdr t = im.ph[0]; im.ph[0] = im.ph[1]; im.ph[1] = t; });
}

static void test_incongruent_offset_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.ph[1].p_offset = 0x2000);
}

static void test_no_pt_load_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC({ im.ph[0].p_type = PT_NOTE; im.ph[1].p_type = PT_NULL; });
        /* Only empty ones: nothing to map. */
        CHECK_ENOEXEC({ im.ph[0].p_filesz = im.ph[0].p_memsz = 0;
                        im.ph[1].p_filesz = im.ph[1].p_memsz = 0;
                        im.ph[1].p_vaddr = 0x400000; im.ph[1].p_offset = 0; });
}

static void test_too_many_segments_is_enoexec(void **state)
{
        static uint8_t bytes[2 * 4096 + 8192];
        Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)bytes;
        Elf64_Phdr *ph = (Elf64_Phdr *)(void *)(bytes + sizeof(*eh));
        struct img im;
        struct elf_info info;

        (void)state;
        img_init(&im);
        memcpy(eh, &im.eh, sizeof(*eh));
        for (unsigned n = ELF_MAX_SEGMENTS; n <= ELF_MAX_SEGMENTS + 1; n++) {
                eh->e_phnum = n;
                for (unsigned i = 0; i < n; i++)
                        ph[i] = (Elf64_Phdr) { .p_type = PT_LOAD, .p_flags = PF_R,
                                               .p_vaddr = 0x400000 + i * 0x1000,
                                               .p_memsz = 0x10 };
                int r = img_read(bytes, sizeof(bytes), &info);
                assert_int_equal(r, n <= ELF_MAX_SEGMENTS ? 0 : -ENOEXEC);
        }
}

static void test_bad_interp_is_enoexec(void **state)
{
        (void)state;
        CHECK_ENOEXEC(im.ph[2] = ((Elf64_Phdr) { .p_type = PT_INTERP,
                                                 .p_offset = 0x200, .p_filesz = 1 }));
        CHECK_ENOEXEC(im.ph[2] = ((Elf64_Phdr) { .p_type = PT_INTERP,
                                                 .p_offset = IMG_SIZE - 4, .p_filesz = 28 }));
        CHECK_ENOEXEC(im.ph[2] = ((Elf64_Phdr) { .p_type = PT_INTERP,
                                                 .p_offset = 0, .p_filesz = 8192 }));
}

static void test_read_error_is_eio(void **state)
{
        char dir[] = "/tmp/test-elf-XXXXXX";
        struct elf_info info;
        struct stat st;

        (void)state;
        assert_non_null(mkdtemp(dir));
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        int r = elf_read_info_fd(fd, &info);
        close(fd);
        rmdir(dir);
        if (st.st_size < (off_t)sizeof(Elf64_Ehdr))
                skip();
        /* A directory claims a size but pread fails (EISDIR). */
        assert_int_equal(r, -EIO);
}

/* ---- The initial stack ---------------------------------------------------- */

#define TOP 0x7ffff0000000ULL

struct stack_buf {
        uint8_t *mem;
        size_t size;
        struct stack_layout l;
};

static void stack_args_init(struct stack_args *a, char *const *argv, char *const *envp)
{
        memset(a, 0, sizeof(*a));
        a->execfn = "/bin/prog";
        a->argv = argv;
        a->envp = envp;
        a->stack_limit = 8 << 20;
        for (unsigned i = 0; i < sizeof(a->random); i++)
                a->random[i] = (uint8_t)(0xa0 + i);
        a->aux = (struct stack_auxv) {
                .minsigstksz = 3376, .hwcap = 0x178bfbff,
                .phdr = 0x400040, .phent = 56, .phnum = 10, .base = 0,
                .entry = 0x401000, .uid = 1000, .euid = 1001, .gid = 1002,
                .egid = 1003, .secure = 0, .hwcap2 = 2,
        };
}

static int build(const struct stack_args *a, guest_ptr_t top, struct stack_buf *b)
{
        int r = loader_stack_layout(a, top, NULL, 0, &b->l);
        if (r < 0)
                return r;
        b->size = b->l.size + 64;       /* a little more than needed */
        b->mem = malloc(b->size);
        assert_non_null(b->mem);
        memset(b->mem, 0x55, b->size);
        struct stack_layout l2;
        r = loader_stack_layout(a, top, b->mem, b->size, &l2);
        assert_int_equal(r, 0);
        assert_int_equal(l2.size, b->l.size);
        assert_int_equal(l2.sp, b->l.sp);
        assert_int_equal(l2.argv, b->l.argv);
        assert_int_equal(l2.envp, b->l.envp);
        assert_int_equal(l2.auxv, b->l.auxv);
        assert_int_equal(l2.execfn, b->l.execfn);
        assert_int_equal(l2.random, b->l.random);
        assert_int_equal(l2.platform, b->l.platform);
        assert_int_equal(l2.argc, b->l.argc);
        assert_int_equal(l2.envc, b->l.envc);
        assert_int_equal(l2.nauxv, b->l.nauxv);
        return 0;
}

static const void *at(const struct stack_buf *b, guest_ptr_t top, guest_ptr_t addr)
{
        assert_true(addr >= top - b->size && addr < top);
        return b->mem + (addr - (top - b->size));
}

static uint64_t word(const struct stack_buf *b, guest_ptr_t top, guest_ptr_t addr)
{
        uint64_t v;
        memcpy(&v, at(b, top, addr), sizeof(v));
        return v;
}

static const char *str(const struct stack_buf *b, guest_ptr_t top, guest_ptr_t addr)
{
        const char *s = at(b, top, addr);
        assert_non_null(memchr(s, 0, (size_t)(top - addr)));
        return s;
}

static void check_layout(const struct stack_args *a, const struct stack_buf *b,
                         guest_ptr_t top, char *const *argv, char *const *envp)
{
        const struct stack_layout *l = &b->l;
        uint64_t argc = 0, envc = 0;

        while (argv[argc])
                argc++;
        while (envp[envc])
                envc++;

        assert_int_equal(l->sp % 16, 0);
        assert_int_equal(l->size, top - l->sp);
        assert_int_equal(word(b, top, l->sp), argc);
        assert_int_equal(l->argv, l->sp + 8);
        assert_int_equal(l->envp, l->argv + 8 * (argc + 1));
        assert_int_equal(l->auxv, l->envp + 8 * (envc + 1));

        /* Strings contiguous and ascending: argv, envp, execfn, then the
         * 8-byte zero word at the top. */
        guest_ptr_t next = word(b, top, l->argv);
        for (uint64_t i = 0; i < argc; i++) {
                guest_ptr_t p = word(b, top, l->argv + 8 * i);
                assert_int_equal(p, next);
                assert_string_equal(str(b, top, p), argv[i]);
                next = p + strlen(argv[i]) + 1;
        }
        assert_int_equal(word(b, top, l->argv + 8 * argc), 0);
        for (uint64_t i = 0; i < envc; i++) {
                guest_ptr_t p = word(b, top, l->envp + 8 * i);
                assert_int_equal(p, next);
                assert_string_equal(str(b, top, p), envp[i]);
                next = p + strlen(envp[i]) + 1;
        }
        assert_int_equal(word(b, top, l->envp + 8 * envc), 0);
        assert_int_equal(l->execfn, next);
        assert_string_equal(str(b, top, l->execfn), a->execfn);
        assert_int_equal(l->execfn + strlen(a->execfn) + 1, top - 8);
        assert_int_equal(word(b, top, top - 8), 0);

        /* The platform string and random bytes sit between auxv and the strings. */
        assert_true(l->random + 16 == l->platform);
        assert_true(l->platform + 7 <= word(b, top, l->argv));
        assert_true(l->auxv + 16 * l->nauxv <= l->random);
        assert_true(l->random - (l->auxv + 16 * l->nauxv) < 16);
        assert_string_equal(str(b, top, l->platform), "x86_64");
        assert_memory_equal(at(b, top, l->random), a->random, 16);

        /* auxv: Linux's order and values. */
        const uint64_t want[][2] = {
                { AT_MINSIGSTKSZ, a->aux.minsigstksz },
                { AT_HWCAP, a->aux.hwcap },
                { AT_PAGESZ, 4096 },
                { AT_CLKTCK, 100 },
                { AT_PHDR, a->aux.phdr },
                { AT_PHENT, a->aux.phent },
                { AT_PHNUM, a->aux.phnum },
                { AT_BASE, a->aux.base },
                { AT_FLAGS, 0 },
                { AT_ENTRY, a->aux.entry },
                { AT_UID, a->aux.uid },
                { AT_EUID, a->aux.euid },
                { AT_GID, a->aux.gid },
                { AT_EGID, a->aux.egid },
                { AT_SECURE, a->aux.secure },
                { AT_RANDOM, l->random },
                { AT_HWCAP2, a->aux.hwcap2 },
                { AT_EXECFN, l->execfn },
                { AT_PLATFORM, l->platform },
                { AT_NULL, 0 },
        };
        assert_int_equal(l->nauxv, ARRAY_SIZE(want));
        for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
                assert_int_equal(word(b, top, l->auxv + 16 * i), want[i][0]);
                assert_int_equal(word(b, top, l->auxv + 16 * i + 8), want[i][1]);
        }
}

static void test_stack_layout_basic(void **state)
{
        char *argv[] = { "prog", "-x", "hello world", NULL };
        char *envp[] = { "HOME=/root", "PATH=/bin:/usr/bin", "X=", NULL };
        struct stack_args a;
        struct stack_buf b;

        (void)state;
        stack_args_init(&a, argv, envp);
        assert_int_equal(build(&a, TOP, &b), 0);
        assert_int_equal(b.l.argc, 3);
        assert_int_equal(b.l.envc, 3);
        check_layout(&a, &b, TOP, argv, envp);
        free(b.mem);
}

static void test_stack_layout_alignment(void **state)
{
        char *envp[] = { "A=1", NULL };
        char *strs[] = { "a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg", "hhhhhhhh", NULL };
        struct stack_args a;

        (void)state;
        /* Every argc parity, string length and alignment offset. */
        for (unsigned argc = 0; argc < 8; argc++) {
                char *argv[9];
                for (unsigned i = 0; i < argc; i++)
                        argv[i] = strs[(i + argc) % 8];
                argv[argc] = NULL;
                for (unsigned rnd = 0; rnd < 40; rnd += 3) {
                        struct stack_buf b;
                        stack_args_init(&a, argv, envp);
                        a.align_rand = rnd * 211;
                        assert_int_equal(build(&a, TOP, &b), 0);
                        if (argc > 0)
                                check_layout(&a, &b, TOP, argv, envp);
                        assert_int_equal(b.l.sp % 16, 0);
                        free(b.mem);
                }
        }
}

static void test_stack_layout_empty_argv_gets_empty_string(void **state)
{
        char *argv[] = { NULL };
        char *argv_linux[] = { "", NULL };
        char *envp[] = { "A=1", NULL };
        struct stack_args a;
        struct stack_buf b;

        (void)state;
        stack_args_init(&a, argv, envp);
        assert_int_equal(build(&a, TOP, &b), 0);
        assert_int_equal(b.l.argc, 1);
        check_layout(&a, &b, TOP, argv_linux, envp);
        free(b.mem);

        /* NULL arrays are empty ones. */
        char *no_env[] = { NULL };
        stack_args_init(&a, NULL, NULL);
        assert_int_equal(build(&a, TOP, &b), 0);
        check_layout(&a, &b, TOP, argv_linux, no_env);
        free(b.mem);
}

static void test_stack_layout_bad_top_or_buffer(void **state)
{
        char *argv[] = { "prog", NULL };
        char *envp[] = { NULL };
        struct stack_args a;
        struct stack_layout l;
        uint8_t small[64];

        (void)state;
        stack_args_init(&a, argv, envp);
        assert_int_equal(loader_stack_layout(&a, TOP + 8, NULL, 0, &l), -EINVAL);
        assert_int_equal(loader_stack_layout(&a, 4096, NULL, 0, &l), -EINVAL);
        assert_int_equal(loader_stack_layout(&a, TOP, small, sizeof(small), &l), -ENOMEM);
}

static char *repeat(char c, size_t n)
{
        char *s = malloc(n + 1);
        assert_non_null(s);
        memset(s, c, n);
        s[n] = 0;
        return s;
}

static void test_stack_layout_long_string_is_e2big(void **state)
{
        char *longest = repeat('a', LOADER_MAX_ARG_STRLEN - 1);
        char *too_long = repeat('b', LOADER_MAX_ARG_STRLEN);
        char *envp[] = { NULL };
        struct stack_args a;
        struct stack_layout l;

        (void)state;
        char *ok[] = { longest, NULL };
        stack_args_init(&a, ok, envp);
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), 0);

        char *bad[] = { "prog", too_long, NULL };
        stack_args_init(&a, bad, envp);
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), -E2BIG);

        char *bad_env[] = { too_long, NULL };
        stack_args_init(&a, ok, bad_env);
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), -E2BIG);

        stack_args_init(&a, ok, envp);
        a.execfn = too_long;
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), -E2BIG);
        free(longest);
        free(too_long);
}

static void test_stack_layout_total_is_e2big(void **state)
{
        char *s = repeat('x', 100000);
        char *argv[32];
        char *envp[] = { NULL };
        struct stack_args a;
        struct stack_layout l;

        (void)state;
        for (unsigned i = 0; i < 31; i++)
                argv[i] = s;
        argv[31] = NULL;

        /* 8 MiB rlimit: 2 MiB for strings; 31 * 100 kB = 3.1 MB is too much. */
        stack_args_init(&a, argv, envp);
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), -E2BIG);
        argv[20] = NULL;        /* 2.0 MB: fits */
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), 0);

        /* A tiny rlimit still allows ARG_MAX (128 KiB). */
        a.stack_limit = 4096;
        argv[1] = NULL;
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), 0);
        argv[1] = s;
        argv[2] = NULL;
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), -E2BIG);

        /* An unlimited rlimit is capped at 6 MiB (_STK_LIM / 4 * 3). */
        a.stack_limit = UINT64_MAX;
        for (unsigned i = 0; i < 31; i++)
                argv[i] = s;
        argv[31] = NULL;
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), 0);
        free(s);
}

static void test_stack_layout_too_many_pointers_is_e2big(void **state)
{
        size_t n = LOADER_ARG_MAX / 8;          /* exactly fills ARG_MAX with pointers */
        char **envp = calloc(n + 1, sizeof(char *));
        char *argv[] = { "p", NULL };
        struct stack_args a;
        struct stack_layout l;

        (void)state;
        assert_non_null(envp);
        for (size_t i = 0; i < n; i++)
                envp[i] = "";
        stack_args_init(&a, argv, envp);
        a.stack_limit = 0;
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), -E2BIG);
        envp[14000] = NULL;                     /* 9 bytes each: room again */
        assert_int_equal(loader_stack_layout(&a, TOP, NULL, 0, &l), 0);
        free(envp);
}

/* ---- loader_load() on a fake mm ------------------------------------------- */

/* Just enough of sentry/mm for the loader: fixed anonymous maps (no overlap
 * expected), mprotect of a whole mapping, forced copy-out, brk_init. */
struct fake_vma {
        guest_ptr_t start, end;
        int prot;
        uint8_t *mem;
};
struct mm {
        struct fake_vma vma[ELF_MAX_SEGMENTS + 1];
        unsigned nvma;
        guest_ptr_t brk;
        /* The last mm_mmap_copy_of(): a segment's file part, whose bss
         * part the loader maps right above it (one fake mapping). */
        struct fake_vma *copy;
};

/* Where the fake puts mappings without MAP_FIXED (the interpreter). */
#define FAKE_MMAP_TOP 0x7f0000000000ULL

long mm_mmap(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags)
{
        if (!(flags & MAP_FIXED)) {
                assert_int_equal(flags, MAP_PRIVATE | MAP_ANONYMOUS);
                assert_int_equal(addr, 0);
                addr = FAKE_MMAP_TOP - PAGE_ROUND_UP(len);
                flags |= MAP_FIXED;
        }
        assert_int_equal(flags, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
        assert_true(PAGE_ALIGNED(addr) && PAGE_ALIGNED(len) && len > 0);
        assert_true(addr + len <= GUEST_ADDR_MAX);
        if (mm->copy && mm->copy->end == addr && mm->copy->prot == prot) {
                struct fake_vma *c = TAKE_PTR(mm->copy);
                uint64_t old = c->end - c->start;

                c->mem = realloc(c->mem, old + len);
                assert_non_null(c->mem);
                memset(c->mem + old, 0, len);
                c->end += len;
                return (long)addr;
        }
        mm->copy = NULL;
        for (unsigned i = 0; i < mm->nvma; i++)
                assert_true(addr + len <= mm->vma[i].start || addr >= mm->vma[i].end);
        assert_true(mm->nvma < ARRAY_SIZE(mm->vma));
        struct fake_vma *v = &mm->vma[mm->nvma++];
        v->start = addr;
        v->end = addr + len;
        v->prot = prot;
        v->mem = calloc(1, len);
        assert_non_null(v->mem);
        return (long)addr;
}

static struct fake_vma *fake_find(struct mm *mm, guest_ptr_t addr, size_t len)
{
        for (unsigned i = 0; i < mm->nvma; i++)
                if (addr >= mm->vma[i].start && addr + len <= mm->vma[i].end)
                        return &mm->vma[i];
        return NULL;
}

/* Whole fake mappings only (the loader unmaps its interpreter reservation). */
long mm_mmap_copy_of(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot, int flags,
                     const struct mm_vm_file *vf, uint64_t off)
{
        long r;

        (void)vf;
        assert_true(PAGE_ALIGNED(off));
        r = mm_mmap(mm, addr, len, prot, flags);
        mm->copy = &mm->vma[mm->nvma - 1];
        return r;
}

int mm_munmap(struct mm *mm, guest_ptr_t addr, uint64_t len)
{
        for (unsigned i = 0; i < mm->nvma; i++)
                if (mm->vma[i].start == addr && mm->vma[i].end == addr + len) {
                        free(mm->vma[i].mem);
                        mm->vma[i] = mm->vma[--mm->nvma];
                        mm->copy = NULL;
                        return 0;
                }
        fail_msg("munmap of %#lx+%#lx: not one fake mapping", (unsigned long)addr,
                 (unsigned long)len);
        return -EINVAL;
}

int mm_mprotect(struct mm *mm, guest_ptr_t addr, uint64_t len, int prot)
{
        struct fake_vma *v = fake_find(mm, addr, len);
        if (!v || v->start != addr || v->end != addr + len)
                return -ENOMEM;
        v->prot = prot;
        return 0;
}

int mm_copy_out_force(struct mm *mm, guest_ptr_t dst, const void *src, size_t len)
{
        struct fake_vma *v = fake_find(mm, dst, len);
        if (!v)
                return -EFAULT;
        memcpy(v->mem + (dst - v->start), src, len);
        return 0;
}

void mm_brk_init(struct mm *mm, guest_ptr_t start)
{
        mm->brk = start;
}

static void fake_free(struct mm *mm)
{
        for (unsigned i = 0; i < mm->nvma; i++)
                free(mm->vma[i].mem);
        memset(mm, 0, sizeof(*mm));
}

static const uint8_t *fake_at(struct mm *mm, guest_ptr_t addr, size_t len)
{
        struct fake_vma *v = fake_find(mm, addr, len);
        assert_non_null(v);
        return v->mem + (addr - v->start);
}

static uint64_t fake_word(struct mm *mm, guest_ptr_t addr)
{
        uint64_t w;
        memcpy(&w, fake_at(mm, addr, 8), 8);
        return w;
}

static uint64_t fake_auxval(struct mm *mm, guest_ptr_t rsp, uint64_t type)
{
        guest_ptr_t p = rsp + 8 * (fake_word(mm, rsp) + 2);     /* envp */
        while (fake_word(mm, p))
                p += 8;
        for (p += 8; fake_word(mm, p) != AT_NULL; p += 16)
                if (fake_word(mm, p) == type)
                        return fake_word(mm, p + 8);
        fail_msg("auxv type %lu missing", (unsigned long)type);
        return 0;
}

static int load_fd(struct mm *mm, int fd, char *const *argv, struct cpu_regs *regs)
{
        char *envp[] = { "A=b", NULL };
        struct loader_fd_file file;
        struct loader_args a = {
                .file = &file.base, .filename = "/the/prog", .argv = argv, .envp = envp,
                .uid = 1, .euid = 2, .gid = 3, .egid = 4, .stack_limit = 8 << 20,
        };
        loader_fd_file_init(&file, fd);
        memset(mm, 0, sizeof(*mm));
        return loader_load(mm, &a, regs);
}

/* Checks what any loaded image must look like; returns the bias. */
static uint64_t check_loaded(struct mm *mm, int fd, const struct cpu_regs *regs)
{
        struct elf_info info;
        Elf64_Ehdr eh;
        uint64_t bias;

        assert_int_equal(elf_read_info_fd(fd, &info), 0);
        assert_int_equal(pread(fd, &eh, sizeof(eh), 0), sizeof(eh));
        bias = info.type == ET_DYN ? LOADER_ET_DYN_BASE - info.min_vaddr : 0;

        /* Registers. */
        assert_int_equal(regs->gp.rip, bias + info.entry);
        assert_int_equal(regs->gp.rsp % 16, 0);
        assert_int_equal(regs->gp.cs, 0x33);
        assert_int_equal(regs->gp.ss, 0x2b);
        assert_int_equal(regs->gp.eflags, 0x202);
        assert_int_equal(regs->gp.rax | regs->gp.rbx | regs->gp.rcx | regs->gp.rdx |
                         regs->gp.rsi | regs->gp.rdi | regs->gp.rbp | regs->gp.r8 |
                         regs->gp.r15 | regs->gp.fs_base | regs->gp.gs_base, 0);

        /* Every segment: file bytes, zero bss, its protection. */
        for (unsigned i = 0; i < info.nsegments; i++) {
                const struct elf_segment *seg = &info.segments[i];
                uint8_t *file = malloc(seg->filesz + 1);
                assert_non_null(file);
                assert_int_equal(pread(fd, file, seg->filesz, (off_t)seg->offset),
                                 (ssize_t)seg->filesz);
                assert_memory_equal(fake_at(mm, bias + seg->vaddr, seg->filesz), file,
                                    seg->filesz);
                const uint8_t *bss = fake_at(mm, bias + seg->vaddr + seg->filesz,
                                             seg->memsz - seg->filesz);
                for (uint64_t j = 0; j < seg->memsz - seg->filesz; j++)
                        assert_int_equal(bss[j], 0);
                assert_int_equal(fake_find(mm, bias + seg->vaddr, 1)->prot, seg->prot);
                free(file);
        }
        assert_int_equal(mm->brk, bias + info.max_vaddr);

        /* The stack: executable only with PF_X in PT_GNU_STACK. */
        struct fake_vma *stack = fake_find(mm, regs->gp.rsp, 8);
        assert_non_null(stack);
        assert_int_equal(stack->end, GUEST_ADDR_MAX);
        assert_int_equal(stack->prot, PROT_READ | PROT_WRITE | (info.exec_stack ? PROT_EXEC : 0));

        /* auxv agrees with the image: AT_PHDR shows its program headers. */
        assert_int_equal(fake_auxval(mm, regs->gp.rsp, AT_ENTRY), regs->gp.rip);
        assert_int_equal(fake_auxval(mm, regs->gp.rsp, AT_PHNUM), eh.e_phnum);
        assert_int_equal(fake_auxval(mm, regs->gp.rsp, AT_PHENT), sizeof(Elf64_Phdr));
        assert_int_equal(fake_auxval(mm, regs->gp.rsp, AT_BASE), 0);
        assert_int_equal(fake_auxval(mm, regs->gp.rsp, AT_UID), 1);
        assert_int_equal(fake_auxval(mm, regs->gp.rsp, AT_EGID), 4);
        size_t phsize = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
        uint8_t *phdrs = malloc(phsize);
        assert_non_null(phdrs);
        assert_int_equal(pread(fd, phdrs, phsize, (off_t)eh.e_phoff), (ssize_t)phsize);
        assert_memory_equal(fake_at(mm, fake_auxval(mm, regs->gp.rsp, AT_PHDR), phsize),
                            phdrs, phsize);
        free(phdrs);
        const char *execfn = (const char *)fake_at(mm, fake_auxval(mm, regs->gp.rsp, AT_EXECFN), 10);
        assert_string_equal(execfn, "/the/prog");
        return bias;
}

static void test_load_small_image(void **state)
{
        char *argv[] = { "prog", NULL };
        struct cpu_regs regs;
        struct mm mm;
        struct img im;

        (void)state;
        img_init(&im);
        for (size_t i = sizeof(im.eh) + sizeof(im.ph); i < IMG_SIZE; i++)
                im.bytes[i] = (uint8_t)(i * 7 + 1);
        int fd = memfd_create("test-elf", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, im.bytes, IMG_SIZE), IMG_SIZE);

        assert_int_equal(load_fd(&mm, fd, argv, &regs), 0);
        check_loaded(&mm, fd, &regs);
        /* Like a file mapping: the data page starts with the file bytes
         * before the segment; with no bss, the text's last page ends with
         * the file bytes after it; the data page's tail is zero (bss). */
        assert_memory_equal(fake_at(&mm, 0x403000, 0x100), im.bytes + 0x2000, 0x100);
        assert_memory_equal(fake_at(&mm, 0x401800, 0x800), im.bytes + 0x1800, 0x800);
        assert_int_equal(fake_at(&mm, 0x403900, 1)[0], 0);
        assert_int_equal(mm.nvma, 3);
        fake_free(&mm);

        /* The same as static-pie: at LOADER_ET_DYN_BASE. */
        im.eh.e_type = ET_DYN;
        im.eh.e_entry = 0x100;
        im.ph[0].p_vaddr = 0;
        im.ph[1].p_vaddr = 0x3100;
        assert_int_equal(pwrite(fd, im.bytes, 4096, 0), 4096);
        assert_int_equal(load_fd(&mm, fd, argv, &regs), 0);
        assert_int_equal(check_loaded(&mm, fd, &regs), LOADER_ET_DYN_BASE);
        assert_int_equal(regs.gp.rip, LOADER_ET_DYN_BASE + 0x100);
        fake_free(&mm);
        close(fd);
}

static void load_real_binary(const char *path)
{
        char *argv[] = { (char *)path, "--help", NULL };
        struct cpu_regs regs;
        struct mm mm;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(load_fd(&mm, fd, argv, &regs), 0);
        check_loaded(&mm, fd, &regs);
        assert_int_equal(fake_word(&mm, regs.gp.rsp), 2);
        fake_free(&mm);
        close(fd);
}

static void test_load_busybox(void **state)
{
        (void)state;
        if (access("/bin/busybox", R_OK) < 0)
                skip();
        load_real_binary("/bin/busybox");
}

static void test_load_static_pie(void **state)
{
        const char *path = getenv("ELF_STATIC_PIE");

        (void)state;
        if (!path || access(path, R_OK) < 0)
                skip();
        load_real_binary(path);
}

/* Without an opener a dynamic program cannot be loaded. */
static void test_load_dynamic_is_enoexec(void **state)
{
        char *argv[] = { "prog", NULL };
        struct cpu_regs regs;
        struct mm mm;
        int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

        (void)state;
        assert_true(fd >= 0);
        assert_int_equal(load_fd(&mm, fd, argv, &regs), -ENOEXEC);
        assert_int_equal(mm.nvma, 0);
        close(fd);
}

/* ---- Dynamic programs: PT_INTERP through an opener ------------------------ */

struct opener {
        char path[4096];
        int calls;
        int err;                /* -errno to fail with, 0 to open on the host */
};

/* The interpreter: a host fd, closed with the file. */
static void host_file_close(struct loader_file *f)
{
        struct loader_fd_file *hf = container_of(f, struct loader_fd_file, base);

        close(hf->fd);
        free(hf);
}

static int host_open(void *ctx, const char *path, struct loader_file **ret)
{
        static struct loader_file_ops ops;
        struct opener *o = ctx;
        struct loader_fd_file *hf;
        int fd;

        o->calls++;
        snprintf(o->path, sizeof(o->path), "%s", path);
        if (o->err)
                return o->err;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        hf = malloc(sizeof(*hf));
        assert_non_null(hf);
        loader_fd_file_init(hf, fd);
        ops = *hf->base.ops;
        ops.close = host_file_close;
        hf->base.ops = &ops;
        *ret = &hf->base;
        return 0;
}

static const struct loader_interp_ops host_interp_ops = { .open = host_open };

static int load_dynamic(struct mm *mm, int fd, struct opener *o, struct cpu_regs *regs)
{
        char *argv[] = { "prog", NULL };
        char *envp[] = { NULL };
        struct loader_fd_file file;
        struct loader_args a = {
                .file = &file.base, .interp = &host_interp_ops, .interp_ctx = o,
                .filename = "/the/prog", .argv = argv, .envp = envp, .stack_limit = 8 << 20,
        };

        loader_fd_file_init(&file, fd);
        memset(mm, 0, sizeof(*mm));
        return loader_load(mm, &a, regs);
}

/* Every segment of the image in fd is at bias with its bytes and protection. */
static void check_segments(struct mm *mm, int fd, const struct elf_info *info, uint64_t bias)
{
        for (unsigned i = 0; i < info->nsegments; i++) {
                const struct elf_segment *seg = &info->segments[i];
                uint8_t *file = malloc(seg->filesz + 1);

                assert_non_null(file);
                assert_int_equal(pread(fd, file, seg->filesz, (off_t)seg->offset),
                                 (ssize_t)seg->filesz);
                assert_memory_equal(fake_at(mm, bias + seg->vaddr, seg->filesz), file,
                                    seg->filesz);
                assert_int_equal(fake_find(mm, bias + seg->vaddr, 1)->prot, seg->prot);
                free(file);
        }
}

static void test_load_dynamic_with_interp(void **state)
{
        struct elf_info prog, interp;
        struct opener o = { 0 };
        struct cpu_regs regs;
        struct mm mm;
        uint64_t bias, ibias;
        int fd, ifd;

        (void)state;
        fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(elf_read_info_fd(fd, &prog), 0);
        assert_true(prog.has_interp);
        char want[4096] = "";
        assert_true(prog.interp_size <= sizeof(want));
        assert_int_equal(pread(fd, want, prog.interp_size, (off_t)prog.interp_offset),
                         (ssize_t)prog.interp_size);
        if (access(want, R_OK) < 0) {
                close(fd);
                skip();         /* no such interpreter on this host */
        }
        assert_int_equal(load_dynamic(&mm, fd, &o, &regs), 0);
        assert_int_equal(o.calls, 1);
        assert_string_equal(o.path, want);
        assert_int_equal(strlen(o.path) + 1, prog.interp_size);

        ifd = open(o.path, O_RDONLY | O_CLOEXEC);
        assert_true(ifd >= 0);
        assert_int_equal(elf_read_info_fd(ifd, &interp), 0);
        assert_int_equal(interp.type, ET_DYN);
        /* The fake's mmap is top-down from FAKE_MMAP_TOP. */
        ibias = FAKE_MMAP_TOP - (interp.max_vaddr - interp.min_vaddr) - interp.min_vaddr;
        bias = LOADER_ET_DYN_BASE - prog.min_vaddr;

        /* The interpreter runs first; it finds the program through auxv. */
        assert_int_equal(regs.gp.rip, ibias + interp.entry);
        assert_int_equal(fake_auxval(&mm, regs.gp.rsp, AT_BASE), ibias);
        assert_int_equal(fake_auxval(&mm, regs.gp.rsp, AT_ENTRY), bias + prog.entry);
        assert_int_equal(fake_auxval(&mm, regs.gp.rsp, AT_PHDR), bias + prog.phdr_vaddr);
        assert_int_equal(fake_auxval(&mm, regs.gp.rsp, AT_PHNUM), prog.phnum);
        assert_int_equal(mm.brk, bias + prog.max_vaddr);
        check_segments(&mm, fd, &prog, bias);
        check_segments(&mm, ifd, &interp, ibias);
        assert_int_equal(mm.nvma, prog.nsegments + interp.nsegments + 1);     /* + stack */
        fake_free(&mm);
        close(ifd);

        /* The opener's error is exec's. */
        o.err = -ENOENT;
        assert_int_equal(load_dynamic(&mm, fd, &o, &regs), -ENOENT);
        fake_free(&mm);
        o.err = -EACCES;
        assert_int_equal(load_dynamic(&mm, fd, &o, &regs), -EACCES);
        fake_free(&mm);
        close(fd);
}

/* An interpreter path without its NUL, or an interpreter that is no ELF. */
static void test_load_bad_interp(void **state)
{
        struct opener o = { 0 };
        struct cpu_regs regs;
        struct mm mm;
        struct img im;
        int fd;

        (void)state;
        img_init(&im);
        im.ph[2] = (Elf64_Phdr) { .p_type = PT_INTERP, .p_offset = 0x200, .p_filesz = 10 };
        memcpy(im.bytes + 0x200, "/not/nul/terminated", 19);
        fd = memfd_create("test-elf", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, im.bytes, IMG_SIZE), IMG_SIZE);
        assert_int_equal(load_dynamic(&mm, fd, &o, &regs), -ENOEXEC);
        assert_int_equal(o.calls, 0);
        fake_free(&mm);

        memcpy(im.bytes + 0x200, "/dev/null", 10);
        assert_int_equal(pwrite(fd, im.bytes, IMG_SIZE, 0), IMG_SIZE);
        assert_int_equal(load_dynamic(&mm, fd, &o, &regs), -ENOEXEC);
        assert_int_equal(o.calls, 1);
        assert_string_equal(o.path, "/dev/null");
        fake_free(&mm);
        close(fd);
}

static void test_load_huge_argument_is_e2big(void **state)
{
        char *s = repeat('x', LOADER_MAX_ARG_STRLEN);
        char *argv[] = { "prog", s, NULL };
        struct cpu_regs regs;
        struct mm mm;
        struct img im;

        (void)state;
        img_init(&im);
        int fd = memfd_create("test-elf", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, im.bytes, IMG_SIZE), IMG_SIZE);
        assert_int_equal(load_fd(&mm, fd, argv, &regs), -E2BIG);
        fake_free(&mm);
        close(fd);
        free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_small_exec_is_read),
                cmocka_unit_test(test_exec_stack_flag),
                cmocka_unit_test(test_interp_is_noted),
                cmocka_unit_test(test_pt_phdr_used_when_headers_not_loaded),
                cmocka_unit_test(test_static_pie_is_dyn),
                cmocka_unit_test(test_zero_memsz_segment_is_accepted),
                cmocka_unit_test(test_exact_file_size_is_enough),
                cmocka_unit_test(test_busybox_is_read),
                cmocka_unit_test(test_static_pie_binary_is_read),
                cmocka_unit_test(test_own_dynamic_binary_has_interp),
                cmocka_unit_test(test_bad_magic_is_enoexec),
                cmocka_unit_test(test_wrong_class_is_enoexec),
                cmocka_unit_test(test_wrong_data_or_version_is_enoexec),
                cmocka_unit_test(test_wrong_machine_is_enoexec),
                cmocka_unit_test(test_wrong_type_is_enoexec),
                cmocka_unit_test(test_zero_length_file_is_enoexec),
                cmocka_unit_test(test_truncated_header_is_enoexec),
                cmocka_unit_test(test_truncated_phdrs_is_enoexec),
                cmocka_unit_test(test_phnum_absurd_is_enoexec),
                cmocka_unit_test(test_phentsize_wrong_is_enoexec),
                cmocka_unit_test(test_segment_offset_beyond_file_is_enoexec),
                cmocka_unit_test(test_filesz_greater_than_memsz_is_enoexec),
                cmocka_unit_test(test_vaddr_overflow_is_enoexec),
                cmocka_unit_test(test_vaddr_above_guest_max_is_enoexec),
                cmocka_unit_test(test_segment_ending_at_guest_max_is_accepted),
                cmocka_unit_test(test_overlapping_segments_is_enoexec),
                cmocka_unit_test(test_unsorted_segments_is_enoexec),
                cmocka_unit_test(test_incongruent_offset_is_enoexec),
                cmocka_unit_test(test_no_pt_load_is_enoexec),
                cmocka_unit_test(test_too_many_segments_is_enoexec),
                cmocka_unit_test(test_bad_interp_is_enoexec),
                cmocka_unit_test(test_read_error_is_eio),
                cmocka_unit_test(test_stack_layout_basic),
                cmocka_unit_test(test_stack_layout_alignment),
                cmocka_unit_test(test_stack_layout_empty_argv_gets_empty_string),
                cmocka_unit_test(test_stack_layout_bad_top_or_buffer),
                cmocka_unit_test(test_stack_layout_long_string_is_e2big),
                cmocka_unit_test(test_stack_layout_total_is_e2big),
                cmocka_unit_test(test_stack_layout_too_many_pointers_is_e2big),
                cmocka_unit_test(test_load_small_image),
                cmocka_unit_test(test_load_busybox),
                cmocka_unit_test(test_load_static_pie),
                cmocka_unit_test(test_load_dynamic_is_enoexec),
                cmocka_unit_test(test_load_dynamic_with_interp),
                cmocka_unit_test(test_load_bad_interp),
                cmocka_unit_test(test_load_huge_argument_is_e2big),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
