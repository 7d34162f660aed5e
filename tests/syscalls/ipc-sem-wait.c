/* SPDX-License-Identifier: Apache-2.0 */
/* sem: a semop that cannot proceed waits (GETNCNT/GETZCNT count it) until
 * another process changes the value; a signal ends the wait with EINTR
 * even with SA_RESTART; a timeout with EAGAIN; removal with EIDRM. */
#include "ipc-test.h"

static int id;

static void wait_until(int semnum, int cmd, int want)
{
        for (int i = 0; i < 2000; i++) {
                long n = semctl_raw(id, semnum, cmd, 0);

                if (n == want)
                        return;
                ipc_sleep_ms(5);
        }
        FAIL("semctl(%d) never reached %d", cmd, want);
}

static void child_down(void *arg)
{
        struct sembuf op = { 0, -2, 0 };

        (void)arg;
        EXPECT_OK(syscall(SYS_semop, id, &op, 1));
}

static void child_zero(void *arg)
{
        struct sembuf op = { 1, 0, 0 };

        (void)arg;
        EXPECT_OK(syscall(SYS_semop, id, &op, 1));
}

static void on_usr1(int sig)
{
        (void)sig;
}

static void child_interrupted(void *arg)
{
        struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
        struct sembuf op = { 2, -1, 0 };

        (void)arg;
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        EXPECT_ERRNO(syscall(SYS_semop, id, &op, 1), EINTR);
}

static void child_removed(void *arg)
{
        struct sembuf op = { 2, -1, 0 };

        (void)arg;
        EXPECT_ERRNO(syscall(SYS_semop, id, &op, 1), EIDRM);
}

int main(void)
{
        struct timespec t0, t1, ts = { 0, 100 * 1000000L };
        struct sembuf op;
        pid_t pid;

        ipc_test_setup();
        id = (int)EXPECT_OK(syscall(SYS_semget, IPC_PRIVATE, 3, 0600));

        /* down by 2 waits for the value to reach 2 */
        pid = ipc_spawn(child_down, NULL);
        wait_until(0, GETNCNT, 1);
        EXPECT_RET(semctl_raw(id, 0, GETZCNT, 0), 0);
        op = (struct sembuf){ 0, 1, 0 };
        EXPECT_OK(syscall(SYS_semop, id, &op, 1));
        ipc_sleep_ms(20);
        EXPECT_RET(semctl_raw(id, 0, GETNCNT, 0), 1);  /* still short of 2 */
        EXPECT_OK(syscall(SYS_semop, id, &op, 1));
        ipc_reap(pid);
        EXPECT_RET(semctl_raw(id, 0, GETVAL, 0), 0);
        EXPECT_RET(semctl_raw(id, 0, GETNCNT, 0), 0);
        EXPECT_RET(semctl_raw(id, 0, GETPID, 0), pid);

        /* wait for zero */
        EXPECT_OK(semctl_raw(id, 1, SETVAL, 1));
        pid = ipc_spawn(child_zero, NULL);
        wait_until(1, GETZCNT, 1);
        EXPECT_OK(semctl_raw(id, 1, SETVAL, 0));
        ipc_reap(pid);

        /* a signal: EINTR, not restarted */
        pid = ipc_spawn(child_interrupted, NULL);
        wait_until(2, GETNCNT, 1);
        EXPECT_OK(kill(pid, SIGUSR1));
        ipc_reap(pid);
        EXPECT_RET(semctl_raw(id, 2, GETNCNT, 0), 0);

        /* a timeout: EAGAIN after it */
        op = (struct sembuf){ 2, -1, 0 };
        clock_gettime(CLOCK_MONOTONIC, &t0);
        EXPECT_ERRNO(syscall(SYS_semtimedop, id, &op, 1, &ts), EAGAIN);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        CHECK(ms >= 95, "timed out after %ld ms", ms);
        /* a zero timeout is a try */
        ts = (struct timespec){ 0, 0 };
        EXPECT_ERRNO(syscall(SYS_semtimedop, id, &op, 1, &ts), EAGAIN);
        EXPECT_OK(semctl_raw(id, 2, SETVAL, 1));
        EXPECT_OK(syscall(SYS_semtimedop, id, &op, 1, &ts));

        /* removal wakes waiters with EIDRM */
        pid = ipc_spawn(child_removed, NULL);
        wait_until(2, GETNCNT, 1);
        EXPECT_OK(semctl_raw(id, 0, IPC_RMID, 0));
        ipc_reap(pid);
        return 0;
}
