/*
 * The kernel-internal "restart" results of an interrupted system call, as
 * Linux names them. A handler returns one when a signal cut its wait short;
 * signal delivery turns it into EINTR or a restart (syscall_restart.c), so
 * the guest never sees these values.
 */
#ifndef CONTERNEL_SENTRY_KERRNO_H
#define CONTERNEL_SENTRY_KERRNO_H

#include <stdbool.h>

#define ERESTARTSYS             512     /* restart if SA_RESTART, else EINTR */
#define ERESTARTNOINTR          513     /* always restart */
#define ERESTARTNOHAND          514     /* restart if no handler runs, else EINTR */
#define ERESTART_RESTARTBLOCK   516     /* as NOHAND, but restart through restart_syscall */

static inline bool kerrno_is_restart(long ret)
{
        return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
               ret == -ERESTART_RESTARTBLOCK;
}

#endif
