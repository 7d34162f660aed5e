/*
 * The sandbox's root file system: a gofer process serving the host's "/",
 * goferfs on it under an overlay (or alone, --overlay=none), each bind mount
 * through a gofer of its own, and the sentry's own file systems on top
 * (devfs on /dev, procfs on /proc, sysfs on /sys).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gofer/client.h"
#include "lib/macro.h"
#include "runtime.h"
#include "sentry/kernel/kernel.h"
#include "vfs/fs/goferfs/goferfs.h"
#include "vfs/fs/overlay/overlay.h"
#include "vfs/namei.h"
#include "vfs/vfs.h"

/* The fd the gofer finds its socket on. */
#define GOFER_CHILD_FD 3

/* Start `conternel gofer` serving root over a new SOCK_SEQPACKET socket;
 * *ret_sock is the sentry's end. The gofer dies with the launcher
 * (PDEATHSIG) and exits when the sentry closes its end. */
static int gofer_spawn(const char *root, bool ro, pid_t *ret_pid, int *ret_sock)
{
        _cleanup_free_ char *root_arg = NULL;
        int sv[2];
        pid_t pid;

        if (asprintf(&root_arg, "--root=%s", root) < 0)
                return -ENOMEM;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(sv[0]);
                close(sv[1]);
                return r;
        }
        if (pid == 0) {
                char *argv[] = { "conternel", "gofer", root_arg, "--fd=3",
                                 ro ? "--ro" : NULL, NULL };

                prctl(PR_SET_PDEATHSIG, SIGKILL);
                /* dup2 clears O_CLOEXEC on the copy the gofer keeps; already
                 * there (stdio closed), the flag goes by hand. */
                if (sv[1] == GOFER_CHILD_FD ? fcntl(sv[1], F_SETFD, 0) < 0 :
                                              dup2(sv[1], GOFER_CHILD_FD) < 0)
                        _exit(127);
                execv("/proc/self/exe", argv);
                _exit(127);
        }
        close(sv[1]);
        *ret_pid = pid;
        *ret_sock = sv[0];
        return 0;
}

/* A gofer serving host, and a goferfs client for it in md. */
static int gofer_start(struct rootfs *rfs, const char *host, bool writable,
                       struct goferfs_mount_data *md)
{
        int sock = -1, r;

        r = gofer_spawn(host, !writable, &rfs->gofer_pids[rfs->ngofers], &sock);
        if (r < 0)
                return r;
        rfs->ngofers++;
        return gofer_client_create(sock, &md->client);
}

/* The host's files: goferfs over a gofer serving "/". */
static int gofer_root_ns(struct kernel *k, const char *root, bool writable, struct rootfs *rfs,
                         struct mnt_namespace **ret)
{
        struct goferfs_mount_data md = { 0 };
        int r;

        r = gofer_start(rfs, root, writable, &md);
        if (r < 0)
                return r;
        r = mnt_ns_create_data("goferfs", writable ? "rw" : "ro", &md, k->memfile, ret);
        if (r < 0)
                gofer_client_free(md.client);
        return r;
}

/* mkdir -p of a bind mount's mount point (in the overlay: the host stays
 * as it is). */
static int make_mountpoint(struct fs_context *fs, const char *guest)
{
        const struct vfs_cred root = { 0 };
        struct vfs_at at = { .fs = fs, .cred = &root };
        _cleanup_free_ char *path = strdup(guest);
        int r = 0;

        if (!path)
                return -ENOMEM;
        for (char *p = path + 1; r == 0 || r == -EEXIST; p++) {
                char c = *p;

                if (c != '/' && c != '\0')
                        continue;
                *p = '\0';
                r = vfs_mkdir(&at, path, 0755);
                *p = c;
                if (!c)
                        break;
        }
        return r == -EEXIST ? 0 : r;
}

static int mount_bind(struct fs_context *fs, struct rootfs *rfs, const struct rootfs_bind *b)
{
        struct goferfs_mount_data md = { 0 };
        int r;

        r = make_mountpoint(fs, b->guest);
        if (r == 0)
                r = gofer_start(rfs, b->host, !b->ro, &md);
        if (r == 0) {
                r = sandbox_mount(fs, b->guest, "goferfs", b->ro ? "ro" : "rw", &md);
                if (r < 0)
                        gofer_client_free(md.client);
        }
        return r;
}

int rootfs_start(struct kernel *k, const struct rootfs_options *o, struct rootfs *ret)
{
        struct mnt_namespace *host = NULL, *upper = NULL, *ns = NULL;
        struct ovl_mount_data od;
        struct fs_context *fs;
        int r;

        *ret = (struct rootfs){ 0 };
        r = gofer_root_ns(k, o->root ? o->root : "/", o->writable, ret, &host);
        if (r < 0)
                goto fail;
        if (o->writable) {
                ns = TAKE_PTR(host);
        } else {
                /* Changes stay in the sandbox: a tmpfs over the host's files. */
                r = mnt_ns_create_memfile("tmpfs", "mode=0755", k->memfile, &upper);
                if (r < 0)
                        goto fail;
                od = (struct ovl_mount_data){ .lower = host, .upper = upper };
                r = mnt_ns_create_data("overlay", NULL, &od, k->memfile, &ns);
                host = mnt_ns_unref(host);
                upper = mnt_ns_unref(upper);
                if (r < 0)
                        goto fail;
        }
        r = fs_context_create(ns, &fs);
        ns = mnt_ns_unref(ns);
        if (r < 0)
                goto fail;
        /* A root other than the host's may lack the mount points (and, in
         * the overlay, a /tmp). Without the overlay the host's files are
         * the sandbox's, /tmp included: nothing is made there, and the
         * caller's working directory stays visible wherever it is. */
        static const char *const points[] = { "/dev", "/proc", "/sys", "/tmp" };
        for (size_t i = 0; r == 0 && i < ARRAY_SIZE(points); i++)
                if (!o->writable || strcmp(points[i], "/tmp") != 0)
                        r = make_mountpoint(fs, points[i]);
        if (r == 0)
                r = sandbox_mount_pseudofs(k, fs);
        for (int i = 0; r == 0 && i < o->nbinds; i++) {
                r = mount_bind(fs, ret, &o->binds[i]);
                if (r < 0)
                        fprintf(stderr, "conternel: -v %s:%s: %s\n", o->binds[i].host,
                                o->binds[i].guest, strerror(-r));
        }
        if (r < 0) {
                fs_context_unref(fs);
                goto fail;
        }
        ret->fs = fs;
        return 0;
fail:
        mnt_ns_unref(host);
        mnt_ns_unref(upper);
        rootfs_stop(ret);
        return r;
}

void rootfs_stop(struct rootfs *rfs)
{
        rfs->fs = fs_context_unref(rfs->fs);
        /* Their sockets are closed once the sandbox's mounts are gone;
         * don't wait on a sandbox that leaked one. */
        for (int i = 0; i < rfs->ngofers; i++) {
                kill(rfs->gofer_pids[i], SIGKILL);
                waitpid(rfs->gofer_pids[i], NULL, 0);
        }
        rfs->ngofers = 0;
}
