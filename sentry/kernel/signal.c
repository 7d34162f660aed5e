/* Signal numbers and their default actions (signal(7)). */
#include "signal.h"

#include <signal.h>

bool signal_valid(int signo)
{
        return signo >= 1 && signo <= KSIG_MAX;
}

enum sig_default signal_default_action(int signo)
{
        switch (signo) {
        case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
        case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
                return SIG_DEFAULT_CORE;
        case SIGCHLD: case SIGURG: case SIGWINCH:
                return SIG_DEFAULT_IGNORE;
        case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
                return SIG_DEFAULT_STOP;
        case SIGCONT:
                return SIG_DEFAULT_CONT;
        default:
                return SIG_DEFAULT_TERM;
        }
}
