/* FIFOs (mkfifo + fork): an O_RDONLY open waits for a writer and an
 * O_WRONLY open for a reader; O_RDONLY|O_NONBLOCK goes on, O_WRONLY|
 * O_NONBLOCK with no reader is ENXIO; O_RDWR never waits; a waiting open is
 * interrupted by a signal (EINTR without SA_RESTART); every open shares one
 * pipe; readiness and EOF as pipes; fstat shows the FIFO's inode. */
#include "fs-test.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static void on_alarm(int sig)
{
        (void)sig;
}

static void sleep_ms(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

        nanosleep(&ts, NULL);
}

static int child_exit_ok(pid_t pid)
{
        int status;

        return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
        struct pollfd pfd;
        struct stat st, fst;
        char buf[16];
        int r, w, rw, ep;
        pid_t pid;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(mkfifo("p", 0600) == 0);

        /* No reader: a non-blocking writer is ENXIO; a non-blocking reader
         * opens, reads EOF, and sees no HUP before any writer came. */
        FAILS(open("p", O_WRONLY | O_NONBLOCK), ENXIO);
        r = open("p", O_RDONLY | O_NONBLOCK);
        CHECK(r >= 0);
        CHECK(read(r, buf, sizeof(buf)) == 0);
        pfd = (struct pollfd){ .fd = r, .events = POLLIN };
        CHECK(poll(&pfd, 1, 0) == 0);
        CHECK(fstat(r, &fst) == 0 && stat("p", &st) == 0);
        CHECK(S_ISFIFO(fst.st_mode) && fst.st_ino == st.st_ino && fst.st_dev == st.st_dev);
        /* Now a writer may open without waiting, and both share the pipe. */
        w = open("p", O_WRONLY | O_NONBLOCK);
        CHECK(w >= 0);
        CHECK(fcntl(w, F_GETPIPE_SZ) == 65536);
        CHECK(write(w, "abc", 3) == 3);
        CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
        ep = epoll_create1(0);
        struct epoll_event ev = { .events = EPOLLIN, .data.fd = r };
        CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev) == 0);
        CHECK(epoll_wait(ep, &ev, 1, 0) == 1 && ev.events == EPOLLIN);
        CHECK(read(r, buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3));
        FAILS(read(r, buf, sizeof(buf)), EAGAIN);
        /* The writer goes: EOF and HUP. */
        close(w);
        CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP));
        CHECK(read(r, buf, sizeof(buf)) == 0);
        close(ep);
        close(r);

        /* O_RDWR never waits and is its own partner; two opens share it. */
        rw = open("p", O_RDWR);
        CHECK(rw >= 0);
        r = open("p", O_RDONLY);
        CHECK(r >= 0);
        CHECK(write(rw, "xy", 2) == 2);
        CHECK(read(r, buf, sizeof(buf)) == 2 && !memcmp(buf, "xy", 2));
        close(r);
        close(rw);

        /* A blocking reader waits until a writer opens. */
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                sleep_ms(50);
                w = open("p", O_WRONLY);
                _exit(w >= 0 && write(w, "hi", 2) == 2 ? 0 : 1);
        }
        r = open("p", O_RDONLY);
        CHECK(r >= 0);
        CHECK(read(r, buf, sizeof(buf)) == 2 && !memcmp(buf, "hi", 2));
        CHECK(child_exit_ok(pid));
        CHECK(read(r, buf, sizeof(buf)) == 0);
        close(r);

        /* A blocking writer waits until a reader opens. */
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                sleep_ms(50);
                r = open("p", O_RDONLY);
                if (r < 0 || read(r, buf, 2) != 2 || memcmp(buf, "ok", 2))
                        _exit(1);
                _exit(0);
        }
        w = open("p", O_WRONLY);
        CHECK(w >= 0);
        CHECK(write(w, "ok", 2) == 2);
        CHECK(child_exit_ok(pid));
        /* The reader left: EPIPE (SIGPIPE ignored). */
        signal(SIGPIPE, SIG_IGN);
        FAILS(write(w, "x", 1), EPIPE);
        close(w);

        /* A signal interrupts a waiting open: EINTR without SA_RESTART. */
        struct sigaction sa = { .sa_handler = on_alarm };
        struct itimerval it = { .it_value = { 0, 50000 } };
        CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
        CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
        FAILS(open("p", O_RDONLY), EINTR);
        CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
        FAILS(open("p", O_WRONLY), EINTR);
        /* The interrupted ends are gone: still no reader. */
        FAILS(open("p", O_WRONLY | O_NONBLOCK), ENXIO);

        /* An unlinked FIFO keeps working for those who have it open. */
        rw = open("p", O_RDWR);
        CHECK(rw >= 0 && unlink("p") == 0);
        CHECK(write(rw, "z", 1) == 1 && read(rw, buf, 1) == 1 && buf[0] == 'z');
        close(rw);
        return 0;
}
