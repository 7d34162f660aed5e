/*
 * Generated files, in the manner of Linux's seq_file with single_open(): the
 * contents are produced once, at open, into a growable buffer (a snapshot),
 * and reads at any offset copy out of it. Used by procfs and sysfs.
 */
#ifndef CONTERNEL_VFS_SEQ_FILE_H
#define CONTERNEL_VFS_SEQ_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/macro.h"
#include "vfs/file.h"

/* A growable text buffer. Appending never fails on the spot: an allocation
 * failure is remembered and reported by seqbuf_error(), so generators can
 * print without checking every call. */
struct seqbuf {
        char *data;
        size_t len, cap;
        bool enomem;
};

#define SEQBUF_INIT ((struct seqbuf){ 0 })

void seqbuf_release(struct seqbuf *b);
void seqbuf_write(struct seqbuf *b, const void *p, size_t n);
void seqbuf_puts(struct seqbuf *b, const char *s);
void seqbuf_putc(struct seqbuf *b, char c);
__attribute__((format(printf, 2, 3)))
void seqbuf_printf(struct seqbuf *b, const char *fmt, ...);
/* -ENOMEM if any append failed, else 0. */
int seqbuf_error(const struct seqbuf *b);
/* Copy b's bytes from *pos on into dst, advancing *pos; returns the bytes
 * copied (0 at or past the end). */
size_t seqbuf_read(const struct seqbuf *b, const struct iov_iter *dst, int64_t *pos);

/* An open generated file: the snapshot and whatever its fs keeps. */
struct seq_file {
        struct file base;
        struct seqbuf buf;              /* immutable after open */
        void *private;                  /* the opener's; not freed here */
};

static inline struct seq_file *to_seq_file(struct file *f)
{
        return container_of(f, struct seq_file, base);
}

/* A new seq_file with ops (read, llseek and release usually the ones below)
 * holding *buf (consumed: *buf is reset). -ENOMEM, or buf's own error (the
 * buffer is released then too). */
int seq_file_open(const struct file_ops *ops, unsigned flags, struct seqbuf *buf,
                  struct file **ret);
ssize_t seq_file_read(struct file *f, const struct iov_iter *dst, int64_t *pos);
/* Linux's seq_lseek: SEEK_SET and SEEK_CUR to offsets >= 0, else -EINVAL. */
int64_t seq_file_llseek(struct file *f, int64_t offset, int whence);
void seq_file_release(struct file *f);

/* read + llseek + release: a read-only generated file. */
extern const struct file_ops seq_file_ops;

#endif
