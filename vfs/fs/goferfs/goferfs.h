/*
 * goferfs: host files reached only through a gofer (gofer/client.h), like
 * gVisor's gofer file system. The sentry never opens a host path itself: a
 * walk is a WALK round trip, a regular file is read and written through the
 * host fd the gofer donates, a directory is listed with GETDENTS. A walk
 * that misses the dentry cache sends every remaining name of the path in
 * that one WALK (inode_ops.lookup_ahead, up to GOFER_WALK_MAX) and caches
 * the dentries of what the gofer reached.
 *
 * Mount it with vfs_mount_data() or mnt_ns_create_data() and a struct
 * goferfs_mount_data; options: "ro" (refuse changes with EROFS before
 * asking the gofer, as a read-only mount), "cache_pages=N" (the page
 * cache's budget, in pages; 256 MiB's worth by default).
 *
 * Caching (gVisor's "exclusive" policy): the sandbox is assumed to be the
 * only one changing the served tree while it runs.
 * - Names and attributes: what the gofer answered is kept (directories and
 *   symlinks always; other files up to GOFERFS_CACHED_MAX), missing names
 *   too on a read-only mount, symlink targets once read; the sentry's own
 *   changes update them.
 * - Data: the pages of mapped files are kept in the sandbox's memory file
 *   (cache.c): mappings share them, MAP_PRIVATE copy-on-write, MAP_SHARED
 *   maps them. On a writable mount read and write go through them while
 *   there are any, and what shared mappings stored is written back to the
 *   host on msync(MS_SYNC), fsync, the last close, the end of a mapping,
 *   truncate and fallocate. Past the budget the least recently used pages
 *   no mapping holds are dropped. Reads and writes of unmapped files go
 *   straight to the host file (no cache: always current).
 *
 * Revalidation: none. What the host changes behind the sandbox's back:
 * - is seen: the contents of files read or written with read/write and not
 *   mapped (each call reaches the host file); names never looked up yet;
 *   a directory's listing (each getdents asks the gofer), though names
 *   listed that way are not all cached;
 * - is not seen: a cached name's removal, rename or replacement (the old
 *   node stays: stat and open use it), a name created where a read-only
 *   mount remembered it missing, changed attributes (mode, owner, size,
 *   times: st_size of a file grown on the host stays the cached one, and
 *   read stops there only when the file is mapped), a symlink retargeted,
 *   and the contents of cached pages (a mapped file changed on the host
 *   keeps the sandbox's pages; on a writable mount a write-back then
 *   overwrites the host's change);
 * - host processes see a shared mapping's stores only after a write-back.
 *
 * Locking: the directory ops run under sb->lock (vfs.h) and so hold it
 * across their round trip: the goferfs tree changes one operation at a
 * time. File data never takes sb->lock.
 */
#ifndef CONTERNEL_VFS_GOFERFS_H
#define CONTERNEL_VFS_GOFERFS_H

struct gofer_client;

struct goferfs_mount_data {
        /* Consumed by a successful mount (the superblock frees it when it
         * goes); still the caller's on failure. */
        struct gofer_client *client;
};

#endif
