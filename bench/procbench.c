/* Threads, pipes, futexes and fresh memory, run natively, under conternel
 * and under runsc by bench/run.sh. Usage:
 *   procbench thread N      pthread_create + pthread_join     (us per pair)
 *   procbench pipe MIB      MIB through a pipe between two processes in
 *                           64 KiB writes                      (MiB/s)
 *   procbench pingpong N    1 byte back and forth between two processes
 *                           over two pipes                     (us per round trip)
 *   procbench futex N       two threads waking each other through a futex
 *                                                              (us per round trip)
 *   procbench touch MIB     write one byte per page of MIB of fresh anonymous
 *                           memory                             (us per page)
 * Prints "<name> <value>". */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void *nothing(void *arg)
{
        return arg;
}

static int bench_thread(long n)
{
        double t = now_us();

        for (long i = 0; i < n; i++) {
                pthread_t th;

                if (pthread_create(&th, NULL, nothing, NULL) != 0 || pthread_join(th, NULL) != 0)
                        return perror("pthread"), 1;
        }
        printf("thread %.3f\n", (now_us() - t) / (double)n);
        return 0;
}

static int bench_pipe(long mib)
{
        static char buf[CHUNK];
        long total = mib * 1024 * 1024, got = 0;
        int p[2], status;
        double t;
        pid_t pid;

        if (pipe(p) < 0)
                return perror("pipe"), 1;
        t = now_us();
        pid = fork();
        if (pid < 0)
                return perror("fork"), 1;
        if (pid == 0) {
                close(p[0]);
                memset(buf, 'x', sizeof(buf));
                for (long sent = 0; sent < total; sent += CHUNK)
                        if (write(p[1], buf, CHUNK) != CHUNK)
                                _exit(1);
                _exit(0);
        }
        close(p[1]);
        for (ssize_t r; (r = read(p[0], buf, sizeof(buf))) > 0;)
                got += r;
        t = now_us() - t;
        if (waitpid(pid, &status, 0) != pid || status != 0 || got != total)
                return fprintf(stderr, "pipe: got %ld of %ld\n", got, total), 1;
        printf("pipe %.1f\n", (double)mib / (t / 1e6));
        return 0;
}

static int bench_pingpong(long n)
{
        int a[2], b[2], status;
        char c = 'x';
        double t;
        pid_t pid;

        if (pipe(a) < 0 || pipe(b) < 0)
                return perror("pipe"), 1;
        pid = fork();
        if (pid < 0)
                return perror("fork"), 1;
        if (pid == 0) {
                for (long i = 0; i < n + 1; i++)
                        if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
                                _exit(1);
                _exit(0);
        }
        /* One round to warm up, then n. */
        if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
                return 1;
        t = now_us();
        for (long i = 0; i < n; i++)
                if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
                        return 1;
        t = now_us() - t;
        if (waitpid(pid, &status, 0) != pid || status != 0)
                return 1;
        printf("pingpong %.3f\n", t / (double)n);
        return 0;
}

/* The futex word: whose turn it is (0 main, 1 the partner thread). */
static atomic_uint turn;
static long rounds;

/* Give the turn to other and wait until it comes back to me. */
static void futex_hand(unsigned me, unsigned other, bool wait)
{
        atomic_store(&turn, other);
        syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        while (wait && atomic_load(&turn) != me)
                syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, other, NULL, NULL, 0);
}

static void *futex_partner(void *arg)
{
        (void)arg;
        for (long i = 0; i < rounds; i++) {
                while (atomic_load(&turn) != 1)
                        syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
                futex_hand(1, 0, false);
        }
        return NULL;
}

static int bench_futex(long n)
{
        pthread_t th;
        double t;

        rounds = n;
        if (pthread_create(&th, NULL, futex_partner, NULL) != 0)
                return 1;
        t = now_us();
        for (long i = 0; i < n; i++)
                futex_hand(0, 1, true);
        t = now_us() - t;
        pthread_join(th, NULL);
        printf("futex %.3f\n", t / (double)n);
        return 0;
}

static int bench_touch(long mib)
{
        size_t len = (size_t)mib * 1024 * 1024, page = (size_t)sysconf(_SC_PAGESIZE);
        volatile char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        double t;

        if (m == MAP_FAILED)
                return perror("mmap"), 1;
        t = now_us();
        for (size_t off = 0; off < len; off += page)
                m[off] = 1;
        t = now_us() - t;
        printf("touch %.3f\n", t / (double)(len / page));
        return munmap((void *)m, len);
}

int main(int argc, char **argv)
{
        long n = argc > 2 ? atol(argv[2]) : 0;

        if (argc < 3 || n <= 0)
                return 2;
        if (!strcmp(argv[1], "thread"))
                return bench_thread(n);
        if (!strcmp(argv[1], "pipe"))
                return bench_pipe(n);
        if (!strcmp(argv[1], "pingpong"))
                return bench_pingpong(n);
        if (!strcmp(argv[1], "futex"))
                return bench_futex(n);
        if (!strcmp(argv[1], "touch"))
                return bench_touch(n);
        return 2;
}
