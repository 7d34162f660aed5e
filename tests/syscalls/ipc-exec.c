/* SPDX-License-Identifier: Apache-2.0 */
/* IPC across execve: the old image's shm attachments are detached
 * (shm_nattch drops), its SEM_UNDO adjustments stay with the process and are
 * applied when the new image exits. */
#include "ipc-test.h"

static int after_exec(int shmid, int semid)
{
        EXPECT_EQ(shm_nattch(shmid), 0);
        EXPECT_RET(semctl_raw(semid, 0, GETVAL, 0), 0);
        return 0;
}

static int shmid, semid;

static void child(void *arg)
{
        char ida[16], idb[16];
        char *nargv[] = { "ipc-exec", ida, idb, NULL };
        char *envp[] = { NULL };
        struct sembuf op = { 0, -1, SEM_UNDO };
        char *p;

        (void)arg;
        p = (char *)syscall(SYS_shmat, shmid, NULL, 0);
        CHECK(p != (char *)-1, "shmat: %s", test_errname(errno));
        p[0] = 'x';
        EXPECT_EQ(shm_nattch(shmid), 1);
        EXPECT_OK(syscall(SYS_semop, semid, &op, 1));
        snprintf(ida, sizeof(ida), "%d", shmid);
        snprintf(idb, sizeof(idb), "%d", semid);
        syscall(SYS_execve, "/proc/self/exe", nargv, envp);
        FAIL("execve: %s", test_errname(errno));
}

int main(int argc, char **argv)
{
        if (argc == 3)
                return after_exec(atoi(argv[1]), atoi(argv[2]));
        ipc_test_setup();
        shmid = (int)EXPECT_OK(syscall(SYS_shmget, IPC_PRIVATE, 4096, 0600));
        semid = (int)EXPECT_OK(syscall(SYS_semget, IPC_PRIVATE, 1, 0600));
        EXPECT_OK(semctl_raw(semid, 0, SETVAL, 1));
        ipc_reap(ipc_spawn(child, NULL));
        EXPECT_EQ(shm_nattch(shmid), 0);
        EXPECT_RET(semctl_raw(semid, 0, GETVAL, 0), 1);
        EXPECT_OK(shmctl_raw(shmid, IPC_RMID, NULL));
        EXPECT_OK(semctl_raw(semid, 0, IPC_RMID, 0));
        return 0;
}
