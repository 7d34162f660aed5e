/*
 * The sandbox's root file system: a gofer process serving the host's "/",
 * goferfs mounted on it as the root, and the sentry's own file systems on
 * top (tmpfs on /tmp, devfs on /dev, procfs on /proc, sysfs on /sys).
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
                /* dup2 clears O_CLOEXEC on the copy the gofer keeps. */
                if (dup2(sv[1], GOFER_CHILD_FD) < 0)
                        _exit(127);
                execv("/proc/self/exe", argv);
                _exit(127);
        }
        close(sv[1]);
        *ret_pid = pid;
        *ret_sock = sv[0];
        return 0;
}

/* The host's files: goferfs over a gofer serving "/". */
static int gofer_root_ns(struct kernel *k, bool writable, struct rootfs *rfs,
                         struct mnt_namespace **ret)
{
        struct goferfs_mount_data md = { 0 };
        int sock = -1, r;

        r = gofer_spawn("/", !writable, &rfs->gofer_pid, &sock);
        if (r < 0)
                return r;
        r = gofer_client_create(sock, &md.client);
        if (r < 0)
                return r;
        r = mnt_ns_create_data("goferfs", writable ? "rw" : "ro", &md, k->memfile, ret);
        if (r < 0)
                gofer_client_free(md.client);
        return r;
}

int rootfs_start(struct kernel *k, const struct rootfs_options *o, struct rootfs *ret)
{
        struct mnt_namespace *host = NULL, *upper = NULL, *ns = NULL;
        struct ovl_mount_data od;
        struct fs_context *fs;
        int r;

        *ret = (struct rootfs){ .gofer_pid = -1 };
        r = gofer_root_ns(k, o->writable, ret, &host);
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
        /* Without the overlay, /tmp is still the sandbox's own. */
        if (o->writable)
                r = sandbox_mount(fs, "/tmp", "tmpfs", "mode=1777", NULL);
        if (r == 0)
                r = sandbox_mount_pseudofs(k, fs);
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
        if (rfs->gofer_pid > 0) {
                /* Its socket is closed once the sandbox's mounts are gone;
                 * don't wait on a sandbox that leaked one. */
                kill(rfs->gofer_pid, SIGKILL);
                waitpid(rfs->gofer_pid, NULL, 0);
                rfs->gofer_pid = -1;
        }
}
