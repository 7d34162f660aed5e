/* chroot (in a forked child): "/" and ".." stop at the new root, the cwd
 * stays where it was (getcwd says "(unreachable)"), others see the child's
 * root as its real place in /proc/PID/root; and the errors. */
#include "fs-test.h"
#include <limits.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int child(const char *top)
{
        char buf[PATH_MAX];
        struct stat st, inner;

        FAILS(syscall(SYS_chroot, "d/file"), ENOTDIR);
        FAILS(syscall(SYS_chroot, "missing"), ENOENT);
        FAILS(syscall(SYS_chroot, ""), ENOENT);
        FAILS(syscall(SYS_chroot, (char *)16), EFAULT);
        CHECK(stat("d/sub", &inner) == 0);
        CHECK(syscall(SYS_chroot, "d") == 0);
        /* The cwd did not move: it is outside the root now. */
        CHECK(syscall(SYS_getcwd, buf, sizeof(buf)) > 0);
        CHECK(strncmp(buf, "(unreachable)/", 14) == 0 && strcmp(buf + 13, top) == 0);
        CHECK(stat("d/file", &st) == 0);
        /* Absolute names start at the new root, and ".." stays there. */
        CHECK(stat("/file", &st) == 0 && S_ISREG(st.st_mode));
        CHECK(stat("/../../../sub", &st) == 0 && st.st_ino == inner.st_ino);
        FAILS(stat("/d", &st), ENOENT);
        CHECK(chdir("/") == 0);
        CHECK(syscall(SYS_getcwd, buf, sizeof(buf)) == 2 && strcmp(buf, "/") == 0);
        CHECK(chdir("..") == 0 && chdir("sub") == 0);
        CHECK(syscall(SYS_getcwd, buf, sizeof(buf)) == 5 && strcmp(buf, "/sub") == 0);
        /* chroot again, relative to the new root: nested. */
        CHECK(syscall(SYS_chroot, ".") == 0);
        CHECK(stat("/inner", &st) == 0);
        FAILS(stat("/../file", &st), ENOENT);
        return 0;
}

int main(void)
{
        char top[PATH_MAX], buf[PATH_MAX], want[PATH_MAX + 8], link[64];
        int status, up[2], down[2];
        pid_t pid;
        ssize_t n;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(mkdir("d", 0755) == 0 && mkdir("d/sub", 0755) == 0);
        CHECK(write_file("d/file", "x") == 0 && write_file("d/sub/inner", "y") == 0);
        CHECK(getcwd(top, sizeof(top)));
        CHECK(pipe(up) == 0 && pipe(down) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                int r = child(top);

                /* Tell the parent, then wait for it to look at us. */
                char c;

                close(down[1]);
                if (write(up[1], &r, sizeof(r)) != sizeof(r) || read(down[0], &c, 1) < 0)
                        _exit(1);
                _exit(r);
        }
        int r = -1;

        close(up[1]);
        CHECK(read(up[0], &r, sizeof(r)) == sizeof(r) && r == 0);
        /* The child's root, named from ours. */
        snprintf(link, sizeof(link), "/proc/%d/root", (int)pid);
        snprintf(want, sizeof(want), "%s/d/sub", top);
        n = readlink(link, buf, sizeof(buf) - 1);
        CHECK(n > 0);
        buf[n] = '\0';
        CHECK(strcmp(buf, want) == 0);
        n = readlink("/proc/self/root", buf, sizeof(buf) - 1);
        CHECK(n == 1 && buf[0] == '/');
        close(down[1]);
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return 0;
}
