/*
 * overlay: a writable file system over a read-only one, like Linux's
 * overlayfs. The sandbox's default root: the host's files (goferfs, read
 * only) as the lower layer and a tmpfs as the upper one, so a program may
 * change anything while the host's files stay as they are.
 *
 * What a name shows: the upper layer's entry if there is one, else the
 * lower's unless the upper directory hides it; directories present in both
 * merge (the upper's entries first). Changing a lower file first copies it
 * up (data, mode, owner, times; its parent directories too); removing a
 * name that exists below leaves a whiteout. Whiteouts and opaque markers
 * are upper files named ".wh.NAME" and ".wh..wh..opq" (aufs's format: the
 * upper is the sentry's own tmpfs, so no device nodes are needed), hidden
 * from the overlay's own names, which therefore may not start with ".wh."
 * (EINVAL on creation, ENOENT on lookup) nor exceed 251 bytes when they hide
 * a lower name.
 *
 * Renaming a directory that has lower entries is EXDEV, as Linux's
 * overlayfs without redirect_dir: programs (mv) fall back to copying.
 *
 * Every name of an upper file shows the same overlay inode (hard links
 * made in the overlay: inotify, locks and link counts see one file); lower
 * hard links stay apart and are broken by a copy-up, as Linux's overlayfs
 * without its index feature.
 */
#ifndef CONTERNEL_VFS_OVERLAY_H
#define CONTERNEL_VFS_OVERLAY_H

struct mnt_namespace;

struct ovl_mount_data {
        /* Namespaces whose root mounts are the layers; the overlay takes
         * references of its own. The upper must be writable and is changed
         * by nothing else. */
        struct mnt_namespace *lower;
        struct mnt_namespace *upper;
};

#endif
