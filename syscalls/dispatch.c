/* From a system call stop to a result in rax. */
#include "syscall.h"

#include <errno.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/log.h"
#include "sentry/kernel/current.h"
#include "sentry/kernel/kerrno.h"

/* Names of the calls the table has no entry for, from libseccomp (which
 * knows every amd64 call); filled once, read-only afterwards, never freed. */
static char *other_names[KERNEL_SYSCALL_MAX];
static pthread_once_t other_names_once = PTHREAD_ONCE_INIT;

static void other_names_init(void)
{
        for (int nr = 0; nr < KERNEL_SYSCALL_MAX; nr++)
                if (!syscall_table[nr].name)
                        other_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
}

const char *syscall_name(uint64_t nr)
{
        if (nr >= KERNEL_SYSCALL_MAX)
                return NULL;
        if (syscall_table[nr].name)
                return syscall_table[nr].name;
        pthread_once(&other_names_once, other_names_init);
        return other_names[nr];
}

/* Report an unimplemented call once per sandbox, by name. */
static void syscall_log_enosys(struct task *t, uint64_t nr)
{
        const char *name = syscall_name(nr);
        unsigned char bit;

        if (nr < KERNEL_SYSCALL_MAX) {
                bit = (unsigned char)(1u << (nr % 8));
                if (atomic_fetch_or(&t->kernel->enosys_logged[nr / 8], bit) & bit)
                        return;
        }
        if (name)
                log_warn("unsupported system call %s (%llu): ENOSYS", name,
                         (unsigned long long)nr);
        else
                log_warn("unknown system call %llu: ENOSYS", (unsigned long long)nr);
}

#define PRE_SIZE 2048

/* One strace line; pre: the call's part formatted before it ran, or NULL. */
static void strace_emit(struct task *t, const struct syscall_args *a, long ret, const char *pre)
{
        char line[2048];
        int n;

        n = snprintf(line, sizeof(line), "[pid %d] ", t->tid);
        if (pre) {
                snprintf(line + n, sizeof(line) - (size_t)n - 1, "%s", pre);
                strace_format_result(a, ret, line + n, sizeof(line) - (size_t)n - 1);
        } else {
                strace_format(t, a, ret, line + n, sizeof(line) - (size_t)n - 1);
        }
        n = (int)strlen(line);
        line[n++] = '\n';
        (void)!write(t->kernel->strace_fd, line, (size_t)n);
}

void syscall_dispatch(struct task *t)
{
        struct user_regs_struct *gp = &t->regs.gp;
        const struct syscall_def *def = NULL;
        /* Linux reads the number as an int: the upper half of rax is ignored
         * and a negative number is no call at all (ENOSYS). */
        struct syscall_args a = {
                .nr = (uint32_t)gp->orig_rax,
                .a = { gp->rdi, gp->rsi, gp->rdx, gp->r10, gp->r8, gp->r9 },
        };
        char *pre = NULL;
        long ret;

        if (a.nr < KERNEL_SYSCALL_MAX)
                def = &syscall_table[a.nr];
        if (def && def->fn) {
                /* exit and exit_group never come back: show them first;
                 * execve's arguments are gone after it: format them first. */
                if (t->kernel->strace && (a.nr == __NR_exit || a.nr == __NR_exit_group))
                        strace_emit(t, &a, 0, NULL);
                if (t->kernel->strace && (a.nr == __NR_execve || a.nr == __NR_execveat)) {
                        pre = malloc(PRE_SIZE);
                        if (pre)
                                strace_format_call(t, &a, pre, PRE_SIZE);
                }
                ret = def->fn(t, &a);
        } else {
                if (!def || def->status != SYSCALL_ENOSYS)
                        syscall_log_enosys(t, a.nr);
                ret = -ENOSYS;
        }
        gp->rax = (uint64_t)ret;
        /* Resolved before the guest runs again (signal_deliver()). */
        t->syscall_restart = kerrno_is_restart(ret);
        if (t->kernel->strace && !t->exiting)
                strace_emit(t, &a, ret, pre);
        free(pre);
}

int task_nofile_limit(struct task *t)
{
        rlim_t cur;

        pthread_mutex_lock(&t->tg->lock);
        cur = t->tg->rlimits[RLIMIT_NOFILE].rlim_cur;
        pthread_mutex_unlock(&t->tg->lock);
        return cur > (rlim_t)INT32_MAX ? INT32_MAX : (int)cur;
}
