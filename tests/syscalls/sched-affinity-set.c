/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sched_setaffinity: an empty mask (also a zero length) is EINVAL, bits for
 * CPUs that do not exist are dropped, a bad pointer is EFAULT, an unknown
 * pid ESRCH; the mask set comes back from sched_getaffinity, is inherited by
 * fork, and getcpu reports a CPU inside it. sched_yield returns 0.
 */
#include <sched.h>
#include <sys/wait.h>

#include "test.h"

#define LEN 128

static void pin_first(const unsigned char *full, long n)
{
        unsigned char one[LEN] = { 0 }, got[LEN];
        unsigned cpu = 99, node = 99;
        int first = -1, status;
        pid_t pid;

        for (int i = 0; i < n * 8 && first < 0; i++)
                if (full[i / 8] & (1u << (i % 8)))
                        first = i;
        one[first / 8] = (unsigned char)(1u << (first % 8));
        EXPECT_OK(syscall(SYS_sched_setaffinity, 0, n, one));
        EXPECT_RET(syscall(SYS_sched_getaffinity, 0, n, got), n);
        CHECK(memcmp(got, one, n) == 0, "the mask set did not come back");
        EXPECT_OK(syscall(SYS_getcpu, &cpu, &node, NULL));
        EXPECT_EQ(cpu, first);
        EXPECT_EQ(node, 0);
        pid = fork();
        if (pid == 0) {
                unsigned char m[LEN];

                _exit(syscall(SYS_sched_getaffinity, 0, n, m) == n && memcmp(m, one, n) == 0 ? 0 : 2);
        }
        CHECK(pid > 0, "fork: %s", test_errname(errno));
        EXPECT_RET(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(status, 0);
}

int main(void)
{
        unsigned char full[LEN], mask[LEN], got[LEN];
        unsigned cpu;
        long n;

        EXPECT_RET(syscall(SYS_sched_yield), 0);
        n = EXPECT_OK(syscall(SYS_sched_getaffinity, 0, LEN, full));

        memset(mask, 0, sizeof(mask));
        EXPECT_ERRNO(syscall(SYS_sched_setaffinity, 0, n, mask), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_setaffinity, 0, 0, full), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_setaffinity, 0, n, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_sched_setaffinity, 0x3ffffff, n, full), ESRCH);
        EXPECT_ERRNO(syscall(SYS_sched_setaffinity, -1, n, full), ESRCH);

        /* Every bit set: only the CPUs that exist are kept. */
        memset(mask, 0xff, sizeof(mask));
        EXPECT_OK(syscall(SYS_sched_setaffinity, 0, LEN, mask));
        EXPECT_RET(syscall(SYS_sched_getaffinity, 0, LEN, got), n);
        CHECK(memcmp(got, full, n) == 0, "setting every bit changed the mask");

        EXPECT_OK(syscall(SYS_getcpu, &cpu, NULL, NULL));
        CHECK(full[cpu / 8] & (1u << (cpu % 8)), "getcpu %u is not in the mask", cpu);
        EXPECT_OK(syscall(SYS_getcpu, NULL, NULL, NULL));
        EXPECT_ERRNO(syscall(SYS_getcpu, LOW_ADDR, NULL, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_getcpu, NULL, LOW_ADDR, NULL), EFAULT);

        pin_first(full, n);
        EXPECT_OK(syscall(SYS_sched_setaffinity, 0, n, full));
        return TEST_PASS;
}
