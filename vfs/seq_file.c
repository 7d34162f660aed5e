/* Generated files: a growable buffer and the file ops that read a snapshot
 * of it (see seq_file.h). */
#include "seq_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void seqbuf_release(struct seqbuf *b)
{
        free(b->data);
        *b = SEQBUF_INIT;
}

/* Room for n more bytes plus a NUL. */
static bool seqbuf_reserve(struct seqbuf *b, size_t n)
{
        size_t cap;
        char *p;

        if (b->enomem)
                return false;
        if (b->len + n + 1 <= b->cap)
                return true;
        cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) {
                if (cap > SIZE_MAX / 2) {
                        b->enomem = true;
                        return false;
                }
                cap *= 2;
        }
        p = realloc(b->data, cap);
        if (!p) {
                b->enomem = true;
                return false;
        }
        b->data = p;
        b->cap = cap;
        return true;
}

void seqbuf_write(struct seqbuf *b, const void *p, size_t n)
{
        if (!seqbuf_reserve(b, n))
                return;
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
}

void seqbuf_puts(struct seqbuf *b, const char *s)
{
        seqbuf_write(b, s, strlen(s));
}

void seqbuf_putc(struct seqbuf *b, char c)
{
        seqbuf_write(b, &c, 1);
}

void seqbuf_printf(struct seqbuf *b, const char *fmt, ...)
{
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || !seqbuf_reserve(b, (size_t)n))
                return;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
}

int seqbuf_error(const struct seqbuf *b)
{
        return b->enomem ? -ENOMEM : 0;
}

size_t seqbuf_read(const struct seqbuf *b, const struct iov_iter *dst, int64_t *pos)
{
        struct iov_cursor c;
        size_t n;

        if (*pos < 0 || (uint64_t)*pos >= b->len)
                return 0;
        iov_cursor_init(&c, dst);
        n = iov_cursor_copy_to(&c, b->data + *pos, b->len - (size_t)*pos);
        *pos += (int64_t)n;
        return n;
}

int seq_file_open(const struct file_ops *ops, unsigned flags, struct seqbuf *buf,
                  struct file **ret)
{
        struct seq_file *sf;
        int r = seqbuf_error(buf);

        if (r < 0) {
                seqbuf_release(buf);
                return r;
        }
        sf = calloc(1, sizeof(*sf));
        if (!sf) {
                seqbuf_release(buf);
                return -ENOMEM;
        }
        file_init(&sf->base, ops, flags, false);
        sf->buf = *buf;
        *buf = SEQBUF_INIT;
        *ret = &sf->base;
        return 0;
}

ssize_t seq_file_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        return (ssize_t)seqbuf_read(&to_seq_file(f)->buf, dst, pos);
}

int64_t seq_file_llseek(struct file *f, int64_t offset, int whence)
{
        int64_t r = -EINVAL;

        pthread_mutex_lock(&f->pos_lock);
        if (whence == SEEK_CUR && __builtin_add_overflow(offset, f->pos, &offset))
                offset = -1;
        if ((whence == SEEK_SET || whence == SEEK_CUR) && offset >= 0)
                r = f->pos = offset;
        pthread_mutex_unlock(&f->pos_lock);
        return r;
}

void seq_file_release(struct file *f)
{
        struct seq_file *sf = to_seq_file(f);

        seqbuf_release(&sf->buf);
        free(sf);
}

const struct file_ops seq_file_ops = {
        .read = seq_file_read,
        .llseek = seq_file_llseek,
        .release = seq_file_release,
};
