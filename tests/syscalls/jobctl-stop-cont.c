/* Job control: SIGSTOP and SIGTSTP stop a child, SIGCONT continues it, and
 * SIGKILL ends it while stopped; wait4 (WUNTRACED, WCONTINUED) and waitid
 * (WSTOPPED, WCONTINUED, WNOWAIT) report each change once, with Linux's
 * status words and si_code/si_status; /proc shows the stopped state. */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

static int sys_wait4(pid_t pid, int *status, int options)
{
        return (int)syscall(SYS_wait4, pid, status, options, NULL);
}

static int sys_waitid(int which, pid_t pid, siginfo_t *si, int options)
{
        memset(si, 0x55, sizeof(*si));
        return (int)syscall(SYS_waitid, which, pid, si, options, NULL);
}

/* The "State:" letter of /proc/PID/status. */
static char proc_state(pid_t pid)
{
        char path[64], buf[4096], *p;
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        fd = EXPECT_OK(open(path, O_RDONLY | O_CLOEXEC));
        n = EXPECT_OK(read(fd, buf, sizeof(buf) - 1));
        close(fd);
        buf[n] = '\0';
        p = strstr(buf, "State:\t");
        CHECK(p, "no State line in %s", path);
        return p[7];
}

int main(void)
{
        siginfo_t si;
        pid_t child;
        int status;

        alarm(20);
        child = EXPECT_OK(fork());
        if (child == 0) {
                /* A group of its own, in our session: never orphaned,
                 * whatever group the test runs in. */
                setpgid(0, 0);
                for (;;)
                        pause();        /* restarted after every stop */
        }
        EXPECT_OK(setpgid(child, child));

        /* SIGSTOP: reported once to WUNTRACED, as 0x137f. */
        EXPECT_OK(kill(child, SIGSTOP));
        EXPECT_RET(sys_wait4(child, &status, WUNTRACED), child);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "status %#x", status);
        EXPECT_EQ(status, 0x137f);
        EXPECT_RET(sys_wait4(child, &status, WUNTRACED | WNOHANG), 0);
        EXPECT_EQ(proc_state(child), 'T');
        /* Stopped is not exited. */
        EXPECT_RET(sys_waitid(P_PID, child, &si, WEXITED | WNOHANG), 0);
        EXPECT_EQ(si.si_pid, 0);

        /* SIGCONT: reported once to WCONTINUED, as 0xffff. */
        EXPECT_OK(kill(child, SIGCONT));
        EXPECT_RET(sys_wait4(child, &status, WCONTINUED), child);
        CHECK(WIFCONTINUED(status), "status %#x", status);
        EXPECT_EQ(status, 0xffff);
        EXPECT_RET(sys_wait4(child, &status, WCONTINUED | WNOHANG), 0);
        EXPECT_RET(sys_wait4(child, &status, WUNTRACED | WNOHANG), 0);

        /* waitid: WNOWAIT leaves the stop to report again. */
        EXPECT_OK(kill(child, SIGTSTP));
        EXPECT_RET(sys_waitid(P_PID, child, &si, WSTOPPED | WNOWAIT), 0);
        EXPECT_EQ(si.si_signo, SIGCHLD);
        EXPECT_EQ(si.si_code, CLD_STOPPED);
        EXPECT_EQ(si.si_status, SIGTSTP);
        EXPECT_EQ(si.si_pid, child);
        EXPECT_RET(sys_waitid(P_ALL, 0, &si, WSTOPPED), 0);
        EXPECT_EQ(si.si_code, CLD_STOPPED);
        EXPECT_EQ(si.si_status, SIGTSTP);
        EXPECT_EQ(si.si_pid, child);
        EXPECT_RET(sys_waitid(P_PID, child, &si, WSTOPPED | WNOHANG), 0);
        EXPECT_EQ(si.si_pid, 0);
        /* A second stop signal while stopped changes nothing to report. */
        EXPECT_OK(kill(child, SIGSTOP));
        EXPECT_RET(sys_waitid(P_PID, child, &si, WSTOPPED | WNOHANG), 0);
        EXPECT_EQ(si.si_pid, 0);

        EXPECT_OK(kill(child, SIGCONT));
        EXPECT_RET(sys_waitid(P_PID, child, &si, WCONTINUED | WNOWAIT), 0);
        EXPECT_EQ(si.si_code, CLD_CONTINUED);
        EXPECT_EQ(si.si_status, SIGCONT);
        EXPECT_EQ(si.si_pid, child);
        EXPECT_RET(sys_waitid(P_PID, child, &si, WCONTINUED), 0);
        EXPECT_EQ(si.si_code, CLD_CONTINUED);
        EXPECT_RET(sys_waitid(P_PID, child, &si, WCONTINUED | WNOHANG), 0);
        EXPECT_EQ(si.si_pid, 0);
        /* SIGCONT to a running process: nothing to report. */
        EXPECT_OK(kill(child, SIGCONT));
        EXPECT_RET(sys_waitid(P_PID, child, &si, WCONTINUED | WSTOPPED | WNOHANG), 0);
        EXPECT_EQ(si.si_pid, 0);

        /* SIGKILL ends a stopped process. */
        EXPECT_OK(kill(child, SIGSTOP));
        EXPECT_RET(sys_wait4(child, &status, WUNTRACED), child);
        CHECK(WIFSTOPPED(status), "status %#x", status);
        EXPECT_OK(kill(child, SIGKILL));
        EXPECT_RET(sys_wait4(child, &status, 0), child);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        return 0;
}
