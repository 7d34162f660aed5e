/* The auxiliary vector a static program starts with: the values Linux gives. */
#include <elf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "test.h"

extern char _start[];
extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));

#define CHECK_EQ(type, want) do {                                               \
                unsigned long got_ = getauxval(type);                           \
                if (got_ != (unsigned long)(want))                              \
                        test_report("auxv-basic: %s = %#lx, want %#lx", #type, got_,   \
                             (unsigned long)(want));                            \
        } while (0)

static void check_phdrs(void)
{
        const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
        unsigned long phnum = getauxval(AT_PHNUM);
        uintptr_t bias = 0, main_addr = (uintptr_t)&check_phdrs;
        int covered = 0;

        CHECK_EQ(AT_PHENT, sizeof(Elf64_Phdr));
        CHECK_EQ(AT_PHNUM, __ehdr_start.e_phnum);
        /* The headers are mapped with the first page of the image. */
        CHECK_EQ(AT_PHDR, (uintptr_t)&__ehdr_start + __ehdr_start.e_phoff);
        if (!ph || phnum == 0 || phnum > 1000) {
                test_report("auxv-basic: AT_PHDR %p / AT_PHNUM %lu unusable", (void *)ph, phnum);
                return;
        }

        /* The load bias, from the segment holding the ELF header. */
        for (unsigned long i = 0; i < phnum; i++)
                if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
                        bias = (uintptr_t)&__ehdr_start - ph[i].p_vaddr;
        for (unsigned long i = 0; i < phnum; i++) {
                if (ph[i].p_type == PT_PHDR && bias + ph[i].p_vaddr != (uintptr_t)ph)
                        test_report("auxv-basic: PT_PHDR at %#lx, AT_PHDR %p",
                             (unsigned long)(bias + ph[i].p_vaddr), (void *)ph);
                if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) &&
                    bias + ph[i].p_vaddr <= main_addr &&
                    main_addr < bias + ph[i].p_vaddr + ph[i].p_memsz)
                        covered = 1;
        }
        if (!covered)
                test_report("auxv-basic: no executable PT_LOAD covers %#lx", (unsigned long)main_addr);
        CHECK_EQ(AT_ENTRY, (uintptr_t)_start);
        CHECK_EQ(AT_ENTRY, bias + __ehdr_start.e_entry);
}

static void check_string(unsigned long type, const char *name, const char *want)
{
        const char *s = (const char *)getauxval(type);

        if (!s) {
                test_report("auxv-basic: %s missing", name);
                return;
        }
        size_t len = strnlen(s, 4096);
        if (len == 0 || len == 4096)
                test_report("auxv-basic: %s has length %zu", name, len);
        else if (want && strcmp(s, want) != 0)
                test_report("auxv-basic: %s = \"%s\", want \"%s\"", name, s, want);
}

int main(void)
{
        CHECK_EQ(AT_PAGESZ, 4096);
        CHECK_EQ(AT_CLKTCK, 100);
        CHECK_EQ(AT_BASE, 0);           /* static: no interpreter */
        CHECK_EQ(AT_FLAGS, 0);
        CHECK_EQ(AT_UID, getuid());
        CHECK_EQ(AT_EUID, geteuid());
        CHECK_EQ(AT_GID, getgid());
        CHECK_EQ(AT_EGID, getegid());
        CHECK_EQ(AT_SECURE, 0);
        check_phdrs();
        check_string(AT_EXECFN, "AT_EXECFN", NULL);
        check_string(AT_PLATFORM, "AT_PLATFORM", "x86_64");
        if (getauxval(AT_RANDOM) == 0)
                test_report("auxv-basic: AT_RANDOM missing");
        return test_failures ? 1 : 0;
}
