/* Waiting for inotify events: poll and epoll readiness, a blocking read
 * woken by another process's change, a blocking read interrupted by a
 * signal (EINTR without SA_RESTART), and the queue's limit
 * (/proc/sys/fs/inotify/max_queued_events): past it one IN_Q_OVERFLOW
 * (wd -1) and nothing more until the queue is read. An exec reads its
 * file: IN_OPEN, IN_ACCESS, IN_CLOSE_NOWRITE. */
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "inotify-test.h"

static void on_alarm(int sig)
{
        (void)sig;
}

static int max_queued(void)
{
        FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
        int n = 0;

        if (!f || fscanf(f, "%d", &n) != 1 || n <= 0)
                FAIL("cannot read /proc/sys/fs/inotify/max_queued_events");
        fclose(f);
        return n;
}

/* A copy of this program in the test directory, to exec. */
static void copy_self(const char *to)
{
        char buf[65536];
        int in = open("/proc/self/exe", O_RDONLY), out = open(to, O_CREAT | O_WRONLY, 0755);
        ssize_t n;

        if (in < 0 || out < 0)
                FAIL("copy_self: %s", test_errname(errno));
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n)
                        FAIL("copy_self: write: %s", test_errname(errno));
        close(in);
        close(out);
}

int main(int argc, char **argv)
{
        struct in_reader r = { 0 };
        struct epoll_event ev = { .events = EPOLLIN }, out;
        struct itimerval it = { .it_value = { 0, 50000 } };
        struct sigaction sa = { .sa_handler = on_alarm };
        char buf[256] __attribute__((aligned(8)));
        struct inotify_event *e = (struct inotify_event *)buf;
        int fd, bfd, ep, wd, f, x, y, st, max, n;
        struct pollfd p;
        pid_t pid;

        if (argc > 1 && !strcmp(argv[1], "child"))
                return 0;
        in_dir_enter();
        fd = EXPECT_OK(in_init1(IN_NONBLOCK));
        r.fd = fd;
        wd = EXPECT_OK(in_add(fd, ".", IN_CREATE | IN_MODIFY));

        /* Readiness. */
        p = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
        EXPECT_RET(poll(&p, 1, 0), 0);
        ep = EXPECT_OK(epoll_create1(0));
        ev.data.fd = fd;
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
        EXPECT_RET(epoll_wait(ep, &out, 1, 0), 0);
        f = EXPECT_OK(open("one", O_CREAT | O_WRONLY, 0644));
        EXPECT_OK(close(f));
        EXPECT_RET(poll(&p, 1, 0), 1);
        EXPECT_EQ(p.revents, POLLIN);
        EXPECT_RET(epoll_wait(ep, &out, 1, 0), 1);
        EXPECT_EQ(out.events, EPOLLIN);
        EXPECT_EVENT(&r, wd, IN_CREATE, "one");
        EXPECT_RET(poll(&p, 1, 0), 0);
        EXPECT_RET(epoll_wait(ep, &out, 1, 0), 0);

        /* A blocking read waits for another process's change. */
        bfd = EXPECT_OK(in_init1(0));
        EXPECT_OK(in_add(bfd, ".", IN_CREATE));
        pid = EXPECT_OK(fork());
        if (pid == 0) {
                usleep(50000);
                f = open("two", O_CREAT | O_WRONLY, 0644);
                _exit(f < 0);
        }
        EXPECT_RET(read(bfd, buf, sizeof(buf)), 32);
        EXPECT_EQ(e->mask, IN_CREATE);
        EXPECT_TRUE(strcmp(e->name, "two") == 0);
        EXPECT_EQ(waitpid(pid, &st, 0), pid);
        EXPECT_EQ(st, 0);
        /* A signal without SA_RESTART ends the wait with EINTR. */
        EXPECT_OK(sigaction(SIGALRM, &sa, NULL));
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        EXPECT_ERRNO(read(bfd, buf, sizeof(buf)), EINTR);
        EXPECT_OK(close(bfd));
        EXPECT_EVENT(&r, wd, IN_CREATE, "two");
        EXPECT_NO_EVENT(&r);

        /* The queue's limit: writes to two files in turn are all distinct
         * events. */
        max = max_queued();
        x = EXPECT_OK(open("x", O_CREAT | O_WRONLY, 0644));
        y = EXPECT_OK(open("y", O_CREAT | O_WRONLY, 0644));
        EXPECT_EVENT(&r, wd, IN_CREATE, "x");
        EXPECT_EVENT(&r, wd, IN_CREATE, "y");
        for (int i = 0; i < max + 10; i++)
                EXPECT_RET(write(i % 2 ? y : x, "z", 1), 1);
        EXPECT_OK(ioctl(fd, FIONREAD, &n));
        EXPECT_EQ(n, max * 32 + 16);
        for (int i = 0; i < max; i++)
                EXPECT_EVENT(&r, wd, IN_MODIFY, i % 2 ? "y" : "x");
        EXPECT_EVENT(&r, -1, IN_Q_OVERFLOW, "");
        EXPECT_NO_EVENT(&r);
        /* Room again: events queue again. */
        EXPECT_RET(write(x, "z", 1), 1);
        EXPECT_EVENT(&r, wd, IN_MODIFY, "x");
        EXPECT_NO_EVENT(&r);
        EXPECT_OK(close(x));
        EXPECT_OK(close(y));

        /* exec. */
        EXPECT_OK(in_rm(fd, wd));
        EXPECT_EVENT(&r, wd, IN_IGNORED, "");
        copy_self("prog");
        wd = EXPECT_OK(in_add(fd, ".", IN_OPEN | IN_ACCESS | IN_CLOSE));
        pid = EXPECT_OK(fork());
        if (pid == 0) {
                execl("./prog", "prog", "child", (char *)NULL);
                _exit(127);
        }
        EXPECT_EQ(waitpid(pid, &st, 0), pid);
        EXPECT_EQ(st, 0);
        EXPECT_EVENT(&r, wd, IN_OPEN, "prog");
        EXPECT_EVENT(&r, wd, IN_ACCESS, "prog");
        EXPECT_EVENT(&r, wd, IN_CLOSE_NOWRITE, "prog");
        EXPECT_NO_EVENT(&r);
        EXPECT_OK(close(ep));
        EXPECT_OK(close(fd));
        return 0;
}
