/*
 * A fatal signal in the sentry prints where it happened (libunwind), then
 * dies of the same signal. Each sentry thread gets an alternate stack so a
 * stack overflow can be reported too.
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime.h"

#define ALTSTACK_SIZE (64 * 1024)

static void backtrace_print(int fd)
{
        unw_cursor_t cursor;
        unw_context_t ctx;
        char name[256], line[512];
        int depth = 0;

        if (unw_getcontext(&ctx) < 0 || unw_init_local(&cursor, &ctx) < 0)
                return;
        while (unw_step(&cursor) > 0 && depth++ < 64) {
                unw_word_t ip, off;
                int n;

                unw_get_reg(&cursor, UNW_REG_IP, &ip);
                if (unw_get_proc_name(&cursor, name, sizeof(name), &off) < 0)
                        snprintf(name, sizeof(name), "?");
                n = snprintf(line, sizeof(line), "  #%d %#lx %s+%#lx\n", depth,
                             (unsigned long)ip, name, (unsigned long)off);
                (void)!write(fd, line, (size_t)n);
        }
}

static void fatal_handler(int sig, siginfo_t *si, void *uctx)
{
        char line[160];
        int n;

        (void)uctx;
        n = snprintf(line, sizeof(line), "conternel: sentry crashed: %s at %p; backtrace:\n",
                     strsignal(sig), si->si_addr);
        (void)!write(log_get_fd(), line, (size_t)n);
        backtrace_print(log_get_fd());
        signal(sig, SIG_DFL);
        raise(sig);
}

void backtrace_install_thread(void)
{
        /* Thread-local: lives exactly as long as the thread. */
        static __thread char altstack[ALTSTACK_SIZE] __attribute__((aligned(16)));
        stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, old;

        /* Keep one that is already there (the sanitizers install their own
         * and unmap it when the thread exits). */
        if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE))
                return;
        sigaltstack(&ss, NULL);
}

void backtrace_install(void)
{
        static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
        struct sigaction sa = {
                .sa_sigaction = fatal_handler,
                .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND,
        };

        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
                sigaction(fatal[i], &sa, NULL);
        backtrace_install_thread();
}
