/* pidfd_getfd (a copy of another process's fd, close-on-exec; EINVAL,
 * EBADF, ESRCH once it exited, EPERM without ptrace access) and
 * clone/clone3 with CLONE_PIDFD (EINVAL with CLONE_PARENT_SETTID through
 * clone's shared pointer, EFAULT with no child made). */
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#include "test.h"

static int pidfd_open(pid_t pid, unsigned flags)
{
        return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int pidfd_getfd(int pidfd, int fd, unsigned flags)
{
        return (int)syscall(SYS_pidfd_getfd, pidfd, fd, flags);
}

static int waitid_raw(int which, int id, siginfo_t *si, int options)
{
        memset(si, 0, sizeof(*si));
        return (int)syscall(SYS_waitid, which, id, si, options, NULL);
}

int main(void)
{
        int tochild[2], toparent[2], fd, got, status, pidfd;
        char buf[8];
        siginfo_t si;
        pid_t child;

        alarm(20);
        EXPECT_OK(pipe(tochild));
        EXPECT_OK(pipe(toparent));

        /* The child makes a pipe after the fork and tells us the number of
         * its write end; we write through our copy of it. */
        child = EXPECT_OK(fork());
        if (child == 0) {
                int p[2];

                if (pipe(p) < 0 || write(toparent[1], &p[1], sizeof(p[1])) != sizeof(p[1]))
                        _exit(1);
                if (read(p[0], buf, 5) != 5 || memcmp(buf, "hello", 5) != 0)
                        _exit(2);
                if (read(tochild[0], buf, 1) != 1)      /* until told to go */
                        _exit(3);
                _exit(0);
        }
        EXPECT_RET(read(toparent[0], &fd, sizeof(fd)), sizeof(fd));
        pidfd = EXPECT_OK(pidfd_open(child, 0));
        EXPECT_ERRNO(pidfd_getfd(pidfd, fd, 1), EINVAL);
        EXPECT_ERRNO(pidfd_getfd(tochild[0], fd, 0), EBADF);
        EXPECT_ERRNO(pidfd_getfd(test_unused_fd(), fd, 0), EBADF);
        EXPECT_ERRNO(pidfd_getfd(pidfd, 900, 0), EBADF);
        EXPECT_ERRNO(pidfd_getfd(pidfd, -1, 0), EBADF);
        got = EXPECT_OK(pidfd_getfd(pidfd, fd, 0));
        EXPECT_EQ(fcntl(got, F_GETFD), FD_CLOEXEC);
        EXPECT_EQ(fcntl(got, F_GETFL) & O_ACCMODE, O_WRONLY);
        EXPECT_RET(write(got, "hello", 5), 5);
        close(got);

        /* Without ptrace access: a process of another user, no
         * capabilities. Needs setresuid (skipped where it is missing). */
        pid_t other = EXPECT_OK(fork());
        if (other == 0) {
                long r = syscall(SYS_setresuid, 65534, 65534, 65534);

                if (r < 0 && errno == ENOSYS)
                        _exit(0);
                if (r < 0)
                        _exit(1);
                if (pidfd_getfd(pidfd, fd, 0) != -1 || errno != EPERM)
                        _exit(2);
                _exit(0);
        }
        EXPECT_RET(waitpid(other, &status, 0), other);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "EPERM check failed at step %d",
              WEXITSTATUS(status));

        EXPECT_RET(write(tochild[1], "g", 1), 1);
        EXPECT_RET(waitid_raw(P_PIDFD, pidfd, &si, WEXITED | WNOWAIT), 0);
        EXPECT_EQ(si.si_status, 0);
        /* A zombie has no files. */
        EXPECT_ERRNO(pidfd_getfd(pidfd, fd, 0), ESRCH);
        EXPECT_RET(waitpid(child, &status, 0), child);
        EXPECT_ERRNO(pidfd_getfd(pidfd, fd, 0), ESRCH);
        close(pidfd);

        /* clone3 with CLONE_PIDFD. */
        struct clone_args ca = { .flags = CLONE_PIDFD, .exit_signal = SIGCHLD };
        pidfd = -1;
        ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
        child = EXPECT_OK(syscall(SYS_clone3, &ca, sizeof(ca)));
        if (child == 0)
                _exit(7);
        CHECK(pidfd >= 0, "pidfd %d", pidfd);
        EXPECT_EQ(fcntl(pidfd, F_GETFD), FD_CLOEXEC);
        EXPECT_RET(waitid_raw(P_PIDFD, pidfd, &si, WEXITED), 0);
        EXPECT_EQ(si.si_pid, child);
        EXPECT_EQ(si.si_code, CLD_EXITED);
        EXPECT_EQ(si.si_status, 7);
        close(pidfd);

        /* clone3: a bad pidfd pointer fails with no child made. */
        ca.pidfd = (uint64_t)(uintptr_t)LOW_ADDR;
        EXPECT_ERRNO(syscall(SYS_clone3, &ca, sizeof(ca)), EFAULT);
        EXPECT_ERRNO(waitpid(-1, &status, WNOHANG), ECHILD);
        /* The same pointer for the pidfd and the parent's tid: EINVAL. */
        ca.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
        ca.pidfd = ca.parent_tid = (uint64_t)(uintptr_t)&pidfd;
        EXPECT_ERRNO(syscall(SYS_clone3, &ca, sizeof(ca)), EINVAL);

        /* clone(): the pidfd comes back through the parent_tid pointer. */
        pidfd = -1;
        child = EXPECT_OK(syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0));
        if (child == 0)
                _exit(8);
        CHECK(pidfd >= 0, "pidfd %d", pidfd);
        EXPECT_RET(waitid_raw(P_PIDFD, pidfd, &si, WEXITED), 0);
        EXPECT_EQ(si.si_status, 8);
        close(pidfd);
        EXPECT_ERRNO(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &pidfd, 0, 0),
                     EINVAL);
        EXPECT_ERRNO(syscall(SYS_clone, CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, 0, &pidfd, 0, 0),
                     EINVAL);
        return 0;
}
