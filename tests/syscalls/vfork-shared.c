/* vfork: the child runs in the parent's memory (what it writes, the parent
 * sees) while the parent waits; posix_spawn, built on CLONE_VM|CLONE_VFORK,
 * reports an exec failure through that shared memory (ENOENT), and runs a
 * program that exists. */
#include <spawn.h>
#include <sys/wait.h>

#include "test.h"

static volatile int shared_var;

int main(int argc, char **argv)
{
        char *args[] = { argv[0], "child", NULL };
        char *envp[] = { NULL };
        int status;
        pid_t pid;

        if (argc > 1 && strcmp(argv[1], "child") == 0)
                return 7;
        pid = vfork();
        if (pid == 0) {
                shared_var = 42;
                _exit(3);
        }
        EXPECT_TRUE(pid > 0);
        CHECK(shared_var == 42, "the vfork child's write is not in the parent: %d", shared_var);
        EXPECT_EQ(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status %#x", status);

        EXPECT_EQ(posix_spawn(&pid, "/nonexistent/program", NULL, NULL, args, envp), ENOENT);
        EXPECT_EQ(posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, envp), 0);
        EXPECT_EQ(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "spawned status %#x", status);
        return TEST_PASS;
}
