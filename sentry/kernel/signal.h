/*
 * Signal state. For now bookkeeping only: actions, masks and the alternate
 * stack are recorded and reported back; frames and delivery come with the
 * signals issue. Synchronous faults kill with the default action.
 */
#ifndef CONTERNEL_SENTRY_SIGNAL_H
#define CONTERNEL_SENTRY_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/guest.h"

#define KSIG_MAX 64                     /* _NSIG */
#define KSIG_BIT(signo) (1ULL << ((signo) - 1))
/* SIGKILL and SIGSTOP can be neither caught, blocked nor ignored. */
#define KSIG_UNBLOCKABLE (KSIG_BIT(9) | KSIG_BIT(19))

/* The kernel's struct sigaction for rt_sigaction on x86_64. */
struct ksigaction {
        guest_ptr_t handler;            /* SIG_DFL 0, SIG_IGN 1, else an address */
        uint64_t flags;
        guest_ptr_t restorer;
        uint64_t mask;
};

struct sighand {
        struct ksigaction action[KSIG_MAX];     /* index signo-1 */
};

/* The kernel's stack_t. */
struct sigaltstack_state {
        guest_ptr_t sp;
        int32_t flags;
        uint64_t size;
};

enum sig_default {
        SIG_DEFAULT_TERM,
        SIG_DEFAULT_CORE,
        SIG_DEFAULT_IGNORE,
        SIG_DEFAULT_STOP,
        SIG_DEFAULT_CONT,
};
enum sig_default signal_default_action(int signo);
bool signal_valid(int signo);

#endif
