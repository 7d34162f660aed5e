/* File system micro-benchmarks, run natively, under conternel and under
 * runsc by bench/run.sh. Usage:
 *   fsbench open-read FILE N      open + fstat + read 4 KiB + close
 *   fsbench stat PATH N           stat of PATH (4 levels deep in run.sh)
 *   fsbench stat-cold PATH...     the first stat of each PATH (a cold cache:
 *                                 nothing walked there yet), in all
 *   fsbench create DIR N          create + write 4 KiB + close + unlink in DIR
 *   fsbench write FILE MIB        sequential 1 MiB writes, then fsync-less close
 *   fsbench read FILE             sequential 1 MiB reads to the end
 * Prints "<name> <value>": µs per operation, or MiB/s for write and read. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static char buf[1 << 20];

static int open_read(const char *file, long n)
{
        struct stat st;

        for (long i = 0; i < n; i++) {
                int fd = open(file, O_RDONLY);

                if (fd < 0 || fstat(fd, &st) < 0 || read(fd, buf, 4096) < 0)
                        return perror(file), 1;
                close(fd);
        }
        return 0;
}

static int stat_path(const char *path, long n)
{
        struct stat st;

        for (long i = 0; i < n; i++)
                if (stat(path, &st) < 0)
                        return perror(path), 1;
        return 0;
}

static int create(const char *dir, long n)
{
        char path[4096];

        snprintf(path, sizeof(path), "%s/fsbench-%d", dir, getpid());
        memset(buf, 'x', 4096);
        for (long i = 0; i < n; i++) {
                int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);

                if (fd < 0 || write(fd, buf, 4096) != 4096)
                        return perror(path), 1;
                close(fd);
                if (unlink(path) < 0)
                        return perror(path), 1;
        }
        return 0;
}

static int seq_write(const char *file, long mib)
{
        int fd = open(file, O_CREAT | O_TRUNC | O_WRONLY, 0644);

        if (fd < 0)
                return perror(file), 1;
        memset(buf, 'y', sizeof(buf));
        for (long i = 0; i < mib; i++)
                if (write(fd, buf, sizeof(buf)) != sizeof(buf))
                        return perror(file), 1;
        close(fd);
        return 0;
}

static long seq_read(const char *file)
{
        int fd = open(file, O_RDONLY);
        long total = 0;
        ssize_t n;

        if (fd < 0)
                return perror(file), -1;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                total += n;
        close(fd);
        return n < 0 ? -1 : total;
}

int main(int argc, char **argv)
{
        long n = argc > 3 ? atol(argv[3]) : 0;
        double t;
        int r = 0;

        if (argc < 3)
                return 2;
        if (!strcmp(argv[1], "open-read") || !strcmp(argv[1], "stat") ||
            !strcmp(argv[1], "create")) {
                if (n <= 0)
                        return 2;
                /* Warm up: caches on both sides. */
                if (!strcmp(argv[1], "open-read"))
                        r = open_read(argv[2], n / 10 + 1);
                else if (!strcmp(argv[1], "stat"))
                        r = stat_path(argv[2], n / 10 + 1);
                else
                        r = create(argv[2], n / 10 + 1);
                t = now_us();
                if (!strcmp(argv[1], "open-read"))
                        r |= open_read(argv[2], n);
                else if (!strcmp(argv[1], "stat"))
                        r |= stat_path(argv[2], n);
                else
                        r |= create(argv[2], n);
                printf("%s %.3f\n", argv[1], (now_us() - t) / (double)n);
                return r;
        }
        if (!strcmp(argv[1], "stat-cold")) {
                struct stat st;

                t = now_us();
                for (int i = 2; i < argc; i++)
                        if (stat(argv[i], &st) < 0)
                                return perror(argv[i]), 1;
                printf("stat-cold %.3f\n", now_us() - t);
                return 0;
        }
        if (!strcmp(argv[1], "write")) {
                if (n <= 0)
                        return 2;
                t = now_us();
                r = seq_write(argv[2], n);
                printf("write %.1f\n", (double)n / ((now_us() - t) / 1e6));
                return r;
        }
        if (!strcmp(argv[1], "read")) {
                long total;

                t = now_us();
                total = seq_read(argv[2]);
                if (total < 0)
                        return 1;
                printf("read %.1f\n", (double)total / (1 << 20) / ((now_us() - t) / 1e6));
                return 0;
        }
        return 2;
}
