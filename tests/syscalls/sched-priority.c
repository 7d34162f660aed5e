/* SPDX-License-Identifier: Apache-2.0 */
/*
 * getpriority/setpriority: 20 - nice comes back; the value is clamped to
 * -20..19; PRIO_PGRP answers for the most favoured member and sets them all;
 * PRIO_USER names the tasks of a real uid; an unknown target is ESRCH, a
 * bad `which` EINVAL; without CAP_SYS_NICE lowering nice past RLIMIT_NICE
 * is EACCES and another user's process is EPERM. Runs in children: the
 * starting nice value is whatever the test was started with.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include "creds-test.h"

#define NICE_OF(which, who) (20 - syscall(SYS_getpriority, (which), (who)))

static void basic(void)
{
        EXPECT_ERRNO(syscall(SYS_getpriority, 3, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getpriority, -1, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_setpriority, 3, 0, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getpriority, PRIO_PROCESS, 0x3ffffff), ESRCH);
        EXPECT_ERRNO(syscall(SYS_setpriority, PRIO_PROCESS, 0x3ffffff, 0), ESRCH);
        EXPECT_ERRNO(syscall(SYS_getpriority, PRIO_PGRP, 0x3ffffff), ESRCH);

        EXPECT_OK(syscall(SYS_setpriority, PRIO_PROCESS, 0, 5));
        EXPECT_EQ(NICE_OF(PRIO_PROCESS, 0), 5);
        EXPECT_EQ(NICE_OF(PRIO_PROCESS, syscall(SYS_getpid)), 5);
        EXPECT_OK(syscall(SYS_setpriority, PRIO_PROCESS, 0, 100));
        EXPECT_EQ(NICE_OF(PRIO_PROCESS, 0), 19);
        EXPECT_OK(syscall(SYS_setpriority, PRIO_PROCESS, 0, -100));
        EXPECT_EQ(NICE_OF(PRIO_PROCESS, 0), -20);
        EXPECT_RET(syscall(SYS_getpriority, PRIO_PROCESS, 0), 40);
}

static void pgrp(void)
{
        int go[2], done[2];
        pid_t pid;
        char c;

        EXPECT_OK(syscall(SYS_setpgid, 0, 0));
        EXPECT_OK(syscall(SYS_setpriority, PRIO_PGRP, 0, 7));
        EXPECT_EQ(NICE_OF(PRIO_PGRP, 0), 7);
        EXPECT_OK(pipe(go));
        EXPECT_OK(pipe(done));
        pid = fork();
        if (pid == 0) {
                /* Same group; more favoured. */
                if (syscall(SYS_setpriority, PRIO_PROCESS, 0, 3) != 0)
                        _exit(1);
                if (write(done[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
                        _exit(1);
                _exit(NICE_OF(PRIO_PROCESS, 0) == 11 ? 0 : 2);
        }
        CHECK(pid > 0, "fork: %s", test_errname(errno));
        EXPECT_RET(read(done[0], &c, 1), 1);
        EXPECT_EQ(NICE_OF(PRIO_PGRP, 0), 3);
        EXPECT_EQ(NICE_OF(PRIO_PGRP, syscall(SYS_getpgid, 0)), 3);
        /* Setting the group sets both. */
        EXPECT_OK(syscall(SYS_setpriority, PRIO_PGRP, 0, 11));
        EXPECT_EQ(NICE_OF(PRIO_PROCESS, pid), 11);
        EXPECT_RET(write(go[1], "x", 1), 1);
        int status;
        EXPECT_RET(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(status, 0);
}

static void unprivileged(void)
{
        struct rlimit rl = { 0, 0 };
        long parent = syscall(SYS_getppid);

        EXPECT_OK(syscall(SYS_setpriority, PRIO_PROCESS, 0, 4));
        EXPECT_OK(syscall(SYS_setrlimit, RLIMIT_NICE, &rl));
        EXPECT_OK(syscall(SYS_setresuid, 4242, 4242, 4242));
        EXPECT_EQ(NICE_OF(PRIO_USER, 4242), 4);
        EXPECT_EQ(NICE_OF(PRIO_USER, 0), 4);
        EXPECT_ERRNO(syscall(SYS_getpriority, PRIO_USER, 4243), ESRCH);
        /* Raising nice is always allowed, lowering it again is not. */
        EXPECT_OK(syscall(SYS_setpriority, PRIO_PROCESS, 0, 6));
        EXPECT_OK(syscall(SYS_setpriority, PRIO_PROCESS, 0, 6));
        EXPECT_ERRNO(syscall(SYS_setpriority, PRIO_PROCESS, 0, 5), EACCES);
        EXPECT_ERRNO(syscall(SYS_setpriority, PRIO_USER, 4242, 0), EACCES);
        EXPECT_EQ(NICE_OF(PRIO_PROCESS, 0), 6);
        /* Someone else's process. */
        if (parent > 0)
                EXPECT_ERRNO(syscall(SYS_setpriority, PRIO_PROCESS, parent, 19), EPERM);
}

int main(void)
{
        creds_require_root();
        creds_in_child(basic);
        creds_in_child(pgrp);
        creds_in_child(unprivileged);
        return TEST_PASS;
}
