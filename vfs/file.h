/*
 * Open file descriptions: struct file and its ops table (Linux's shape).
 *
 * A struct file is refcounted: fd tables hold references, and so does any
 * call in progress. The generic layer (vfs_read(), ...) checks access modes
 * once and calls through the table; a NULL slot means Linux's default for it,
 * written next to each slot below.
 *
 * Data moves through struct iov_iter: host addresses (usually the sentry's
 * view of guest memory from mm_translate()), so a file copies straight into
 * guest pages.
 */
#ifndef CONTERNEL_VFS_FILE_H
#define CONTERNEL_VFS_FILE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <sys/epoll.h>

#include "lib/waitqueue.h"
#include "vfs/vfs.h"

struct file;
struct epitem;
struct mm_mappable;
struct mm_vm_file_ops;
struct seqbuf;

struct iov_iter {
        const struct iovec *iov;
        int nr;
        size_t count;                   /* total bytes in iov */
        unsigned flags;                 /* IOV_* below, for this call only */
};

/* pwritev2's RWF_APPEND and RWF_NOAPPEND, for the one call (Linux's
 * IOCB_APPEND in the kiocb). Writers ask file_write_appends(). */
#define IOV_APPEND   0x1u
#define IOV_NOAPPEND 0x2u

struct file_ops {
        /* Read into dst from *pos (advanced by the bytes read). pos is NULL for
         * stream files and for files whose backend keeps the position
         * (backend_pos). NULL slot: -EINVAL. May block. */
        ssize_t (*read)(struct file *f, const struct iov_iter *dst, int64_t *pos);
        /* NULL slot: -EINVAL. May block. */
        ssize_t (*write)(struct file *f, const struct iov_iter *src, int64_t *pos);
        /* Linux's struct stat for the file. NULL slot: -EINVAL. */
        int (*stat)(struct file *f, struct stat *ret);
        /* arg is a host buffer already sized for cmd by the caller (see
         * vfs_ioctl()). NULL slot: -ENOTTY. */
        int (*ioctl)(struct file *f, unsigned cmd, void *arg);
        /* NULL slot: -ESPIPE. */
        int64_t (*llseek)(struct file *f, int64_t offset, int whence);
        /* Readiness now, as EPOLL* bits. A file whose reads or writes can
         * block returns -EAGAIN from them and sets f->wq, which it notifies
         * when readiness may have changed; the syscall layer waits there.
         * NULL slot: always readable and writable (EPOLLIN|EPOLLOUT|
         * EPOLLRDNORM|EPOLLWRNORM), as regular files are. */
        unsigned (*poll)(struct file *f);
        /* Directories: emit entries from the position *pos (protected by
         * pos_lock, held by the caller), advancing it. NULL slot: -ENOTDIR. */
        int (*iterate)(struct file *f, uint64_t *pos, d_emit_fn emit, void *ctx);
        /* mmap(2): the object whose pages a mapping of f maps (borrowed:
         * valid while f is; the mm takes its own reference). The caller
         * checked the access mode. NULL slot: -ENODEV (pipes, sockets,
         * host passthrough files), as Linux's missing f_op->mmap. */
        int (*mmap)(struct file *f, struct mm_mappable **ret);
        /* fallocate(2) on a regular file open for writing: mode is 0,
         * FALLOC_FL_KEEP_SIZE or FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE
         * (vfs_fallocate() refused the rest); offset >= 0, len > 0, no
         * overflow. The fs refuses modes it lacks (-EOPNOTSUPP). NULL slot:
         * -EOPNOTSUPP. */
        int (*fallocate)(struct file *f, int mode, int64_t offset, int64_t len);
        /* fsync(2)/fdatasync(2): make the data (and with !datasync the
         * metadata) durable. NULL slot: -EINVAL (pipes, devices, procfs,
         * as Linux's missing f_op->fsync). noop_fsync() for in-memory data. */
        int (*fsync)(struct file *f, bool datasync);
        /* /proc/PID/fdinfo: lines after the generic ones (Linux's
         * show_fdinfo). NULL slot: none. */
        void (*show_fdinfo)(struct file *f, struct seqbuf *b);
        /* A descriptor of f closed by the process whose table held it
         * (close, dup2 over it, close_range, close-on-exec, exit), on that
         * process's thread, before the reference goes: Linux's
         * f_op->flush. NULL slot: nothing. */
        void (*flush)(struct file *f);
        /* Last reference dropped; the generic layer then drops f->path.
         * NULL slot: free(f). */
        void (*release)(struct file *f);
};

struct file {
        const struct file_ops *ops;     /* immutable */
        atomic_int refcount;
        unsigned flags;                 /* O_ACCMODE | O_APPEND | O_NONBLOCK ...; protected by pos_lock */
        pthread_mutex_t pos_lock;       /* serialises position updates, like f_pos_lock */
        int64_t pos;                    /* protected by pos_lock */
        bool stream;                    /* no position: pread/pwrite give -ESPIPE */
        bool backend_pos;               /* the ops keep the position (pos arg NULL) */
        bool nowait;                    /* immutable: RWF_NOWAIT allowed (Linux's FMODE_NOWAIT) */
        struct waitqueue *wq;           /* immutable: see file_ops.poll; NULL if never blocking */
        /* The epoll registrations watching this open file, dropped when it
         * is released (Linux's eventpoll_release()). */
        pthread_mutex_t ep_lock;
        struct epitem *ep_links;        /* protected by ep_lock */
        struct path path;               /* immutable; empty for host passthrough files */
        /* Set once at open (open.c): the inode whose writecount this file
         * holds (a reference), +1 as a writer or -1 as a program being
         * executed; released with the file (or a -1 earlier, by
         * file_allow_write_access()). */
        struct inode *wc_inode;
        int wc;
        bool fsn_counted;               /* in its inode's fsn_opens (fsnotify.c) */
};

/* The inode of a file opened by path, or NULL. */
static inline struct inode *file_inode(const struct file *f)
{
        return f->path.dentry ? f->path.dentry->inode : NULL;
}

/* Whether a write of src to f goes to the end of the file: O_APPEND, or
 * RWF_APPEND, unless RWF_NOAPPEND. */
static inline bool file_write_appends(const struct file *f, const struct iov_iter *src)
{
        if (src->flags & IOV_NOAPPEND)
                return false;
        return (f->flags & O_APPEND) || (src->flags & IOV_APPEND);
}

/* Initialise the generic part; refcount starts at 1 (the caller's). */
void file_init(struct file *f, const struct file_ops *ops, unsigned flags, bool stream);
/* A new struct file (plain, released by free()) with file_init() done. */
int file_new(const struct file_ops *ops, unsigned flags, struct file **ret);
struct file *file_ref(struct file *f);
struct file *file_unref(struct file *f);        /* accepts NULL, returns NULL */
/* file_ref/file_unref for the mm: a mapping of f holds it (mm.h's
 * struct mm_vm_file { f, &file_vm_file_ops }), as Linux's vma->vm_file. */
extern const struct mm_vm_file_ops file_vm_file_ops;
/* Linux's allow_write_access() after open_exec(): f, opened by
 * vfs_open_exec(), no longer keeps writers out (ETXTBSY) while it lives
 * (exec's interpreter once loaded, whose mappings keep it). Call while
 * nobody else uses f. */
void file_allow_write_access(struct file *f);

/* Whether f may be read (written) at all: -EBADF if not opened for it,
 * -EINVAL if the file has no such operation. Linux checks this before it
 * looks at the caller's buffers. */
int vfs_may_read(const struct file *f);
int vfs_may_write(const struct file *f);

/* Generic entry points: check the access mode, then call the ops. pos < 0
 * means "use and advance the file position". */
ssize_t vfs_read(struct file *f, const struct iov_iter *dst, int64_t pos);
ssize_t vfs_write(struct file *f, const struct iov_iter *src, int64_t pos);
/* The ops' stat, or the inode's attributes. */
int vfs_stat(struct file *f, struct stat *ret);
/* getdents: -EBADF for O_PATH, -ENOTDIR without iterate, -ENOENT in a
 * removed directory. */
int vfs_iterate(struct file *f, d_emit_fn emit, void *ctx);
/* Reading/writing is allowed by the access mode (and the file is no O_PATH). */
bool file_readable(const struct file *f);
bool file_writable(const struct file *f);
int vfs_ioctl(struct file *f, unsigned cmd, void *arg);
int64_t vfs_llseek(struct file *f, int64_t offset, int whence);
/* llseek's common part for files with a size (Linux's
 * generic_file_llseek_size()): SEEK_SET, SEEK_CUR and SEEK_END against size,
 * under f->pos_lock; -EINVAL for a negative result or any other whence (a
 * file system answers SEEK_DATA and SEEK_HOLE itself, then sets the
 * position it found with generic_llseek_to()). */
int64_t generic_llseek(struct file *f, int64_t offset, int whence, int64_t size);
int64_t generic_llseek_to(struct file *f, int64_t pos);
unsigned vfs_poll(struct file *f);
/* fallocate(2) with Linux's vfs_fallocate() checks in order: -EINVAL
 * (offset < 0, len <= 0), -EOPNOTSUPP (unknown or ill-combined mode), -EBADF
 * (not open for writing), -ESPIPE (pipes and FIFOs), -EISDIR, -ENODEV (not a
 * regular file), -EFBIG (offset + len overflows), then the ops. */
int vfs_fallocate(struct file *f, int mode, int64_t offset, int64_t len);
/* sync.c: fsync through the ops (-EINVAL without the slot); a file_ops.fsync
 * for data that lives in memory; sync_file_range(2): -EINVAL for unknown
 * flags or a bad range, -ESPIPE unless a regular file, block device,
 * directory or symlink, else 0 (nothing here waits for writeback). */
int vfs_fsync(struct file *f, bool datasync);
int noop_fsync(struct file *f, bool datasync);
int vfs_sync_file_range(struct file *f, int64_t offset, int64_t nbytes, unsigned flags);
/* The stat of a file with no inode of its own (epoll, eventfd, timerfd,
 * signalfd: Linux's anonymous inode): mode 0600, one link, an inode number
 * unique while the file lives. Usable as a file_ops.stat. */
int vfs_anon_stat(struct file *f, struct stat *ret);

/* Consume n bytes from the front of it (copying the iovecs into storage,
 * which holds it->nr entries). */
void iov_iter_advance(struct iov_iter *it, struct iovec *storage, size_t n);

/* epoll (epoll.c). The file is an epoll instance; ctl ops are EPOLL_CTL_*,
 * fd is the guest's number for target (kept only to tell registrations of
 * the same file apart, as Linux does). */
int epoll_create_file(unsigned flags, struct file **ret);
bool file_is_epoll(const struct file *f);
int epoll_ctl_file(struct file *ep, int op, int fd, struct file *target, uint32_t events,
                   uint64_t data);
/* Collect up to max ready events into evs (struct epoll_event layout).
 * -EAGAIN when none is ready: the caller waits on ep->wq and asks again. */
int epoll_collect(struct file *ep, struct epoll_event *evs, int max);
/* Called when f's last reference goes: unhook it from every epoll. */
void eventpoll_release(struct file *f);

/* eventfd (eventfd.c): flags EFD_CLOEXEC (ignored here), EFD_NONBLOCK,
 * EFD_SEMAPHORE. */
int eventfd_create(uint64_t initval, unsigned flags, struct file **ret);

/* timerfd (timerfd.c): clockid already validated by the caller; flags
 * TFD_NONBLOCK. Times are Linux's struct itimerspec. */
struct ktimer_service;
struct itimerspec;
int timerfd_create_file(struct ktimer_service *timers, int clockid, unsigned flags,
                        struct file **ret);
bool file_is_timerfd(const struct file *f);
int timerfd_settime_file(struct file *f, int flags, const struct itimerspec *nv,
                         struct itimerspec *old);
void timerfd_gettime_file(struct file *f, struct itimerspec *cur);

/* Pipes (pipe.c): a connected read end and write end. flags: O_NONBLOCK,
 * O_DIRECT (packet mode). A write returning -EPIPE means the writer gets
 * SIGPIPE, as Linux sends in pipe_write(); the syscall layer sends it. */
int pipe_create(unsigned flags, struct file **ret_read, struct file **ret_write);
bool file_is_pipe(struct file *f);
/* splice(2) and tee(2) between two pipes, in one pass as Linux's
 * splice_pipe_to_pipe() and link_pipe(): move (tee: copy, leaving the
 * input alone) up to len bytes, buffer by buffer. Returns the bytes moved;
 * 0 when in is empty with no writer (and out has room); -EAGAIN when in is
 * empty
 * (*ret_wait_out false: wait for EPOLLIN on in->wq) or out is full (true:
 * EPOLLOUT on out->wq); -EPIPE when out has no reader (*ret_wait_out true);
 * -EINVAL for the same pipe or a file that is no pipe. */
ssize_t pipe_splice(struct file *in, struct file *out, size_t len, bool tee, bool *ret_wait_out);
/* Whether f's pipe takes a write now (Linux's wait_for_space()): 0,
 * -EAGAIN when full, -EPIPE with no reader, -EINVAL if f is no pipe. */
int pipe_check_space(struct file *f);
/* F_GETPIPE_SZ / F_SETPIPE_SZ: -EBADF if f is not a pipe, as Linux. */
long pipe_get_size(struct file *f);
long pipe_set_size(struct file *f, unsigned long size);
/* FIFOs: open an end of the pipe the inode shares while any end is open
 * (the fs's inode_ops.open for S_IFIFO). flags: O_ACCMODE (O_RDWR never
 * waits; 3 is -EINVAL), O_NONBLOCK (-ENXIO for a writer with no reader).
 * Linux's open blocks an end opened for reading or writing alone until its
 * partner comes: call fifo_open_ready() before handing the file out. */
int fifo_open(struct inode *inode, unsigned flags, struct file **ret);
/* 0 once f may be handed out (its partner has come, or f needs none, or f
 * is no FIFO); -EAGAIN: wait on f->wq (EPOLLIN|EPOLLOUT) and ask again.
 * Giving up (a signal) is dropping f, as Linux's wait_for_partner(). */
int fifo_open_ready(struct file *f);


/* memfd (fs/tmpfs/memfd.c): a tmpfs file with no name on the namespace's
 * internal tmpfs, open O_RDWR, /proc link "/memfd:NAME (deleted)". flags:
 * MEMFD_ALLOW_SEALING, MEMFD_NOEXEC_SEAL (mode 0666 and F_SEAL_EXEC; the
 * caller checked the flags). */
#define MEMFD_ALLOW_SEALING 0x2u
#define MEMFD_NOEXEC_SEAL   0x8u
int memfd_create_file(struct mnt_namespace *ns, const char *name, unsigned flags,
                      const struct vfs_cred *c, struct file **ret);
/* F_GET_SEALS: the seals of a tmpfs regular file; -EINVAL for any other. */
int memfd_get_seals(struct file *f);
/* F_ADD_SEALS: -EPERM (not open for writing, or F_SEAL_SEAL), -EINVAL
 * (unknown seals, not a tmpfs file), -EBUSY (F_SEAL_WRITE while a shared
 * mapping may write). */
int memfd_add_seals(struct file *f, unsigned seals);

/* Cursor over an iov_iter for sequential copies. */
struct iov_cursor {
        const struct iov_iter *it;
        int idx;
        size_t off;                     /* within it->iov[idx] */
};

void iov_cursor_init(struct iov_cursor *c, const struct iov_iter *it);
/* Copy len bytes into (or zeroes into) the iovecs / out of them; returns the
 * bytes moved (less at the end of the iovecs). */
size_t iov_cursor_copy_to(struct iov_cursor *c, const void *src, size_t len);
size_t iov_cursor_zero(struct iov_cursor *c, size_t len);
size_t iov_cursor_copy_from(struct iov_cursor *c, void *dst, size_t len);
/* Step over len bytes of the iovecs; returns how many there were. */
size_t iov_cursor_skip(struct iov_cursor *c, size_t len);
/* Move len bytes from the iovecs to host fd at off (pwritev) or from fd at
 * off into them (preadv), the kernel doing the copy: for data the sentry
 * would otherwise touch through a fresh mapping (the memory file's new
 * pages), where each first touch costs a page fault. Returns the bytes
 * moved (less at the end of the iovecs or on a short transfer; the cursor
 * advances by that much) or -errno when nothing moved. */
ssize_t iov_cursor_pwrite(struct iov_cursor *c, int fd, int64_t off, size_t len);
ssize_t iov_cursor_pread(struct iov_cursor *c, int fd, int64_t off, size_t len);

/* A file passing through to a host fd the launcher handed in (stdio).
 * Consumes host_fd. */
int hostfile_open(int host_fd, struct file **ret);
bool file_is_hostfile(const struct file *f);

#endif
