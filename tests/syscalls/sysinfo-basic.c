/* sysinfo: values consistent with each other and with /proc; EFAULT. */
#include <sys/sysinfo.h>

#include "test.h"

int main(void)
{
        struct sysinfo si;
        double up = -1;
        FILE *f;

        memset(&si, 0xff, sizeof(si));
        EXPECT_OK(syscall(SYS_sysinfo, &si));
        CHECK(si.mem_unit >= 1, "mem_unit %u", si.mem_unit);
        CHECK(si.totalram > 0 && si.freeram <= si.totalram, "ram %lu free %lu", si.totalram,
              si.freeram);
        CHECK(si.freeswap <= si.totalswap, "swap");
        CHECK(si.procs >= 1, "procs %u", si.procs);
        f = fopen("/proc/uptime", "r");
        EXPECT_TRUE(f != NULL);
        CHECK(fscanf(f, "%lf", &up) == 1, "reading /proc/uptime");
        fclose(f);
        CHECK(si.uptime >= (long)up - 1 && si.uptime <= (long)up + 2, "uptime %ld, /proc %f",
              si.uptime, up);
        EXPECT_ERRNO(syscall(SYS_sysinfo, (void *)8), EFAULT);
        return TEST_PASS;
}
