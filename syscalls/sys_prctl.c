/* prctl(2): the options about the calling process and thread that the
 * sentry keeps (Linux's kernel/sys.c and, for capabilities,
 * security/commoncap.c's cap_task_prctl()). */
#include <errno.h>
#include <linux/prctl.h>
#include <string.h>

#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

#define SUID_DUMP_DISABLE 0
#define SUID_DUMP_USER 1

/* PR_SET_KEEPCAPS: the SECURE_KEEP_CAPS securebit, unless its lock is set
 * (-EPERM), in a new copy of the task's credentials. */
static long set_keepcaps(struct task *t, bool on)
{
        unsigned bit = CREDS_SECBIT(CREDS_SECURE_KEEP_CAPS);
        struct creds c;
        int r;

        if (t->creds.securebits & CREDS_SECBIT(CREDS_SECURE_KEEP_CAPS + 1))
                return -EPERM;          /* SECBIT_KEEP_CAPS_LOCKED */
        r = creds_copy(&c, &t->creds);
        if (r < 0)
                return r;
        c.securebits = on ? c.securebits | bit : c.securebits & ~bit;
        task_creds_commit(t, &c);
        return 0;
}

static long put_int(struct task *t, guest_ptr_t addr, int value)
{
        return mm_copy_out(t->mm, addr, &value, sizeof(value));
}

static long prctl_set_name(struct task *t, guest_ptr_t addr)
{
        char name[sizeof(t->comm)];
        long r;

        memset(name, 0, sizeof(name));
        r = mm_strncpy_in(t->mm, name, addr, sizeof(name));
        if (r == -ENAMETOOLONG) {
                /* Linux silently truncates to TASK_COMM_LEN - 1. */
                r = mm_copy_in(t->mm, name, addr, sizeof(name) - 1);
                name[sizeof(name) - 1] = '\0';
        }
        if (r < 0)
                return r;
        memcpy(t->comm, name, sizeof(t->comm));
        return 0;
}

long sys_prctl(struct task *t, const struct syscall_args *a)
{
        struct kernel *k = t->kernel;
        uint64_t arg2 = a->a[1], arg3 = a->a[2], arg4 = a->a[3], arg5 = a->a[4];
        int value;

        switch (a->a[0]) {
        case PR_SET_PDEATHSIG:
                if (arg2 > KSIG_MAX)
                        return -EINVAL;
                pthread_mutex_lock(&k->lock);
                t->pdeath_signal = (int)arg2;
                pthread_mutex_unlock(&k->lock);
                return 0;
        case PR_GET_PDEATHSIG:
                pthread_mutex_lock(&k->lock);
                value = t->pdeath_signal;
                pthread_mutex_unlock(&k->lock);
                return put_int(t, arg2, value);
        case PR_GET_DUMPABLE:
                pthread_mutex_lock(&t->tg->lock);
                value = t->tg->dumpable;
                pthread_mutex_unlock(&t->tg->lock);
                return value;
        case PR_SET_DUMPABLE:
                if (arg2 != SUID_DUMP_DISABLE && arg2 != SUID_DUMP_USER)
                        return -EINVAL;
                pthread_mutex_lock(&t->tg->lock);
                t->tg->dumpable = (int)arg2;
                pthread_mutex_unlock(&t->tg->lock);
                return 0;
        case PR_GET_KEEPCAPS:
                return creds_keepcaps(&t->creds);
        case PR_SET_KEEPCAPS:
                if (arg2 > 1)
                        return -EINVAL;
                return set_keepcaps(t, arg2);
        case PR_CAPBSET_READ:
                if (arg2 > CREDS_CAP_LAST_CAP)
                        return -EINVAL;
                return (t->creds.cap_bset >> arg2) & 1;
        case PR_SET_NAME:
                return prctl_set_name(t, arg2);
        case PR_GET_NAME:
                return mm_copy_out(t->mm, arg2, t->comm, sizeof(t->comm));
        case PR_SET_CHILD_SUBREAPER:
                pthread_mutex_lock(&k->lock);
                t->tg->child_subreaper = arg2 != 0;
                pthread_mutex_unlock(&k->lock);
                return 0;
        case PR_GET_CHILD_SUBREAPER:
                pthread_mutex_lock(&k->lock);
                value = t->tg->child_subreaper;
                pthread_mutex_unlock(&k->lock);
                return put_int(t, arg2, value);
        case PR_SET_NO_NEW_PRIVS:
                if (arg2 != 1 || arg3 || arg4 || arg5)
                        return -EINVAL;
                t->no_new_privs = true;
                return 0;
        case PR_GET_NO_NEW_PRIVS:
                if (arg2 || arg3 || arg4 || arg5)
                        return -EINVAL;
                return t->no_new_privs;
        default:
                return -EINVAL;
        }
}
