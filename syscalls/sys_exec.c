/* execve and execveat: the guest's argument vectors copied in, then
 * sentry/kernel/exec.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/path.h"
#include "syscalls/sys.h"

/* Linux's limits on what execve copies: one string (MAX_ARG_STRLEN), and
 * all of them together (three quarters of _STK_LIM, bprm_stack_limits());
 * the loader then checks them against RLIMIT_STACK. */
#define MAX_ARG_STRLEN  (32 * 4096)
#define MAX_ARG_TOTAL   (6UL << 20)

struct exec_strings {
        char **v;
        size_t n, cap;
        size_t bytes;
};

static void strings_free(struct exec_strings *s)
{
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
}

static int strings_add(struct exec_strings *s, char *str)
{
        if (s->n + 1 >= s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 16;
                char **v = realloc(s->v, cap * sizeof(*v));

                if (!v)
                        return -ENOMEM;
                s->v = v;
                s->cap = cap;
        }
        s->v[s->n++] = str;
        s->v[s->n] = NULL;
        return 0;
}

/* A NULL-terminated guest array of strings (uvec NULL: none). -EFAULT,
 * -E2BIG past the limits, shared by argv and envp through *total. */
static int strings_copy_in(struct task *t, guest_ptr_t uvec, struct exec_strings *s,
                           size_t *total)
{
        char *buf = NULL;
        int r = 0;

        if (strings_add(s, NULL) < 0)   /* an empty, terminated vector */
                return -ENOMEM;
        s->n = 0;
        if (!uvec)
                return 0;
        buf = malloc(MAX_ARG_STRLEN);
        if (!buf)
                return -ENOMEM;
        for (size_t i = 0;; i++) {
                uint64_t p;
                ssize_t len;
                char *copy;

                r = mm_copy_in(t->mm, &p, uvec + i * sizeof(p), sizeof(p));
                if (r < 0 || !p)
                        break;
                len = mm_strncpy_in(t->mm, buf, p, MAX_ARG_STRLEN);
                if (len < 0) {
                        r = len == -ENAMETOOLONG ? -E2BIG : (int)len;
                        break;
                }
                *total += (size_t)len + 1 + sizeof(p);
                if (*total > MAX_ARG_TOTAL) {
                        r = -E2BIG;
                        break;
                }
                copy = strdup(buf);
                if (!copy || strings_add(s, copy) < 0) {
                        free(copy);
                        r = -ENOMEM;
                        break;
                }
        }
        free(buf);
        return r;
}

static long do_execveat(struct task *t, int dirfd, guest_ptr_t upath, guest_ptr_t uargv,
                        guest_ptr_t uenvp, int flags)
{
        struct exec_strings argv = { 0 }, envp = { 0 };
        struct exec_image img;
        _cleanup_free_ char *filename = NULL;
        unsigned lookup = LOOKUP_FOLLOW;
        struct at_call c;
        size_t total = 0;
        long r;

        if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
                return -EINVAL;
        if (flags & AT_SYMLINK_NOFOLLOW)
                lookup &= ~LOOKUP_FOLLOW;
        if (flags & AT_EMPTY_PATH)
                lookup |= LOOKUP_EMPTY;
        r = at_begin(t, dirfd, upath, flags & AT_EMPTY_PATH, &c);
        if (r == 0)
                r = strings_copy_in(t, uargv, &argv, &total);
        if (r == 0)
                r = strings_copy_in(t, uenvp, &envp, &total);
        /* Linux runs a program given no argv with argv[0] = "". */
        if (r == 0 && argv.n == 0) {
                char *empty = strdup("");

                r = empty ? strings_add(&argv, empty) : -ENOMEM;
                if (r < 0)
                        free(empty);
        }
        /* What the program is told it was run as (Linux's bprm->filename). */
        if (r == 0) {
                if (c.name[0] == '/' || dirfd == AT_FDCWD)
                        filename = strdup(c.name);
                else if (!c.name[0])
                        r = asprintf(&filename, "/dev/fd/%d", dirfd) < 0 ? -ENOMEM : 0;
                else
                        r = asprintf(&filename, "/dev/fd/%d/%s", dirfd, c.name) < 0 ? -ENOMEM : 0;
                if (r == 0 && !filename)
                        r = -ENOMEM;
        }
        if (r == 0)
                r = exec_prepare(t, &c.at, c.name, lookup, filename, argv.v, envp.v, &img);
        at_end(&c);
        strings_free(&argv);
        strings_free(&envp);
        if (r < 0)
                return r;
        log_debug("tid %d: execve %s", t->tid, filename);
        return exec_commit(t, &img);
}

long sys_execve(struct task *t, const struct syscall_args *a)
{
        return do_execveat(t, AT_FDCWD, a->a[0], a->a[1], a->a[2], 0);
}

long sys_execveat(struct task *t, const struct syscall_args *a)
{
        return do_execveat(t, (int)a->a[0], a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}
