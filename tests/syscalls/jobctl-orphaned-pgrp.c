/* Orphaned process groups. When the last process linking a group to the
 * rest of its session exits and the group has a stopped member, every
 * member gets SIGHUP then SIGCONT. In an orphaned group SIGTSTP (and
 * SIGTTIN, SIGTTOU) do nothing, while SIGSTOP still stops. */
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

static int pipefd[2];

static void on_hup(int signo)
{
        (void)signo;
        if (write(pipefd[1], "H", 1) != 1)
                _exit(9);
        _exit(0);
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_hup };
        pid_t a, b, c;
        int status;
        char got;

        alarm(20);
        EXPECT_OK(pipe(pipefd));

        /* A leads a new session; B, its child, has a group of its own in
         * that session: B's group hangs on A. B stops; A exits. */
        a = EXPECT_OK(fork());
        if (a == 0) {
                if (setsid() < 0)
                        _exit(1);
                b = fork();
                if (b < 0)
                        _exit(2);
                if (b == 0) {
                        if (setpgid(0, 0) < 0 || sigaction(SIGHUP, &sa, NULL) < 0)
                                _exit(1);
                        kill(getpid(), SIGSTOP);
                        _exit(5);       /* continued without SIGHUP */
                }
                setpgid(b, b);
                if (waitpid(b, &status, WUNTRACED) != b || !WIFSTOPPED(status))
                        _exit(3);
                _exit(0);
        }
        close(pipefd[1]);
        EXPECT_RET(waitpid(a, &status, 0), a);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a: status %#x", status);
        /* B's handler writes once it is hung up and continued. */
        EXPECT_RET(read(pipefd[0], &got, 1), 1);
        EXPECT_EQ(got, 'H');
        close(pipefd[0]);

        /* C leads a session of its own, its group is orphaned from birth:
         * SIGTSTP, SIGTTIN and SIGTTOU are discarded. */
        c = EXPECT_OK(fork());
        if (c == 0) {
                if (setsid() < 0)
                        _exit(1);
                kill(getpid(), SIGTSTP);
                kill(getpid(), SIGTTIN);
                kill(getpid(), SIGTTOU);
                _exit(4);
        }
        EXPECT_RET(waitpid(c, &status, WUNTRACED), c);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 4, "c: status %#x", status);

        /* SIGSTOP stops even there. */
        c = EXPECT_OK(fork());
        if (c == 0) {
                if (setsid() < 0)
                        _exit(1);
                kill(getpid(), SIGSTOP);
                _exit(6);
        }
        EXPECT_RET(waitpid(c, &status, WUNTRACED), c);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "c: status %#x", status);
        EXPECT_OK(kill(c, SIGCONT));
        EXPECT_RET(waitpid(c, &status, 0), c);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 6, "c: status %#x", status);
        return 0;
}
