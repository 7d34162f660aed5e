/* Event I/O micro-benchmarks, for bench/run.sh. Each prints "<mode> <value>".
 *   eviobench stream MIB     unix stream socketpair to a child, 64 KiB writes: MiB/s
 *   eviobench pingpong N     1-byte ping-pong with a child over a socketpair: us per round trip
 *   eviobench epoll N        epoll_wait over 1,000 idle eventfds and one ready: us per call
 *   eviobench eventfd N      ping-pong between two threads over two eventfds: us per round trip */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IDLE_FDS 1000

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
        perror(what);
        exit(1);
}

/* Read exactly len bytes (or EOF). */
static size_t read_full(int fd, char *buf, size_t len)
{
        size_t done = 0;

        while (done < len) {
                ssize_t n = read(fd, buf + done, len - done);

                if (n < 0)
                        die("read");
                if (n == 0)
                        break;
                done += (size_t)n;
        }
        return done;
}

static void stream(long mib)
{
        static char buf[65536];
        int sv[2];
        pid_t pid;
        double t0;

        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                die("socketpair");
        pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                close(sv[0]);
                while (read_full(sv[1], buf, sizeof(buf)) == sizeof(buf))
                        ;
                _exit(0);
        }
        close(sv[1]);
        memset(buf, 'x', sizeof(buf));
        t0 = now_us();
        for (long i = 0; i < mib * 16; i++)
                if (write(sv[0], buf, sizeof(buf)) != sizeof(buf))
                        die("write");
        close(sv[0]);
        waitpid(pid, NULL, 0);
        printf("stream %.1f\n", (double)mib / ((now_us() - t0) / 1e6));
}

static void pingpong(long n)
{
        int sv[2];
        pid_t pid;
        double t0;
        char c = 'x';

        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                die("socketpair");
        pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                close(sv[0]);
                while (read(sv[1], &c, 1) == 1)
                        if (write(sv[1], &c, 1) != 1)
                                _exit(1);
                _exit(0);
        }
        close(sv[1]);
        for (long i = 0; i < n / 10 + 1; i++)   /* warm up */
                if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
                        die("warm up");
        t0 = now_us();
        for (long i = 0; i < n; i++)
                if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
                        die("ping");
        printf("pingpong %.3f\n", (now_us() - t0) / (double)n);
        close(sv[0]);
        waitpid(pid, NULL, 0);
}

static void epoll_many(long n)
{
        struct epoll_event ev, out[8];
        int ep = epoll_create1(0), ready;
        uint64_t one = 1;
        double t0;

        if (ep < 0)
                die("epoll_create1");
        for (int i = 0; i < IDLE_FDS; i++) {
                int fd = eventfd(0, 0);

                ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = fd };
                if (fd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
                        die("idle fd");
        }
        ready = eventfd(0, 0);
        ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = ready };
        if (ready < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ready, &ev) < 0 ||
            write(ready, &one, sizeof(one)) != sizeof(one))
                die("ready fd");
        for (long i = 0; i < n / 10 + 1; i++)
                epoll_wait(ep, out, 8, -1);
        t0 = now_us();
        for (long i = 0; i < n; i++)
                if (epoll_wait(ep, out, 8, -1) != 1 || out[0].data.fd != ready)
                        die("epoll_wait");
        printf("epoll %.3f\n", (now_us() - t0) / (double)n);
}

static int efd_ping, efd_pong;
static long rounds;

static void *ponger(void *arg)
{
        uint64_t v;

        (void)arg;
        for (long i = 0; i < rounds; i++) {
                if (read(efd_ping, &v, sizeof(v)) != sizeof(v) ||
                    write(efd_pong, &v, sizeof(v)) != sizeof(v))
                        die("pong");
        }
        return NULL;
}

static void eventfd_pingpong(long n)
{
        uint64_t v = 1;
        pthread_t th;
        long warm = n / 10 + 1;
        double t0 = 0;

        efd_ping = eventfd(0, 0);
        efd_pong = eventfd(0, 0);
        if (efd_ping < 0 || efd_pong < 0)
                die("eventfd");
        rounds = n + warm;
        if (pthread_create(&th, NULL, ponger, NULL))
                die("pthread_create");
        for (long i = 0; i < rounds; i++) {
                if (i == warm)
                        t0 = now_us();
                if (write(efd_ping, &v, sizeof(v)) != sizeof(v) ||
                    read(efd_pong, &v, sizeof(v)) != sizeof(v))
                        die("ping");
        }
        printf("eventfd %.3f\n", (now_us() - t0) / (double)n);
        pthread_join(th, NULL);
}

int main(int argc, char **argv)
{
        long n = argc > 2 ? atol(argv[2]) : 0;

        if (argc < 3 || n <= 0) {
                fprintf(stderr, "usage: eviobench stream|pingpong|epoll|eventfd N\n");
                return 2;
        }
        if (!strcmp(argv[1], "stream"))
                stream(n);
        else if (!strcmp(argv[1], "pingpong"))
                pingpong(n);
        else if (!strcmp(argv[1], "epoll"))
                epoll_many(n);
        else if (!strcmp(argv[1], "eventfd"))
                eventfd_pingpong(n);
        else
                return 2;
        return 0;
}
