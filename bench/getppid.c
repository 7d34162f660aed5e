/* The system call round trip: N getppid calls, reported as µs per call.
 * Usage: getppid [N]   prints "getppid <usec-per-call>" */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
        long n = argc > 1 ? atol(argv[1]) : 100000;
        double start;

        if (n <= 0)
                return 2;
        for (long i = 0; i < n / 10 + 1; i++)   /* warm up */
                syscall(SYS_getppid);
        start = now_us();
        for (long i = 0; i < n; i++)
                syscall(SYS_getppid);
        printf("getppid %.3f\n", (now_us() - start) / (double)n);
        return 0;
}
