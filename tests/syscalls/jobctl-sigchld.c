/* Job control and SIGCHLD: the parent hears CLD_STOPPED (si_status the stop
 * signal) and CLD_CONTINUED (SIGCONT), but not with SA_NOCLDSTOP. A stop
 * signal discards a pending SIGCONT and SIGCONT discards pending stop
 * signals, even blocked ones (seen in /proc/PID/status ShdPnd). */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

static void on_chld(int signo)
{
        (void)signo;
}

/* The child's shared pending set, from /proc/PID/status. */
static unsigned long long shd_pending(pid_t pid)
{
        char path[64], buf[4096], *p;
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        fd = EXPECT_OK(open(path, O_RDONLY | O_CLOEXEC));
        n = EXPECT_OK(read(fd, buf, sizeof(buf) - 1));
        close(fd);
        buf[n] = '\0';
        p = strstr(buf, "ShdPnd:\t");
        CHECK(p, "no ShdPnd line in %s", path);
        return strtoull(p + 8, NULL, 16);
}

#define BIT(s) (1ULL << ((s) - 1))

static void expect_sigchld(pid_t child, int code, int status)
{
        struct timespec ts = { .tv_sec = 5 };
        sigset_t set;
        siginfo_t si;

        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        EXPECT_RET(syscall(SYS_rt_sigtimedwait, &set, &si, &ts, 8), SIGCHLD);
        EXPECT_EQ(si.si_code, code);
        EXPECT_EQ(si.si_status, status);
        EXPECT_EQ(si.si_pid, child);
}

static void expect_no_sigchld(void)
{
        sigset_t set;

        EXPECT_OK(sigpending(&set));
        CHECK(!sigismember(&set, SIGCHLD), "SIGCHLD pending");
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_chld, .sa_flags = SA_NOCLDSTOP };
        int ready[2], status;
        sigset_t set;
        pid_t child;
        char c;

        alarm(20);
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
        EXPECT_OK(pipe(ready));

        child = EXPECT_OK(fork());
        if (child == 0) {
                sigemptyset(&set);
                sigaddset(&set, SIGCONT);
                sigaddset(&set, SIGTSTP);
                setpgid(0, 0);          /* never orphaned: see jobctl-stop-cont */
                if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || write(ready[1], "r", 1) != 1)
                        _exit(1);
                for (;;)
                        pause();
        }
        EXPECT_RET(read(ready[0], &c, 1), 1);

        /* SIGCHLD with CLD_STOPPED, then CLD_CONTINUED. */
        EXPECT_OK(kill(child, SIGSTOP));
        expect_sigchld(child, CLD_STOPPED, SIGSTOP);
        EXPECT_RET(waitpid(child, &status, WUNTRACED), child);
        EXPECT_OK(kill(child, SIGCONT));
        expect_sigchld(child, CLD_CONTINUED, SIGCONT);
        EXPECT_RET(waitpid(child, &status, WCONTINUED), child);

        /* SA_NOCLDSTOP: still reported to wait, but no SIGCHLD. */
        EXPECT_OK(sigaction(SIGCHLD, &sa, NULL));
        EXPECT_OK(kill(child, SIGSTOP));
        EXPECT_RET(waitpid(child, &status, WUNTRACED), child);
        CHECK(WIFSTOPPED(status), "status %#x", status);
        expect_no_sigchld();
        EXPECT_OK(kill(child, SIGCONT));
        EXPECT_RET(waitpid(child, &status, WCONTINUED), child);
        CHECK(WIFCONTINUED(status), "status %#x", status);
        expect_no_sigchld();
        sa.sa_handler = SIG_DFL;
        sa.sa_flags = 0;
        EXPECT_OK(sigaction(SIGCHLD, &sa, NULL));

        /* The child blocks SIGCONT and SIGTSTP: they wait, pending. A stop
         * signal flushes SIGCONT, SIGCONT flushes the stop signals. */
        EXPECT_OK(kill(child, SIGCONT));
        EXPECT_EQ(shd_pending(child) & (BIT(SIGCONT) | BIT(SIGTSTP)), BIT(SIGCONT));
        EXPECT_OK(kill(child, SIGTSTP));
        EXPECT_EQ(shd_pending(child) & (BIT(SIGCONT) | BIT(SIGTSTP)), BIT(SIGTSTP));
        EXPECT_OK(kill(child, SIGCONT));
        EXPECT_EQ(shd_pending(child) & (BIT(SIGCONT) | BIT(SIGTSTP)), BIT(SIGCONT));
        /* SIGSTOP cannot be blocked: it stops, and takes SIGCONT with it. */
        EXPECT_OK(kill(child, SIGSTOP));
        EXPECT_RET(waitpid(child, &status, WUNTRACED), child);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "status %#x", status);
        EXPECT_EQ(shd_pending(child) & (BIT(SIGCONT) | BIT(SIGTSTP) | BIT(SIGSTOP)), 0);

        EXPECT_OK(kill(child, SIGKILL));
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        return 0;
}
