/* The command-line front end: one file per verb. */
#ifndef CONTERNEL_RUNTIME_H
#define CONTERNEL_RUNTIME_H

#include <stdbool.h>

/* Each verb takes argv starting at its own name and returns the exit code. */
int cmd_do(int argc, char **argv);
int cmd_compat(int argc, char **argv);
int cmd_gofer(int argc, char **argv);      /* hidden: spawned by the launcher */

/* A bind mount (-v HOST:GUEST[:ro]): the host directory HOST, served by a
 * gofer of its own, at GUEST in the sandbox. */
#define ROOTFS_MAX_BINDS 16
struct rootfs_bind {
        const char *host, *guest;       /* absolute paths */
        bool ro;
};

/* Options shared by the verbs that start a sandbox. */
struct sandbox_options {
        const char *platform;
        const char *hostname;
        bool strace;
        bool debug;
        const char *log_path;
        int pids_limit;
        bool overlay_none;      /* --overlay=none */
        const char *root;       /* --root=DIR, absolute; NULL: the host's / */
        struct rootfs_bind binds[ROOTFS_MAX_BINDS];     /* -v HOST:GUEST[:ro] */
        int nbinds;
        bool tty;               /* -t: the guest's stdio is a sandbox pty (tty_keeper.c) */
        int tty_winch_fd;       /* -t: the keeper's resize pipe */
};

/* Run argv in a new sandbox with the launcher's stdio and environment.
 * Returns a shell-style exit code: the guest's status, 128+signo when a
 * signal killed it, 127 when the program is missing, 126 when it cannot be
 * executed, 125 when the sandbox itself failed. */
int sandbox_run(const struct sandbox_options *o, char **argv);
/* -t: hold the host terminal (raw mode, restored after the sandbox ends
 * however it ends) and run the sandbox in a child (tty_keeper.c). */
int tty_keeper_run(struct sandbox_options *o, char **argv);

/* -t, in the sentry (tty_proxy.c): a thread between the host terminal
 * (fds 0 and 1) and master, the sandbox pty's; resizes come as bytes on
 * winch_fd. Stopping drains what the guest still wrote. */
struct file;
struct tty_proxy;
int tty_proxy_start(struct file *master, int winch_fd, struct tty_proxy **ret);
void tty_proxy_stop(struct tty_proxy *p);

struct fs_context;
/* Find a program as execvp(3) would: through the launcher's PATH unless it
 * has a '/', in the sandbox's file system fs. The path to exec (malloc'd),
 * or -ENOENT / -EACCES / another -errno. */
int program_find(struct fs_context *fs, const char *name, char **ret_path);

struct kernel;
struct fs_context;

/* The root file system (rootfs.c): the host's "/" through a gofer process,
 * under an overlay unless --overlay=none, bind mounts each through a gofer
 * of its own, and the sentry's pseudo file systems. */
struct rootfs_options {
        const char *root;       /* the host directory to serve as "/"; NULL: "/" */
        bool writable;          /* --overlay=none: changes reach the host's files */
        struct rootfs_bind binds[ROOTFS_MAX_BINDS];
        int nbinds;
};
struct rootfs {
        struct fs_context *fs;  /* the init task's */
        int gofer_pids[1 + ROOTFS_MAX_BINDS];   /* the gofer processes */
        int ngofers;
};
int rootfs_start(struct kernel *k, const struct rootfs_options *o, struct rootfs *ret);
/* Drop what rootfs_start() left in rfs and end the gofer. */
void rootfs_stop(struct rootfs *rfs);

/* Mount a new type instance on the directory where (resolved as root). */
int sandbox_mount(struct fs_context *fs, const char *where, const char *type,
                  const char *options, const void *data);
/* Mount devfs on /dev (with a tmpfs on /dev/shm), procfs on /proc and sysfs
 * on /sys; the directories exist. Reads the host's /proc/cpuinfo and CPU
 * affinity once, here (pseudofs.c). */
int sandbox_mount_pseudofs(struct kernel *k, struct fs_context *fs);

/* Print a backtrace and die when the sentry itself takes a fatal signal.
 * Per thread: backtrace_install_thread() sets up its alternate stack. */
void backtrace_install(void);
void backtrace_install_thread(void);

#endif
