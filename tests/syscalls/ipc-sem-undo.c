/* SPDX-License-Identifier: Apache-2.0 */
/* sem: SEM_UNDO adjustments are applied when the process exits, killed
 * too, clamped at 0; SETVAL clears them; the adjustment range is bounded
 * (ERANGE). */
#include "ipc-test.h"

static int id;

static void child_takes(void *arg)
{
        struct sembuf ops[2] = { { 0, -1, SEM_UNDO }, { 1, 3, SEM_UNDO } };

        (void)arg;
        EXPECT_OK(syscall(SYS_semop, id, ops, 2));
        EXPECT_RET(semctl_raw(id, 0, GETVAL, 0), 1);
        EXPECT_RET(semctl_raw(id, 1, GETVAL, 0), 3);
}

static void child_takes_then_setval(void *arg)
{
        struct sembuf op = { 0, -1, SEM_UNDO };

        (void)arg;
        EXPECT_OK(syscall(SYS_semop, id, &op, 1));
        EXPECT_OK(semctl_raw(id, 0, SETVAL, 7));        /* forgets the adjustment */
}

static void child_range(void *arg)
{
        struct sembuf up = { 2, 32767, SEM_UNDO }, down = { 2, -32767, 0 };

        (void)arg;
        EXPECT_OK(syscall(SYS_semop, id, &up, 1));      /* adjustment -32767 */
        EXPECT_OK(syscall(SYS_semop, id, &down, 1));
        up.sem_op = 1;
        EXPECT_OK(syscall(SYS_semop, id, &up, 1));      /* -32768: the lowest */
        down.sem_op = -1;
        EXPECT_OK(syscall(SYS_semop, id, &down, 1));
        EXPECT_ERRNO(syscall(SYS_semop, id, &up, 1), ERANGE);
        EXPECT_RET(semctl_raw(id, 2, GETVAL, 0), 0);
        /* exits with -32768 to apply to 0: clamped */
}

static void child_holds(void *arg)
{
        struct sembuf op = { 0, -1, SEM_UNDO };
        int *pipefd = arg;

        EXPECT_OK(syscall(SYS_semop, id, &op, 1));
        EXPECT_RET(write(pipefd[1], "x", 1), 1);
        for (;;)
                pause();        /* until killed */
}

int main(void)
{
        int pipefd[2], status;
        pid_t pid;

        ipc_test_setup();
        id = (int)EXPECT_OK(syscall(SYS_semget, IPC_PRIVATE, 3, 0600));
        EXPECT_OK(semctl_raw(id, 0, SETVAL, 2));

        ipc_reap(ipc_spawn(child_takes, NULL));
        EXPECT_RET(semctl_raw(id, 0, GETVAL, 0), 2);
        EXPECT_RET(semctl_raw(id, 1, GETVAL, 0), 0);

        ipc_reap(ipc_spawn(child_takes_then_setval, NULL));
        EXPECT_RET(semctl_raw(id, 0, GETVAL, 0), 7);

        /* clamped at 0 when the value fell meanwhile */
        ipc_reap(ipc_spawn(child_range, NULL));
        EXPECT_RET(semctl_raw(id, 2, GETVAL, 0), 0);

        /* killed: undone too */
        EXPECT_OK(pipe(pipefd));
        pid = ipc_spawn(child_holds, pipefd);
        char c;
        EXPECT_RET(read(pipefd[0], &c, 1), 1);
        EXPECT_RET(semctl_raw(id, 0, GETVAL, 0), 6);
        EXPECT_OK(kill(pid, SIGKILL));
        EXPECT_RET(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(WIFSIGNALED(status), 1);
        EXPECT_RET(semctl_raw(id, 0, GETVAL, 0), 7);

        /* the parent's own adjustment outlives a removed set */
        struct sembuf op = { 0, -1, SEM_UNDO };
        EXPECT_OK(syscall(SYS_semop, id, &op, 1));
        EXPECT_OK(semctl_raw(id, 0, IPC_RMID, 0));
        return 0;
}
