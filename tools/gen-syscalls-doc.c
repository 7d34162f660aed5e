/* Print docs/syscalls.md from the system call table. */
#include <stdio.h>

#include "syscalls/syscall.h"

static const char *status_text(const struct syscall_def *d)
{
        switch (d->status) {
        case SYSCALL_FULL:
                return "yes";
        case SYSCALL_PARTIAL:
                return "partial";
        case SYSCALL_ENOSYS:
                return "ENOSYS (deliberate)";
        case SYSCALL_MISSING:
        default:
                return "ENOSYS";
        }
}

int main(void)
{
        unsigned full = 0, partial = 0, total = 0;

        for (unsigned nr = 0; nr < KERNEL_SYSCALL_MAX; nr++) {
                if (!syscall_name(nr))
                        continue;
                total++;
                full += syscall_table[nr].status == SYSCALL_FULL;
                partial += syscall_table[nr].status == SYSCALL_PARTIAL;
        }
        printf("# System call compatibility (amd64)\n\n"
               "Generated from `syscalls/table_amd64.c` by `tools/gen-syscalls-doc`; the\n"
               "`docs-syscalls` test fails when this page and the table disagree.\n\n"
               "%u of %u calls answered (%u of them partially). Every other call returns\n"
               "ENOSYS and is logged once per sandbox by name.\n\n"
               "| nr | name | status | notes |\n|---:|---|---|---|\n",
               full + partial, total, partial);
        for (unsigned nr = 0; nr < KERNEL_SYSCALL_MAX; nr++) {
                const struct syscall_def *d = &syscall_table[nr];
                const char *name = syscall_name(nr);

                if (!name)
                        continue;
                printf("| %u | %s | %s | %s |\n", nr, name, status_text(d), d->note ? d->note : "");
        }
        return 0;
}
