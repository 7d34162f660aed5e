/*
 * Reading protocol fields and whole requests (protocol.h). Every read is
 * checked against the bytes left; nothing here trusts a length, a count or
 * a name from the other side.
 */
#include <errno.h>
#include <string.h>

#include "gofer/message.h"
#include "lib/macro.h"

void gofer_rbuf_init(struct gofer_rbuf *r, const void *buf, size_t len)
{
        r->p = buf;
        r->left = len;
        r->err = 0;
}

static bool take(struct gofer_rbuf *r, void *dst, size_t n)
{
        if (r->err)
                return false;
        if (n > r->left) {
                r->err = -EINVAL;
                return false;
        }
        memcpy(dst, r->p, n);
        r->p += n;
        r->left -= n;
        return true;
}

uint8_t gofer_get_u8(struct gofer_rbuf *r)
{
        uint8_t v = 0;
        take(r, &v, sizeof(v));
        return v;
}

uint16_t gofer_get_u16(struct gofer_rbuf *r)
{
        uint16_t v = 0;
        take(r, &v, sizeof(v));
        return v;
}

uint32_t gofer_get_u32(struct gofer_rbuf *r)
{
        uint32_t v = 0;
        take(r, &v, sizeof(v));
        return v;
}

uint64_t gofer_get_u64(struct gofer_rbuf *r)
{
        uint64_t v = 0;
        take(r, &v, sizeof(v));
        return v;
}

int gofer_name_check(const char *p, size_t len)
{
        if (len == 0)
                return -EINVAL;
        if (len > GOFER_NAME_MAX)
                return -ENAMETOOLONG;
        if (memchr(p, '/', len) || memchr(p, '\0', len))
                return -EINVAL;
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
                return -EINVAL;
        return 0;
}

int gofer_target_check(const char *p, size_t len)
{
        if (len == 0)
                return -EINVAL;         /* Linux: symlink("") is ENOENT; the client says so */
        if (len > GOFER_TARGET_MAX)
                return -ENAMETOOLONG;
        if (memchr(p, '\0', len))
                return -EINVAL;
        return 0;
}

/* A counted string checked by check; on failure the cursor latches its error. */
static void get_str(struct gofer_rbuf *r, struct gofer_name *ret, int (*check)(const char *, size_t))
{
        *ret = (struct gofer_name){ "", 0 };
        uint16_t len = gofer_get_u16(r);
        if (r->err)
                return;
        if (len > r->left) {
                r->err = -EINVAL;
                return;
        }
        int k = check((const char *)r->p, len);
        if (k < 0) {
                r->err = k;
                return;
        }
        ret->ptr = (const char *)r->p;
        ret->len = len;
        r->p += len;
        r->left -= len;
}

void gofer_get_name(struct gofer_rbuf *r, struct gofer_name *ret)
{
        get_str(r, ret, gofer_name_check);
}

void gofer_get_target(struct gofer_rbuf *r, struct gofer_name *ret)
{
        get_str(r, ret, gofer_target_check);
}

static void get_time(struct gofer_rbuf *r, struct gofer_timespec *t)
{
        t->sec = (int64_t)gofer_get_u64(r);
        t->nsec = gofer_get_u32(r);
}

void gofer_get_stat(struct gofer_rbuf *r, struct gofer_stat *st)
{
        st->ino = gofer_get_u64(r);
        st->dev = gofer_get_u64(r);
        st->rdev = gofer_get_u64(r);
        st->size = gofer_get_u64(r);
        st->blocks = gofer_get_u64(r);
        st->mode = gofer_get_u32(r);
        st->nlink = gofer_get_u32(r);
        st->uid = gofer_get_u32(r);
        st->gid = gofer_get_u32(r);
        st->blksize = gofer_get_u32(r);
        get_time(r, &st->atime);
        get_time(r, &st->mtime);
        get_time(r, &st->ctime);
}

void gofer_get_statfs(struct gofer_rbuf *r, struct gofer_statfs *st)
{
        st->type = gofer_get_u64(r);
        st->bsize = gofer_get_u64(r);
        st->blocks = gofer_get_u64(r);
        st->bfree = gofer_get_u64(r);
        st->bavail = gofer_get_u64(r);
        st->files = gofer_get_u64(r);
        st->ffree = gofer_get_u64(r);
        st->namelen = gofer_get_u64(r);
        st->frsize = gofer_get_u64(r);
        st->flags = gofer_get_u64(r);
}

int gofer_rbuf_end(const struct gofer_rbuf *r)
{
        if (r->err)
                return r->err;
        return r->left == 0 ? 0 : -EINVAL;
}

int gofer_decode_hdr(const void *buf, size_t len, uint32_t *ret_len, uint16_t *ret_type,
                     uint16_t *ret_flags, uint32_t *ret_tag)
{
        struct gofer_rbuf r;

        if (len < GOFER_HDR_SIZE)
                return -EINVAL;
        gofer_rbuf_init(&r, buf, GOFER_HDR_SIZE);
        *ret_len = gofer_get_u32(&r);
        *ret_type = gofer_get_u16(&r);
        *ret_flags = gofer_get_u16(&r);
        *ret_tag = gofer_get_u32(&r);
        return 0;
}

/* The new entry of CREATE, MKDIR, MKNOD: dir, [flags], mode, uid, gid, name. */
static void get_creation(struct gofer_rbuf *r, struct gofer_request *req, bool with_flags)
{
        req->node = gofer_get_u32(r);
        if (with_flags)
                req->flags = gofer_get_u32(r);
        req->mode = gofer_get_u32(r);
        req->uid = gofer_get_u32(r);
        req->gid = gofer_get_u32(r);
        gofer_get_name(r, &req->name);
}

static void decode_body(struct gofer_rbuf *r, struct gofer_request *req)
{
        switch (req->op) {
        case GOFER_ATTACH:
                break;
        case GOFER_WALK:
                req->node = gofer_get_u32(r);
                req->nnames = gofer_get_u16(r);
                if (!r->err && (req->nnames == 0 || req->nnames > GOFER_WALK_MAX)) {
                        r->err = -EINVAL;
                        break;
                }
                for (unsigned i = 0; i < req->nnames && !r->err; i++)
                        gofer_get_name(r, &req->names[i]);
                break;
        case GOFER_STAT:
        case GOFER_READLINK:
        case GOFER_STATFS:
                req->node = gofer_get_u32(r);
                break;
        case GOFER_OPEN:
                req->node = gofer_get_u32(r);
                req->flags = gofer_get_u32(r);
                break;
        case GOFER_CREATE:
                get_creation(r, req, true);
                break;
        case GOFER_MKDIR:
        case GOFER_MKNOD:
                get_creation(r, req, false);
                break;
        case GOFER_SYMLINK:
                req->node = gofer_get_u32(r);
                req->uid = gofer_get_u32(r);
                req->gid = gofer_get_u32(r);
                gofer_get_name(r, &req->name);
                gofer_get_target(r, &req->name2);
                break;
        case GOFER_LINK:
                req->node = gofer_get_u32(r);
                req->node2 = gofer_get_u32(r);
                gofer_get_name(r, &req->name);
                break;
        case GOFER_UNLINK:
                req->node = gofer_get_u32(r);
                req->flags = gofer_get_u32(r);
                gofer_get_name(r, &req->name);
                break;
        case GOFER_RENAME:
                req->node = gofer_get_u32(r);
                req->node2 = gofer_get_u32(r);
                req->flags = gofer_get_u32(r);
                gofer_get_name(r, &req->name);
                gofer_get_name(r, &req->name2);
                break;
        case GOFER_GETDENTS:
                req->node = gofer_get_u32(r);
                req->offset = gofer_get_u64(r);
                req->count = gofer_get_u32(r);
                break;
        case GOFER_SETATTR:
                req->node = gofer_get_u32(r);
                req->attr.mask = gofer_get_u32(r);
                req->attr.mode = gofer_get_u32(r);
                req->attr.uid = gofer_get_u32(r);
                req->attr.gid = gofer_get_u32(r);
                req->attr.size = gofer_get_u64(r);
                get_time(r, &req->attr.atime);
                get_time(r, &req->attr.mtime);
                if (!r->err && (req->attr.mask & ~GOFER_SETATTR_ALL))
                        r->err = -EINVAL;
                break;
        case GOFER_FSYNC:
                req->node = gofer_get_u32(r);
                req->flags = gofer_get_u32(r);
                if (!r->err && (req->flags & ~GOFER_FSYNC_DATASYNC))
                        r->err = -EINVAL;
                break;
        case GOFER_CLUNK:
                req->nnodes = gofer_get_u16(r);
                if (r->err)
                        break;
                if (req->nnodes == 0 || req->nnodes > GOFER_CLUNK_MAX ||
                    r->left != (size_t)req->nnodes * 4) {
                        r->err = -EINVAL;
                        break;
                }
                req->nodes = r->p;
                r->p += r->left;
                r->left = 0;
                break;
        default:
                r->err = -EINVAL;
        }
}

int gofer_decode_request(const void *buf, size_t len, struct gofer_request *ret)
{
        struct gofer_rbuf r;
        uint32_t mlen, tag;
        uint16_t type, flags;

        memset(ret, 0, sizeof(*ret));
        if (len > GOFER_MSG_MAX)
                return -EMSGSIZE;
        int k = gofer_decode_hdr(buf, len, &mlen, &type, &flags, &tag);
        if (k < 0)
                return k;
        ret->tag = tag;
        ret->op = type;
        if (mlen != len || flags != 0)
                return -EINVAL;
        if (type == 0 || type >= _GOFER_OP_MAX)
                return -EINVAL;

        gofer_rbuf_init(&r, (const uint8_t *)buf + GOFER_HDR_SIZE, len - GOFER_HDR_SIZE);
        decode_body(&r, ret);
        return gofer_rbuf_end(&r);
}

uint32_t gofer_request_clunk_node(const struct gofer_request *req, unsigned i)
{
        uint32_t v;

        memcpy(&v, req->nodes + (size_t)i * 4, sizeof(v));
        return v;
}

bool gofer_op_mutates(uint16_t op)
{
        switch (op) {
        case GOFER_CREATE:
        case GOFER_MKDIR:
        case GOFER_MKNOD:
        case GOFER_SYMLINK:
        case GOFER_LINK:
        case GOFER_UNLINK:
        case GOFER_RENAME:
        case GOFER_SETATTR:
                return true;
        default:
                return false;           /* OPEN for writing is checked by the server */
        }
}

static const char *const op_names[_GOFER_OP_MAX] = {
        [GOFER_ATTACH] = "attach",     [GOFER_WALK] = "walk",         [GOFER_STAT] = "stat",
        [GOFER_OPEN] = "open",         [GOFER_CREATE] = "create",     [GOFER_MKDIR] = "mkdir",
        [GOFER_MKNOD] = "mknod",       [GOFER_SYMLINK] = "symlink",   [GOFER_LINK] = "link",
        [GOFER_UNLINK] = "unlink",     [GOFER_RENAME] = "rename",     [GOFER_READLINK] = "readlink",
        [GOFER_GETDENTS] = "getdents", [GOFER_SETATTR] = "setattr",   [GOFER_STATFS] = "statfs",
        [GOFER_FSYNC] = "fsync",       [GOFER_CLUNK] = "clunk",
};

const char *gofer_op_name(uint16_t op)
{
        if (op >= _GOFER_OP_MAX || !op_names[op])
                return "unknown";
        return op_names[op];
}
