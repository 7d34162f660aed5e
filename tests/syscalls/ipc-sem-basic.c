/* SPDX-License-Identifier: Apache-2.0 */
/* sem: values (SETVAL/GETVAL, SETALL/GETALL, GETPID), semop's all-or-nothing
 * lists, IPC_NOWAIT, the limits (ERANGE, EFBIG, E2BIG) and semctl's errnos. */
#include "ipc-test.h"

int main(void)
{
        unsigned short vals[3], set[3] = { 1, 2, 3 };
        struct semid_ds ds;
        struct seminfo si;
        int id;

        ipc_test_setup();
        EXPECT_ERRNO(syscall(SYS_semget, IPC_PRIVATE, -1, 0600), EINVAL);
        EXPECT_ERRNO(syscall(SYS_semget, IPC_PRIVATE, 32001, 0600), EINVAL);
        EXPECT_ERRNO(syscall(SYS_semget, IPC_PRIVATE, 0, 0600), EINVAL);
        EXPECT_ERRNO(syscall(SYS_semget, 0x99, 1, 0600), ENOENT);
        id = (int)EXPECT_OK(syscall(SYS_semget, 0x99, 3, IPC_CREAT | 0600));
        EXPECT_ERRNO(syscall(SYS_semget, 0x99, 4, 0), EINVAL);
        EXPECT_RET(syscall(SYS_semget, 0x99, 0, 0), id);
        EXPECT_RET(syscall(SYS_semget, 0x99, 2, 0), id);
        EXPECT_ERRNO(syscall(SYS_semget, 0x99, 2, IPC_CREAT | IPC_EXCL), EEXIST);

        EXPECT_OK(semctl_raw(id, 0, IPC_STAT, (unsigned long)&ds));
        EXPECT_EQ(ds.sem_nsems, 3);
        EXPECT_EQ(ds.sem_perm.mode, 0600);
        EXPECT_EQ(ds.sem_otime, 0);
        EXPECT_RET(semctl_raw(id & 32767, 0, SEM_STAT, (unsigned long)&ds), id);
        EXPECT_RET(semctl_raw(0, 0, IPC_INFO, (unsigned long)&si), id & 32767);
        EXPECT_EQ(si.semmsl, 32000);
        EXPECT_EQ(si.semopm, 500);
        EXPECT_EQ(si.semvmx, 32767);
        EXPECT_EQ(si.semmni, 32000);
        EXPECT_RET(semctl_raw(0, 0, SEM_INFO, (unsigned long)&si), id & 32767);
        EXPECT_EQ(si.semusz, 1);        /* sets in use */
        EXPECT_EQ(si.semaem, 3);        /* semaphores in use */

        /* values */
        EXPECT_RET(semctl_raw(id, 1, GETVAL, 0), 0);
        EXPECT_OK(semctl_raw(id, 1, SETVAL, 5));
        EXPECT_RET(semctl_raw(id, 1, GETVAL, 0), 5);
        EXPECT_RET(semctl_raw(id, 1, GETPID, 0), getpid());
        EXPECT_RET(semctl_raw(id, 0, GETPID, 0), 0);
        EXPECT_ERRNO(semctl_raw(id, 1, SETVAL, 32768), ERANGE);
        EXPECT_ERRNO(semctl_raw(id, 1, SETVAL, -1), ERANGE);
        EXPECT_ERRNO(semctl_raw(id, 3, SETVAL, 1), EINVAL);
        EXPECT_ERRNO(semctl_raw(id, -1, GETVAL, 0), EINVAL);
        EXPECT_ERRNO(semctl_raw(id, 3, GETVAL, 0), EINVAL);
        EXPECT_ERRNO(semctl_raw(id + 1, 0, GETVAL, 0), EINVAL);
        EXPECT_ERRNO(semctl_raw(-1, 0, GETVAL, 0), EINVAL);
        EXPECT_ERRNO(semctl_raw(id, 0, 99, 0), EINVAL);
        EXPECT_OK(semctl_raw(id, 0, SETALL, (unsigned long)set));
        EXPECT_OK(semctl_raw(id, 0, GETALL, (unsigned long)vals));
        EXPECT_EQ(vals[0], 1);
        EXPECT_EQ(vals[1], 2);
        EXPECT_EQ(vals[2], 3);
        set[2] = 40000;
        EXPECT_ERRNO(semctl_raw(id, 0, SETALL, (unsigned long)set), ERANGE);
        EXPECT_ERRNO(semctl_raw(id, 0, SETALL, 8), EFAULT);
        EXPECT_ERRNO(semctl_raw(id, 0, GETALL, 8), EFAULT);
        EXPECT_RET(semctl_raw(id, 2, GETVAL, 0), 3);

        /* semop: all or nothing */
        struct sembuf ops[3] = { { 0, -1, 0 }, { 1, 2, 0 }, { 2, -4, IPC_NOWAIT } };
        EXPECT_ERRNO(syscall(SYS_semop, id, ops, 3), EAGAIN);
        EXPECT_RET(semctl_raw(id, 0, GETVAL, 0), 1);
        EXPECT_RET(semctl_raw(id, 1, GETVAL, 0), 2);
        ops[2].sem_op = -3;
        EXPECT_OK(syscall(SYS_semop, id, ops, 3));
        EXPECT_OK(semctl_raw(id, 0, GETALL, (unsigned long)vals));
        EXPECT_EQ(vals[0], 0);
        EXPECT_EQ(vals[1], 4);
        EXPECT_EQ(vals[2], 0);
        EXPECT_OK(semctl_raw(id, 0, IPC_STAT, (unsigned long)&ds));
        CHECK(ds.sem_otime != 0, "otime not set");
        /* the same semaphore twice: in order */
        struct sembuf twice[2] = { { 0, 1, 0 }, { 0, -1, IPC_NOWAIT } };
        EXPECT_OK(syscall(SYS_semop, id, twice, 2));
        EXPECT_RET(semctl_raw(id, 0, GETVAL, 0), 0);
        /* wait-for-zero that is satisfied */
        struct sembuf zero = { 2, 0, IPC_NOWAIT };
        EXPECT_OK(syscall(SYS_semop, id, &zero, 1));
        zero.sem_num = 1;
        EXPECT_ERRNO(syscall(SYS_semop, id, &zero, 1), EAGAIN);

        /* limits */
        EXPECT_OK(semctl_raw(id, 0, SETVAL, 32767));
        struct sembuf up = { 0, 1, IPC_NOWAIT };
        EXPECT_ERRNO(syscall(SYS_semop, id, &up, 1), ERANGE);
        up.sem_num = 3;
        EXPECT_ERRNO(syscall(SYS_semop, id, &up, 1), EFBIG);
        EXPECT_ERRNO(syscall(SYS_semop, id, &up, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_semop, id, &up, 501), E2BIG);
        EXPECT_ERRNO(syscall(SYS_semop, id, (void *)8, 1), EFAULT);
        EXPECT_ERRNO(syscall(SYS_semop, -1, &up, 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_semop, id + 1, &up, 1), EINVAL);
        struct timespec bad = { 0, 1000000000 };
        up.sem_num = 1;
        EXPECT_ERRNO(syscall(SYS_semtimedop, id, &up, 1, &bad), EINVAL);
        EXPECT_ERRNO(syscall(SYS_semtimedop, id, &up, 1, (void *)8), EFAULT);

        /* IPC_SET, IPC_RMID */
        EXPECT_OK(semctl_raw(id, 0, IPC_STAT, (unsigned long)&ds));
        ds.sem_perm.mode = 0640;
        EXPECT_OK(semctl_raw(id, 0, IPC_SET, (unsigned long)&ds));
        EXPECT_OK(semctl_raw(id, 0, IPC_STAT, (unsigned long)&ds));
        EXPECT_EQ(ds.sem_perm.mode, 0640);
        EXPECT_OK(semctl_raw(id, 0, IPC_RMID, 0));
        EXPECT_ERRNO(semctl_raw(id, 0, GETVAL, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_semop, id, &up, 1), EINVAL);
        return 0;
}
