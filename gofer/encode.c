/* Appending protocol fields to a message buffer (protocol.h). */
#include <errno.h>
#include <string.h>

#include "gofer/message.h"

void gofer_wbuf_init(struct gofer_wbuf *w, void *buf, size_t cap)
{
        w->buf = buf;
        w->len = 0;
        w->cap = cap;
        w->err = 0;
}

void gofer_put_bytes(struct gofer_wbuf *w, const void *p, size_t n)
{
        if (w->err)
                return;
        if (n > w->cap - w->len) {
                w->err = -EMSGSIZE;
                return;
        }
        if (n)
                memcpy(w->buf + w->len, p, n);
        w->len += n;
}

void gofer_put_u8(struct gofer_wbuf *w, uint8_t v)
{
        gofer_put_bytes(w, &v, sizeof(v));
}

void gofer_put_u16(struct gofer_wbuf *w, uint16_t v)
{
        gofer_put_bytes(w, &v, sizeof(v));
}

void gofer_put_u32(struct gofer_wbuf *w, uint32_t v)
{
        gofer_put_bytes(w, &v, sizeof(v));
}

void gofer_put_u64(struct gofer_wbuf *w, uint64_t v)
{
        gofer_put_bytes(w, &v, sizeof(v));
}

void gofer_put_str(struct gofer_wbuf *w, const char *p, size_t n)
{
        if (n > UINT16_MAX) {
                if (!w->err)
                        w->err = -ENAMETOOLONG;
                return;
        }
        gofer_put_u16(w, (uint16_t)n);
        gofer_put_bytes(w, p, n);
}

static void put_time(struct gofer_wbuf *w, const struct gofer_timespec *t)
{
        gofer_put_u64(w, (uint64_t)t->sec);
        gofer_put_u32(w, t->nsec);
}

void gofer_put_stat(struct gofer_wbuf *w, const struct gofer_stat *st)
{
        gofer_put_u64(w, st->ino);
        gofer_put_u64(w, st->dev);
        gofer_put_u64(w, st->rdev);
        gofer_put_u64(w, st->size);
        gofer_put_u64(w, st->blocks);
        gofer_put_u32(w, st->mode);
        gofer_put_u32(w, st->nlink);
        gofer_put_u32(w, st->uid);
        gofer_put_u32(w, st->gid);
        gofer_put_u32(w, st->blksize);
        put_time(w, &st->atime);
        put_time(w, &st->mtime);
        put_time(w, &st->ctime);
}

void gofer_put_statfs(struct gofer_wbuf *w, const struct gofer_statfs *st)
{
        gofer_put_u64(w, st->type);
        gofer_put_u64(w, st->bsize);
        gofer_put_u64(w, st->blocks);
        gofer_put_u64(w, st->bfree);
        gofer_put_u64(w, st->bavail);
        gofer_put_u64(w, st->files);
        gofer_put_u64(w, st->ffree);
        gofer_put_u64(w, st->namelen);
        gofer_put_u64(w, st->frsize);
        gofer_put_u64(w, st->flags);
}

void gofer_put_hdr(struct gofer_wbuf *w, uint16_t type, uint32_t tag)
{
        gofer_put_u32(w, 0);            /* len, patched by gofer_finish() */
        gofer_put_u16(w, type);
        gofer_put_u16(w, 0);
        gofer_put_u32(w, tag);
}

int gofer_finish(struct gofer_wbuf *w)
{
        if (w->err)
                return w->err;
        if (w->len < GOFER_HDR_SIZE || w->len > GOFER_MSG_MAX)
                return -EMSGSIZE;
        uint32_t len = (uint32_t)w->len;
        memcpy(w->buf, &len, sizeof(len));
        return (int)len;
}
