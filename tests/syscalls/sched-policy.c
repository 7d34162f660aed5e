/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sched_setscheduler/sched_setparam/sched_getscheduler/sched_getparam,
 * the priority ranges and sched_rr_get_interval: Linux's argument checks
 * (EINVAL for a bad policy or priority, a NULL param or a negative pid,
 * ESRCH, EFAULT), the policies round-trip, SCHED_RESET_ON_FORK resets a
 * child to SCHED_OTHER and nice >= 0, and without CAP_SYS_NICE a real-time
 * policy is EPERM. Runs in children.
 */
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "creds-test.h"

static int param_of(int pid)
{
        struct sched_param p = { -1 };

        EXPECT_OK(syscall(SYS_sched_getparam, pid, &p));
        return p.sched_priority;
}

static long set(int policy, int prio)
{
        struct sched_param p = { prio };

        return syscall(SYS_sched_setscheduler, 0, policy, &p);
}

static void limits(void)
{
        EXPECT_RET(syscall(SYS_sched_get_priority_max, SCHED_FIFO), 99);
        EXPECT_RET(syscall(SYS_sched_get_priority_min, SCHED_FIFO), 1);
        EXPECT_RET(syscall(SYS_sched_get_priority_max, SCHED_RR), 99);
        EXPECT_RET(syscall(SYS_sched_get_priority_min, SCHED_RR), 1);
        EXPECT_RET(syscall(SYS_sched_get_priority_max, SCHED_OTHER), 0);
        EXPECT_RET(syscall(SYS_sched_get_priority_min, SCHED_BATCH), 0);
        EXPECT_RET(syscall(SYS_sched_get_priority_max, SCHED_IDLE), 0);
        EXPECT_RET(syscall(SYS_sched_get_priority_max, 6), 0);
        EXPECT_ERRNO(syscall(SYS_sched_get_priority_max, 4), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_get_priority_min, -1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_get_priority_min, 8), EINVAL);
        /* SCHED_EXT has a range even where the kernel has no sched_ext. */
        EXPECT_RET(syscall(SYS_sched_get_priority_max, 7), 0);
}

static void policies(void)
{
        struct sched_param p = { 0 };
        struct timespec ts;

        EXPECT_RET(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);
        EXPECT_EQ(param_of(0), 0);
        EXPECT_ERRNO(syscall(SYS_sched_getscheduler, -1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_getscheduler, 0x3ffffff), ESRCH);
        EXPECT_ERRNO(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_getparam, -1, &p), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_getparam, 0x3ffffff, &p), ESRCH);
        EXPECT_ERRNO(syscall(SYS_sched_getparam, 0, LOW_ADDR), EFAULT);

        EXPECT_ERRNO(set(SCHED_FIFO, 0), EINVAL);
        EXPECT_ERRNO(set(SCHED_FIFO, 100), EINVAL);
        EXPECT_ERRNO(set(SCHED_FIFO, -1), EINVAL);
        EXPECT_ERRNO(set(SCHED_OTHER, 1), EINVAL);
        EXPECT_ERRNO(set(4, 0), EINVAL);
        EXPECT_ERRNO(set(-1, 0), EINVAL);
        EXPECT_ERRNO(set(6, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &p), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_setscheduler, 0x3ffffff, SCHED_OTHER, &p), ESRCH);
        EXPECT_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_sched_setparam, 0, NULL), EINVAL);
        EXPECT_RET(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);

        EXPECT_OK(set(SCHED_FIFO, 10));
        EXPECT_RET(syscall(SYS_sched_getscheduler, 0), SCHED_FIFO);
        EXPECT_EQ(param_of(0), 10);
        EXPECT_OK(syscall(SYS_sched_rr_get_interval, 0, &ts));
        EXPECT_EQ(ts.tv_sec * 1000000000LL + ts.tv_nsec, 0);
        p.sched_priority = 20;
        EXPECT_OK(syscall(SYS_sched_setparam, 0, &p));
        EXPECT_EQ(param_of(0), 20);
        EXPECT_RET(syscall(SYS_sched_getscheduler, 0), SCHED_FIFO);
        p.sched_priority = 0;
        EXPECT_ERRNO(syscall(SYS_sched_setparam, 0, &p), EINVAL);

        EXPECT_OK(set(SCHED_RR, 5));
        EXPECT_OK(syscall(SYS_sched_rr_get_interval, syscall(SYS_getpid), &ts));
        EXPECT_EQ(ts.tv_sec * 1000000000LL + ts.tv_nsec, 100000000);
        EXPECT_ERRNO(syscall(SYS_sched_rr_get_interval, -1, &ts), EINVAL);
        EXPECT_ERRNO(syscall(SYS_sched_rr_get_interval, 0x3ffffff, &ts), ESRCH);
        EXPECT_ERRNO(syscall(SYS_sched_rr_get_interval, 0, LOW_ADDR), EFAULT);

        EXPECT_OK(set(SCHED_BATCH, 0));
        EXPECT_RET(syscall(SYS_sched_getscheduler, 0), SCHED_BATCH);
        EXPECT_EQ(param_of(0), 0);
        EXPECT_OK(set(SCHED_IDLE, 0));
        EXPECT_RET(syscall(SYS_sched_getscheduler, 0), SCHED_IDLE);
        EXPECT_OK(set(SCHED_OTHER, 0));
}

static void reset_on_fork(void)
{
        int status;
        pid_t pid;

        EXPECT_OK(syscall(SYS_setpriority, PRIO_PROCESS, 0, -5));
        EXPECT_OK(set(SCHED_RR | SCHED_RESET_ON_FORK, 7));
        EXPECT_RET(syscall(SYS_sched_getscheduler, 0), SCHED_RR | SCHED_RESET_ON_FORK);
        pid = fork();
        if (pid == 0) {
                if (syscall(SYS_sched_getscheduler, 0) != SCHED_OTHER)
                        _exit(2);
                if (param_of(0) != 0)
                        _exit(3);
                _exit(syscall(SYS_getpriority, PRIO_PROCESS, 0) == 20 ? 0 : 4);
        }
        CHECK(pid > 0, "fork: %s", test_errname(errno));
        EXPECT_RET(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(status, 0);
        /* setparam keeps the flag. */
        struct sched_param p = { 9 };
        EXPECT_OK(syscall(SYS_sched_setparam, 0, &p));
        EXPECT_RET(syscall(SYS_sched_getscheduler, 0), SCHED_RR | SCHED_RESET_ON_FORK);
        /* Without the flag: inherited as is. */
        EXPECT_OK(set(SCHED_FIFO, 3));
        pid = fork();
        if (pid == 0)
                _exit(syscall(SYS_sched_getscheduler, 0) == SCHED_FIFO && param_of(0) == 3 ? 0 : 2);
        EXPECT_RET(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(status, 0);
        EXPECT_OK(set(SCHED_OTHER, 0));
}

static void unprivileged(void)
{
        struct rlimit rl = { 0, 0 };

        EXPECT_OK(syscall(SYS_setrlimit, RLIMIT_RTPRIO, &rl));
        EXPECT_OK(syscall(SYS_setresuid, 1000, 1000, 1000));
        EXPECT_ERRNO(set(SCHED_FIFO, 1), EPERM);
        EXPECT_ERRNO(set(SCHED_RR, 1), EPERM);
        EXPECT_OK(set(SCHED_BATCH, 0));
        EXPECT_RET(syscall(SYS_sched_getscheduler, 0), SCHED_BATCH);
        EXPECT_OK(set(SCHED_OTHER | SCHED_RESET_ON_FORK, 0));
        /* Clearing the flag takes CAP_SYS_NICE. */
        EXPECT_ERRNO(set(SCHED_OTHER, 0), EPERM);
}

int main(void)
{
        creds_require_root();
        limits();
        creds_in_child(policies);
        creds_in_child(reset_on_fork);
        creds_in_child(unprivileged);
        return TEST_PASS;
}
