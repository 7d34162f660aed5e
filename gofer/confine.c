/*
 * Confining the gofer once it is set up: namespaces, pivot_root into the
 * served tree, capabilities, no_new_privs, a seccomp allow-list. The order
 * matters: mounts need CAP_SYS_ADMIN, so they come before the capability
 * trim, and the filter comes last.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cap-ng.h>
#include <linux/mount.h>

#include "gofer/internal.h"
#include "lib/macro.h"

/* Nodes are fds: take all the hard limit allows. */
static void raise_nofile(void)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                setrlimit(RLIMIT_NOFILE, &rl);
        }
}

/* The same directory as fd (checked by dev and inode), through its path, so
 * on this namespace's copy of its mount. */
static int reopen_in_namespace(int fd, const struct stat *want)
{
        char proc_path[32], path[PATH_MAX];
        struct stat st;

        snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc_path, path, sizeof(path) - 1);
        if (n < 0)
                return -errno;
        path[n] = '\0';
        if (path[0] != '/')
                return -ESTALE;         /* "(deleted)" or a pseudo file */
        int here = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (here < 0)
                return -errno;
        if (fstat(here, &st) < 0 || st.st_dev != want->st_dev || st.st_ino != want->st_ino) {
                close(here);
                return -ESTALE;         /* the path no longer names the root */
        }
        return here;
}

/* In a fresh mount namespace: make the served tree our "/" and forget the
 * host's. A clone of the tree's own mount only (not recursive: a submount
 * shows as its empty mount point, served, if at all, by a gofer root of its
 * own), nodev and nosuid, read-only too for a read-only gofer, attached on
 * top of the tree itself (fd-based, so serving "/" works too), then
 * pivot_root into it and detach the old root. */
static int pivot_into_root(struct gofer_server *s)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID };
        struct stat before, after;
        int r = 0;

        if (fstat(s->root_fd, &before) < 0)
                return -errno;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        /* root_fd's mount is the old namespace's; open_tree() wants ours. */
        int here = reopen_in_namespace(s->root_fd, &before);
        if (here < 0)
                return here;
        int tree = (int)syscall(SYS_open_tree, here, "",
                                OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (tree < 0) {
                r = -errno;
                close(here);
                return r;
        }
        if (s->readonly)
                attr.attr_set |= MOUNT_ATTR_RDONLY;
        if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0 ||
            syscall(SYS_move_mount, tree, "", here, "",
                    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0 ||
            fchdir(tree) < 0 ||
            syscall(SYS_pivot_root, ".", ".") < 0 ||
            umount2(".", MNT_DETACH) < 0 ||
            chdir("/") < 0)
                r = -errno;
        close(tree);
        close(here);
        if (r < 0)
                return r;

        int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &after) < 0 || after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
                close(fd);
                return -ESTALE;
        }
        close(s->root_fd);
        s->root_fd = fd;
        return 0;
}

static int trim_capabilities(void)
{
        if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
                return 0;               /* unprivileged: nothing to drop */
        capng_clear(CAPNG_SELECT_ALL);
        if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
                          CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,
                          CAP_FSETID, -1) < 0)
                return -EINVAL;
        if (capng_apply(CAPNG_SELECT_ALL) < 0)
                return -EPERM;
        return 0;
}

/* What serving makes, from glibc's wrappers as built on Debian 12. */
static const char *const allowed_syscalls[] = {
        /* the socket */
        "recvmsg", "sendmsg",
        /* nodes and files */
        "openat", "openat2", "close", "fcntl", "fstat", "newfstatat", "statx", "fstatfs",
        "lseek", "getdents64", "readlinkat", "ftruncate", "fsync", "fdatasync",
        "fchown", "fchownat", "fchmodat", "utimensat",
        /* mutations */
        "mkdirat", "mknodat", "symlinkat", "linkat", "unlinkat", "renameat2",
        "renameat",             /* glibc's renameat2() with flags 0 */
        /* the C library and the exit path */
        "brk", "munmap", "mremap", "madvise", "futex", "rt_sigreturn", "rt_sigprocmask",
        "getpid", "gettid", "clock_gettime", "restart_syscall", "exit", "exit_group",
};

static int load_seccomp(void)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        int r;

        if (!ctx)
                return -ENOMEM;
        /* Killed calls go to the kernel log (audit type=1326 with the number):
         * the gofer itself logs nothing once serving. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < ARRAY_SIZE(allowed_syscalls); i++) {
                int nr = seccomp_syscall_resolve_name(allowed_syscalls[i]);
                if (nr == __NR_SCMP_ERROR) {
                        r = -ENOSYS;
                        goto out;
                }
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
                if (r < 0)
                        goto out;
        }
        /* malloc maps memory, never executable memory. */
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                             SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        if (r < 0)
                goto out;
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                             SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        if (r < 0)
                goto out;
        /* A sanitizer's report, or a fatal message, on stderr only. */
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                             SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));
        if (r < 0)
                goto out;
        r = seccomp_load(ctx);
out:
        seccomp_release(ctx);
        return r;
}

int gofer_confine(struct gofer_server *s, unsigned flags)
{
        int r;

        raise_nofile();
        if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) == 0) {
                r = pivot_into_root(s);
                if (r < 0)
                        return r;
        } else if (errno == EPERM) {
                /* Unprivileged: no namespaces; the root fd and RESOLVE_BENEATH
                 * are the boundary, and the cwd is "/" (never used: every
                 * path is relative to a node's fd). */
                if (chdir("/") < 0)
                        return -errno;
        } else {
                return -errno;
        }

        r = trim_capabilities();
        if (r < 0)
                return r;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        if (flags & GOFER_CONFINE_NO_SECCOMP)
                return 0;
        return load_seccomp();
}
