/*
 * Encoding and decoding gofer messages (protocol.h), shared by the server,
 * the client and the fuzz target. Pure functions over byte buffers: no I/O,
 * no allocation, no logging.
 *
 * Decoding never trusts a length: every read is checked against what is
 * left, and a failed read latches an error in the cursor so a sequence of
 * gets can be checked once at the end.
 */
#ifndef CONTERNEL_GOFER_MESSAGE_H
#define CONTERNEL_GOFER_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gofer/protocol.h"

/* A counted byte string inside a message buffer: not NUL-terminated. */
struct gofer_name {
        const char *ptr;
        uint16_t len;
};

/* Writing: bytes appended to buf[0..cap); err latches -EMSGSIZE on overflow. */
struct gofer_wbuf {
        uint8_t *buf;
        size_t len, cap;
        int err;
};

/* Reading: p advances over left bytes; err latches -EINVAL on underflow or
 * on a bad name (or -ENAMETOOLONG for an oversized one). */
struct gofer_rbuf {
        const uint8_t *p;
        size_t left;
        int err;
};

void gofer_wbuf_init(struct gofer_wbuf *w, void *buf, size_t cap);
void gofer_put_u8(struct gofer_wbuf *w, uint8_t v);
void gofer_put_u16(struct gofer_wbuf *w, uint16_t v);
void gofer_put_u32(struct gofer_wbuf *w, uint32_t v);
void gofer_put_u64(struct gofer_wbuf *w, uint64_t v);
void gofer_put_bytes(struct gofer_wbuf *w, const void *p, size_t n);
/* u16 length + bytes; -ENAMETOOLONG latched if n > UINT16_MAX. */
void gofer_put_str(struct gofer_wbuf *w, const char *p, size_t n);
void gofer_put_stat(struct gofer_wbuf *w, const struct gofer_stat *st);
void gofer_put_statfs(struct gofer_wbuf *w, const struct gofer_statfs *st);
/* The 12-byte header with len 0; gofer_finish() fills in len. */
void gofer_put_hdr(struct gofer_wbuf *w, uint16_t type, uint32_t tag);
/* Patch the header's len; returns the message length or the latched error. */
int gofer_finish(struct gofer_wbuf *w);

void gofer_rbuf_init(struct gofer_rbuf *r, const void *buf, size_t len);
uint8_t gofer_get_u8(struct gofer_rbuf *r);
uint16_t gofer_get_u16(struct gofer_rbuf *r);
uint32_t gofer_get_u32(struct gofer_rbuf *r);
uint64_t gofer_get_u64(struct gofer_rbuf *r);
/* One path component (see protocol.h): 1..GOFER_NAME_MAX bytes, no '/', no
 * NUL, not "." or "..". */
void gofer_get_name(struct gofer_rbuf *r, struct gofer_name *ret);
/* A symlink target: 1..GOFER_TARGET_MAX bytes, no NUL. */
void gofer_get_target(struct gofer_rbuf *r, struct gofer_name *ret);
void gofer_get_stat(struct gofer_rbuf *r, struct gofer_stat *ret);
void gofer_get_statfs(struct gofer_rbuf *r, struct gofer_statfs *ret);
/* 0 if the whole buffer was consumed without error, else -EINVAL or the
 * latched error. */
int gofer_rbuf_end(const struct gofer_rbuf *r);

/* Validators, also used by the client on names it is asked to send. */
int gofer_name_check(const char *p, size_t len);
int gofer_target_check(const char *p, size_t len);

/* A decoded request; names point into the message buffer. Which fields are
 * meaningful depends on op (protocol.h); the rest are zero. */
struct gofer_request {
        uint16_t op;                    /* enum gofer_op */
        uint32_t tag;
        uint32_t node;                  /* the node acted on; the dir for creations */
        uint32_t node2;                 /* LINK: target; RENAME: new dir */
        uint32_t flags;                 /* OPEN, CREATE, UNLINK, RENAME, FSYNC */
        uint32_t mode, uid, gid;        /* CREATE, MKDIR, MKNOD, SYMLINK (uid, gid) */
        uint64_t offset;                /* GETDENTS */
        uint32_t count;                 /* GETDENTS */
        struct gofer_name name;         /* the new or removed entry; RENAME: old */
        struct gofer_name name2;        /* RENAME: new name; SYMLINK: target */
        struct gofer_setattr attr;      /* SETATTR */
        uint16_t nnames;                /* WALK */
        struct gofer_name names[GOFER_WALK_MAX];
        uint16_t nnodes;                /* CLUNK */
        const uint8_t *nodes;           /* CLUNK: nnodes x u32, unaligned */
};

/* Read just the header: 0, or -EINVAL if len < GOFER_HDR_SIZE. The tag is
 * what an error reply echoes even when the rest of the message is bad. */
int gofer_decode_hdr(const void *buf, size_t len, uint32_t *ret_len, uint16_t *ret_type,
                     uint16_t *ret_flags, uint32_t *ret_tag);

/* Decode a whole request of len bytes. Returns 0 or -EINVAL, -ENAMETOOLONG,
 * -EMSGSIZE; ret->tag is set whenever the header could be read. Handles are
 * not checked here (the server's node table does that: -EBADF). */
int gofer_decode_request(const void *buf, size_t len, struct gofer_request *ret);

/* The u32 at index i of a CLUNK request's node list. */
uint32_t gofer_request_clunk_node(const struct gofer_request *req, unsigned i);

/* Whether an op changes the served tree (refused with EROFS when read-only). */
bool gofer_op_mutates(uint16_t op);
const char *gofer_op_name(uint16_t op);

#endif
