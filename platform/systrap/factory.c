/*
 * The factory: a stub that never runs guest code and forks every other stub.
 *
 * Forking a stub from the sentry costs what forking the sentry costs (its
 * page tables copied, then all unmapped again by the child, every sentry
 * page write-protected meanwhile) plus the namespaces, the seccomp filters
 * and the rest of stub.c's set-up. A fork of the factory costs a fork of a
 * process that maps one region: it inherits the namespaces, the root, the
 * signal handlers, the dropped capabilities and both filters; it only maps
 * its own part of the data file, adds the child filter and seals its region
 * (the trampoline's new_stub). gVisor's systrap forks its stubs from a stub
 * in the same way.
 *
 * The factory is pid 1 of the stubs' pid namespace: if it dies, the kernel
 * kills every stub. It ignores SIGCHLD, so the kernel reaps the stubs; the
 * sentry holds a pidfd for each, fetched from the factory with pidfd_getfd
 * (clone's CLONE_PIDFD puts it in the factory), and waits on it for the exit
 * before reusing the stub's data part.
 *
 * Started on first use; forks are serialised by ->factory_lock, so the
 * factory never holds more than the one pidfd it is about to close.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* Under ->factory_lock. */
static int factory_start(struct systrap_platform *sp)
{
        struct systrap_as *f;
        int r, fd;

        r = systrap_as_alloc(sp, &f);
        if (r < 0)
                return r;
        r = systrap_stub_spawn(sp, f);
        if (r < 0)
                goto fail;
        /* Every fork needs pidfd_getfd on the factory: check that the host
         * allows it now, not with a stub already forked. */
        fd = (int)syscall(SYS_pidfd_getfd, f->pidfd, STUB_MEMFD, 0);
        if (fd < 0) {
                r = -errno;
                systrap_stub_reap(f);
                goto fail;
        }
        close(fd);
        sp->factory = f;
        return 0;

fail:
        systrap_as_free(sp, f);
        return r;
}

void systrap_factory_stop(struct systrap_platform *sp)
{
        struct systrap_as *f = sp->factory;

        if (!f)
                return;
        systrap_stub_reap(f);
        systrap_as_free(sp, f);
        sp->factory = NULL;
}

/* The host pid a pidfd refers to, from its fdinfo ("Pid:" is in our own pid
 * namespace); -ESRCH once it has exited. */
static int pidfd_pid(int pidfd, pid_t *ret)
{
        char path[64], buf[1024], *line;
        ssize_t n;
        long pid;
        int fd;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -EIO;
        buf[n] = 0;
        line = strstr(buf, "\nPid:\t");
        if (!line)
                return -EIO;
        pid = strtol(line + strlen("\nPid:\t"), NULL, 10);
        if (pid <= 0)
                return -ESRCH;
        *ret = (pid_t)pid;
        return 0;
}

/* Under ->factory_lock: a clone in the factory; the new stub's pidfd. */
static int factory_fork(struct systrap_platform *sp, struct systrap_as *as, int *ret_pidfd)
{
        struct systrap_as *f = sp->factory;
        volatile struct systrap_msg *fm = as_msg(f, 0);
        /* clone(flags; stack 0: the child goes on on the factory's stack
         * until new_stub has mapped its own part; the pidfd into the
         * factory's scratch words; -; -; and in %r9, for the child, the
         * offset of its data part) */
        uint64_t args[6] = { STUB_FORK_FLAGS, 0,
                             sp->region + SYSTRAP_SLOTS_OFF + offsetof(struct systrap_msg, ss),
                             0, 0, data_offset(as->part) };
        uint64_t close_args[6] = { 0 };
        long child, closed;
        int r, fd, pidfd;

        fm->ss[0] = ~0ULL;
        r = systrap_as_syscall(f, SYS_clone, args, &child);
        if (r < 0)
                return r;
        if (child < 0)
                return (int)child;
        fd = (int)(uint32_t)fm->ss[0];
        pidfd = (int)syscall(SYS_pidfd_getfd, f->pidfd, fd, 0);
        r = pidfd < 0 ? -errno : 0;
        close_args[0] = (uint64_t)fd;
        if (systrap_as_syscall(f, SYS_close, close_args, &closed) < 0 || closed < 0)
                r = r < 0 ? r : -EIO;   /* the factory is not what we think */
        if (r < 0) {
                /* A stub we can't reach: all of them go with the factory. */
                if (pidfd >= 0)
                        close(pidfd);
                systrap_factory_stop(sp);
                return r;
        }
        *ret_pidfd = pidfd;
        return 0;
}

int systrap_stub_fork(struct systrap_platform *sp, struct systrap_as *as)
{
        volatile struct systrap_msg *m;
        int r, pidfd = -1;

        systrap_header_write(sp, as);
        m = as_msg(as, 0);
        systrap_msg_spin(sp, m, false);

        pthread_mutex_lock(&sp->factory_lock);
        r = sp->factory && !atomic_load(&sp->factory->dead) ? 0 : -ESRCH;
        if (r < 0) {
                systrap_factory_stop(sp);       /* a dead one: start again */
                r = factory_start(sp);
        }
        if (r == 0)
                r = factory_fork(sp, as, &pidfd);
        pthread_mutex_unlock(&sp->factory_lock);
        if (r < 0)
                return r;

        as->pidfd = pidfd;
        r = pidfd_pid(pidfd, &as->pid);
        /* Ready when its service thread posts DONE. */
        if (r == 0)
                r = handoff_wait(as, m, 0, systrap_tuning.sentry_spin_ns, NULL);
        if (r >= 0 && r != ST_DONE)
                r = -EPROTO;
        if (r < 0) {
                systrap_stub_reap(as);
                return r == -ESRCH ? -ECHILD : r;
        }
        return 0;
}

void systrap_stub_reap(struct systrap_as *as)
{
        struct pollfd p = { .fd = as->pidfd, .events = POLLIN };

        if (as->pidfd < 0)
                return;
        atomic_store(&as->dead, true);
        (void)pidfd_send_signal(as->pidfd, SIGKILL, NULL, 0);
        /* Readable once it has exited: its mappings, its data part among
         * them, are gone. (A SIGKILL always gets there.) */
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
                ;
        stub_kill(as->pidfd);           /* reaps it if it is our child (the factory) */
        as->pidfd = -1;
}
