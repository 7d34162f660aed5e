/*
 * Host thread ids of stub threads. Stubs live in their own pid namespace, so
 * clone() in a stub returns the new thread's id in that namespace; tgkill()
 * from the sentry needs the host's. /proc/<stub>/task/<host tid>/status has
 * both on its NSpid line. Read through a /proc fd the platform opened at
 * create time, so that it keeps working if the sentry later leaves the
 * host's file system.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The last field of the NSpid line of one task's status, or -1. */
static long task_ns_tid(int taskfd, const char *name)
{
        char buf[4096], *line, *last;
        ssize_t n;
        int fd;

        snprintf(buf, sizeof(buf), "%s/status", name);
        fd = openat(taskfd, buf, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = 0;
        line = strstr(buf, "\nNSpid:");
        if (!line)
                return -1;
        line += strlen("\nNSpid:");
        line[strcspn(line, "\n")] = 0;
        last = strrchr(line, '\t');
        return last ? strtol(last + 1, NULL, 10) : -1;
}

/* One pass over /proc/<pid>/task. */
static int scan_tasks(int procfd, pid_t pid, pid_t ns_tid, pid_t *ret)
{
        char path[32];
        struct dirent *de;
        DIR *d;
        int fd, r = -ESRCH;

        snprintf(path, sizeof(path), "%d/task", pid);
        fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (task_ns_tid(dirfd(d), de->d_name) == ns_tid) {
                        *ret = (pid_t)strtol(de->d_name, NULL, 10);
                        r = 0;
                        break;
                }
        }
        closedir(d);
        return r;
}

/* Linux's /proc/<pid>/task readdir walks the threads by position: a thread
 * that exits meanwhile shifts the rest, and the walk can skip a live one.
 * Other threads of the stub exit all the time (a released ctx's thread is
 * told to exit and not waited for), so a miss is retried; the thread looked
 * for is alive (it has just stopped), and the next pass sees it. */
#define SCAN_TRIES 8

int systrap_host_tid(int procfd, pid_t pid, pid_t ns_tid, pid_t *ret)
{
        int r = -ESRCH;

        for (int i = 0; i < SCAN_TRIES && r == -ESRCH; i++)
                r = scan_tasks(procfd, pid, ns_tid, ret);
        return r;
}
