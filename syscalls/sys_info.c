/* System information and limits: uname, getrandom, rlimits. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/macro.h"

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"

long sys_uname(struct task *t, const struct syscall_args *a)
{
        struct kernel *k = t->kernel;
        struct utsname host, u;

        /* The guest runs on this machine's CPU: report its release and
         * machine, with the sandbox's own host and domain names. */
        uname(&host);
        memset(&u, 0, sizeof(u));
        snprintf(u.sysname, sizeof(u.sysname), "Linux");
        memcpy(u.release, host.release, sizeof(u.release));
        memcpy(u.version, host.version, sizeof(u.version));
        memcpy(u.machine, host.machine, sizeof(u.machine));
        pthread_mutex_lock(&k->lock);
        snprintf(u.nodename, sizeof(u.nodename), "%s", k->hostname);
        snprintf(u.domainname, sizeof(u.domainname), "%s", k->domainname);
        pthread_mutex_unlock(&k->lock);
        return mm_copy_out(t->mm, a->a[0], &u, sizeof(u));
}

/* sysinfo(2): the sandbox's own view: uptime since it booted, the memory
 * file as its RAM (as /proc/meminfo), its thread count; no swap, loads 0. */
long sys_sysinfo(struct task *t, const struct syscall_args *a)
{
        struct kernel *k = t->kernel;
        uint64_t used = memfile_allocated(k->memfile);
        struct sysinfo si = { .mem_unit = 1 };
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        si.uptime = now.tv_sec - k->boot_monotonic.tv_sec +
                    (now.tv_nsec > k->boot_monotonic.tv_nsec);  /* rounded up, as Linux */
        si.totalram = memfile_size(k->memfile);
        si.freeram = si.totalram > used ? si.totalram - used : 0;
        pthread_mutex_lock(&k->lock);
        si.procs = (unsigned short)MIN(k->nthreads, 65535);
        pthread_mutex_unlock(&k->lock);
        return mm_copy_out(t->mm, a->a[0], &si, sizeof(si));
}

long sys_getrandom(struct task *t, const struct syscall_args *a)
{
        unsigned flags = (unsigned)a->a[2];
        size_t len = a->a[1], done = 0;
        unsigned char buf[4096];

        if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
                return -EINVAL;
        if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
                return -EINVAL;
        if (len > INT32_MAX)
                len = INT32_MAX;
        while (done < len) {
                size_t chunk = MIN(len - done, sizeof(buf));
                ssize_t n = getrandom(buf, chunk, flags & GRND_NONBLOCK);

                if (n < 0)
                        return done ? (long)done : -errno;
                if (mm_copy_out(t->mm, a->a[0] + done, buf, (size_t)n) < 0)
                        return done ? (long)done : -EFAULT;
                done += (size_t)n;
        }
        return (long)done;
}

struct rlimit64_guest {
        uint64_t cur, max;
};

/* Get and/or set one limit of the task's thread group. The old value is
 * copied out when want_old (getrlimit always writes, even to NULL: EFAULT;
 * prlimit64 only when its pointer is non-NULL). */
static long do_prlimit(struct task *t, unsigned resource, guest_ptr_t unew, guest_ptr_t uold,
                       bool want_old)
{
        struct rlimit64_guest nl, ol;
        struct thread_group *tg = t->tg;
        int r;

        if (resource >= RLIM_NLIMITS)
                return -EINVAL;
        if (unew) {
                r = mm_copy_in(t->mm, &nl, unew, sizeof(nl));
                if (r < 0)
                        return r;
                if (nl.cur > nl.max)
                        return -EINVAL;
        }
        pthread_mutex_lock(&tg->lock);
        ol.cur = tg->rlimits[resource].rlim_cur;
        ol.max = tg->rlimits[resource].rlim_max;
        if (unew) {
                /* Raising a hard limit needs CAP_SYS_RESOURCE, which the guest
                 * root has inside its sandbox; the sandbox itself is still
                 * bounded by the host's limits on the sentry. */
                if (resource == RLIMIT_NOFILE && nl.max > 1024 * 1024) {
                        pthread_mutex_unlock(&tg->lock);
                        return -EPERM;
                }
                tg->rlimits[resource].rlim_cur = nl.cur;
                tg->rlimits[resource].rlim_max = nl.max;
        }
        pthread_mutex_unlock(&tg->lock);
        if (want_old)
                return mm_copy_out(t->mm, uold, &ol, sizeof(ol));
        return 0;
}

long sys_prlimit64(struct task *t, const struct syscall_args *a)
{
        int pid = (int)a->a[0];

        if (pid != 0 && pid != t->tg->tgid)
                return -ESRCH;
        return do_prlimit(t, (unsigned)a->a[1], a->a[2], a->a[3], a->a[3] != 0);
}

long sys_getrlimit(struct task *t, const struct syscall_args *a)
{
        return do_prlimit(t, (unsigned)a->a[0], 0, a->a[1], true);
}

long sys_setrlimit(struct task *t, const struct syscall_args *a)
{
        return do_prlimit(t, (unsigned)a->a[0], a->a[1], 0, false);
}
