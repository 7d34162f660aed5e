/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the System V IPC tests (ipc-*). Natively each test first
 * moves into a fresh IPC namespace, so nothing it makes is seen by (or
 * collides with) the host's; the sandbox has only its own (unshare is not
 * needed there). Every test still removes what it makes.
 */
#pragma once

#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "test.h"

static inline void ipc_test_setup(void)
{
        if (syscall(SYS_unshare, CLONE_NEWIPC) < 0) {
                if (errno == EPERM)
                        test_skip("unshare(CLONE_NEWIPC) needs root");
                if (errno != ENOSYS && errno != EINVAL)
                        FAIL("unshare: %s", test_errname(errno));
        }
}

/* Fork; the child runs fn and exits 0 unless fn fails. Returns its pid. */
static inline pid_t ipc_spawn(void (*fn)(void *), void *arg)
{
        pid_t pid = fork();

        if (pid < 0)
                FAIL("fork: %s", test_errname(errno));
        if (pid == 0) {
                fn(arg);
                fflush(stderr);
                _exit(TEST_PASS);
        }
        return pid;
}

/* Wait for pid; fail unless it exited 0. */
static inline void ipc_reap(pid_t pid)
{
        int status;

        if (waitpid(pid, &status, 0) != pid)
                FAIL("waitpid: %s", test_errname(errno));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                FAIL("child: status 0x%x", status);
}

static inline void ipc_sleep_ms(long ms);

/* Send sig to pid every 20 ms until it exits (so a child that was not yet
 * waiting when the first came is interrupted by a later one); fail unless
 * it exited 0. */
static inline void ipc_signal_until_exit(pid_t pid, int sig)
{
        int status;

        for (int i = 0; i < 1000; i++) {
                pid_t r = waitpid(pid, &status, WNOHANG);

                if (r == pid) {
                        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                                FAIL("child: status 0x%x", status);
                        return;
                }
                if (r < 0)
                        FAIL("waitpid: %s", test_errname(errno));
                kill(pid, sig);
                ipc_sleep_ms(20);
        }
        FAIL("child %d did not exit", pid);
}

static inline void ipc_sleep_ms(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

        nanosleep(&ts, NULL);
}

static inline long shmctl_raw(int id, int cmd, void *buf)
{
        return syscall(SYS_shmctl, id, cmd, buf);
}

static inline long semctl_raw(int id, int num, int cmd, unsigned long arg)
{
        return syscall(SYS_semctl, id, num, cmd, arg);
}

static inline long shm_nattch(int id)
{
        struct shmid_ds ds;

        if (shmctl_raw(id, IPC_STAT, &ds) < 0)
                FAIL("shmctl(IPC_STAT): %s", test_errname(errno));
        return (long)ds.shm_nattch;
}
