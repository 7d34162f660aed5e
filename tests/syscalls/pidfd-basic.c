/* pidfds: pidfd_open (flags, EINVAL, ESRCH, close-on-exec, O_NONBLOCK),
 * pidfd_send_signal (NULL and caller-made siginfo, its EINVAL and EPERM
 * rules, scope flags), readiness (poll and epoll: readable once the process
 * exits, hung up once reaped), waitid(P_PIDFD) (EAGAIN on a non-blocking
 * pidfd), /proc/self/fdinfo's Pid line, ESRCH once reaped. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include "test.h"

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#define PIDFD_SIGNAL_THREAD (1u << 0)
#define PIDFD_SIGNAL_THREAD_GROUP (1u << 1)
#define PIDFD_SIGNAL_PROCESS_GROUP (1u << 2)

static int pidfd_open(pid_t pid, unsigned flags)
{
        return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int send_sig(int pidfd, int sig, siginfo_t *info, unsigned flags)
{
        return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

static int waitid_raw(int which, int id, siginfo_t *si, int options)
{
        memset(si, 0, sizeof(*si));
        return (int)syscall(SYS_waitid, which, id, si, options, NULL);
}

/* The "Pid:" value in /proc/self/fdinfo/FD. */
static int fdinfo_pid(int fd)
{
        char path[64], buf[1024], *p;
        ssize_t n;
        int f;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        f = EXPECT_OK(open(path, O_RDONLY | O_CLOEXEC));
        n = EXPECT_OK(read(f, buf, sizeof(buf) - 1));
        close(f);
        buf[n] = '\0';
        p = strstr(buf, "\nPid:\t");
        CHECK(p, "no Pid line in %s", path);
        return atoi(p + 6);
}

static int report[2];

static void on_usr1(int signo, siginfo_t *si, void *uc)
{
        int v[3] = { si->si_code, si->si_pid, si->si_value.sival_int };

        (void)signo;
        (void)uc;
        if (write(report[1], v, sizeof(v)) != sizeof(v))
                _exit(9);
}

static pid_t spawn_waiter(void)
{
        pid_t c = EXPECT_OK(fork());

        if (c == 0) {
                for (;;)
                        pause();
        }
        return c;
}

int main(void)
{
        struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
        struct pollfd pfd;
        struct epoll_event ev;
        siginfo_t si;
        pid_t child, gone;
        int fd, ep, status, v[3];

        alarm(20);
        EXPECT_OK(pipe(report));
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));

        /* Arguments. */
        EXPECT_ERRNO(pidfd_open(0, 0), EINVAL);
        EXPECT_ERRNO(pidfd_open(-1, 0), EINVAL);
        EXPECT_ERRNO(pidfd_open(getpid(), 1), EINVAL);
        gone = EXPECT_OK(fork());
        if (gone == 0)
                _exit(0);
        EXPECT_RET(waitpid(gone, &status, 0), gone);
        EXPECT_ERRNO(pidfd_open(gone, 0), ESRCH);

        fd = EXPECT_OK(pidfd_open(getpid(), 0));
        EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
        EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
        EXPECT_EQ(fdinfo_pid(fd), getpid());
        EXPECT_RET(send_sig(fd, 0, NULL, 0), 0);
        EXPECT_ERRNO(send_sig(fd, 0, NULL, 8), EINVAL);
        EXPECT_ERRNO(send_sig(fd, 0, NULL, PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP), EINVAL);
        EXPECT_ERRNO(send_sig(fd, 65, NULL, 0), EINVAL);
        EXPECT_ERRNO(send_sig(report[0], 0, NULL, 0), EBADF);
        EXPECT_ERRNO(send_sig(test_unused_fd(), 0, NULL, 0), EBADF);
        EXPECT_ERRNO(send_sig(fd, 0, LOW_ADDR, 0), EFAULT);
        /* A caller-made siginfo to oneself may claim anything. */
        memset(&si, 0, sizeof(si));
        si.si_signo = SIGUSR1;
        si.si_code = SI_USER;
        si.si_value.sival_int = 5;
        EXPECT_RET(send_sig(fd, SIGUSR1, &si, 0), 0);
        EXPECT_RET(read(report[0], v, sizeof(v)), sizeof(v));
        EXPECT_EQ(v[0], SI_USER);
        EXPECT_EQ(v[2], 5);
        close(fd);

        /* A child. */
        child = spawn_waiter();
        fd = EXPECT_OK(pidfd_open(child, PIDFD_NONBLOCK));
        EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
        EXPECT_EQ(fdinfo_pid(fd), child);
        pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
        EXPECT_RET(poll(&pfd, 1, 0), 0);
        /* Not a process group leader: no group has its pid. */
        EXPECT_ERRNO(send_sig(fd, SIGUSR1, NULL, PIDFD_SIGNAL_PROCESS_GROUP), ESRCH);
        /* waitid on a non-blocking pidfd: EAGAIN, or 0 with WNOHANG. */
        EXPECT_ERRNO(waitid_raw(P_PIDFD, fd, &si, WEXITED), EAGAIN);
        EXPECT_RET(waitid_raw(P_PIDFD, fd, &si, WEXITED | WNOHANG), 0);
        EXPECT_EQ(si.si_pid, 0);
        EXPECT_ERRNO(waitid_raw(P_PIDFD, -1, &si, WEXITED), EINVAL);
        EXPECT_ERRNO(waitid_raw(P_PIDFD, report[0], &si, WEXITED), EBADF);

        /* siginfo rules towards another process. */
        memset(&si, 0, sizeof(si));
        si.si_signo = SIGUSR2;
        si.si_code = SI_QUEUE;
        EXPECT_ERRNO(send_sig(fd, SIGUSR1, &si, 0), EINVAL);
        si.si_signo = SIGUSR1;
        si.si_code = SI_USER;
        EXPECT_ERRNO(send_sig(fd, SIGUSR1, &si, 0), EPERM);
        si.si_code = SI_TKILL;
        EXPECT_ERRNO(send_sig(fd, SIGUSR1, &si, 0), EPERM);
        si.si_code = SI_QUEUE;
        si.si_pid = getpid();
        si.si_value.sival_int = 42;
        EXPECT_RET(send_sig(fd, SIGUSR1, &si, 0), 0);
        EXPECT_RET(read(report[0], v, sizeof(v)), sizeof(v));
        EXPECT_EQ(v[0], SI_QUEUE);
        EXPECT_EQ(v[2], 42);
        /* Without siginfo: SI_USER from us, or SI_TKILL at thread scope. */
        EXPECT_RET(send_sig(fd, SIGUSR1, NULL, 0), 0);
        EXPECT_RET(read(report[0], v, sizeof(v)), sizeof(v));
        EXPECT_EQ(v[0], SI_USER);
        EXPECT_EQ(v[1], getpid());
        EXPECT_RET(send_sig(fd, SIGUSR1, NULL, PIDFD_SIGNAL_THREAD), 0);
        EXPECT_RET(read(report[0], v, sizeof(v)), sizeof(v));
        EXPECT_EQ(v[0], SI_TKILL);
        EXPECT_RET(send_sig(fd, SIGUSR1, NULL, PIDFD_SIGNAL_THREAD_GROUP), 0);
        EXPECT_RET(read(report[0], v, sizeof(v)), sizeof(v));
        EXPECT_EQ(v[0], SI_USER);
        /* As a group leader, its pid names its group. */
        EXPECT_OK(setpgid(child, child));
        EXPECT_RET(send_sig(fd, SIGUSR1, NULL, PIDFD_SIGNAL_PROCESS_GROUP), 0);
        EXPECT_RET(read(report[0], v, sizeof(v)), sizeof(v));
        EXPECT_EQ(v[0], SI_USER);

        /* Exit: readable (not hung up) while a zombie, through epoll too. */
        ep = EXPECT_OK(epoll_create1(EPOLL_CLOEXEC));
        ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 7 };
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
        EXPECT_RET(epoll_wait(ep, &ev, 1, 0), 0);
        EXPECT_RET(send_sig(fd, SIGKILL, NULL, 0), 0);
        EXPECT_RET(epoll_wait(ep, &ev, 1, 5000), 1);
        EXPECT_EQ(ev.data.u32, 7);
        EXPECT_RET(poll(&pfd, 1, 5000), 1);
        EXPECT_EQ(pfd.revents, POLLIN);
        EXPECT_EQ(fdinfo_pid(fd), child);
        EXPECT_RET(send_sig(fd, 0, NULL, 0), 0);
        EXPECT_RET(waitid_raw(P_PIDFD, fd, &si, WEXITED | WNOWAIT), 0);
        EXPECT_EQ(si.si_pid, child);
        EXPECT_EQ(si.si_code, CLD_KILLED);
        EXPECT_EQ(si.si_status, SIGKILL);
        EXPECT_RET(waitid_raw(P_PIDFD, fd, &si, WEXITED), 0);
        EXPECT_EQ(si.si_pid, child);
        /* Reaped: hung up, no pid, ESRCH, and no child to wait for. */
        EXPECT_RET(poll(&pfd, 1, 0), 1);
        EXPECT_EQ(pfd.revents, POLLIN | POLLHUP);
        EXPECT_EQ(fdinfo_pid(fd), -1);
        EXPECT_ERRNO(send_sig(fd, 0, NULL, 0), ESRCH);
        EXPECT_ERRNO(send_sig(fd, SIGKILL, NULL, 0), ESRCH);
        EXPECT_ERRNO(waitid_raw(P_PIDFD, fd, &si, WEXITED), ECHILD);
        close(ep);
        close(fd);

        /* A blocking waitid(P_PIDFD) waits for the exit. */
        child = EXPECT_OK(fork());
        if (child == 0) {
                usleep(50 * 1000);
                _exit(3);
        }
        fd = EXPECT_OK(pidfd_open(child, 0));
        EXPECT_RET(waitid_raw(P_PIDFD, fd, &si, WEXITED), 0);
        EXPECT_EQ(si.si_pid, child);
        EXPECT_EQ(si.si_code, CLD_EXITED);
        EXPECT_EQ(si.si_status, 3);
        close(fd);
        return 0;
}
