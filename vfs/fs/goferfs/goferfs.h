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
 * asking the gofer, as a read-only mount).
 *
 * Caching (gVisor's "exclusive" policy): the sandbox is assumed to be the
 * only one changing the served tree while it runs. On a read-only mount the
 * pages of mapped files are kept in the sandbox's memory file too (cache.c:
 * mappings share them; MAP_SHARED works); a writable mount has no page
 * cache (MAP_PRIVATE copies pages in, MAP_SHARED is -ENODEV). Attributes, symlink
 * targets and the names the gofer answered are kept (directories and
 * symlinks always; other files up to GOFERFS_CACHED_MAX), and the sentry's
 * own changes update them. Changes made on the host behind the sandbox's
 * back show only for names not yet looked up.
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
