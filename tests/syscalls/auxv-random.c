/* AT_RANDOM: 16 readable bytes, not all zero, on the initial stack between
 * the auxv array and the argument strings, right below AT_PLATFORM's string
 * (Linux's create_elf_tables). */
#include <elf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "test.h"

int main(int argc, char **argv, char **envp)
{
        const uint8_t *rnd = (const uint8_t *)getauxval(AT_RANDOM);
        uint8_t copy[16], any = 0;
        char **p;

        if (!rnd) {
                test_report("auxv-random: AT_RANDOM missing");
                return 1;
        }
        memcpy(copy, rnd, sizeof(copy));        /* faults if not readable */
        for (unsigned i = 0; i < sizeof(copy); i++)
                any |= copy[i];
        if (!any)
                test_report("auxv-random: AT_RANDOM bytes are all zero");

        /* Find the end of auxv: after envp's NULL come (type, value) pairs. */
        for (p = envp; *p; p++)
                ;
        const Elf64_auxv_t *aux = (const Elf64_auxv_t *)(p + 1);
        while (aux->a_type != AT_NULL)
                aux++;
        aux++;
        uintptr_t r = (uintptr_t)rnd;
        if (r < (uintptr_t)aux)
                test_report("auxv-random: AT_RANDOM %p below the end of auxv %p", (void *)rnd,
                     (const void *)aux);
        if (argc > 0 && r + 16 > (uintptr_t)argv[0])
                test_report("auxv-random: AT_RANDOM %p overlaps argv[0] at %p", (void *)rnd,
                     (void *)argv[0]);
        if (getauxval(AT_PLATFORM) && r + 16 != getauxval(AT_PLATFORM))
                test_report("auxv-random: AT_RANDOM %p not right below AT_PLATFORM %#lx",
                     (void *)rnd, getauxval(AT_PLATFORM));
        return test_failures ? 1 : 0;
}
