/* /proc/PID of a forked child: there while it lives (its PPid is us), a
 * zombie once it exited, gone once reaped. */
#include <fcntl.h>
#include <sys/wait.h>

#include "test.h"

static char *read_file(const char *path)
{
        static char buf[8192];
        int fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDONLY | O_CLOEXEC));
        ssize_t n = (ssize_t)EXPECT_OK(syscall(SYS_read, fd, buf, sizeof(buf) - 1));

        close(fd);
        buf[n] = '\0';
        return buf;
}

int main(void)
{
        char path[64], *s;
        int go[2], status;
        struct stat st;
        siginfo_t si;
        pid_t pid;

        EXPECT_OK(pipe(go));
        pid = fork();
        if (pid == 0) {
                char c;

                close(go[1]);
                _exit(read(go[0], &c, 1) == 0 ? 0 : 1);
        }
        EXPECT_OK(pid);
        close(go[0]);

        snprintf(path, sizeof(path), "/proc/%d", pid);
        EXPECT_OK(syscall(SYS_stat, path, &st));
        CHECK(S_ISDIR(st.st_mode), "%s is not a directory", path);
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        s = read_file(path);
        {
                char want[32];

                snprintf(want, sizeof(want), "\nPPid:\t%d\n", getpid());
                CHECK(strstr(s, want), "child's status has no %s", want + 1);
                snprintf(want, sizeof(want), "\nPid:\t%d\n", pid);
                CHECK(strstr(s, want), "child's status has no %s", want + 1);
        }
        snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, pid);
        EXPECT_OK(syscall(SYS_stat, path, &st));

        /* Let it exit; wait without reaping: a zombie. */
        close(go[1]);
        EXPECT_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        s = read_file(path);
        CHECK(strstr(s, "\nState:\tZ (zombie)\n"), "child not a zombie: %.200s", s);

        EXPECT_RET(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
        snprintf(path, sizeof(path), "/proc/%d", pid);
        EXPECT_ERRNO(syscall(SYS_stat, path, &st), ENOENT);
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        EXPECT_ERRNO(syscall(SYS_open, path, O_RDONLY), ENOENT);
        return TEST_PASS;
}
