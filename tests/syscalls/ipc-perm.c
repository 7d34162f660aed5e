/* SPDX-License-Identifier: Apache-2.0 */
/* shm, sem, msg permissions with the caller's credentials: another user gets
 * EACCES for what the mode does not grant and EPERM for IPC_SET/IPC_RMID;
 * the owner's group bits apply to group members. */
#include <sys/prctl.h>

#include "creds-test.h"
#include "ipc-test.h"

static int shm_id, sem_id, msg_id;

static void as_other_user(void)
{
        struct shmid_ds ds;
        struct msqid_ds mds;

        EXPECT_OK(syscall(SYS_setgroups, 0, NULL));
        EXPECT_OK(syscall(SYS_setresgid, 2000, 2000, 2000));
        EXPECT_OK(syscall(SYS_setresuid, 1000, 1000, 1000));   /* drops every capability */

        /* shm mode 0640, group 2000: read yes, write no */
        EXPECT_ERRNO(syscall(SYS_shmget, 0x600, 0, 0600), EACCES);
        EXPECT_RET(syscall(SYS_shmget, 0x600, 0, 0400), shm_id);
        EXPECT_ERRNO(syscall(SYS_shmat, shm_id, NULL, 0), EACCES);
        char *p = (char *)syscall(SYS_shmat, shm_id, NULL, SHM_RDONLY);
        CHECK(p != (char *)-1, "shmat: %s", test_errname(errno));
        EXPECT_OK(syscall(SYS_shmdt, p));
        EXPECT_OK(shmctl_raw(shm_id, IPC_STAT, &ds));
        EXPECT_ERRNO(shmctl_raw(shm_id, IPC_SET, &ds), EPERM);
        EXPECT_ERRNO(shmctl_raw(shm_id, IPC_RMID, NULL), EPERM);
        EXPECT_ERRNO(shmctl_raw(shm_id, SHM_LOCK, NULL), EPERM);

        /* sem mode 0600: nothing */
        EXPECT_RET(syscall(SYS_semget, 0x601, 0, 0), sem_id);   /* asks for nothing */
        EXPECT_ERRNO(syscall(SYS_semget, 0x601, 0, 0400), EACCES);
        EXPECT_ERRNO(semctl_raw(sem_id, 0, GETVAL, 0), EACCES);
        EXPECT_ERRNO(semctl_raw(sem_id, 0, SETVAL, 1), EACCES);
        struct sembuf op = { 0, 1, IPC_NOWAIT };
        EXPECT_ERRNO(syscall(SYS_semop, sem_id, &op, 1), EACCES);
        EXPECT_ERRNO(semctl_raw(sem_id, 0, IPC_RMID, 0), EPERM);

        /* msg mode 0604: others may read, not write */
        long buf[2] = { 1, 0 };
        EXPECT_ERRNO(syscall(SYS_msgsnd, msg_id, buf, 1, IPC_NOWAIT), EACCES);
        EXPECT_ERRNO(syscall(SYS_msgrcv, msg_id, buf, 8, 0, IPC_NOWAIT), ENOMSG);
        EXPECT_OK(syscall(SYS_msgctl, msg_id, IPC_STAT, &mds));
        EXPECT_ERRNO(syscall(SYS_msgctl, msg_id, IPC_RMID, NULL), EPERM);
}

int main(void)
{
        struct shmid_ds ds;

        creds_require_root();
        ipc_test_setup();
        shm_id = (int)EXPECT_OK(syscall(SYS_shmget, 0x600, 4096, IPC_CREAT | 0640));
        EXPECT_OK(shmctl_raw(shm_id, IPC_STAT, &ds));
        ds.shm_perm.gid = 2000;
        EXPECT_OK(shmctl_raw(shm_id, IPC_SET, &ds));
        sem_id = (int)EXPECT_OK(syscall(SYS_semget, 0x601, 1, IPC_CREAT | 0600));
        msg_id = (int)EXPECT_OK(syscall(SYS_msgget, 0x602, IPC_CREAT | 0604));

        creds_in_child(as_other_user);

        EXPECT_OK(shmctl_raw(shm_id, IPC_RMID, NULL));
        EXPECT_OK(semctl_raw(sem_id, 0, IPC_RMID, 0));
        EXPECT_OK(syscall(SYS_msgctl, msg_id, IPC_RMID, NULL));
        return 0;
}
