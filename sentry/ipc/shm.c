/*
 * System V shared memory (Linux's ipc/shm.c). A segment is a range of the
 * memory file, allocated whole at shmget (sparse: pages cost nothing until
 * touched). Each shmat makes an attachment, a mappable of its own that maps
 * the segment's pages MAP_SHARED; the mm's registration of it (one per mm
 * that maps it: shmat, fork) is what shm_nattch counts, so fork, exit, exec
 * and shmdt count themselves. A segment removed while attached (SHM_DEST)
 * goes at its last detach.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "lib/macro.h"
#include "sentry/ipc/internal.h"
#include "sentry/kernel/current.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#define CAP_IPC_LOCK 14

struct shm_seg {
        struct ipc_obj perm;            /* first: the table holds &perm */
        struct ipc_ns *ns;              /* immutable */
        uint64_t size;                  /* immutable: as asked */
        uint64_t len;                   /* immutable: page rounded */
        uint64_t off;                   /* immutable: memory file [off, off + len) */
        /* protected by ns->shm.lock */
        int64_t atime, dtime, ctime;
        int cpid, lpid;
        unsigned long nattch;           /* mm registrations, and shmat in progress */
        int refs;                       /* the table's, one per attachment */
};

/* One shmat: what its VMAs map. */
struct shm_attach {
        struct mm_mappable map;
        struct shm_seg *seg;            /* a reference */
        int refs;                       /* protected by ns->shm.lock: mms mapping it, shmat's own */
};

static struct shm_seg *seg_of(struct ipc_obj *o)
{
        return container_of(o, struct shm_seg, perm);
}

/* Lock held. */
static void seg_put(struct shm_seg *seg)
{
        if (--seg->refs > 0)
                return;
        memfile_unref(seg->ns->mf, seg->off, seg->len);
        free(seg);
}

/* Lock held: out of the table (Linux's shm_destroy). */
static void seg_destroy(struct shm_seg *seg)
{
        struct ipc_ns *ns = seg->ns;

        if (seg->perm.deleted)
                return;
        ipc_ids_remove(&ns->shm, &seg->perm);
        ns->shm_tot -= seg->len / PAGE_SIZE;
        seg_put(seg);
}

/* Lock held: the last detach of a removed segment ends it. */
static void seg_maybe_destroy(struct shm_seg *seg)
{
        if (seg->nattch == 0 && (seg->perm.mode & SHM_DEST))
                seg_destroy(seg);
}

static void attach_put(struct shm_attach *at)
{
        if (--at->refs > 0)
                return;
        seg_put(at->seg);
        mm_mappable_destroy(&at->map);
        free(at);
}

/* ---- The attachment as a mappable ------------------------------------------ */

static struct shm_attach *attach_of(struct mm_mappable *m)
{
        return container_of(m, struct shm_attach, map);
}

static int current_tgid(void)
{
        struct task *t = task_current();

        return t ? ipc_tgid(t) : 0;
}

static void shm_map_ref(struct mm_mappable *m)
{
        struct shm_attach *at = attach_of(m);
        struct shm_seg *seg = at->seg;

        pthread_mutex_lock(&seg->ns->shm.lock);
        at->refs++;
        seg->nattch++;
        seg->atime = ipc_now();
        seg->lpid = current_tgid();
        pthread_mutex_unlock(&seg->ns->shm.lock);
}

static void shm_map_unref(struct mm_mappable *m)
{
        struct shm_attach *at = attach_of(m);
        struct shm_seg *seg = at->seg;
        struct ipc_ns *ns = seg->ns;

        pthread_mutex_lock(&ns->shm.lock);
        seg->nattch--;
        seg->dtime = ipc_now();
        seg->lpid = current_tgid();
        seg_maybe_destroy(seg);
        attach_put(at);
        pthread_mutex_unlock(&ns->shm.lock);
}

static int shm_map_get_page(struct mm_mappable *m, struct memfile *mf, uint64_t pgoff,
                            bool alloc, uint64_t *ret_off)
{
        struct shm_seg *seg = attach_of(m)->seg;
        int r;

        (void)alloc;
        if (pgoff >= seg->len)
                return -ENXIO;
        if (mf != seg->ns->mf)
                return -ENODEV;
        r = memfile_ref(mf, seg->off + pgoff, PAGE_SIZE);
        if (r == 0)
                *ret_off = seg->off + pgoff;
        return r;
}

static int shm_map_read(struct mm_mappable *m, uint64_t pgoff, void *dst)
{
        struct shm_seg *seg = attach_of(m)->seg;

        if (pgoff >= seg->len)
                return -ENXIO;
        memcpy(dst, memfile_addr(seg->ns->mf, seg->off + pgoff), PAGE_SIZE);
        return 0;
}

static const struct mm_mappable_ops shm_map_ops = {
        .ref = shm_map_ref,
        .unref = shm_map_unref,
        .get_page = shm_map_get_page,
        .read = shm_map_read,
};

/* ---- shmget ---------------------------------------------------------------- */

static int shm_create(struct task *t, struct ipc_ns *ns, void *arg, struct ipc_obj **ret)
{
        uint64_t size = *(uint64_t *)arg, pages;
        struct shm_seg *seg;
        int r;

        if (size < IPC_SHMMIN || size > IPC_SHMMAX)
                return -EINVAL;
        pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
        if (ns->shm_tot + pages < ns->shm_tot || ns->shm_tot + pages > IPC_SHMALL)
                return -ENOSPC;
        seg = calloc(1, sizeof(*seg));
        if (!seg)
                return -ENOMEM;
        r = memfile_alloc(ns->mf, pages * PAGE_SIZE, &seg->off);
        if (r < 0) {
                free(seg);
                return r;
        }
        seg->ns = ns;
        seg->size = size;
        seg->len = pages * PAGE_SIZE;
        seg->ctime = ipc_now();
        seg->cpid = ipc_tgid(t);
        seg->refs = 1;
        ns->shm_tot += pages;
        *ret = &seg->perm;
        return 0;
}

static void shm_drop(struct ipc_ns *ns, struct ipc_obj *o)
{
        struct shm_seg *seg = seg_of(o);

        ns->shm_tot -= seg->len / PAGE_SIZE;
        seg_put(seg);
}

static int shm_more_checks(const struct ipc_obj *o, void *arg)
{
        return container_of(o, struct shm_seg, perm)->size < *(uint64_t *)arg ? -EINVAL : 0;
}

static const struct ipc_get_ops shm_get_ops = {
        .create = shm_create,
        .drop = shm_drop,
        .more_checks = shm_more_checks,
};

long ipc_shmget(struct task *t, int32_t key, uint64_t size, int flg)
{
        struct ipc_ns *ns = ipc_ns_of(t);

        return ipc_get(t, ns, &ns->shm, key, flg, &shm_get_ops, &size);
}

/* ---- shmat, shmdt ---------------------------------------------------------- */

long ipc_shmat(struct task *t, int shmid, guest_ptr_t addr, int flg)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        struct mm_file_args fa = { .readable = true };
        int prot = PROT_READ, mflags = MAP_SHARED, acc = 0444;
        struct shm_attach *at;
        struct shm_seg *seg;
        struct ipc_obj *o;
        long r;

        if (shmid < 0)
                return -EINVAL;
        if (addr) {
                if (addr & (PAGE_SIZE - 1)) {
                        if (!(flg & SHM_RND))
                                return -EINVAL;
                        addr &= ~(guest_ptr_t)(PAGE_SIZE - 1);       /* SHMLBA */
                        if (!addr && (flg & SHM_REMAP))
                                return -EINVAL;
                }
                mflags |= (flg & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
        } else if (flg & SHM_REMAP) {
                return -EINVAL;
        }
        if (!(flg & SHM_RDONLY)) {
                prot |= PROT_WRITE;
                acc |= 0222;
                fa.writable = true;
        }
        if (flg & SHM_EXEC) {
                prot |= PROT_EXEC;
                acc |= 0111;
        }

        pthread_mutex_lock(&ns->shm.lock);
        o = ipc_ids_find_id(&ns->shm, shmid);
        r = o ? ipc_perm_check(t, o, acc) : -EINVAL;
        if (r < 0) {
                pthread_mutex_unlock(&ns->shm.lock);
                return r;
        }
        at = calloc(1, sizeof(*at));
        if (!at) {
                pthread_mutex_unlock(&ns->shm.lock);
                return -ENOMEM;
        }
        seg = seg_of(o);
        mm_mappable_init(&at->map, &shm_map_ops);
        at->seg = seg;
        at->refs = 1;
        seg->refs++;
        seg->nattch++;          /* an RMID meanwhile only marks it */
        pthread_mutex_unlock(&ns->shm.lock);

        fa.m = &at->map;
        r = mm_mmap_file(t->mm, addr, seg->len, prot, mflags, &fa);
        if (r == -EEXIST)
                r = -EINVAL;    /* overlaps a mapping, without SHM_REMAP */

        pthread_mutex_lock(&ns->shm.lock);
        seg->nattch--;
        seg_maybe_destroy(seg);
        attach_put(at);
        pthread_mutex_unlock(&ns->shm.lock);
        return r;
}

long ipc_shmdt(struct task *t, guest_ptr_t addr)
{
        if (addr & (PAGE_SIZE - 1))
                return -EINVAL;
        return mm_unmap_attachment(t->mm, addr, &shm_map_ops);
}

/* ---- shmctl ---------------------------------------------------------------- */

static void seg_export(const struct shm_seg *seg, struct shmid_ds *ds)
{
        memset(ds, 0, sizeof(*ds));
        ipc_obj_export(&seg->perm, &ds->shm_perm);
        ds->shm_segsz = seg->size;
        ds->shm_atime = seg->atime;
        ds->shm_dtime = seg->dtime;
        ds->shm_ctime = seg->ctime;
        ds->shm_cpid = seg->cpid;
        ds->shm_lpid = seg->lpid;
        ds->shm_nattch = seg->nattch;
}

static long shm_stat(struct task *t, struct ipc_ns *ns, int shmid, int cmd, guest_ptr_t buf)
{
        struct shmid_ds ds;
        struct ipc_obj *o;
        long r;

        pthread_mutex_lock(&ns->shm.lock);
        o = ipc_stat_obj(t, &ns->shm, shmid, cmd != IPC_STAT, cmd == SHM_STAT_ANY, &r);
        if (o)
                seg_export(seg_of(o), &ds);
        pthread_mutex_unlock(&ns->shm.lock);
        if (r >= 0 && mm_copy_out(t->mm, buf, &ds, sizeof(ds)) < 0)
                r = -EFAULT;
        return r;
}

static long shm_info(struct task *t, struct ipc_ns *ns, int cmd, guest_ptr_t buf)
{
        struct shminfo info = {
                .shmmax = IPC_SHMMAX,
                .shmmin = IPC_SHMMIN,
                .shmmni = IPC_SHMMNI,
                .shmseg = IPC_SHMMNI,
                .shmall = IPC_SHMALL,
        };
        struct shm_info sinfo = { 0 };
        long r;

        pthread_mutex_lock(&ns->shm.lock);
        r = MAX(ipc_ids_max_idx(&ns->shm), 0);
        sinfo.used_ids = ns->shm.in_use;
        sinfo.shm_tot = ns->shm_tot;
        sinfo.shm_rss = ns->shm_tot;    /* what is resident is the host's business */
        pthread_mutex_unlock(&ns->shm.lock);
        if (cmd == IPC_INFO ? mm_copy_out(t->mm, buf, &info, sizeof(info)) < 0
                            : mm_copy_out(t->mm, buf, &sinfo, sizeof(sinfo)) < 0)
                return -EFAULT;
        return r;
}

long ipc_shmctl(struct task *t, int shmid, int cmd, guest_ptr_t buf)
{
        struct ipc_ns *ns = ipc_ns_of(t);
        struct shmid_ds ds;
        struct ipc_obj *o;
        long r;

        if (cmd < 0 || shmid < 0)
                return -EINVAL;
        switch (cmd) {
        case IPC_INFO:
        case SHM_INFO:
                return shm_info(t, ns, cmd, buf);
        case IPC_STAT:
        case SHM_STAT:
        case SHM_STAT_ANY:
                return shm_stat(t, ns, shmid, cmd, buf);
        case IPC_SET:
                if (mm_copy_in(t->mm, &ds, buf, sizeof(ds)) < 0)
                        return -EFAULT;
                break;
        case IPC_RMID:
        case SHM_LOCK:
        case SHM_UNLOCK:
                break;
        default:
                return -EINVAL;
        }

        pthread_mutex_lock(&ns->shm.lock);
        o = ipc_ids_find_id(&ns->shm, shmid);
        r = o ? 0 : -EINVAL;
        if (r == 0 && (cmd == SHM_LOCK || cmd == SHM_UNLOCK)) {
                /* RLIMIT_MEMLOCK is not looked at: nothing is locked. */
                if (!ipc_capable(t, CAP_IPC_LOCK) && t->creds.euid != o->uid &&
                    t->creds.euid != o->cuid)
                        r = -EPERM;
                else if (cmd == SHM_LOCK)
                        o->mode |= SHM_LOCKED;
                else
                        o->mode &= ~(unsigned)SHM_LOCKED;
        } else if (r == 0) {
                r = ipc_ctl_check(t, o);
                if (r == 0 && cmd == IPC_SET) {
                        r = ipc_obj_update(o, &ds.shm_perm);
                        if (r == 0)
                                seg_of(o)->ctime = ipc_now();
                } else if (r == 0) {
                        /* IPC_RMID: at once, or at the last detach. */
                        struct shm_seg *seg = seg_of(o);

                        if (seg->nattch) {
                                o->mode |= SHM_DEST;
                                o->key = IPC_PRIVATE;
                        } else {
                                seg_destroy(seg);
                        }
                }
        }
        pthread_mutex_unlock(&ns->shm.lock);
        return r;
}

void shm_ns_destroy(struct ipc_ns *ns)
{
        pthread_mutex_lock(&ns->shm.lock);
        for (int i = 0; i < ns->shm.nslots; i++)
                if (ns->shm.slots[i])
                        seg_destroy(seg_of(ns->shm.slots[i]));
        pthread_mutex_unlock(&ns->shm.lock);
}
