/* fcntl's lock commands, for sys_fd.c's fcntl (sys_lock.c). */
#ifndef CONTERNEL_SYSCALLS_SYS_LOCK_H
#define CONTERNEL_SYSCALLS_SYS_LOCK_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct task;

/* F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ forms; arg is the guest's
 * struct flock. */
long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg);
bool fcntl_is_lock_cmd(int cmd);

#endif
