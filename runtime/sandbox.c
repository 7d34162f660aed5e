/*
 * Starting a sandbox for one program: the kernel, the init task's fd table
 * over the launcher's stdio, and the init task's own sentry thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "runtime.h"
#include "sentry/kernel/ctty.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/proc_info.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"
#include "vfs/namei.h"
#include "vfs/tty/tty.h"
#include "vfs/vfs.h"

extern char **environ;

/* fds 0-2 of the guest pass through to the launcher's own, where open;
 * with a pty slave (-t), they are all that. */
static int stdio_fdtable(struct file *slave, struct fdtable **ret)
{
        struct fdtable *fdt;
        int r;

        r = fdtable_create(&fdt);
        if (r < 0)
                return r;
        for (int fd = 0; fd <= 2; fd++) {
                struct file *f;
                int copy;

                if (slave) {
                        f = file_ref(slave);
                } else {
                        copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                        if (copy < 0)
                                continue;       /* closed in the launcher: closed in the guest */
                        r = hostfile_open(copy, &f);
                        if (r < 0)
                                goto fail;
                }
                r = fdtable_install_at(fdt, fd, f, false, fd + 1);
                file_unref(f);
                if (r < 0)
                        goto fail;
        }
        *ret = fdt;
        return 0;
fail:
        fdtable_unref(fdt);
        return r;
}

/* The init task starts in the launcher's working directory when the
 * sandbox has it (as `runsc do`), else at the root. */
static void sandbox_enter_cwd(struct fs_context *fs)
{
        const struct vfs_cred root = { 0 };
        struct vfs_at at = { .fs = fs, .cred = &root };
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        struct path p;

        if (!cwd || vfs_lookup(&at, cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p) < 0)
                return;
        fs_set_cwd(fs, &p);
        path_put(&p);
}

struct init_thread {
        struct kernel *kernel;
        struct task_spawn_args spawn;
        struct tty *tty;        /* -t: init's controlling terminal, borrowed */
        int error;              /* -errno from creating the task */
};

/* -t: a pty of the sandbox's own devpts; the master for the proxy, the slave
 * (unlocked) for the guest's stdio. */
static int sandbox_open_pty(struct fs_context *fs, struct file **ret_master,
                            struct file **ret_slave)
{
        const struct vfs_cred root = { 0 };
        struct vfs_at at = { .fs = fs, .cred = &root };
        struct file *master;
        int zero = 0, r;

        r = vfs_open(&at, "/dev/ptmx", O_RDWR | O_NOCTTY, 0, &master);
        if (r < 0)
                return r;
        r = vfs_ioctl(master, TIOCSPTLCK, &zero);
        if (r == 0)
                r = pty_open_peer(master, O_RDWR, ret_slave);
        if (r < 0) {
                file_unref(master);
                return r;
        }
        *ret_master = master;
        return 0;
}

/* The init task's sentry thread: the platform requires that the thread that
 * creates a context is the one that runs it. */
static void *init_thread_main(void *arg)
{
        struct init_thread *it = arg;
        struct task *t;

        backtrace_install_thread();
        it->error = task_create_init(it->kernel, &it->spawn, &t);
        if (it->error < 0)
                return NULL;
        /* Before any guest code: init leads its session, on the pty. */
        if (it->tty)
                ctty_attach_init(it->kernel, t->tg, it->tty);
        task_run(t);
        return NULL;
}

/* init's wait status, once every task of the sandbox has finished. */
static int sandbox_wait(struct kernel *k)
{
        int status;

        kernel_wait_threads(k);
        pthread_mutex_lock(&k->init->lock);
        status = k->init->exit_status;
        pthread_mutex_unlock(&k->init->lock);
        return status;
}

int sandbox_run(const struct sandbox_options *o, char **argv)
{
        struct kernel_config cfg = {
                .platform = o->platform,
                .hostname = o->hostname,
                .strace = o->strace,
                .strace_fd = log_get_fd(),
                .pids_limit = o->pids_limit,
        };
        struct rootfs_options ro = { .root = o->root, .writable = o->overlay_none,
                                     .nbinds = o->nbinds };
        struct rootfs rfs = { 0 };
        struct init_thread it = { 0 };
        struct file *master = NULL, *slave = NULL;
        struct tty_proxy *proxy = NULL;
        _cleanup_free_ char *path = NULL;
        struct kernel *k = NULL;
        pthread_t thread;
        int r, status;

        memcpy(ro.binds, o->binds, sizeof(ro.binds));
        r = kernel_create(&cfg, &k);
        if (r < 0) {
                fprintf(stderr, "conternel: cannot start the sandbox (platform %s): %s\n",
                        o->platform ? o->platform : PLATFORM_DEFAULT, strerror(-r));
                return 125;
        }
        r = rootfs_start(k, &ro, &rfs);
        if (r < 0) {
                fprintf(stderr, "conternel: root file system: %s\n", strerror(-r));
                kernel_destroy(k);
                return 125;
        }
        sandbox_enter_cwd(rfs.fs);
        r = program_find(rfs.fs, argv[0], &path);
        if (r < 0) {
                fprintf(stderr, "conternel: %s: %s\n", argv[0],
                        r == -ENOENT ? "command not found" : strerror(-r));
                rootfs_stop(&rfs);
                kernel_destroy(k);
                return r == -ENOENT ? 127 : 126;
        }
        it.kernel = k;
        it.spawn = (struct task_spawn_args){
                .filename = path,
                .argv = argv,
                .envp = environ,
        };
        it.spawn.fs = fs_context_ref(rfs.fs);
        r = o->tty ? sandbox_open_pty(rfs.fs, &master, &slave) : 0;
        if (r == 0 && o->tty) {
                it.tty = file_tty(slave, NULL);
                r = tty_proxy_start(master, o->tty_winch_fd, &proxy);
        }
        if (r == 0)
                r = stdio_fdtable(slave, &it.spawn.fdt);
        file_unref(slave);
        if (r < 0) {
                fprintf(stderr, "conternel: stdio: %s\n", strerror(-r));
                tty_proxy_stop(proxy);
                file_unref(master);
                fs_context_unref(it.spawn.fs);
                rootfs_stop(&rfs);
                kernel_destroy(k);
                return 125;
        }
        r = pthread_create(&thread, NULL, init_thread_main, &it);
        if (r != 0) {
                tty_proxy_stop(proxy);
                file_unref(master);
                fdtable_unref(it.spawn.fdt);
                fs_context_unref(it.spawn.fs);
                rootfs_stop(&rfs);
                kernel_destroy(k);
                return 125;
        }
        pthread_join(thread, NULL);
        status = it.error < 0 || !k->init ? 0 : sandbox_wait(k);
        tty_proxy_stop(proxy);
        file_unref(master);
        rootfs_stop(&rfs);
        kernel_destroy(k);

        if (it.error < 0) {
                fprintf(stderr, "conternel: %s: %s\n", argv[0], strerror(-it.error));
                return it.error == -ENOENT ? 127 : 126;
        }
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
}
