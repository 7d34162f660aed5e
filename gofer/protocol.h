/*
 * The gofer protocol: the wire format shared by the gofer (gofer/server*.c)
 * and its client (gofer/client*.c, used by vfs/fs/goferfs).
 *
 * Transport: a SOCK_SEQPACKET unix socket pair, one message per request and
 * one per reply; the client sends a request and reads its reply before
 * sending the next on the same socket (a client may open several sockets).
 * Integers are in host byte order (both ends run on the same host), packed
 * without padding; nothing is sent as a C struct.
 *
 * Every message starts with a 12-byte header:
 *
 *     u32 len      the whole message, header included; must equal the size
 *                  of the datagram received
 *     u16 type     enum gofer_op; a reply carries the request's op | GOFER_REPLY
 *     u16 flags    0 (anything else is EINVAL)
 *     u32 tag      chosen by the client, echoed in the reply
 *
 * A reply then carries `i32 error` (0 or -errno); the body below follows
 * only when error is 0. A reply with error != 0 has no body and no fd.
 *
 * Names are counted byte strings: `u16 len` then len bytes, no NUL. A name
 * (one path component) is 1..GOFER_NAME_MAX bytes, contains neither '/' nor
 * NUL and is neither "." nor ".."; a symlink target is 1..GOFER_TARGET_MAX
 * bytes without NUL. A stat is GOFER_STAT_WIRE_SIZE bytes:
 *
 *     u64 ino, dev, rdev, size, blocks
 *     u32 mode, nlink, uid, gid, blksize
 *     i64 atime_sec, u32 atime_nsec, i64 mtime_sec, u32 mtime_nsec,
 *     i64 ctime_sec, u32 ctime_nsec
 *
 * Nodes are the gofer's handles (u32, never 0) for files it has reached;
 * the gofer keeps an O_PATH fd per node until the client clunks it.
 *
 * op          request body                          reply body
 * ATTACH      -                                     u32 node, stat   (a new node for the root)
 * WALK        u32 node, u16 n, n x name             i32 stop_error, u16 m, m x (u32 node, stat)
 * STAT        u32 node                              stat
 * OPEN        u32 node, u32 flags                   u32 has_fd  (1: regular file, an fd rides
 *                                                   along in SCM_RIGHTS; 0: directory, opened
 *                                                   in the gofer for GETDENTS)
 * CREATE      u32 dir, u32 flags, u32 mode,         u32 node, stat, + an fd in SCM_RIGHTS
 *             u32 uid, u32 gid, name
 * MKDIR       u32 dir, u32 mode, u32 uid, u32 gid,  u32 node, stat
 *             name
 * MKNOD       (as MKDIR; mode includes the type:    u32 node, stat
 *             S_IFREG, S_IFIFO or S_IFSOCK)
 * SYMLINK     u32 dir, u32 uid, u32 gid, name,      u32 node, stat
 *             u16 len + target
 * LINK        u32 dir, u32 target node, name        u32 node, stat (of the new link)
 * UNLINK      u32 dir, u32 flags (0|AT_REMOVEDIR),  -
 *             name
 * RENAME      u32 olddir, u32 newdir, u32 flags     -
 *             (RENAME_NOREPLACE|EXCHANGE),
 *             name old, name new
 * READLINK    u32 node                              u16 len + target
 * GETDENTS    u32 node, u64 offset, u32 count       u16 n, n x (u64 ino, u64 next_offset,
 *                                                   u8 d_type, name); n == 0: end
 * SETATTR     u32 node, u32 mask (GOFER_SETATTR_*), stat (after the change)
 *             u32 mode, u32 uid, u32 gid, u64 size,
 *             i64 atime_sec, u32 atime_nsec,
 *             i64 mtime_sec, u32 mtime_nsec
 * STATFS      u32 node                              u64 type, bsize, blocks, bfree, bavail,
 *                                                   files, ffree, namelen, frsize, flags
 * FSYNC       u32 node, u32 flags (GOFER_FSYNC_*)   -
 * CLUNK       u16 n, n x u32 node                   -
 *
 * WALK walks n (1..GOFER_WALK_MAX) components from node, never following a
 * symlink and never crossing "..": the client (the VFS) does both itself. It
 * stops early at the first error (stop_error = -errno) or at a non-directory
 * with names left (stop_error = -ENOTDIR; the last node may be a symlink the
 * client resolves). m nodes were reached, each a new node. If the first
 * component fails, the reply's error is stop_error and there is no body.
 *
 * GETDENTS lists entries from offset (0: the start; otherwise a next_offset
 * from an earlier reply) in at most `count` bytes of reply body; "." and ".."
 * are never listed (the client knows both).
 *
 * Errors a malformed request gets: EINVAL (bad header, unknown op, truncated
 * or trailing bytes, bad name, bad flags), ENAMETOOLONG (a name over
 * GOFER_NAME_MAX or a target over GOFER_TARGET_MAX), EBADF (no such node),
 * EMSGSIZE (over GOFER_MSG_MAX), EROFS (a mutation on a read-only gofer).
 */
#ifndef CONTERNEL_GOFER_PROTOCOL_H
#define CONTERNEL_GOFER_PROTOCOL_H

#include <fcntl.h>
#include <stdint.h>

#define GOFER_MSG_MAX           65536u  /* largest message either way */
#define GOFER_HDR_SIZE          12u
#define GOFER_REPLY_HDR_SIZE    (GOFER_HDR_SIZE + 4u)  /* header + error */
#define GOFER_NAME_MAX          255u    /* NAME_MAX */
#define GOFER_TARGET_MAX        4095u   /* PATH_MAX - 1 */
#define GOFER_WALK_MAX          32u     /* components in one WALK */
#define GOFER_CLUNK_MAX         1024u   /* nodes in one CLUNK */
#define GOFER_STAT_WIRE_SIZE    96u
#define GOFER_STATFS_WIRE_SIZE  80u
#define GOFER_NODE_NONE         0u      /* never a valid node */

#define GOFER_REPLY             0x8000u

enum gofer_op {
        GOFER_ATTACH = 1,
        GOFER_WALK,
        GOFER_STAT,
        GOFER_OPEN,
        GOFER_CREATE,
        GOFER_MKDIR,
        GOFER_MKNOD,
        GOFER_SYMLINK,
        GOFER_LINK,
        GOFER_UNLINK,
        GOFER_RENAME,
        GOFER_READLINK,
        GOFER_GETDENTS,
        GOFER_SETATTR,
        GOFER_STATFS,
        GOFER_FSYNC,
        GOFER_CLUNK,
        _GOFER_OP_MAX,
};

/* OPEN and CREATE flags the gofer accepts: an access mode plus these. The
 * gofer itself adds O_CLOEXEC|O_NOCTTY|O_NOFOLLOW (and O_CREAT|O_EXCL for
 * CREATE). */
#define GOFER_OPEN_FLAGS_ALLOWED \
        (O_ACCMODE | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | \
         O_DIRECT | O_NOATIME | O_LARGEFILE | O_DIRECTORY)

/* SETATTR mask bits: which fields to change. */
#define GOFER_SETATTR_MODE      (1u << 0)  /* permission bits only (07777) */
#define GOFER_SETATTR_UID       (1u << 1)
#define GOFER_SETATTR_GID       (1u << 2)
#define GOFER_SETATTR_SIZE      (1u << 3)
#define GOFER_SETATTR_ATIME     (1u << 4)  /* nsec may be UTIME_NOW */
#define GOFER_SETATTR_MTIME     (1u << 5)  /* nsec may be UTIME_NOW */
#define GOFER_SETATTR_ALL       ((1u << 6) - 1)

#define GOFER_FSYNC_DATASYNC    (1u << 0)

struct gofer_timespec {
        int64_t sec;
        uint32_t nsec;
};

struct gofer_stat {
        uint64_t ino, dev, rdev, size, blocks;
        uint32_t mode, nlink, uid, gid, blksize;
        struct gofer_timespec atime, mtime, ctime;
};

struct gofer_statfs {
        uint64_t type, bsize, blocks, bfree, bavail, files, ffree, namelen, frsize, flags;
};

struct gofer_setattr {
        uint32_t mask;                  /* GOFER_SETATTR_* */
        uint32_t mode, uid, gid;
        uint64_t size;
        struct gofer_timespec atime, mtime;
};

#endif
