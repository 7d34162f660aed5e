/* SPDX-License-Identifier: Apache-2.0 */
/* shm: IPC_RMID while attached marks the segment SHM_DEST and takes its key
 * away, but the id still works (IPC_STAT, shmat) until the last detach,
 * which destroys it. */
#include "ipc-test.h"

static void child_attach_exit(void *arg)
{
        int id = *(int *)arg;
        char *p = (char *)syscall(SYS_shmat, id, NULL, 0);

        CHECK(p != (char *)-1, "shmat after RMID: %s", test_errname(errno));
        EXPECT_EQ(p[0], 'A');
        EXPECT_EQ(shm_nattch(id), 3);  /* the parent's, inherited, ours */
        /* exits attached: the exit detaches */
}

int main(void)
{
        struct shmid_ds ds;
        char *p;
        int id, id2;

        ipc_test_setup();
        id = (int)EXPECT_OK(syscall(SYS_shmget, 0x5151, 4096, IPC_CREAT | 0600));
        p = (char *)syscall(SYS_shmat, id, NULL, 0);
        CHECK(p != (char *)-1, "shmat: %s", test_errname(errno));
        p[0] = 'A';
        EXPECT_OK(shmctl_raw(id, IPC_RMID, NULL));

        EXPECT_OK(shmctl_raw(id, IPC_STAT, &ds));
        EXPECT_EQ(ds.shm_perm.__key, IPC_PRIVATE);
        EXPECT_EQ(ds.shm_perm.mode, 0600 | SHM_DEST);
        EXPECT_EQ(ds.shm_nattch, 1);
        /* The key is free for a new segment. */
        EXPECT_ERRNO(syscall(SYS_shmget, 0x5151, 4096, 0), ENOENT);
        id2 = (int)EXPECT_OK(syscall(SYS_shmget, 0x5151, 4096, IPC_CREAT | IPC_EXCL | 0600));
        CHECK(id2 != id, "same id %d", id);
        EXPECT_OK(shmctl_raw(id2, IPC_RMID, NULL));

        ipc_reap(ipc_spawn(child_attach_exit, &id));
        EXPECT_EQ(shm_nattch(id), 1);
        EXPECT_EQ(p[0], 'A');
        /* A second RMID is fine while it lives. */
        EXPECT_OK(shmctl_raw(id, IPC_RMID, NULL));
        EXPECT_OK(syscall(SYS_shmdt, p));
        EXPECT_ERRNO(shmctl_raw(id, IPC_STAT, &ds), EINVAL);
        EXPECT_ERRNO(syscall(SYS_shmat, id, NULL, 0), EINVAL);
        return 0;
}
