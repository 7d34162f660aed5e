/*
 * `conternel do -t`: the keeper. The host terminal must come back the way
 * it was however the sandbox ends, a sentry crash included, so it is not
 * the sentry's to restore: this process puts the terminal in raw mode,
 * forks the sentry (which proxies bytes between the terminal and the
 * sandbox's pty: tty_proxy.c), waits for it, and restores the modes after
 * waitpid() whatever the status. It also forwards SIGWINCH to the sentry as
 * a byte on a pipe (the sentry reads the new size from the terminal).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime.h"

static int winch_write_fd = -1;

static void on_winch(int signo)
{
        int saved = errno;
        char c = 'w';

        (void)signo;
        if (write(winch_write_fd, &c, 1) < 0) {
                /* full: a resize is already pending */
        }
        errno = saved;
}

/* cfmakeraw(), but output processing stays as the guest's pty does it:
 * the host terminal only shows bytes. */
static void make_raw(struct termios *t)
{
        cfmakeraw(t);
        t->c_cc[VMIN] = 1;
        t->c_cc[VTIME] = 0;
}

int tty_keeper_run(struct sandbox_options *o, char **argv)
{
        struct sigaction sa = { .sa_handler = on_winch, .sa_flags = SA_RESTART };
        struct termios saved, raw;
        int p[2], status, pid;

        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0) {
                fprintf(stderr, "conternel: -t: standard input is not a terminal\n");
                return 125;
        }
        if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
                perror("conternel: pipe");
                return 125;
        }
        raw = saved;
        make_raw(&raw);
        if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0) {
                perror("conternel: -t: raw mode");
                return 125;
        }
        pid = fork();
        if (pid < 0) {
                tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
                perror("conternel: fork");
                return 125;
        }
        if (pid == 0) {
                close(p[1]);
                o->tty_winch_fd = p[0];
                return sandbox_run(o, argv);
        }
        close(p[0]);
        winch_write_fd = p[1];
        sigaction(SIGWINCH, &sa, NULL);
        /* The terminal sends no signals in raw mode; these come from kill
         * and are the sentry's business (it sees them too if they went to
         * the process group). */
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR) {
                        status = W_EXITCODE(125, 0);
                        break;
                }
        }
        tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
        if (WIFSIGNALED(status)) {
                fprintf(stderr, "conternel: the sandbox died of signal %d\n", WTERMSIG(status));
                return 128 + WTERMSIG(status);
        }
        return WEXITSTATUS(status);
}
