/*
 * The memory devices, as Linux's drivers/char/mem.c and random.c: null,
 * zero, full, random and urandom. None of them moves the file position (the
 * read and write paths ignore it) and lseek always answers 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/sysmacros.h>

#include "devfs.h"
#include "lib/macro.h"

static ssize_t null_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        (void)f, (void)dst, (void)pos;
        return 0;
}

/* null, zero, random, urandom: take everything (Linux's write_null; writes
 * to random only mix into the pool). */
static ssize_t null_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        (void)f, (void)pos;
        return (ssize_t)src->count;
}

static ssize_t zero_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct iov_cursor c;

        (void)f, (void)pos;
        iov_cursor_init(&c, dst);
        return (ssize_t)iov_cursor_zero(&c, dst->count);
}

static ssize_t full_write(struct file *f, const struct iov_iter *src, int64_t *pos)
{
        (void)f, (void)src, (void)pos;
        return -ENOSPC;
}

/* Linux's null_lseek: the position is always 0. */
static int64_t null_llseek(struct file *f, int64_t offset, int whence)
{
        (void)offset, (void)whence;
        pthread_mutex_lock(&f->pos_lock);
        f->pos = 0;
        pthread_mutex_unlock(&f->pos_lock);
        return 0;
}

/* random and urandom: the host's pool, as getrandom(2) gives it. */
static ssize_t random_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        size_t done = 0;

        (void)f, (void)pos;
        for (int i = 0; i < dst->nr; i++) {
                char *p = dst->iov[i].iov_base;
                size_t len = dst->iov[i].iov_len, off = 0;

                while (off < len) {
                        ssize_t n = getrandom(p + off, len - off, 0);

                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return done ? (ssize_t)done : -errno;
                        }
                        off += (size_t)n;
                        done += (size_t)n;
                }
        }
        return (ssize_t)done;
}

static const struct file_ops null_ops = {
        .read = null_read,
        .write = null_write,
        .llseek = null_llseek,
};

static const struct file_ops zero_ops = {
        .read = zero_read,
        .write = null_write,
        .llseek = null_llseek,
};

static const struct file_ops full_ops = {
        .read = zero_read,
        .write = full_write,
        .llseek = null_llseek,
};

static const struct file_ops random_ops = {
        .read = random_read,
        .write = null_write,
        .llseek = null_llseek,
};

static int mem_open(const struct file_ops *ops, unsigned flags, struct file **ret)
{
        return file_new(ops, flags, ret);
}

static int null_open(const struct chrdev *dev, unsigned flags, struct file **ret)
{
        (void)dev;
        return mem_open(&null_ops, flags, ret);
}

static int zero_open(const struct chrdev *dev, unsigned flags, struct file **ret)
{
        (void)dev;
        return mem_open(&zero_ops, flags, ret);
}

static int full_open(const struct chrdev *dev, unsigned flags, struct file **ret)
{
        (void)dev;
        return mem_open(&full_ops, flags, ret);
}

static int random_open(const struct chrdev *dev, unsigned flags, struct file **ret)
{
        (void)dev;
        return mem_open(&random_ops, flags, ret);
}

const struct chrdev devfs_mem_devices[] = {
        { "null",    1, 3, 0666, null_open },
        { "zero",    1, 5, 0666, zero_open },
        { "full",    1, 7, 0666, full_open },
        { "random",  1, 8, 0666, random_open },
        { "urandom", 1, 9, 0666, random_open },
};
const size_t devfs_nr_mem_devices = ARRAY_SIZE(devfs_mem_devices);
