/* The initial stack as Linux lays it out: argc at a 16-byte aligned rsp, then
 * argv[] + NULL, envp[] + NULL, auxv in Linux's order; the strings packed at
 * the top (argv, envp, execfn) with one zero word above them at a page end. */
#include <elf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "test.h"

/* Linux's auxv order for the entries every x86_64 kernel since 4.x gives;
 * others (AT_SYSINFO_EHDR, AT_MINSIGSTKSZ, AT_RSEQ_*) may come in between. */
static const unsigned long linux_order[] = {
        AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE,
        AT_FLAGS, AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE,
        AT_RANDOM, AT_HWCAP2, AT_EXECFN, AT_PLATFORM,
};

static void check_auxv(const Elf64_auxv_t *aux)
{
        size_t next = 0, n;

        for (n = 0; n < 64 && aux[n].a_type != AT_NULL; n++) {
                const Elf64_auxv_t *a = &aux[n];
                /* glibc replaces its copy of the HWCAPs with its own bits. */
                if (a->a_type != AT_HWCAP && a->a_type != AT_HWCAP2 &&
                    getauxval(a->a_type) != a->a_un.a_val)
                        test_report("stack-layout: auxv[%zu] type %lu = %#lx, getauxval says %#lx", n,
                             (unsigned long)a->a_type, (unsigned long)a->a_un.a_val,
                             getauxval(a->a_type));
                for (size_t i = next; i < sizeof(linux_order) / sizeof(linux_order[0]); i++)
                        if (linux_order[i] == a->a_type) {
                                if (i != next)
                                        test_report("stack-layout: auxv type %lu after %lu, want %lu first",
                                             (unsigned long)a->a_type,
                                             next ? linux_order[next - 1] : 0, linux_order[next]);
                                next = i + 1;
                        }
        }
        if (n == 64)
                test_report("stack-layout: no AT_NULL in 64 auxv entries");
        if (next != sizeof(linux_order) / sizeof(linux_order[0]))
                test_report("stack-layout: auxv ends before type %lu", linux_order[next]);
}

int main(int argc, char **argv, char **envp)
{
        char **p;

        if ((uintptr_t)__builtin_frame_address(0) % 16 != 0)
                test_report("stack-layout: frame at main %p is not 16-byte aligned",
                     __builtin_frame_address(0));
        if ((uintptr_t)argv % 16 != 8)
                test_report("stack-layout: argv %p: rsp at argc was not 16-byte aligned", (void *)argv);
        if (*(long *)(argv - 1) != argc)
                test_report("stack-layout: word before argv is %ld, argc %d", *(long *)(argv - 1), argc);
        if (argv[argc] != NULL)
                test_report("stack-layout: argv[argc] is not NULL");
        if (envp != argv + argc + 1)
                test_report("stack-layout: envp %p does not follow argv's NULL", (void *)envp);
        for (p = envp; *p; p++)
                ;
        check_auxv((const Elf64_auxv_t *)(p + 1));

        /* Strings: argv, then envp, then execfn, packed; then 8 zero bytes
         * that end the stack's top page. */
        const char *next = argc > 0 ? argv[0] : NULL;
        for (int i = 0; i < argc; i++) {
                if (argv[i] != next)
                        test_report("stack-layout: argv[%d] at %p, want %p", i, (void *)argv[i],
                             (const void *)next);
                next = argv[i] + strlen(argv[i]) + 1;
        }
        for (p = envp; next && *p; p++) {
                if (*p != next)
                        test_report("stack-layout: envp[%zu] at %p, want %p", (size_t)(p - envp),
                             (void *)*p, (const void *)next);
                next = *p + strlen(*p) + 1;
        }
        const char *execfn = (const char *)getauxval(AT_EXECFN);
        if (execfn && next) {
                if (execfn != next)
                        test_report("stack-layout: AT_EXECFN at %p, want %p", (const void *)execfn,
                             (const void *)next);
                const char *end = execfn + strlen(execfn) + 1;
                uint64_t zero;
                memcpy(&zero, end, sizeof(zero));
                if (zero != 0 || ((uintptr_t)end + 8) % 4096 != 0)
                        test_report("stack-layout: after AT_EXECFN %p: word %#lx, top %p not a page end",
                             (const void *)end, (unsigned long)zero, (const void *)(end + 8));
        }
        return test_failures ? 1 : 0;
}
