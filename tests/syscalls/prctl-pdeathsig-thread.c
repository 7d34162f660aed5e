/* PR_SET_PDEATHSIG fires when the parent *thread* exits, even though the
 * parent process lives on: a child forked by a second thread gets its
 * signal when that thread ends, and its parent stays the same process. */
#include <linux/prctl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

static int fds[2];
static pid_t child;

static void *forker(void *arg)
{
        pid_t parent = getpid();
        char c;

        (void)arg;
        child = fork();
        if (child == 0) {
                struct timespec ts = { .tv_sec = 10 };
                sigset_t set;
                siginfo_t si;

                sigemptyset(&set);
                sigaddset(&set, SIGUSR2);
                if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
                    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0) != 0 ||
                    write(fds[1], "r", 1) != 1)
                        _exit(1);
                if (syscall(SYS_rt_sigtimedwait, &set, &si, &ts, 8) != SIGUSR2)
                        _exit(2);
                if (si.si_code != SI_USER || si.si_pid != parent)
                        _exit(3);
                if (getppid() != parent)
                        _exit(4);
                _exit(0);
        }
        /* The thread ends once the child is ready for it. */
        if (child > 0 && read(fds[0], &c, 1) != 1)
                child = -1;
        return NULL;
}

int main(void)
{
        pthread_t th;
        int status;

        alarm(20);
        EXPECT_OK(pipe(fds));
        EXPECT_EQ(pthread_create(&th, NULL, forker, NULL), 0);
        EXPECT_EQ(pthread_join(th, NULL), 0);
        CHECK(child > 0, "fork in the thread failed");
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed at step %d",
              WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
        return 0;
}
