/* File locks: flock(2) and fcntl's record locks (vfs/lock.h does the
 * locking; here the guest's arguments and the waiting). */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/file.h>

#include "sentry/kernel/kerrno.h"
#include "sentry/mm/mm.h"
#include "sys_lock.h"
#include "syscall.h"
#include "syscalls/path.h"
#include "syscalls/sys.h"
#include "vfs/file.h"
#include "vfs/lock.h"

#ifndef F_OFD_GETLK
#define F_OFD_GETLK  36
#define F_OFD_SETLK  37
#define F_OFD_SETLKW 38
#endif
#ifndef LOCK_MAND
#define LOCK_MAND 32
#endif

/* The guest's struct flock (x86_64: the 64-bit layout for every command). */
struct flock_k {
        int16_t l_type;
        int16_t l_whence;
        int64_t l_start;
        int64_t l_len;
        int32_t l_pid;
};

bool fcntl_is_lock_cmd(int cmd)
{
        switch (cmd) {
        case F_GETLK:
        case F_SETLK:
        case F_SETLKW:
        case F_OFD_GETLK:
        case F_OFD_SETLK:
        case F_OFD_SETLKW:
                return true;
        default:
                return false;
        }
}

/* Linux's flock64_to_posix_lock(): the byte range from whence, start, len. */
static int flock_to_req(struct file *f, const struct flock_k *l, struct file_lock_req *req)
{
        struct inode *inode = file_inode(f);
        int64_t start;

        switch (l->l_whence) {
        case SEEK_SET:
                start = 0;
                break;
        case SEEK_CUR:
                pthread_mutex_lock(&f->pos_lock);
                start = f->pos;
                pthread_mutex_unlock(&f->pos_lock);
                if (f->backend_pos)
                        start = vfs_llseek(f, 0, SEEK_CUR);
                if (start < 0)
                        start = 0;
                break;
        case SEEK_END:
                start = 0;
                /* Through getattr: a layered file system (goferfs, the
                 * overlay) knows its size better than the inode's cache. */
                if (inode) {
                        struct stat st;

                        if (vfs_getattr(inode, &st) == 0)
                                start = st.st_size;
                }
                break;
        default:
                return -EINVAL;
        }
        if (l->l_start > LOCK_OFFSET_MAX - start)
                return -EOVERFLOW;
        start += l->l_start;
        if (start < 0)
                return -EINVAL;
        if (l->l_len > 0) {
                if (l->l_len - 1 > LOCK_OFFSET_MAX - start)
                        return -EOVERFLOW;
                req->start = start;
                req->end = start + (l->l_len - 1);
        } else if (l->l_len < 0) {
                if (start + l->l_len < 0)
                        return -EINVAL;
                req->start = start + l->l_len;
                req->end = start - 1;
        } else {
                req->start = start;
                req->end = LOCK_OFFSET_MAX;
        }
        switch (l->l_type) {
        case F_RDLCK:
        case F_WRLCK:
        case F_UNLCK:
                req->type = l->l_type;
                return 0;
        default:
                return -EINVAL;
        }
}

/* Try op until it does not conflict, waiting on the inode's lock queue
 * unless !wait. POSIX waits go through the deadlock check (EDEADLK). */
static long lock_wait_loop(struct task *t, struct file *f, bool wait,
                           int (*op)(struct file *, const void *, void **), const void *arg,
                           void *owner)
{
        struct waitqueue *wq = NULL;
        struct task_waiter tw;
        bool queued = false;
        void *blocker = NULL;
        long r;

        task_waiter_init(&tw, t, EPOLLIN);
        for (;;) {
                struct lock_wait w;
                int b;

                if (queued)
                        task_prepare_block(t);
                r = op(f, arg, &blocker);
                if (r != -EAGAIN || !wait)
                        break;
                if (!queued) {
                        r = file_lock_waitqueue(f, &wq);
                        if (r < 0)
                                break;
                        waitqueue_add(wq, &tw.w);
                        queued = true;
                        continue;       /* once more: nothing is missed between */
                }
                if (owner) {
                        r = posix_wait_begin(&t->kernel->lock_waits, &w, owner, blocker);
                        if (r < 0)
                                break;
                }
                b = task_block(t, NULL);
                if (owner)
                        posix_wait_end(&w);
                if (b == -EINTR) {
                        r = -ERESTARTSYS;
                        break;
                }
        }
        if (queued)
                waitqueue_remove(wq, &tw.w);
        return r;
}

static int posix_op(struct file *f, const void *req, void **ret_blocker)
{
        return posix_lock_file(f, req, ret_blocker);
}

static int flock_op(struct file *f, const void *type, void **ret_blocker)
{
        (void)ret_blocker;
        return flock_lock_file(f, *(const int *)type);
}

long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg)
{
        bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
        struct file_lock_req req = { 0 };
        struct flock_k l;
        long r;

        r = mm_copy_in(t->mm, &l, arg, sizeof(l));
        if (r < 0)
                return r;
        if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
                if (l.l_type != F_RDLCK && l.l_type != F_WRLCK)
                        return -EINVAL;
                r = flock_to_req(f, &l, &req);
                if (r < 0)
                        return r;
                if (ofd && l.l_pid != 0)
                        return -EINVAL;
                req.owner = ofd ? (void *)f : (void *)t->fdt;
                req.ofd = ofd;
                r = posix_test_lock(f, &req);
                if (r < 0)
                        return r;
                l.l_type = (int16_t)req.type;
                if (req.type != F_UNLCK) {
                        l.l_whence = SEEK_SET;
                        l.l_start = req.start;
                        l.l_len = req.end == LOCK_OFFSET_MAX ? 0 : req.end - req.start + 1;
                        l.l_pid = req.pid;
                }
                return mm_copy_out(t->mm, arg, &l, sizeof(l));
        }
        r = flock_to_req(f, &l, &req);
        if (r < 0)
                return r;
        if ((req.type == F_RDLCK && !file_readable(f)) ||
            (req.type == F_WRLCK && !file_writable(f)))
                return -EBADF;
        if (ofd && l.l_pid != 0)
                return -EINVAL;
        req.owner = ofd ? (void *)f : (void *)t->fdt;
        req.pid = ofd ? -1 : t->tg->tgid;
        req.ofd = ofd;
        return lock_wait_loop(t, f, cmd == F_SETLKW || cmd == F_OFD_SETLKW, posix_op, &req,
                              ofd ? NULL : req.owner);
}

long sys_flock(struct task *t, const struct syscall_args *a)
{
        unsigned cmd = (unsigned)a->a[1];
        struct file *f;
        int type;
        long r;

        /* LOCK_MAND is ignored, as Linux has since 5.15. */
        if (cmd & LOCK_MAND)
                return 0;
        switch (cmd & ~(unsigned)LOCK_NB) {
        case LOCK_SH:
                type = F_RDLCK;
                break;
        case LOCK_EX:
                type = F_WRLCK;
                break;
        case LOCK_UN:
                type = F_UNLCK;
                break;
        default:
                return -EINVAL;
        }
        f = task_fget(t, (int)a->a[0]);
        if (!f)
                return -EBADF;
        r = lock_wait_loop(t, f, !(cmd & LOCK_NB), flock_op, &type, NULL);
        file_unref(f);
        return r;
}
