/* Copies between files inside the sentry: sendfile, copy_file_range,
 * splice and tee. Linux moves the pages through a pipe; here they go
 * through a bounce buffer (pipe to pipe: pipe_splice()), with Linux's
 * argument checks and errnos. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "path.h"
#include "sentry/kernel/kerrno.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "uio.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

#define BOUNCE_SIZE (64 * 1024)

/* Whether f has what Linux's splice needs: files with an inode (not
 * directories), host stdio; as output also pipes. eventfd, epoll and the
 * like have neither splice_read nor splice_write. */
static bool splice_ok(struct file *f, bool out)
{
        struct inode *inode = file_inode(f);

        if (out && file_is_pipe(f))
                return true;
        if (inode)
                return !S_ISDIR(inode->mode);
        return file_is_hostfile(f);
}

/* One read or write of the bounce buffer (n bytes of it). */
static ssize_t bounce_io(struct file *f, bool write, char *buf, size_t n, int64_t pos)
{
        struct iovec v = { buf, n };
        struct iov_iter it = { .iov = &v, .nr = 1, .count = n };

        return write ? vfs_write(f, &it, pos) : vfs_read(f, &it, pos);
}

/* Write all of buf[0..n) to out at *out_pos (< 0: its position), waiting
 * while a blocking pipe is full. Returns the bytes written (maybe fewer
 * after a signal or on a non-blocking pipe), or -errno if none. */
static ssize_t write_out(struct task *t, struct file *out, int64_t *out_pos, const char *buf,
                         size_t n, bool nonblock)
{
        bool blocking = out->wq && !nonblock && !(out->flags & O_NONBLOCK);
        struct task_waiter tw;
        bool queued = false;
        size_t done = 0;
        ssize_t r = 0;

        task_waiter_init(&tw, t, EPOLLOUT | EPOLLERR);
        while (done < n) {
                if (queued)
                        task_prepare_block(t);
                r = bounce_io(out, true, (char *)buf + done, n - done, *out_pos);
                if (r > 0) {
                        done += (size_t)r;
                        if (*out_pos >= 0)
                                *out_pos += r;
                        continue;
                }
                if (r != -EAGAIN || !blocking || done)
                        break;
                if (!queued) {
                        waitqueue_add(out->wq, &tw.w);
                        queued = true;
                        continue;
                }
                if (task_block(t, NULL) == -EINTR) {
                        r = -ERESTARTSYS;
                        break;
                }
        }
        if (queued)
                waitqueue_remove(out->wq, &tw.w);
        return done ? (ssize_t)done : r;
}

/* Before a file is read into pipe out: wait for room (Linux's
 * wait_for_space()); -EPIPE (with SIGPIPE) when nobody reads it. */
static long space_attempt(struct task *t, void *out)
{
        (void)t;
        return pipe_check_space(out);
}

static long wait_for_space(struct task *t, struct file *out, bool nonblock)
{
        long r = task_wait_event(t, out->wq, EPOLLOUT | EPOLLERR, nonblock, NULL,
                                 space_attempt, out);

        if (r == -EINTR)
                return -ERESTARTSYS;
        if (r == -EPIPE)
                syscall_send_sigpipe(t);
        return r;
}

/* Copy up to count bytes from in at *in_pos (< 0: its own position, for
 * files whose backend keeps it) to out at *out_pos (< 0: its position).
 * Stops at EOF or a short write; positions advance by what was copied. A
 * full pipe is waited for only while nothing was copied (Linux fills a
 * pipe in one pass). */
static ssize_t copy_loop(struct task *t, struct file *in, int64_t *in_pos, struct file *out,
                         int64_t *out_pos, size_t count, bool nonblock)
{
        char *buf = malloc(BOUNCE_SIZE);
        size_t done = 0;
        ssize_t r = 0;

        if (!buf)
                return -ENOMEM;
        while (done < count) {
                size_t want = count - done < BOUNCE_SIZE ? count - done : BOUNCE_SIZE;
                ssize_t got, put;

                got = bounce_io(in, false, buf, want, *in_pos);
                if (got <= 0) {
                        r = got;
                        break;
                }
                put = write_out(t, out, out_pos, buf, (size_t)got, nonblock || done > 0);
                if (put > 0) {
                        done += (size_t)put;
                        if (*in_pos >= 0)
                                *in_pos += put;
                }
                /* Unwritten data from a file keeping its own position:
                 * give the position back. */
                if (*in_pos < 0 && put < got)
                        vfs_llseek(in, (put > 0 ? put : 0) - got, SEEK_CUR);
                if (put <= 0) {
                        r = put;
                        break;
                }
                if (put < got || task_signal_pending(t))
                        break;
        }
        free(buf);
        return done ? (ssize_t)done : r;
}

/* The file position of f, or -1 when the backend keeps it or f has none. */
static int64_t file_pos_get(struct file *f)
{
        int64_t pos;

        if (f->stream || f->backend_pos)
                return -1;
        pthread_mutex_lock(&f->pos_lock);
        pos = f->pos;
        pthread_mutex_unlock(&f->pos_lock);
        return pos;
}

static void file_pos_set(struct file *f, int64_t pos)
{
        if (pos < 0)
                return;
        pthread_mutex_lock(&f->pos_lock);
        f->pos = pos;
        pthread_mutex_unlock(&f->pos_lock);
}

/* Linux's do_sendfile(). */
static long do_sendfile(struct task *t, int out_fd, int in_fd, int64_t *ppos, size_t count)
{
        struct file *in, *out = NULL;
        int64_t pos, out_pos = -1;
        long r;

        in = task_fget(t, in_fd);
        if (!in)
                return -EBADF;
        r = -EBADF;
        if (!file_readable(in))
                goto out;
        if (ppos) {
                r = -ESPIPE;
                if (in->stream)
                        goto out;
                pos = *ppos;
        } else {
                pos = file_pos_get(in);
        }
        r = -EINVAL;
        if (ppos && pos < 0)
                goto out;
        if (count > MAX_RW_COUNT)
                count = MAX_RW_COUNT;
        r = -EBADF;
        out = task_fget(t, out_fd);
        if (!out || !file_writable(out))
                goto out;
        r = -EINVAL;
        if (!splice_ok(in, false) || !in->ops->read || !splice_ok(out, true) ||
            !out->ops->write)
                goto out;
        if (!file_is_pipe(out)) {
                if (out->flags & O_APPEND)
                        goto out;
                out_pos = file_pos_get(out);
        } else if ((r = wait_for_space(t, out, (in->flags | out->flags) & O_NONBLOCK)) < 0) {
                goto out;
        }
        r = copy_loop(t, in, &pos, out, &out_pos, count, in->flags & O_NONBLOCK);
        if (r == -EPIPE)
                syscall_send_sigpipe(t);
        if (ppos)
                *ppos = pos;
        else
                file_pos_set(in, pos);
        file_pos_set(out, out_pos);
out:
        file_unref(out);
        file_unref(in);
        return r;
}

long sys_sendfile(struct task *t, const struct syscall_args *a)
{
        int64_t pos;
        long r, w;

        if (!a->a[2])
                return do_sendfile(t, (int)a->a[0], (int)a->a[1], NULL, a->a[3]);
        r = mm_copy_in(t->mm, &pos, a->a[2], sizeof(pos));
        if (r < 0)
                return r;
        r = do_sendfile(t, (int)a->a[0], (int)a->a[1], &pos, a->a[3]);
        /* The offset is written back even after an error, as Linux. */
        w = mm_copy_out(t->mm, a->a[2], &pos, sizeof(pos));
        return w < 0 ? w : r;
}

/* Linux's generic_copy_file_checks() and the rest of vfs_copy_file_range()'s:
 * count is cut to EOF. */
static int copy_range_checks(struct file *in, int64_t pos_in, struct file *out, int64_t pos_out,
                             size_t *count)
{
        struct inode *iin = file_inode(in), *iout = file_inode(out);
        int64_t size;

        if (!iin || !iout)
                return -EINVAL;         /* pipes, eventfds...: not regular */
        if (S_ISDIR(iin->mode) || S_ISDIR(iout->mode))
                return -EISDIR;
        if (!S_ISREG(iin->mode) || !S_ISREG(iout->mode))
                return -EINVAL;
        if (!file_readable(in) || !file_writable(out) || (out->flags & O_APPEND))
                return -EBADF;
        if ((uint64_t)pos_in + *count < (uint64_t)pos_in ||
            (uint64_t)pos_out + *count < (uint64_t)pos_out)
                return -EOVERFLOW;
        {
                struct stat st;         /* through the fs: layered ones know better */
                int r = vfs_stat(in, &st);

                if (r < 0)
                        return r;
                size = st.st_size;
        }
        if (pos_in >= size)
                *count = 0;
        else if (*count > (uint64_t)(size - pos_in))
                *count = (size_t)(size - pos_in);
        if (iin == iout && (uint64_t)pos_out + *count > (uint64_t)pos_in &&
            (uint64_t)pos_out < (uint64_t)pos_in + *count)
                return -EINVAL;         /* overlapping copy within the file */
        if (pos_in < 0 || pos_out < 0)
                return -EINVAL;
        if (iin->sb != iout->sb)
                return -EXDEV;          /* no fs here copies across superblocks */
        return 0;
}

long sys_copy_file_range(struct task *t, const struct syscall_args *a)
{
        guest_ptr_t uoff_in = a->a[1], uoff_out = a->a[3];
        size_t count = a->a[4];
        struct file *in, *out = NULL;
        int64_t pos_in, pos_out;
        long r;

        in = task_fget(t, (int)a->a[0]);
        if (!in)
                return -EBADF;
        r = -EBADF;
        out = task_fget(t, (int)a->a[2]);
        if (!out)
                goto out;
        pos_in = file_pos_get(in);
        pos_out = file_pos_get(out);
        if (uoff_in && (r = mm_copy_in(t->mm, &pos_in, uoff_in, sizeof(pos_in))) < 0)
                goto out;
        if (uoff_out && (r = mm_copy_in(t->mm, &pos_out, uoff_out, sizeof(pos_out))) < 0)
                goto out;
        r = -EINVAL;
        if ((unsigned)a->a[5] != 0)
                goto out;
        r = copy_range_checks(in, pos_in, out, pos_out, &count);
        if (r < 0 || count == 0)
                goto out;
        if (count > MAX_RW_COUNT)
                count = MAX_RW_COUNT;
        r = copy_loop(t, in, &pos_in, out, &pos_out, count, false);
        if (r > 0) {
                if (uoff_in) {
                        if (mm_copy_out(t->mm, uoff_in, &pos_in, sizeof(pos_in)) < 0)
                                r = -EFAULT;
                } else {
                        file_pos_set(in, pos_in);
                }
                if (uoff_out) {
                        if (mm_copy_out(t->mm, uoff_out, &pos_out, sizeof(pos_out)) < 0)
                                r = -EFAULT;
                } else {
                        file_pos_set(out, pos_out);
                }
        }
out:
        file_unref(out);
        file_unref(in);
        return r;
}

/* ---- splice and tee ------------------------------------------------------ */

#define SPLICE_F_NONBLOCK_K 0x02u
#define SPLICE_F_ALL_K      0x0fu       /* MOVE, NONBLOCK, MORE, GIFT */

/* Wait until pipe_splice() moves something (or fails otherwise), on the
 * input's queue when it is empty and the output's when it is full. */
static long pipe_to_pipe(struct task *t, struct file *in, struct file *out, size_t len, bool tee,
                         bool nonblock)
{
        struct task_waiter tin, tout;
        bool queued = false, wait_out = false;
        long r;

        task_waiter_init(&tin, t, EPOLLIN | EPOLLHUP);
        task_waiter_init(&tout, t, EPOLLOUT | EPOLLERR);
        for (;;) {
                if (queued)
                        task_prepare_block(t);
                r = pipe_splice(in, out, len, tee, &wait_out);
                if (r != -EAGAIN || nonblock)
                        break;
                if (!queued) {
                        waitqueue_add(in->wq, &tin.w);
                        waitqueue_add(out->wq, &tout.w);
                        queued = true;
                        continue;
                }
                if (task_block(t, NULL) == -EINTR) {
                        r = -ERESTARTSYS;
                        break;
                }
        }
        if (queued) {
                waitqueue_remove(in->wq, &tin.w);
                waitqueue_remove(out->wq, &tout.w);
        }
        if (r == -EPIPE)
                syscall_send_sigpipe(t);
        return r;
}

/* From a pipe to a file at *out_pos (< 0: its position): what the pipe
 * has, up to len, waiting only while it is empty. */
static long pipe_to_file(struct task *t, struct file *in, struct file *out, int64_t *out_pos,
                         size_t len, bool nonblock)
{
        char *buf = malloc(BOUNCE_SIZE);
        struct task_waiter tw;
        bool queued = false;
        size_t done = 0;
        long r = 0;

        if (!buf)
                return -ENOMEM;
        task_waiter_init(&tw, t, EPOLLIN | EPOLLHUP);
        while (done < len) {
                size_t want = len - done < BOUNCE_SIZE ? len - done : BOUNCE_SIZE;
                ssize_t got, put;

                if (queued)
                        task_prepare_block(t);
                got = bounce_io(in, false, buf, want, -1);
                if (got == -EAGAIN && !done && !nonblock) {
                        if (!queued) {
                                waitqueue_add(in->wq, &tw.w);
                                queued = true;
                                continue;
                        }
                        if (task_block(t, NULL) == -EINTR) {
                                r = -ERESTARTSYS;
                                break;
                        }
                        continue;
                }
                if (got <= 0) {
                        r = got;
                        break;
                }
                /* What left the pipe is written whole (files do not block). */
                put = write_out(t, out, out_pos, buf, (size_t)got, false);
                if (put <= 0) {
                        r = put;
                        break;
                }
                done += (size_t)put;
                if ((size_t)got < want)
                        break;
        }
        if (queued)
                waitqueue_remove(in->wq, &tw.w);
        free(buf);
        return done ? (long)done : r;
}

/* Linux's do_splice(), offsets already read. */
static long do_splice(struct task *t, struct file *in, int64_t *off_in, struct file *out,
                      int64_t *off_out, size_t len, unsigned flags)
{
        bool ipipe = file_is_pipe(in), opipe = file_is_pipe(out);
        bool nonblock = flags & SPLICE_F_NONBLOCK_K;
        int64_t pos;
        long r;

        if (!file_readable(in) || !file_writable(out))
                return -EBADF;
        if (ipipe && opipe)
                return pipe_to_pipe(t, in, out, len, false,
                                    nonblock || ((in->flags | out->flags) & O_NONBLOCK));
        if (len > MAX_RW_COUNT)
                len = MAX_RW_COUNT;
        if (ipipe) {
                if (off_out && out->stream)
                        return -EINVAL;
                if (out->flags & O_APPEND)
                        return -EINVAL;
                pos = off_out ? *off_out : file_pos_get(out);
                if (off_out && pos < 0)
                        return -EINVAL;
                if (!splice_ok(out, true) || !out->ops->write)
                        return -EINVAL;
                r = pipe_to_file(t, in, out, &pos, len, nonblock || (in->flags & O_NONBLOCK));
                if (off_out)
                        *off_out = pos;
                else
                        file_pos_set(out, pos);
                return r;
        }
        if (opipe) {
                if (off_in && in->stream)
                        return -EINVAL;
                pos = off_in ? *off_in : file_pos_get(in);
                if (off_in && pos < 0)
                        return -EINVAL;
                if (!splice_ok(in, false) || !in->ops->read)
                        return -EINVAL;
                int64_t out_pos = -1;

                nonblock = nonblock || (out->flags & O_NONBLOCK);
                r = wait_for_space(t, out, nonblock);
                if (r < 0)
                        return r;
                r = copy_loop(t, in, &pos, out, &out_pos, len, nonblock);
                if (r == -EPIPE)
                        syscall_send_sigpipe(t);
                if (off_in)
                        *off_in = pos;
                else
                        file_pos_set(in, pos);
                return r;
        }
        return -EINVAL;
}

long sys_splice(struct task *t, const struct syscall_args *a)
{
        guest_ptr_t uoff_in = a->a[1], uoff_out = a->a[3];
        unsigned flags = (unsigned)a->a[5];
        struct file *in, *out = NULL;
        int64_t off_in, off_out;
        size_t len = a->a[4];
        long r;

        if (len == 0)
                return 0;
        if (flags & ~SPLICE_F_ALL_K)
                return -EINVAL;
        in = task_fget(t, (int)a->a[0]);
        if (!in)
                return -EBADF;
        r = -EBADF;
        out = task_fget(t, (int)a->a[2]);
        if (!out)
                goto out;
        r = -ESPIPE;
        if ((file_is_pipe(in) && uoff_in) || (file_is_pipe(out) && uoff_out))
                goto out;
        if (uoff_out && (r = mm_copy_in(t->mm, &off_out, uoff_out, sizeof(off_out))) < 0)
                goto out;
        if (uoff_in && (r = mm_copy_in(t->mm, &off_in, uoff_in, sizeof(off_in))) < 0)
                goto out;
        r = do_splice(t, in, uoff_in ? &off_in : NULL, out, uoff_out ? &off_out : NULL, len, flags);
        if (r < 0)
                goto out;
        if (uoff_out && mm_copy_out(t->mm, uoff_out, &off_out, sizeof(off_out)) < 0)
                r = -EFAULT;
        else if (uoff_in && mm_copy_out(t->mm, uoff_in, &off_in, sizeof(off_in)) < 0)
                r = -EFAULT;
out:
        file_unref(out);
        file_unref(in);
        return r;
}

long sys_tee(struct task *t, const struct syscall_args *a)
{
        unsigned flags = (unsigned)a->a[3];
        struct file *in, *out = NULL;
        size_t len = a->a[2];
        long r;

        if (flags & ~SPLICE_F_ALL_K)
                return -EINVAL;
        if (len == 0)
                return 0;
        in = task_fget(t, (int)a->a[0]);
        if (!in)
                return -EBADF;
        r = -EBADF;
        out = task_fget(t, (int)a->a[1]);
        if (!out || !file_readable(in) || !file_writable(out))
                goto out;
        r = -EINVAL;
        if (!file_is_pipe(in) || !file_is_pipe(out))
                goto out;
        r = pipe_to_pipe(t, in, out, len, true,
                         (flags & SPLICE_F_NONBLOCK_K) || ((in->flags | out->flags) & O_NONBLOCK));
out:
        file_unref(out);
        file_unref(in);
        return r;
}
