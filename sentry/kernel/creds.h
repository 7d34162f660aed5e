/*
 * Guest credentials: user and group ids, supplementary groups, capability
 * sets and securebits, as Linux's struct cred. The guest's view of ids is the
 * sentry's, not the host's: the guest's init starts as root with every
 * capability, inside its sandbox.
 *
 * Each task (guest thread) has its own credentials, as on Linux (glibc makes
 * setuid() process-wide by calling it on every thread). Only the task itself
 * changes them, through the creds_* transitions below on a copy, then
 * task_creds_commit(): so the task reads its own t->creds without a lock.
 * Other threads (procfs, kill's permission check) take task_creds_get(),
 * a copy made under task->creds_lock, a leaf lock.
 *
 * Every transition returns 0 or -errno with Linux's rules (kernel/sys.c,
 * security/commoncap.c) and leaves *c unchanged on error.
 */
#ifndef CONTERNEL_SENTRY_CREDS_H
#define CONTERNEL_SENTRY_CREDS_H

#include <stdbool.h>
#include <stdint.h>

#include "vfs/vfs.h"

#define CREDS_NGROUPS_MAX 65536 /* Linux's NGROUPS_MAX */
#define CREDS_ID_INVALID ((uint32_t)-1)

/* Capabilities: Linux's numbers (<linux/capability.h>). */
#define CREDS_CAP_CHOWN            0
#define CREDS_CAP_DAC_OVERRIDE     1
#define CREDS_CAP_DAC_READ_SEARCH  2
#define CREDS_CAP_FOWNER           3
#define CREDS_CAP_FSETID           4
#define CREDS_CAP_KILL             5
#define CREDS_CAP_SETGID           6
#define CREDS_CAP_SETUID           7
#define CREDS_CAP_SETPCAP          8
#define CREDS_CAP_LINUX_IMMUTABLE  9
#define CREDS_CAP_NET_ADMIN        12
#define CREDS_CAP_SYS_CHROOT       18
#define CREDS_CAP_SYS_PTRACE       19
#define CREDS_CAP_SYS_ADMIN        21
#define CREDS_CAP_SYS_NICE         23
#define CREDS_CAP_SYS_RESOURCE     24
#define CREDS_CAP_MKNOD            27
#define CREDS_CAP_MAC_OVERRIDE     32
#define CREDS_CAP_LAST_CAP         40   /* CAP_CHECKPOINT_RESTORE, Linux 5.9+ */
#define CREDS_CAP_BIT(cap) (1ULL << (cap))
#define CREDS_CAP_VALID_MASK (CREDS_CAP_BIT(CREDS_CAP_LAST_CAP + 1) - 1)
/* What fsuid 0 historically meant: dropped from the effective set when the
 * fsuid leaves 0, raised back (from permitted) when it returns (CAP_FS_SET). */
#define CREDS_CAP_FS_SET (CREDS_CAP_BIT(CREDS_CAP_CHOWN) | CREDS_CAP_BIT(CREDS_CAP_MKNOD) |       \
                          CREDS_CAP_BIT(CREDS_CAP_DAC_OVERRIDE) |                                \
                          CREDS_CAP_BIT(CREDS_CAP_DAC_READ_SEARCH) |                             \
                          CREDS_CAP_BIT(CREDS_CAP_FOWNER) | CREDS_CAP_BIT(CREDS_CAP_FSETID) |    \
                          CREDS_CAP_BIT(CREDS_CAP_MAC_OVERRIDE) |                                \
                          CREDS_CAP_BIT(CREDS_CAP_LINUX_IMMUTABLE))

/* securebits (<linux/securebits.h>): bit n is the setting, bit n+1 its lock. */
#define CREDS_SECURE_NOROOT            0
#define CREDS_SECURE_NO_SETUID_FIXUP   2
#define CREDS_SECURE_KEEP_CAPS         4        /* PR_SET_KEEPCAPS; cleared by execve */
#define CREDS_SECURE_NO_CAP_AMBIENT_RAISE 6
#define CREDS_SECBIT(n) (1u << (n))

struct creds {
        uint32_t ruid, euid, suid, fsuid;
        uint32_t rgid, egid, sgid, fsgid;
        uint32_t ngroups;
        uint32_t *groups;               /* owned; ngroups entries, sorted ascending */
        uint64_t cap_inheritable, cap_permitted, cap_effective;
        uint64_t cap_bset;              /* bounding set (prctl PR_CAPBSET_*) */
        uint64_t cap_ambient;           /* subset of permitted & inheritable */
        unsigned securebits;            /* CREDS_SECBIT(CREDS_SECURE_*) */
};

/* root with every capability and no supplementary groups, as a container's
 * init starts. */
void creds_init_root(struct creds *c);
/* A deep copy (the groups too). -ENOMEM. */
int creds_copy(struct creds *dst, const struct creds *src);
void creds_release(struct creds *c);

static inline bool creds_has_cap(const struct creds *c, int cap)
{
        return cap >= 0 && cap <= CREDS_CAP_LAST_CAP && (c->cap_effective & CREDS_CAP_BIT(cap));
}
static inline bool creds_keepcaps(const struct creds *c)
{
        return c->securebits & CREDS_SECBIT(CREDS_SECURE_KEEP_CAPS);
}
bool creds_in_group(const struct creds *c, uint32_t gid);

/* The set*id family. An argument of CREDS_ID_INVALID (-1) means "unchanged"
 * where Linux allows it (setre*, setres*); setuid(-1) is -EINVAL. The
 * capability fix-ups of a uid change are applied (cap_task_fix_setuid). */
int creds_setuid(struct creds *c, uint32_t uid);
int creds_setgid(struct creds *c, uint32_t gid);
int creds_setreuid(struct creds *c, uint32_t ruid, uint32_t euid);
int creds_setregid(struct creds *c, uint32_t rgid, uint32_t egid);
int creds_setresuid(struct creds *c, uint32_t ruid, uint32_t euid, uint32_t suid);
int creds_setresgid(struct creds *c, uint32_t rgid, uint32_t egid, uint32_t sgid);
/* setfsuid/setfsgid never fail: they return the old fs id, and change it
 * only when allowed. */
uint32_t creds_setfsuid(struct creds *c, uint32_t uid);
uint32_t creds_setfsgid(struct creds *c, uint32_t gid);
/* setgroups: consumes groups (malloc'd, n entries; sorted here) even on
 * error. -EPERM without CAP_SETGID. */
int creds_setgroups(struct creds *c, uint32_t *groups, uint32_t n);
/* capset's rules (cap_capset): -EPERM unless inheritable stays within
 * inheritable|permitted (without CAP_SETPCAP) and inheritable|bset, permitted
 * only shrinks and effective is within the new permitted. */
int creds_capset(struct creds *c, uint64_t effective, uint64_t permitted, uint64_t inheritable);

/* The program execve runs, as its credentials see it. */
struct creds_exec_file {
        mode_t mode;                    /* S_ISUID, S_ISGID, S_IXGRP matter */
        uint32_t uid, gid;              /* the owner */
        bool nosuid;                    /* on an MS_NOSUID mount: set-id bits ignored */
};

/* execve's new credentials (Linux's bprm_fill_uid and
 * cap_bprm_creds_from_file; no file capabilities): the effective uid
 * becomes the file's owner with S_ISUID, the effective gid its group with
 * S_ISGID and S_IXGRP (neither on a nosuid mount nor with no_new_privs);
 * root (new euid or ruid 0, unless SECURE_NOROOT) gets bounding |
 * inheritable as permitted, and as effective too when its euid is 0;
 * anyone else keeps only the ambient set, which a change of ids clears;
 * with no_new_privs nothing is gained (ids back to the real ones,
 * permitted within the old); saved and fs ids follow the effective ones;
 * SECURE_KEEP_CAPS is cleared. Returns Linux's bprm->secureexec (AT_SECURE):
 * the ids changed, differ from the real ones, or a non-root process got
 * capabilities beyond its ambient set. */
bool creds_exec(struct creds *c, const struct creds_exec_file *f, bool no_new_privs);

/* kill_ok_by_cred(): whether a sender with creds s may signal a task with
 * creds t (same real or effective uid as t's real or saved uid, or
 * CAP_KILL). The callers add Linux's other rules (same thread group,
 * SIGCONT within a session). */
static inline bool creds_may_signal(const struct creds *s, const struct creds *t)
{
        return s->euid == t->suid || s->euid == t->ruid || s->ruid == t->suid ||
               s->ruid == t->ruid || creds_has_cap(s, CREDS_CAP_KILL);
}

/* Per task. */
struct task;
/* A copy of another task's credentials (t may be any live task). */
int task_creds_get(struct task *t, struct creds *ret);
/* Install new as t's credentials; consumes new. Only t's own thread. */
void task_creds_commit(struct task *t, struct creds *new);
/* The ids and capabilities permission checks run with (the fs ids, the
 * effective set; the groups borrowed from t for as long as the call runs).
 * t's own thread. */
struct vfs_cred task_vfs_cred(struct task *t);
/* t's own thread only: whether it holds cap in its effective set. */
bool task_has_cap(const struct task *t, int cap);

#endif
