/* Writes MIB mebibytes to standard output in 4 KiB write(2) calls: the cost
 * of a stream of real system calls with data. Usage: write4k [MIB] */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        static char buf[4096];
        long n = (argc > 1 ? atol(argv[1]) : 100) * 256;

        for (long i = 0; i < n; i++)
                if (write(1, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
                        return 1;
        return 0;
}
