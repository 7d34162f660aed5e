/* Guest credentials and Linux's rules for changing them (kernel/sys.c,
 * kernel/groups.c, security/commoncap.c). */
#include "creds.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/task.h"

void creds_init_root(struct creds *c)
{
        memset(c, 0, sizeof(*c));
        c->cap_permitted = c->cap_effective = c->cap_bset = CREDS_CAP_VALID_MASK;
}

int creds_copy(struct creds *dst, const struct creds *src)
{
        *dst = *src;
        dst->groups = NULL;
        if (src->ngroups) {
                dst->groups = malloc(sizeof(*dst->groups) * src->ngroups);
                if (!dst->groups)
                        return -ENOMEM;
                memcpy(dst->groups, src->groups, sizeof(*dst->groups) * src->ngroups);
        }
        return 0;
}

void creds_release(struct creds *c)
{
        free(c->groups);
        c->groups = NULL;
        c->ngroups = 0;
}

bool creds_in_group(const struct creds *c, uint32_t gid)
{
        if (gid == c->fsgid)
                return true;
        for (uint32_t i = 0; i < c->ngroups; i++)
                if (c->groups[i] == gid)
                        return true;
        return false;
}

static bool issecure(const struct creds *c, int bit)
{
        return c->securebits & CREDS_SECBIT(bit);
}

/* cap_emulate_setxuid(): capabilities follow a [res]uid change. */
static void emulate_setxuid(struct creds *n, const struct creds *o)
{
        if ((o->ruid == 0 || o->euid == 0 || o->suid == 0) &&
            n->ruid != 0 && n->euid != 0 && n->suid != 0) {
                if (!issecure(o, CREDS_SECURE_KEEP_CAPS)) {
                        n->cap_permitted = 0;
                        n->cap_effective = 0;
                }
                n->cap_ambient = 0;
        }
        if (o->euid == 0 && n->euid != 0)
                n->cap_effective = 0;
        if (o->euid != 0 && n->euid == 0)
                n->cap_effective = n->cap_permitted;
}

/* cap_task_fix_setuid() for LSM_SETID_ID, _RE and _RES. */
static void fix_setuid(struct creds *n, const struct creds *o)
{
        if (!issecure(o, CREDS_SECURE_NO_SETUID_FIXUP))
                emulate_setxuid(n, o);
}

/* ... and for LSM_SETID_FS. */
static void fix_setfsuid(struct creds *n, const struct creds *o)
{
        if (issecure(o, CREDS_SECURE_NO_SETUID_FIXUP))
                return;
        if (o->fsuid == 0 && n->fsuid != 0)
                n->cap_effective &= ~CREDS_CAP_FS_SET;
        if (o->fsuid != 0 && n->fsuid == 0)
                n->cap_effective |= n->cap_permitted & CREDS_CAP_FS_SET;
}

int creds_setuid(struct creds *c, uint32_t uid)
{
        struct creds n = *c;

        if (uid == CREDS_ID_INVALID)
                return -EINVAL;
        if (creds_has_cap(c, CREDS_CAP_SETUID))
                n.ruid = n.suid = uid;
        else if (uid != c->ruid && uid != c->suid)
                return -EPERM;
        n.euid = n.fsuid = uid;
        fix_setuid(&n, c);
        *c = n;
        return 0;
}

int creds_setgid(struct creds *c, uint32_t gid)
{
        struct creds n = *c;

        if (gid == CREDS_ID_INVALID)
                return -EINVAL;
        if (creds_has_cap(c, CREDS_CAP_SETGID))
                n.rgid = n.sgid = gid;
        else if (gid != c->rgid && gid != c->sgid)
                return -EPERM;
        n.egid = n.fsgid = gid;
        *c = n;
        return 0;
}

int creds_setreuid(struct creds *c, uint32_t ruid, uint32_t euid)
{
        bool cap = creds_has_cap(c, CREDS_CAP_SETUID);
        struct creds n = *c;

        if (ruid != CREDS_ID_INVALID) {
                n.ruid = ruid;
                if (ruid != c->ruid && ruid != c->euid && !cap)
                        return -EPERM;
        }
        if (euid != CREDS_ID_INVALID) {
                n.euid = euid;
                if (euid != c->ruid && euid != c->euid && euid != c->suid && !cap)
                        return -EPERM;
        }
        if (ruid != CREDS_ID_INVALID || (euid != CREDS_ID_INVALID && euid != c->ruid))
                n.suid = n.euid;
        n.fsuid = n.euid;
        fix_setuid(&n, c);
        *c = n;
        return 0;
}

int creds_setregid(struct creds *c, uint32_t rgid, uint32_t egid)
{
        bool cap = creds_has_cap(c, CREDS_CAP_SETGID);
        struct creds n = *c;

        if (rgid != CREDS_ID_INVALID) {
                n.rgid = rgid;
                if (rgid != c->rgid && rgid != c->egid && !cap)
                        return -EPERM;
        }
        if (egid != CREDS_ID_INVALID) {
                n.egid = egid;
                if (egid != c->rgid && egid != c->egid && egid != c->sgid && !cap)
                        return -EPERM;
        }
        if (rgid != CREDS_ID_INVALID || (egid != CREDS_ID_INVALID && egid != c->rgid))
                n.sgid = n.egid;
        n.fsgid = n.egid;
        *c = n;
        return 0;
}

/* Whether id is set (not -1) and none of the three current ids. */
static bool id_new(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
        return id != CREDS_ID_INVALID && id != r && id != e && id != s;
}

int creds_setresuid(struct creds *c, uint32_t ruid, uint32_t euid, uint32_t suid)
{
        struct creds n = *c;

        /* A no-op needs no privilege and changes nothing, not even caps. */
        if ((ruid == CREDS_ID_INVALID || ruid == c->ruid) &&
            (euid == CREDS_ID_INVALID || (euid == c->euid && euid == c->fsuid)) &&
            (suid == CREDS_ID_INVALID || suid == c->suid))
                return 0;
        if ((id_new(ruid, c->ruid, c->euid, c->suid) || id_new(euid, c->ruid, c->euid, c->suid) ||
             id_new(suid, c->ruid, c->euid, c->suid)) && !creds_has_cap(c, CREDS_CAP_SETUID))
                return -EPERM;
        if (ruid != CREDS_ID_INVALID)
                n.ruid = ruid;
        if (euid != CREDS_ID_INVALID)
                n.euid = euid;
        if (suid != CREDS_ID_INVALID)
                n.suid = suid;
        n.fsuid = n.euid;
        fix_setuid(&n, c);
        *c = n;
        return 0;
}

int creds_setresgid(struct creds *c, uint32_t rgid, uint32_t egid, uint32_t sgid)
{
        struct creds n = *c;

        if ((rgid == CREDS_ID_INVALID || rgid == c->rgid) &&
            (egid == CREDS_ID_INVALID || (egid == c->egid && egid == c->fsgid)) &&
            (sgid == CREDS_ID_INVALID || sgid == c->sgid))
                return 0;
        if ((id_new(rgid, c->rgid, c->egid, c->sgid) || id_new(egid, c->rgid, c->egid, c->sgid) ||
             id_new(sgid, c->rgid, c->egid, c->sgid)) && !creds_has_cap(c, CREDS_CAP_SETGID))
                return -EPERM;
        if (rgid != CREDS_ID_INVALID)
                n.rgid = rgid;
        if (egid != CREDS_ID_INVALID)
                n.egid = egid;
        if (sgid != CREDS_ID_INVALID)
                n.sgid = sgid;
        n.fsgid = n.egid;
        *c = n;
        return 0;
}

uint32_t creds_setfsuid(struct creds *c, uint32_t uid)
{
        uint32_t old = c->fsuid;
        struct creds n = *c;

        if (uid == CREDS_ID_INVALID)
                return old;
        if ((uid == c->ruid || uid == c->euid || uid == c->suid || uid == c->fsuid ||
             creds_has_cap(c, CREDS_CAP_SETUID)) && uid != c->fsuid) {
                n.fsuid = uid;
                fix_setfsuid(&n, c);
                *c = n;
        }
        return old;
}

uint32_t creds_setfsgid(struct creds *c, uint32_t gid)
{
        uint32_t old = c->fsgid;

        if (gid == CREDS_ID_INVALID)
                return old;
        if (gid == c->rgid || gid == c->egid || gid == c->sgid || gid == c->fsgid ||
            creds_has_cap(c, CREDS_CAP_SETGID))
                c->fsgid = gid;
        return old;
}

static int cmp_u32(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

        return x < y ? -1 : x > y;
}

int creds_setgroups(struct creds *c, uint32_t *groups, uint32_t n)
{
        if (!creds_has_cap(c, CREDS_CAP_SETGID)) {
                free(groups);
                return -EPERM;
        }
        if (n > CREDS_NGROUPS_MAX) {
                free(groups);
                return -EINVAL;
        }
        for (uint32_t i = 0; i < n; i++)
                if (groups[i] == CREDS_ID_INVALID) {
                        free(groups);
                        return -EINVAL;
                }
        if (n)
                qsort(groups, n, sizeof(*groups), cmp_u32);     /* groups_sort() */
        free(c->groups);
        c->groups = n ? groups : NULL;
        if (!n)
                free(groups);
        c->ngroups = n;
        return 0;
}

int creds_capset(struct creds *c, uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
        effective &= CREDS_CAP_VALID_MASK;
        permitted &= CREDS_CAP_VALID_MASK;
        inheritable &= CREDS_CAP_VALID_MASK;
        /* Without CAP_SETPCAP, inheritable may only take what is permitted. */
        if (!creds_has_cap(c, CREDS_CAP_SETPCAP) &&
            (inheritable & ~(c->cap_inheritable | c->cap_permitted)))
                return -EPERM;
        if (inheritable & ~(c->cap_inheritable | c->cap_bset))
                return -EPERM;
        if (permitted & ~c->cap_permitted)
                return -EPERM;
        if (effective & ~permitted)
                return -EPERM;
        c->cap_effective = effective;
        c->cap_permitted = permitted;
        c->cap_inheritable = inheritable;
        c->cap_ambient &= permitted & inheritable;
        return 0;
}

bool creds_exec(struct creds *c, const struct creds_exec_file *f, bool no_new_privs)
{
        const struct creds old = *c;    /* shallow: exec changes no groups */
        bool root = !issecure(c, CREDS_SECURE_NOROOT), effective = false, id_changed;
        uint64_t gained;

        /* bprm_fill_uid(). */
        if (f && !f->nosuid && !no_new_privs) {
                if (f->mode & S_ISUID)
                        c->euid = f->uid;
                if ((f->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
                        c->egid = f->gid;
        }
        /* No file capabilities; handle_privileged_root(). */
        c->cap_permitted = 0;
        if (root && (c->euid == 0 || c->ruid == 0))
                c->cap_permitted = old.cap_bset | old.cap_inheritable;
        if (root && c->euid == 0)
                effective = true;
        id_changed = c->euid != old.euid || !creds_in_group(&old, c->egid);
        gained = c->cap_permitted & ~old.cap_permitted;
        if ((id_changed || gained) && no_new_privs) {
                c->euid = c->ruid;
                c->egid = c->rgid;
                c->cap_permitted &= old.cap_permitted;
        }
        c->suid = c->fsuid = c->euid;
        c->sgid = c->fsgid = c->egid;
        if (id_changed)
                c->cap_ambient = 0;
        c->cap_permitted |= c->cap_ambient;
        c->cap_effective = effective ? c->cap_permitted : c->cap_ambient;
        c->securebits &= ~CREDS_SECBIT(CREDS_SECURE_KEEP_CAPS);
        return id_changed || c->euid != old.ruid || c->egid != old.rgid ||
               (c->ruid != 0 && (effective || (c->cap_permitted & ~c->cap_ambient)));
}

int task_creds_get(struct task *t, struct creds *ret)
{
        int r;

        pthread_mutex_lock(&t->creds_lock);
        r = creds_copy(ret, &t->creds);
        pthread_mutex_unlock(&t->creds_lock);
        return r;
}

void task_creds_commit(struct task *t, struct creds *new)
{
        struct creds old;

        pthread_mutex_lock(&t->creds_lock);
        old = t->creds;
        t->creds = *new;
        pthread_mutex_unlock(&t->creds_lock);
        if (old.groups != new->groups)
                creds_release(&old);
        new->groups = NULL;
        new->ngroups = 0;
}

bool task_has_cap(const struct task *t, int cap)
{
        return creds_has_cap(&t->creds, cap);
}

struct vfs_cred task_vfs_cred(struct task *t)
{
        return (struct vfs_cred){
                .uid = t->creds.fsuid, .gid = t->creds.fsgid,
                .ngroups = t->creds.ngroups, .groups = t->creds.groups,
                .caps_set = true, .caps = t->creds.cap_effective,
        };
}
