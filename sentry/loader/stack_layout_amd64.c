/* The initial stack's layout, computed into a buffer: no mm, no host calls,
 * so it is unit-testable. Mirrors Linux: fs/exec.c (argument limits, the
 * strings at the top) and fs/binfmt_elf.c create_elf_tables() (the rest). */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "lib/macro.h"
#include "sentry/loader/internal.h"

static char *const empty_list[] = { NULL };
static char *const argv_empty_string[] = { (char *)"", NULL };

/* Counts entries of a NULL-terminated array, -E2BIG beyond Linux's maximum. */
static int count_strings(char *const *v, uint64_t *ret)
{
        uint64_t n = 0;

        while (v[n]) {
                if (++n > LOADER_MAX_ARG_STRINGS)
                        return -E2BIG;
        }
        *ret = n;
        return 0;
}

/* Adds the size of s (NUL included) to *total, -E2BIG over MAX_ARG_STRLEN
 * (valid_arg_len) or over the limit (bprm->argmin). */
static int account_string(const char *s, uint64_t limit, uint64_t *total)
{
        size_t len = strnlen(s, LOADER_MAX_ARG_STRLEN) + 1;

        if (len > LOADER_MAX_ARG_STRLEN)
                return -E2BIG;
        *total += len;
        if (*total > limit)
                return -E2BIG;
        return 0;
}

/* The bytes of guest range [base, base + size) live at mem. */
struct stack_buf {
        uint8_t *mem;
        guest_ptr_t base;
};

static void put_bytes(const struct stack_buf *b, guest_ptr_t addr, const void *src, size_t len)
{
        memcpy(b->mem + (addr - b->base), src, len);
}

static void put_word(const struct stack_buf *b, guest_ptr_t addr, uint64_t v)
{
        put_bytes(b, addr, &v, sizeof(v));
}

/* Writes the n strings of v ascending from *str and their addresses (then a
 * NULL) from ptrs. */
static void put_strings(const struct stack_buf *b, char *const *v, uint64_t n,
                        guest_ptr_t *str, guest_ptr_t ptrs)
{
        for (uint64_t i = 0; i < n; i++) {
                size_t len = strlen(v[i]) + 1;
                put_bytes(b, *str, v[i], len);
                put_word(b, ptrs + i * sizeof(uint64_t), *str);
                *str += len;
        }
        put_word(b, ptrs + n * sizeof(uint64_t), 0);
}

int loader_stack_layout(const struct stack_args *a, guest_ptr_t top,
                        void *buf, size_t bufsize, struct stack_layout *ret)
{
        char *const *argv = a->argv ? a->argv : empty_list;
        char *const *envp = a->envp ? a->envp : empty_list;
        struct stack_layout l = {};
        uint64_t argc, envc, limit, ptr_size, strings = 0;
        int r;

        if (top & 15)
                return -EINVAL;

        r = count_strings(argv, &argc);
        if (r < 0)
                return r;
        r = count_strings(envp, &envc);
        if (r < 0)
                return r;
        /* Since Linux 5.18 an empty argv becomes { "" }. */
        if (argc == 0)
                argv = argv_empty_string;

        /* bprm_stack_limits(): room for strings, less the pointers. */
        limit = MIN(LOADER_STK_LIM / 4 * 3, a->stack_limit / 4);
        limit = MAX(limit, LOADER_ARG_MAX);
        ptr_size = (MAX(argc, 1) + envc) * sizeof(uint64_t);
        if (limit <= ptr_size)
                return -E2BIG;
        limit -= ptr_size;
        if (argc == 0)
                argc = 1;

        /* Strings, in Linux's copy order: execfn, envp, argv. */
        r = account_string(a->execfn, limit, &strings);
        if (r < 0)
                return r;
        for (uint64_t i = 0; i < envc; i++) {
                r = account_string(envp[i], limit, &strings);
                if (r < 0)
                        return r;
        }
        for (uint64_t i = 0; i < argc; i++) {
                r = account_string(argv[i], limit, &strings);
                if (r < 0)
                        return r;
        }

        /* auxv pairs, AT_NULL included; must match the list written below. */
        l.nauxv = 20;
        uint64_t items = (argc + 1) + (envc + 1) + 1;
        /* Everything below fits in this (strings <= 6 MiB, items < 2^21). */
        uint64_t worst = sizeof(uint64_t) + strings + 8192 + 16 + sizeof(STACK_PLATFORM) +
                         sizeof(a->random) + (2 * l.nauxv + items) * sizeof(uint64_t) + 16;
        if (top < worst + PAGE_SIZE)
                return -EINVAL;

        /* From the top down. bprm->p starts one pointer below the top. */
        guest_ptr_t p = top - sizeof(uint64_t) - strings;
        guest_ptr_t strings_start = p;
        l.execfn = top - sizeof(uint64_t) - (strlen(a->execfn) + 1);

        p -= a->align_rand % 8192;      /* arch_align_stack() */
        p &= ~15ULL;
        p -= sizeof(STACK_PLATFORM);
        l.platform = p;
        p -= sizeof(a->random);
        l.random = p;

        p -= (2 * l.nauxv + items) * sizeof(uint64_t);
        p &= ~15ULL;                    /* STACK_ROUND() */

        l.sp = p;
        l.argc = argc;
        l.envc = envc;
        l.argv = l.sp + sizeof(uint64_t);
        l.envp = l.argv + (argc + 1) * sizeof(uint64_t);
        l.auxv = l.envp + (envc + 1) * sizeof(uint64_t);
        l.size = top - l.sp;

        if (!buf) {
                *ret = l;
                return 0;
        }
        if (bufsize < l.size)
                return -ENOMEM;

        const struct stack_buf b = { .mem = buf, .base = top - bufsize };
        memset(b.mem + (l.sp - b.base), 0, l.size);

        /* Strings ascending from strings_start: argv, envp, then execfn. */
        guest_ptr_t str = strings_start;
        put_word(&b, l.sp, argc);
        put_strings(&b, argv, argc, &str, l.argv);
        put_strings(&b, envp, envc, &str, l.envp);
        put_bytes(&b, l.execfn, a->execfn, strlen(a->execfn) + 1);
        put_bytes(&b, l.platform, STACK_PLATFORM, sizeof(STACK_PLATFORM));
        put_bytes(&b, l.random, a->random, sizeof(a->random));

        /* Linux's order (create_elf_tables, with ARCH_DLINFO first).
         * AT_SYSINFO_EHDR comes with the vDSO; AT_RSEQ_* with rseq. */
        const uint64_t auxv[][2] = {
                { AT_MINSIGSTKSZ, a->aux.minsigstksz },
                { AT_HWCAP,       a->aux.hwcap },
                { AT_PAGESZ,      PAGE_SIZE },
                { AT_CLKTCK,      100 },
                { AT_PHDR,        a->aux.phdr },
                { AT_PHENT,       a->aux.phent },
                { AT_PHNUM,       a->aux.phnum },
                { AT_BASE,        a->aux.base },
                { AT_FLAGS,       0 },
                { AT_ENTRY,       a->aux.entry },
                { AT_UID,         a->aux.uid },
                { AT_EUID,        a->aux.euid },
                { AT_GID,         a->aux.gid },
                { AT_EGID,        a->aux.egid },
                { AT_SECURE,      a->aux.secure },
                { AT_RANDOM,      l.random },
                { AT_HWCAP2,      a->aux.hwcap2 },
                { AT_EXECFN,      l.execfn },
                { AT_PLATFORM,    l.platform },
                { AT_NULL,        0 },
        };
        _Static_assert(ARRAY_SIZE(auxv) == 20, "l.nauxv above");
        _Static_assert(ARRAY_SIZE(auxv) <= STACK_AUXV_MAX, "STACK_AUXV_MAX");
        put_bytes(&b, l.auxv, auxv, sizeof(auxv));

        *ret = l;
        return 0;
}
